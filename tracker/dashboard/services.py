"""The dashboard's numbers, each counted in SQL with GROUP BY: a fixed number of queries at any size."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..enums import ReportStep, Status
from ..extensions import db
from ..items.services import ItemFilters, filter_clauses
from ..models import ActionItem, Agency, Framework, ItemAgency, Pillar, Province, Report, Update

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


PENDING_CHOICES = ("1", "true", "on", "y", "yes")


def include_pending(args) -> bool:
    """Whether the page or export was asked to show reports awaiting verification (?pending=1)."""
    return (args.get("pending") or "").strip().lower() in PENDING_CHOICES


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


def _month(column) -> sa.ColumnElement:
    """The YYYY-MM of a timestamp, in the running database's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _status_rows(group_column, clauses, rows_by_key: dict, pending: sa.Subquery | None) -> list[StatusRow]:
    """Count filtered items by (group, status) in one query and fill the prepared rows; with `pending`,
    items with a report awaiting verification by the status it claims, apart."""
    if pending is None:
        query = sa.select(group_column, ActionItem.status, sa.null(), sa.func.count()).group_by(
            group_column, ActionItem.status)
    else:
        query = (sa.select(group_column, ActionItem.status, pending.c.status, sa.func.count())
                 .outerjoin(pending, pending.c.item_id == ActionItem.id)
                 .group_by(group_column, ActionItem.status, pending.c.status))
    for group_id, status, claimed, count in db.session.execute(query.where(*clauses)):
        row = rows_by_key.get(group_id)
        if row is None:
            continue
        if claimed is None:
            row.counts[status.value] += count
        else:
            row.pending[Status(claimed).value] += count
    return [row for row in rows_by_key.values() if row.total]


def build_dashboard(filters: ItemFilters, today: date | None = None, with_pending: bool = False) -> Dashboard:
    """Every aggregate of the dashboard for the filtered items: official states, and with `with_pending`
    the reports awaiting verification as a segment of their own."""
    today = today or date.today()
    clauses = filter_clauses(filters, today)
    pending = latest_pending_report()
    pending_total = db.session.scalar(
        sa.select(sa.func.count()).select_from(ActionItem).join(pending, pending.c.item_id == ActionItem.id)
        .where(*clauses)) or 0
    pending = pending if with_pending else None
    pillars = list(db.session.scalars(sa.select(Pillar).order_by(Pillar.position)))
    frameworks = list(db.session.scalars(sa.select(Framework).order_by(Framework.position)))
    provinces = list(db.session.scalars(sa.select(Province).order_by(Province.name)))

    pillar_rows = _status_rows(ActionItem.pillar_id, clauses,
                               {p.id: StatusRow(p.code, p.name) for p in pillars}, pending)
    # Every pillar keeps its bar, even at zero: an empty pillar is a finding, not noise.
    pillar_rows = [next((r for r in pillar_rows if r.key == p.code), StatusRow(p.code, p.name)) for p in pillars]
    framework_rows = _status_rows(ActionItem.framework_id, clauses,
                                  {f.id: StatusRow(f.code, f.name) for f in frameworks}, pending)
    province_rows = _status_rows(ActionItem.province_id, clauses,
                                 {None: StatusRow("", "National (no province)"),
                                  **{p.id: StatusRow(p.code, p.name) for p in provinces}}, pending)

    is_open = ActionItem.is_open
    overdue = ActionItem.is_overdue(today)
    as_int = lambda condition: sa.func.sum(sa.case((condition, 1), else_=0))  # noqa: E731
    agency_stats = db.session.execute(
        sa.select(
            ItemAgency.agency_id,
            sa.func.count(sa.distinct(ActionItem.id)),
            as_int(is_open),
            as_int(overdue),
            as_int(ActionItem.status == Status.COMPLETED),
            sa.func.avg(ActionItem.progress),
        )
        .join(ActionItem, ActionItem.id == ItemAgency.item_id)
        .where(*clauses)
        .group_by(ItemAgency.agency_id)
    ).all()
    heat_rows = db.session.execute(
        sa.select(ItemAgency.agency_id, ActionItem.pillar_id, as_int(is_open), as_int(overdue))
        .join(ActionItem, ActionItem.id == ItemAgency.item_id)
        .where(*clauses)
        .group_by(ItemAgency.agency_id, ActionItem.pillar_id)
    ).all()
    agency_ids = {row[0] for row in agency_stats}
    agencies = {
        a.id: a for a in db.session.scalars(sa.select(Agency).where(Agency.id.in_(agency_ids)))
    } if agency_ids else {}
    agency_rows = sorted(
        (
            AgencyRow(agencies[agency_id], items, int(open_ or 0), int(late or 0), int(done or 0),
                      round(float(mean or 0), 1))
            for agency_id, items, open_, late, done, mean in agency_stats
        ),
        key=lambda r: (-r.open, -r.overdue, -r.items, r.agency.name),
    )
    heatmap: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for agency_id, pillar_id, open_, late in heat_rows:
        heatmap[agency_id][pillar_id] = (int(open_ or 0), int(late or 0))

    months = _months(filters, clauses)
    overdue_items = list(
        db.session.scalars(
            sa.select(ActionItem)
            .where(*clauses, overdue)
            .options(joinedload(ActionItem.pillar),
                     selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
            .order_by(ActionItem.due_date, ActionItem.position)
            .limit(OVERDUE_SHOWN)
        )
    )
    overdue_total = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem).where(*clauses, overdue))
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
        overdue=overdue_items,
        overdue_total=overdue_total,
        include_pending=with_pending,
        pending_total=pending_total,
    )


def _months(filters: ItemFilters, clauses: list) -> list[MonthRow]:
    """Items completed and progress reports made, per month of the history of the filtered items."""
    month = _month(Update.created_at)
    filtered_items = sa.select(ActionItem.id).where(*clauses)
    conditions = [Update.item_id.in_(filtered_items)]
    if filters.due_from:
        conditions.append(Update.created_at >= datetime.combine(filters.due_from, time.min, tzinfo=UTC))
    if filters.due_to:
        conditions.append(Update.created_at <= datetime.combine(filters.due_to, time.max, tzinfo=UTC))
    completed = sa.and_(Update.status_after == Status.COMPLETED, Update.status_before != Status.COMPLETED)
    # An agency's report as submitted, or a coordinator's own update.
    reported = Update.step.in_((ReportStep.SUBMITTED, ReportStep.OFFICIAL))
    rows = db.session.execute(
        sa.select(month, sa.func.sum(sa.case((completed, 1), else_=0)), sa.func.sum(sa.case((reported, 1), else_=0)))
        .where(*conditions, sa.or_(completed, reported))
        .group_by(month)
        .order_by(month)
    )
    return [MonthRow(m, int(c or 0), int(r or 0)) for m, c, r in rows]
