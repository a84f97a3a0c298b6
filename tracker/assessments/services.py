"""The National Rapporteur's assessments, in plain functions that the pages, the API and the download call.

Per item and reporting year the rapporteur rates how far it was done — not started, limited, substantial,
complete, or not assessable — with a short reason. The rating stands beside the item's official status (what the
government reports through the reporting cycle) and never changes it, as international review mechanisms rate
commitments apart from a government's own report. Rows are only ever added: the latest assessment of an item
and a year is the one that stands; earlier ones stay readable.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager, joinedload

from .. import limits
from ..audit.services import record
from ..auth.permissions import can_assess
from ..contract import neutralise
from ..enums import AssessmentRating, AuditEventKind, Status
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..items.services import filter_clauses
from ..items.services import filter_options as item_filter_options
from ..models import ActionItem, Agency, Assessment, Framework, ItemAgency, Pillar, User
from .filters import AssessmentFilters

FIRST_YEAR = 2005  # the NAP 2005, the earliest plan the tracker follows
NOT_ALLOWED = _l("Only the National Rapporteur records assessments; everyone may read them.")
REASON_NEEDED = _l("Say why, in a sentence or two: readers weigh the rating by its reason.")


def last_year(today: date | None = None) -> int:
    """The latest year that may be assessed: next year, for a fiscal year (July–June) named by the year it ends."""
    return (today or date.today()).year + 1


def _consistent(*ratings: AssessmentRating) -> frozenset[AssessmentRating]:
    return frozenset({*ratings, AssessmentRating.NOT_ASSESSABLE})


# The rule of disagreement, written once (docs/domain.md): the ratings each official status is consistent with.
CONSISTENT_RATINGS: dict[Status, frozenset[AssessmentRating]] = {
    Status.NOT_STARTED: _consistent(AssessmentRating.NOT_STARTED, AssessmentRating.LIMITED),
    Status.IN_PROGRESS: _consistent(AssessmentRating.LIMITED, AssessmentRating.SUBSTANTIAL),
    Status.BLOCKED: _consistent(AssessmentRating.NOT_STARTED, AssessmentRating.LIMITED, AssessmentRating.SUBSTANTIAL),
    Status.COMPLETED: _consistent(AssessmentRating.COMPLETE),
    Status.SUPERSEDED: frozenset(AssessmentRating),
}


def disagrees(status: Status, rating: AssessmentRating) -> bool:
    """Whether the rapporteur's rating disagrees with the item's official status: it is not one of the ratings
    that status is consistent with (CONSISTENT_RATINGS).

    - completed: only complete agrees; limited, substantial or not started contradicts "done";
    - not started: not started or limited (a first step not yet reported) agrees; substantial or complete says
      much more was done than the government reports;
    - in progress: limited or substantial agrees; not started says nothing is under way, complete that it is done;
    - blocked: anything short of complete agrees (work stalls at any stage); complete does not;
    - superseded: every rating agrees: overtaken by a later law or plan says nothing of how far the work got;
    - not assessable never disagrees: it says too little is known to judge.
    """
    return rating not in CONSISTENT_RATINGS[status]


def disagreement(status: sa.ColumnElement[Status],
                 rating: sa.ColumnElement[AssessmentRating]) -> sa.ColumnElement[bool]:
    """SQL: the rating disagrees with the status, by the same table as `disagrees`."""
    return sa.or_(*(
        sa.and_(status == official, rating.not_in([r for r in AssessmentRating if r in consistent]))
        for official, consistent in CONSISTENT_RATINGS.items() if consistent != frozenset(AssessmentRating)
    ))


def assess(user: User, item: ActionItem, year: int, rating: AssessmentRating | str, reason: str,
           now: datetime | None = None) -> Assessment:
    """Record the rapporteur's assessment of an item for a year: it stands until a later one of the same year,
    and leaves the item's official status as it is. Written to the audit log."""
    if not can_assess(user):
        raise NotAllowed(NOT_ALLOWED)
    reason = (reason or "").strip()
    errors = {}
    if not isinstance(year, int) or not FIRST_YEAR <= year <= last_year():
        errors["year"] = _("An assessment is of a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=last_year())
    try:
        rating = AssessmentRating(rating)
    except ValueError:
        errors["rating"] = _("Rate it %(ratings)s.", ratings=", ".join(str(r.label).lower() for r in AssessmentRating))
    if not reason:
        errors["reason"] = REASON_NEEDED
    elif problem := limits.too_long(_("The reason"), reason, limits.ASSESSMENT_REASON):
        errors["reason"] = problem + " A short why: the evidence is in the item's history."
    if errors:
        raise Invalid(errors)
    assessment = Assessment(item=item, year=year, rating=rating, reason=reason, author=user,
                            created_at=now or datetime.now(UTC))
    db.session.add(assessment)
    db.session.flush()
    against = "disagrees with" if disagrees(item.status, rating) else "beside"
    record(AuditEventKind.ASSESSMENT, user=user, subject=f"assessment:{assessment.id}",
           # The audit log keeps English whatever the language of the page (the values, not the shown labels).
           detail=f"{item.ref} {year}: {rating.value.replace('_', ' ')}, {against} the official status "
                  f"{item.status.value.replace('_', ' ')}: “{reason}”")
    db.session.commit()
    return assessment


@dataclass
class AssessmentYear:
    """An item's assessments of one year: the one that stands, and those it superseded (newest first)."""

    year: int
    standing: Assessment
    earlier: list[Assessment] = field(default_factory=list)


def by_year(assessments: Iterable[Assessment]) -> list[AssessmentYear]:
    """An item's assessments (as ActionItem.assessments orders them: newest year first, then latest first)
    grouped by year, each year's latest standing."""
    years: dict[int, AssessmentYear] = {}
    for assessment in assessments:
        if assessment.year in years:
            years[assessment.year].earlier.append(assessment)
        else:
            years[assessment.year] = AssessmentYear(assessment.year, assessment)
    return list(years.values())


def standing() -> sa.ColumnElement[bool]:
    """SQL: the assessment stands, as no later one of the same item and year exists."""
    later = aliased(Assessment)
    return ~sa.exists().where(later.item_id == Assessment.item_id, later.year == Assessment.year,
                              later.id > Assessment.id)


def _current_query(filters: AssessmentFilters) -> sa.Select:
    """The standing assessments the filters select, joined with their items."""
    query = (
        sa.select(Assessment).join(Assessment.item).join(ActionItem.framework)
        .where(standing(), *filter_clauses(filters.item_filters))
    )
    if filters.year is not None:
        query = query.where(Assessment.year == filters.year)
    if filters.rating:
        query = query.where(Assessment.rating == AssessmentRating(filters.rating))
    if filters.disagreements:
        query = query.where(disagreement(ActionItem.status, Assessment.rating))
    return query


def _listed(query: sa.Select) -> sa.Select:
    """Newest year first, then the items in the plans' order, with what a row shows loaded."""
    return query.order_by(Assessment.year.desc(), Framework.position, ActionItem.position, Assessment.id).options(
        contains_eager(Assessment.item).contains_eager(ActionItem.framework),
        contains_eager(Assessment.item).joinedload(ActionItem.pillar),
        contains_eager(Assessment.item).selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
        joinedload(Assessment.author),
    )


def current_assessments(filters: AssessmentFilters) -> list[Assessment]:
    """Every standing assessment the filters select, in the list's order (for the download)."""
    return list(db.session.scalars(_listed(_current_query(filters))))


def current_page(filters: AssessmentFilters, page: int, per_page: int = limits.PER_PAGE_DEFAULT):
    """One page of the standing assessments the filters select (a Flask-SQLAlchemy Pagination)."""
    return db.paginate(_listed(_current_query(filters)), page=page, per_page=per_page, error_out=False)


def disagreement_count(filters: AssessmentFilters) -> int:
    """How many of the standing assessments the filters select disagree with their item's official status."""
    query = _current_query(filters).where(disagreement(ActionItem.status, Assessment.rating))
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def years_assessed() -> list[int]:
    """The years any item has an assessment of, newest first."""
    return list(db.session.scalars(sa.select(Assessment.year).distinct().order_by(Assessment.year.desc())))


@dataclass
class FilterOptions:
    """The choices the list's filters offer (the pillars and agencies the item list offers)."""

    pillars: list[Pillar]
    agencies: list[Agency]
    years: list[int]
    ratings: list[AssessmentRating]


def filter_options(filters: AssessmentFilters) -> FilterOptions:
    """The years assessed (and the one asked for, so that it shows as chosen), the ratings, pillars and agencies."""
    items = item_filter_options()
    years = years_assessed()
    if filters.year is not None and filters.year not in years:
        years = sorted([*years, filters.year], reverse=True)
    return FilterOptions(items.pillars, items.agencies, years, list(AssessmentRating))


CSV_COLUMNS = ("item", "title", "framework", "pillar", "lead_agency", "year", "rating", "official_status",
               "disagrees", "reason", "assessed_by", "assessed_at")


def csv_row(assessment: Assessment) -> dict[str, object]:
    """One standing assessment as a row of the download: codes for the rating and the status, as the item CSV."""
    item = assessment.item
    return {
        "item": item.ref, "title": item.title, "framework": item.framework.name, "pillar": item.pillar.code,
        "lead_agency": item.lead.agency.name if item.lead else "", "year": assessment.year,
        "rating": assessment.rating.value, "official_status": item.status.value,
        "disagrees": "yes" if disagrees(item.status, assessment.rating) else "no", "reason": assessment.reason,
        "assessed_by": assessment.author.display_name, "assessed_at": assessment.when.isoformat(timespec="seconds"),
    }


def export_csv(filters: AssessmentFilters) -> bytes:
    """The standing assessments the filters select as CSV (formulas made inert); the download is audited."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    rows = current_assessments(filters)
    for assessment in rows:
        writer.writerow({key: neutralise(value) if isinstance(value, str) else value
                         for key, value in csv_row(assessment).items()})
    described = ", ".join(f"{name}={value}" for name, value in filters.to_args().items()) or "no filters"
    record(AuditEventKind.EXPORT, subject="export:assessments-csv", detail=f"{described}; {len(rows)} assessments")
    db.session.commit()
    return buffer.getvalue().encode("utf-8")
