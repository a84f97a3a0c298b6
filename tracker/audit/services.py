"""The audit log's rules: the one writer of its events, and how admins read them.

`record` adds an event to the session of the change it describes, so the caller's commit saves both
and a change rolled back leaves no event. An event with no change around it (a failed login, a
download) is committed by its caller. Nothing updates or deletes an event (see models.AuditEvent).
"""
from __future__ import annotations

import getpass
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from werkzeug.local import LocalProxy

from .. import limits
from ..contract import csv_chunks, neutralise
from ..enums import AuditEventKind
from ..extensions import db
from ..models import AuditEvent, User


def record(event: AuditEventKind, *, user: User | None = None, actor: str | None = None, subject: str = "",
           detail: str = "", address: str | None = None) -> AuditEvent:
    """Add an event to the current session (the caller commits).

    In a request, `user` defaults to the logged-in user and `address` to the client's; `actor` is the
    user's e-mail unless given (for a failed login, the e-mail tried). A command's events name the
    operating-system account that ran it.
    """
    in_request = has_request_context()
    if isinstance(user, LocalProxy):
        user = user._get_current_object()
    if user is None and in_request and current_user.is_authenticated:
        user = current_user._get_current_object()
    if actor is None:
        actor = user.email if user is not None else "" if in_request else command_line_actor()
    if address is None and in_request:
        address = request.remote_addr
    row = AuditEvent(event=event, user=user, actor=actor[: limits.EMAIL],
                     address=(address or "")[: limits.CLIENT_ADDRESS], subject=subject[: limits.AUDIT_SUBJECT],
                     detail=detail)
    db.session.add(row)
    return row


def command_line_actor() -> str:
    """Who ran a command: a command knows no tracker account, only the operating system's."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry, as in some containers
        name = "unknown"
    return f"command line ({name})"


def describe_state(state: dict[str, object]) -> str:
    """A thing's state as "role coordinator, agency none, state active"."""
    return ", ".join(f"{name} {value}" for name, value in state.items())


def describe_changes(before: dict[str, object], after: dict[str, object]) -> str:
    """What differs, as "role coordinator → admin; agency none → NADRA"; empty if nothing does."""
    return "; ".join(f"{name} {before[name]} → {value}" for name, value in after.items() if before[name] != value)


@dataclass(frozen=True)
class AuditFilters:
    """What the log is narrowed to; every field round-trips through the query string."""

    user: str = ""  # a part of the actor's e-mail
    event: AuditEventKind | None = None
    date_from: date | None = None  # days in UTC, both included
    date_to: date | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self) -> dict[str, str]:
        """The query-string arguments of these filters (those not set left out)."""
        args = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "problems" and value:
                args[f.name] = value.value if isinstance(value, AuditEventKind) else str(value)
        return args

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    def describe(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.to_args().items()) or "no filters"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def events_query(filters: AuditFilters) -> sa.Select:
    """The filtered events, newest first."""
    query = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if filters.user:
        query = query.where(sa.func.lower(AuditEvent.actor).contains(filters.user.lower(), autoescape=True))
    if filters.event is not None:
        query = query.where(AuditEvent.event == filters.event)
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to and filters.date_to < date.max:
        query = query.where(AuditEvent.created_at < _day_start(filters.date_to + timedelta(days=1)))
    return query


def events_page(filters: AuditFilters, page: int, per_page: int = limits.PER_PAGE_DEFAULT):
    """One page of the filtered events (a Flask-SQLAlchemy Pagination): two queries, whatever the page."""
    return db.paginate(events_query(filters), page=page, per_page=per_page, error_out=False)


CSV_COLUMNS = ("time", "event", "actor", "user_id", "address", "subject", "detail")


def export_csv(filters: AuditFilters) -> Iterator[str]:
    """The filtered log as CSV text, newest first, as it stood when asked for; the download is recorded
    as an export (after the rows it covers, so its count is what it holds)."""
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    query = events_query(filters).where(AuditEvent.id <= last)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    record(AuditEventKind.EXPORT, subject="export:audit-csv", detail=f"{filters.describe()}; {count} events")
    db.session.commit()
    return _csv_chunks(query)


def _csv_chunks(query: sa.Select, rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text a few hundred rows at a time: the log only grows, and is never held whole in memory."""
    batches = db.session.scalars(query.execution_options(yield_per=rows_per_chunk)).partitions()
    yield from csv_chunks(CSV_COLUMNS, ([[neutralise(cell) if isinstance(cell, str) else cell for cell in (
        event.when.isoformat(timespec="seconds"), event.event.value, event.actor, event.user_id, event.address,
        event.subject, event.detail)] for event in batch] for batch in batches))
