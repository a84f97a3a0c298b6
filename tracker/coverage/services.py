"""Coverage, in plain functions that the pages, the API, the exports and the command line call.

A coverage link says that a plan's action addresses a recommendation (an item of a recommendations framework),
with a one-line reason saying how. The links are curated in seed/coverage.toml and by coordinators; a
recommendation no action addresses is a gap. Unlike "related items", a link is directed and has a reason.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from ..audit.services import record
from ..auth.permissions import can_curate_coverage
from ..contract import inert
from ..enums import AuditEventKind, FrameworkKind, Status, UpdateOrigin
from ..errors import Invalid, NotAllowed, NotFound
from ..extensions import db
from ..models import ActionItem, CoverageLink, Framework, Pillar, User
from .filters import CoverageFilters
from .rules import link_problem, one_line, reason_problem

NOT_ALLOWED = _l("Only coordinators and admins say which actions address a recommendation; everyone may read the "
                 "coverage.")
GAPS_SHOWN = 100  # the gaps section's length; the full list is the listing with "gaps only"
# The CSV's columns, exactly; the Excel sheet and the API's rows carry the same.
CSV_COLUMNS = ("recommendation", "framework", "title", "addressed_by", "status")
REF_SEPARATOR = "; "
SHEET = "Coverage"


def is_recommendation(item: ActionItem) -> bool:
    return item.framework.kind == FrameworkKind.RECOMMENDATIONS


def _item_by_ref(ref: str) -> ActionItem | None:
    return db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == ref).options(
        joinedload(ActionItem.framework)))


def add_link(user: User, recommendation: ActionItem, action_ref: str, reason: str,
             now: datetime | None = None) -> CoverageLink:
    """Record that the action `action_ref` addresses the recommendation, and how; written to the audit log.

    Refused (Invalid, by field) for an item that is not a recommendation, an action that is not a plan's, the
    item itself, a pair already linked, or a reason that is empty or longer than a line.
    """
    if not can_curate_coverage(user):
        raise NotAllowed(NOT_ALLOWED)
    action_ref, reason = (action_ref or "").strip(), one_line(reason)
    errors: dict[str, str] = {}
    action = _item_by_ref(action_ref) if action_ref else None
    if not action_ref:
        errors["action"] = _("Give the ref of the action that addresses it, e.g. NAP05-PROT-SH-i.")
    elif action is None:
        errors["action"] = _("There is no item with the ref “%(ref)s”.", ref=action_ref)
    elif problem := link_problem(recommendation.ref, recommendation.framework.kind, action.ref,
                                 action.framework.kind):
        errors["action"] = problem[0].upper() + problem[1:] + "."
    existing = None
    if action is not None and "action" not in errors:
        existing = db.session.scalar(sa.select(CoverageLink).where(
            CoverageLink.recommendation_id == recommendation.id, CoverageLink.action_id == action.id))
        if existing is not None and existing.active:
            errors["action"] = _("%(action)s is already listed as addressing %(recommendation)s.", action=action.ref,
                                  recommendation=recommendation.ref)
    if problem := reason_problem(reason):
        errors["reason"] = problem
    if errors:
        raise Invalid(errors)
    now = now or datetime.now(UTC)
    values = {"reason": reason, "origin": UpdateOrigin.USER, "added_by": user, "created_at": now,
              "removed_at": None, "removed_by": None}
    if existing is not None:  # a curated link removed earlier: the pair's one row, now the user's
        for key, value in values.items():
            setattr(existing, key, value)
        link = existing
    else:
        link = CoverageLink(recommendation=recommendation, action=action, **values)
        db.session.add(link)
    try:
        db.session.flush()
    except IntegrityError:  # someone added the same pair a moment ago
        db.session.rollback()
        raise Invalid({"action": _("%(action)s is already listed as addressing %(recommendation)s.",
                                   action=action_ref, recommendation=recommendation.ref)}) from None
    record(AuditEventKind.COVERAGE, user=user, subject=f"coverage:{link.id}",
           detail=f"added: {recommendation.ref} addressed by {action.ref}: “{reason}”")
    db.session.commit()
    return link


@dataclass(frozen=True)
class RemovedLink:
    """The pair a removed link joined, by ref (a user's link is gone from the database)."""

    recommendation: str
    action: str


def remove_link(user: User, link_id: int, now: datetime | None = None) -> RemovedLink:
    """Remove a coverage link; written to the audit log. A curated link is kept, marked removed, so that loading
    the seed again does not bring it back; a user's is deleted."""
    if not can_curate_coverage(user):
        raise NotAllowed(NOT_ALLOWED)
    link = db.session.scalar(sa.select(CoverageLink).where(CoverageLink.id == link_id, CoverageLink.active).options(
        joinedload(CoverageLink.recommendation), joinedload(CoverageLink.action)))
    if link is None:
        raise NotFound(_("There is no such coverage link: it may have been removed already."))
    removed = RemovedLink(link.recommendation.ref, link.action.ref)
    detail = (f"removed ({'curated' if link.curated else 'added by a user'}): {removed.recommendation} "
              f"addressed by {removed.action}: “{link.reason}”")
    if link.curated:
        link.removed_at, link.removed_by = now or datetime.now(UTC), user
    else:
        db.session.delete(link)
    record(AuditEventKind.COVERAGE, user=user, subject=f"coverage:{link_id}", detail=detail)
    db.session.commit()
    return removed


@dataclass
class ItemCoverage:
    """What an item's page shows of coverage: a recommendation's actions, or the recommendations an action
    addresses."""

    is_recommendation: bool
    addressed_by: list[CoverageLink] = field(default_factory=list)
    addresses: list[CoverageLink] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)  # the refs the form offers


def item_coverage(item: ActionItem, curator: bool = False) -> ItemCoverage:
    """An item's coverage links, loaded in a fixed number of queries; with `curator`, the actions the form
    offers to pick from (every plan's items)."""
    if is_recommendation(item):
        links = _links(CoverageLink.recommendation_id == item.id, CoverageLink.action)
        actions = list(db.session.scalars(
            sa.select(ActionItem).join(ActionItem.framework).where(Framework.kind == FrameworkKind.PLAN)
            .order_by(Framework.position, ActionItem.position))) if curator else []
        return ItemCoverage(True, addressed_by=links, actions=actions)
    return ItemCoverage(False, addresses=_links(CoverageLink.action_id == item.id, CoverageLink.recommendation))


def _links(where: sa.ColumnElement[bool], other) -> list[CoverageLink]:
    """Active links matching `where`, with the item at their other end, in the plans' order."""
    other_item = aliased(ActionItem)
    return list(db.session.scalars(
        sa.select(CoverageLink).join(other_item, other.of_type(other_item)).join(other_item.framework)
        .where(where, CoverageLink.active)
        .order_by(Framework.position, other_item.position)
        .options(joinedload(other).joinedload(ActionItem.framework), joinedload(CoverageLink.added_by))))


# The coverage of every recommendation


@dataclass
class CoverageRow:
    """A recommendation and the active links to the actions that address it (none: a gap)."""

    recommendation: ActionItem
    links: list[CoverageLink]

    @property
    def gap(self) -> bool:
        return not self.links

    @property
    def actions(self) -> list[ActionItem]:
        return [link.action for link in self.links]

    @property
    def completed(self) -> bool:
        """Addressed, and every addressing action's official status is completed."""
        return bool(self.links) and all(action.status == Status.COMPLETED for action in self.actions)

    def csv_row(self) -> dict[str, object]:
        """The row of the CSV, the Excel sheet and the API: the recommendation's own official status, and the
        refs of the actions addressing it (empty for a gap)."""
        item = self.recommendation
        return {"recommendation": item.ref, "framework": item.framework.name, "title": item.title,
                "addressed_by": REF_SEPARATOR.join(action.ref for action in self.actions),
                "status": item.status.value}


@dataclass
class CoverageSummary:
    recommendations: int = 0
    addressed: int = 0
    completed: int = 0  # addressed, and every addressing action completed

    @property
    def gaps(self) -> int:
        return self.recommendations - self.addressed


def _addressed() -> sa.Exists:
    """SQL: the recommendation (ActionItem) has an active link."""
    return sa.exists().where(CoverageLink.recommendation_id == ActionItem.id, CoverageLink.active)


def _selection(filters: CoverageFilters, *, gaps: bool | None = None) -> sa.Select:
    """The recommendations the filters select (framework and pillar; gaps only as `gaps`, else as the filters say)."""
    gaps = filters.gaps if gaps is None else gaps
    query = sa.select(ActionItem).join(ActionItem.framework).where(Framework.kind == FrameworkKind.RECOMMENDATIONS)
    if filters.framework:
        query = query.where(Framework.code == filters.framework)
    if filters.pillar:
        query = query.where(ActionItem.pillar.has(Pillar.code == filters.pillar))
    if gaps:
        query = query.where(~_addressed())
    return query


def _recommendations(filters: CoverageFilters, *, gaps: bool | None = None) -> sa.Select:
    """The selection in the frameworks' and the documents' order, with what a row shows loaded."""
    return (_selection(filters, gaps=gaps).order_by(Framework.position, ActionItem.position)
            .options(joinedload(ActionItem.framework), joinedload(ActionItem.pillar)))


def summary(filters: CoverageFilters) -> CoverageSummary:
    """How many recommendations the framework and pillar filters select, how many are addressed and how many
    have every addressing action completed, counted in one SQL statement (gaps only narrows the list, not this)."""
    action = aliased(ActionItem)
    unfinished = sa.exists().where(CoverageLink.recommendation_id == ActionItem.id, CoverageLink.active,
                                   CoverageLink.action_id == action.id, action.status != Status.COMPLETED)
    selected = _selection(filters, gaps=False).with_only_columns(
        ActionItem.id, _addressed().label("addressed"), unfinished.label("unfinished")).subquery()
    total, addressed, completed = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((selected.c.addressed, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(selected.c.addressed, ~selected.c.unfinished), 1),
                                             else_=0)), 0),
    )).one()
    return CoverageSummary(total, addressed, completed)


def _with_links(recommendations: list[ActionItem]) -> list[CoverageRow]:
    """The recommendations with their active links and the actions' frameworks: one query, whatever their number."""
    links: dict[int, list[CoverageLink]] = defaultdict(list)
    if recommendations:
        action = aliased(ActionItem)
        query = (sa.select(CoverageLink).join(action, CoverageLink.action.of_type(action)).join(action.framework)
                 .where(CoverageLink.recommendation_id.in_([item.id for item in recommendations]), CoverageLink.active)
                 .order_by(Framework.position, action.position)
                 .options(joinedload(CoverageLink.action).joinedload(ActionItem.framework),
                          joinedload(CoverageLink.added_by)))
        for link in db.session.scalars(query):
            links[link.recommendation_id].append(link)
    return [CoverageRow(item, links[item.id]) for item in recommendations]


def coverage_page(filters: CoverageFilters, page: int, per_page: int = 50):
    """One page of the recommendations the filters select (a Flask-SQLAlchemy Pagination), its `items` the
    CoverageRows."""
    pagination = db.paginate(_recommendations(filters), page=page, per_page=per_page, error_out=False)
    pagination.items = _with_links(pagination.items)
    return pagination


def coverage_rows(filters: CoverageFilters) -> list[CoverageRow]:
    """Every recommendation the filters select, with its links (for the downloads)."""
    return _with_links(list(db.session.scalars(_recommendations(filters))))


def gap_list(filters: CoverageFilters, limit: int = GAPS_SHOWN) -> list[ActionItem]:
    """The first `limit` gaps among the recommendations the framework and pillar filters select."""
    return list(db.session.scalars(_recommendations(filters, gaps=True).limit(limit)))


@dataclass
class FilterOptions:
    frameworks: list[Framework]  # of recommendations only
    pillars: list[Pillar]


def filter_options() -> FilterOptions:
    """The choices the page's filters offer: the frameworks whose items are recommendations, and the pillars."""
    return FilterOptions(
        list(db.session.scalars(sa.select(Framework).where(Framework.kind == FrameworkKind.RECOMMENDATIONS)
                                .order_by(Framework.position))),
        list(db.session.scalars(sa.select(Pillar).order_by(Pillar.position))))


def write_csv(filters: CoverageFilters, stream: TextIO) -> int:
    """Write the coverage of the recommendations the filters select, one row each, cells made inert; return how
    many rows."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    rows = coverage_rows(filters)
    writer.writerows(inert(row.csv_row()) for row in rows)
    return len(rows)
