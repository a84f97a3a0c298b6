"""The National Rapporteur's assessments, in plain functions that the pages call.

Per item and reporting year the rapporteur rates how far it was done — not started, limited, substantial,
complete, or not assessable — with a short reason. The rating stands beside the item's official status (what the
government reports through the reporting cycle) and never changes it, as international review mechanisms rate
commitments apart from a government's own report. Rows are only ever added: the latest assessment of an item
and a year is the one that stands; earlier ones stay readable.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from .. import limits
from ..audit.services import record
from ..auth.permissions import can_assess
from ..enums import AssessmentRating, AuditEventKind, Status
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..models import ActionItem, Assessment, User

FIRST_YEAR = 2005  # the NAP 2005, the earliest plan the tracker follows
NOT_ALLOWED = "Only the National Rapporteur records assessments; everyone may read them."
REASON_NEEDED = "Say why, in a sentence or two: readers weigh the rating by its reason."
REASON_TOO_LONG = (f"Keep the reason to {limits.ASSESSMENT_REASON} characters: a short why, the evidence is "
                   "in the item's history.")


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


def assess(user: User, item: ActionItem, year: int, rating: AssessmentRating | str, reason: str,
           now: datetime | None = None) -> Assessment:
    """Record the rapporteur's assessment of an item for a year: it stands until a later one of the same year,
    and leaves the item's official status as it is. Written to the audit log."""
    if not can_assess(user):
        raise NotAllowed(NOT_ALLOWED)
    reason = (reason or "").strip()
    errors = {}
    if not isinstance(year, int) or not FIRST_YEAR <= year <= last_year():
        errors["year"] = f"An assessment is of a year from {FIRST_YEAR} to {last_year()}."
    try:
        rating = AssessmentRating(rating)
    except ValueError:
        errors["rating"] = "Rate it " + ", ".join(r.label.lower() for r in AssessmentRating) + "."
    if not reason:
        errors["reason"] = REASON_NEEDED
    elif len(reason) > limits.ASSESSMENT_REASON:
        errors["reason"] = REASON_TOO_LONG
    if errors:
        raise Invalid(errors)
    assessment = Assessment(item=item, year=year, rating=rating, reason=reason, author=user,
                            created_at=now or datetime.now(UTC))
    db.session.add(assessment)
    db.session.flush()
    against = "disagrees with" if disagrees(item.status, rating) else "beside"
    record(AuditEventKind.ASSESSMENT, user=user, subject=f"assessment:{assessment.id}",
           detail=f"{item.ref} {year}: {rating.label.lower()}, {against} the official status "
                  f"{item.status.label.lower()}: “{reason}”")
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
