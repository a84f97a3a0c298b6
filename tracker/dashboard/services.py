"""The dashboard's numbers, each counted in SQL with GROUP BY: a fixed number of queries at any size.

Now, or "as of" a past day: then every count reads the official state each item had at the end of that day
from its history (items.history.official_states), leaves out items created later, and cuts the chart over
time at that moment.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..display import format_date
from ..enums import CLOSED_STATUSES, Status
from ..extensions import db
from ..items import monthly_counts
from ..items.filters import QuerySchema, load_leniently, query_date
from ..items.history import day_end, official_states
from ..items.services import ItemFilters, filter_clauses
from ..models import (
    ActionItem,
    Agency,
    Framework,
    ItemAgency,
    MonthlyHistoryCount,
    Pillar,
    Province,
    Report,
    Update,
)

OVERDUE_SHOWN = 100


@dataclass
class StatusRow:
    """One bar of a stacked status chart: a pillar, framework or province and its counts.

    `counts` are official statuses. With reports awaiting verification included, an item with one is
    counted in `pending` under the status its latest report claims instead — a segment of its own,
    never mixed into the official counts.
    """

    key: str  # the filter value that opens the item list on this row
    label: str
    counts: dict[str, int] = field(default_factory=Status.zero_counts)
    pending: dict[str, int] = field(default_factory=Status.zero_counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.pending_total

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())

    @property
    def completion(self) -> float:
        """Share of items completed, in percent (superseded items count as closed, not done)."""
        return round(100 * self.counts["completed"] / self.total, 1) if self.total else 0.0


@dataclass
class AgencyRow:
    agency: Agency
    items: int
    open: int
    overdue: int
    completed: int
    mean_progress: float


@dataclass
class MonthRow:
    month: str  # YYYY-MM
    completed: int = 0
    reported: int = 0


@dataclass
class Dashboard:
    filters: ItemFilters
    today: date
    total: int
    pillars: list[StatusRow]
    frameworks: list[StatusRow]
    provinces: list[StatusRow]
    agencies: list[AgencyRow]
    heatmap_pillars: list[Pillar]
    heatmap: dict[int, dict[int, tuple[int, int]]]  # agency id -> pillar id -> (open, overdue)
    months: list[MonthRow]
    overdue: list[ActionItem]  # the longest overdue, at most OVERDUE_SHOWN
    overdue_total: int
    include_pending: bool = False  # reports awaiting verification shown as their own segment
    pending_total: int = 0  # filtered items with a report awaiting verification
    as_of: date | None = None  # the past day whose end the figures stand at; None: now
    overdue_progress: dict[int, int] = field(default_factory=dict)  # the overdue items' progress then, by id


PENDING_CHOICES = ("1", "true", "on", "y", "yes")


def include_pending(args) -> bool:
    """Whether the page or export was asked to show reports awaiting verification (?pending=1)."""
    return (args.get("pending") or "").strip().lower() in PENDING_CHOICES


class AsOfSchema(QuerySchema):
    as_of = query_date("as_of", "The dashboard as it stood at the end of this past day (24:00 UTC).", bounded=True)


def read_as_of(args, today: date) -> tuple[date | None, list[str]]:
    """The past day the dashboard is asked to stand at (?as_of=YYYY-MM-DD), leniently: a day that is not a
    date, or has not ended yet, is dropped and named, and today's figures are shown."""
    values, problems = load_leniently(AsOfSchema(), args)
    as_of = values.get("as_of")
    if as_of is not None and as_of >= today:
        problems.append(_("as of %(day)s: that day has not ended yet, so these are today's figures",
                          day=format_date(as_of)))
        as_of = None
    if as_of is not None and include_pending(args):
        problems.append(_("pending: reports awaiting verification are not shown as of a past day"))
    return as_of, problems


@dataclass
class Scope:
    """The items the dashboard counts and the official state it counts them by: the items' own columns now,
    or, as of a past day, their state at its end read from the history (joined to each query by `join`)."""

    clauses: list
    status: sa.ColumnElement
    progress: sa.ColumnElement
    overdue: sa.ColumnElement[bool]
    state: sa.Subquery | None = None
    moment: datetime | None = None

    @classmethod
    def of(cls, filters: ItemFilters, today: date, as_of: date | None) -> Scope:
        if as_of is None:
            return cls(filter_clauses(filters, today), ActionItem.status, ActionItem.progress,
                       ActionItem.is_overdue(today))
        moment = day_end(as_of)
        state = official_states(moment)
        # At the end of the day, a due date on or before it has passed.
        cutoff = as_of + timedelta(days=1)
        clauses = [*filter_clauses(filters, cutoff, status=state.c.status), ActionItem.created_at < moment]
        return cls(clauses, state.c.status, state.c.progress, ActionItem.overdue_with(state.c.status, cutoff),
                   state, moment)

    def join(self, query: sa.Select) -> sa.Select:
        """The query (whose FROM holds the items) with the state as of the day joined, when there is one."""
        if self.state is None:
            return query
        return query.join(self.state, self.state.c.item_id == ActionItem.id)


def latest_pending_report() -> sa.Subquery:
    """Per item with a report awaiting a decision, the status its latest such report claims."""
    ranked = (
        sa.select(Report.item_id, Report.status,
                  sa.func.row_number().over(partition_by=Report.item_id,
                                            order_by=(Report.submitted_at.desc(), Report.id.desc())).label("rank"))
        .where(Report.is_pending)
        .subquery()
    )
    return sa.select(ranked.c.item_id, ranked.c.status).where(ranked.c.rank == 1).subquery("pending")


# The groupings of the status charts: the item's column each counts by.
STATUS_GROUPS = (ActionItem.pillar_id, ActionItem.framework_id, ActionItem.province_id)


def _status_rows(scope: Scope, rows_by_group: list[dict], pending: sa.Subquery | None) -> list[list[StatusRow]]:
    """Count filtered items by pillar, framework and province and status in one pass over them, and fill the
    prepared rows of each grouping; with `pending`, items with a report awaiting verification by the status it
    claims, apart. Returns each grouping's rows with any item."""
    grouped_by = [*STATUS_GROUPS, scope.status]
    if pending is None:
        query = scope.join(sa.select(*grouped_by, sa.null(), sa.func.count()).select_from(ActionItem))
    else:
        grouped_by.append(pending.c.status)
        query = (scope.join(sa.select(*grouped_by, sa.func.count()).select_from(ActionItem))
                 .outerjoin(pending, pending.c.item_id == ActionItem.id))
    query = query.where(*scope.clauses).group_by(*grouped_by)
    for *groups, status, claimed, count in db.session.execute(query):
        for group_id, rows_by_key in zip(groups, rows_by_group, strict=True):
            row = rows_by_key.get(group_id)
            if row is None:
                continue
            if claimed is None:
                row.counts[status.value] += count
            else:
                row.pending[Status(claimed).value] += count
    return [[row for row in rows_by_key.values() if row.total] for rows_by_key in rows_by_group]


def build_dashboard(filters: ItemFilters, today: date | None = None, with_pending: bool = False,
                    as_of: date | None = None) -> Dashboard:
    """Every aggregate of the dashboard for the filtered items: official states, and with `with_pending`
    the reports awaiting verification as a segment of their own.

    With `as_of` (a past day), the same aggregates as they stood at its end (24:00 UTC): the official state
    then, read from the history; items created later left out; overdue by the due dates passed by then; the
    months up to that moment; no reports awaiting verification.
    """
    today = today or date.today()
    scope = Scope.of(filters, today, as_of)
    clauses = scope.clauses
    pending, pending_total = None, 0
    if as_of is None:
        pending = latest_pending_report()
        pending_total = db.session.scalar(
            sa.select(sa.func.count()).select_from(ActionItem).join(pending, pending.c.item_id == ActionItem.id)
            .where(*clauses)) or 0
    pending = pending if with_pending and as_of is None else None
    pillars = list(db.session.scalars(sa.select(Pillar).order_by(Pillar.position)))
    frameworks = list(db.session.scalars(sa.select(Framework).order_by(Framework.position)))
    provinces = list(db.session.scalars(sa.select(Province).order_by(Province.name)))

    pillar_rows, framework_rows, province_rows = _status_rows(scope, [
        {p.id: StatusRow(p.code, p.name) for p in pillars},
        {f.id: StatusRow(f.code, f.name) for f in frameworks},
        {None: StatusRow("", _("National (no province)")), **{p.id: StatusRow(p.code, p.name) for p in provinces}},
    ], pending)
    # Every pillar keeps its bar, even at zero: an empty pillar is a finding, not noise.
    pillar_rows = [next((r for r in pillar_rows if r.key == p.code), StatusRow(p.code, p.name)) for p in pillars]

    is_open = scope.status.not_in(CLOSED_STATUSES)
    overdue = scope.overdue
    as_int = lambda condition: sa.func.sum(sa.case((condition, 1), else_=0))  # noqa: E731
    # One pass over the filtered items' assignments, by agency and pillar: the heatmap's cells, and summed, each
    # agency's row (an item has an agency once, so the rows it is counted in are its items).
    agency_pillar_rows = db.session.execute(
        scope.join(sa.select(
            ItemAgency.agency_id,
            ActionItem.pillar_id,
            sa.func.count(),
            as_int(is_open),
            as_int(overdue),
            as_int(scope.status == Status.COMPLETED),
            sa.func.sum(scope.progress),
        ).join(ActionItem, ActionItem.id == ItemAgency.item_id))
        .where(*clauses)
        .group_by(ItemAgency.agency_id, ActionItem.pillar_id)
    ).all()
    heatmap: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # items, open, overdue, completed, progress
    for agency_id, pillar_id, *counts in agency_pillar_rows:
        counts = [int(count or 0) for count in counts]
        heatmap[agency_id][pillar_id] = (counts[1], counts[2])
        totals[agency_id] = [total + count for total, count in zip(totals[agency_id], counts, strict=True)]
    agencies = {
        a.id: a for a in db.session.scalars(sa.select(Agency).where(Agency.id.in_(totals)))
    } if totals else {}
    agency_rows = sorted(
        (
            AgencyRow(agencies[agency_id], items, open_, late, done, round(progress / items, 1) if items else 0.0)
            for agency_id, (items, open_, late, done, progress) in totals.items()
        ),
        key=lambda r: (-r.open, -r.overdue, -r.items, r.agency.name),
    )

    months = _months(filters, scope)
    overdue_rows = db.session.execute(
        scope.join(sa.select(ActionItem, scope.progress).select_from(ActionItem))
        .where(*clauses, overdue)
        .options(joinedload(ActionItem.pillar),
                 selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
        .order_by(ActionItem.due_date, ActionItem.position)
        .limit(OVERDUE_SHOWN)
    ).all()
    overdue_total = db.session.scalar(
        scope.join(sa.select(sa.func.count()).select_from(ActionItem)).where(*clauses, overdue))
    return Dashboard(
        filters=filters,
        today=today,
        total=sum(row.total for row in pillar_rows),
        pillars=pillar_rows,
        frameworks=framework_rows,
        provinces=province_rows,
        agencies=agency_rows,
        heatmap_pillars=pillars,
        heatmap=dict(heatmap),
        months=months,
        overdue=[item for item, _progress in overdue_rows],
        overdue_total=overdue_total,
        include_pending=pending is not None,
        pending_total=pending_total,
        as_of=as_of,
        overdue_progress={item.id: progress for item, progress in overdue_rows},
    )


def _months(filters: ItemFilters, scope: Scope) -> list[MonthRow]:
    """Items completed and progress reports made, per month of the history of the filtered items (up to the
    moment the scope stands at).

    The whole plan now reads the months kept as entries are written (a row a month); filters, or a past day
    (which leaves out the items created since), read the entries of the items they keep.
    """
    if not filters.active and scope.moment is None:
        rows = db.session.execute(
            sa.select(MonthlyHistoryCount.month, MonthlyHistoryCount.completed, MonthlyHistoryCount.reported)
            .where(sa.or_(MonthlyHistoryCount.completed > 0, MonthlyHistoryCount.reported > 0))
            .order_by(MonthlyHistoryCount.month))
        return [MonthRow(m, c, r) for m, c, r in rows]
    filtered_items = scope.join(sa.select(ActionItem.id).select_from(ActionItem)).where(*scope.clauses)
    conditions = [Update.item_id.in_(filtered_items)]
    if scope.moment is not None:
        conditions.append(Update.created_at < scope.moment)
    if filters.due_from:
        conditions.append(Update.created_at >= datetime.combine(filters.due_from, time.min, tzinfo=UTC))
    if filters.due_to:
        conditions.append(Update.created_at <= datetime.combine(filters.due_to, time.max, tzinfo=UTC))
    counts = monthly_counts.counts_by_month(db.engine.dialect.name, *conditions).subquery()
    rows = db.session.execute(sa.select(counts).order_by(counts.c.month))
    return [MonthRow(m, int(c or 0), int(r or 0)) for m, c, r in rows]
