"""Items completed and reports made per month of the history, kept as the history is written.

The dashboard's chart over time of the whole plan reads these few rows instead of every entry. Whatever writes
entries (the history writer, the seed, a test's factory), the flush that inserts them adds them to their months
here, in its own transaction, as increments made in SQL (INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n):
two saves at once both count, and a save rolled back takes its counts with it. An entry changed in place (the
seed correcting a source's first entry) has its months counted again from the history. `rebuild` recounts every
month, for repair (`flask history recount`) and after rows written in bulk around the ORM.

The rules of what counts are written once, here, in SQL: the increments, the recount and the dashboard's
filtered chart (which reads the entries of the items it shows) all use `counts_by_month`.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..enums import ReportStep, Status
from ..extensions import insert_on_conflict
from ..models import MonthlyHistoryCount, Update

TABLE = MonthlyHistoryCount.__table__
# An entry that completed its item.
COMPLETED = sa.and_(Update.status_after == Status.COMPLETED, Update.status_before != Status.COMPLETED)
# An agency's report as submitted, or a coordinator's own update.
REPORTED = Update.step.in_((ReportStep.SUBMITTED, ReportStep.OFFICIAL))
CHUNK = 1000


def month_of(column, dialect: str) -> sa.ColumnElement[str]:
    """The YYYY-MM (UTC) of a timestamp, in the dialect's own SQL."""
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def counts_by_month(dialect: str, *conditions) -> sa.Select:
    """(month, completed, reported) of the entries that meet the conditions: only months with either."""
    month = month_of(Update.created_at, dialect)
    return (
        sa.select(month.label("month"),
                  sa.func.sum(sa.case((COMPLETED, 1), else_=0)).label("completed"),
                  sa.func.sum(sa.case((REPORTED, 1), else_=0)).label("reported"))
        .where(*conditions, sa.or_(COMPLETED, REPORTED))
        .group_by(month)
    )


def _add(connection: sa.Connection, counts: sa.Select) -> None:
    """Add the counts to their months' rows, creating those missing, in one statement."""
    insert = insert_on_conflict(TABLE, connection.dialect.name)
    statement = insert.from_select(["month", "completed", "reported"], counts)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[TABLE.c.month],
        set_={"completed": TABLE.c.completed + statement.excluded.completed,
              "reported": TABLE.c.reported + statement.excluded.reported}))


def count_entries(connection: sa.Connection, entry_ids: Iterable[int]) -> None:
    """Add entries just written to their months."""
    ids = sorted(set(entry_ids))
    for start in range(0, len(ids), CHUNK):
        _add(connection, counts_by_month(connection.dialect.name, Update.id.in_(ids[start:start + CHUNK])))


def _month_start(month: str) -> datetime:
    year, number = map(int, month.split("-"))
    return datetime(year, number, 1, tzinfo=UTC)


def _next_month(month: str) -> datetime:
    start = _month_start(month)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


def recount(connection: sa.Connection, months: Iterable[str]) -> None:
    """Count these months again from the history."""
    for month in sorted(set(months)):
        connection.execute(sa.delete(TABLE).where(TABLE.c.month == month))
        _add(connection, counts_by_month(connection.dialect.name, Update.created_at >= _month_start(month),
                                         Update.created_at < _next_month(month)))


def rebuild(connection: sa.Connection) -> int:
    """Every month counted again from the whole history; the number of months with anything in them."""
    connection.execute(sa.delete(TABLE))
    connection.execute(sa.insert(TABLE).from_select(["month", "completed", "reported"],
                                                    counts_by_month(connection.dialect.name)))
    return connection.scalar(sa.select(sa.func.count()).select_from(TABLE))


def _month(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m")


COUNTED = ("created_at", "status_before", "status_after", "step")


@sa.event.listens_for(Session, "after_flush")
def _keep_months_current(session: Session, _flush_context) -> None:
    """Count, in the flush's transaction, the entries it wrote; recount the months of entries it changed."""
    new = [obj.id for obj in session.new if isinstance(obj, Update)]
    months: set[str | None] = set()
    for obj in session.dirty:
        if not isinstance(obj, Update):
            continue
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in COUNTED):
            months.add(_month(obj.created_at))
            months.update(_month(before) for before in state.attrs["created_at"].history.deleted)
    months.update(_month(obj.created_at) for obj in session.deleted if isinstance(obj, Update))
    months.discard(None)
    if not (new or months):
        return
    connection = session.connection()
    if new:
        count_entries(connection, new)
    if months:
        recount(connection, months)
