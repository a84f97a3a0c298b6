"""The audit log's rules: the one writer of its events.

`record` adds an event to the session of the change it describes, so the caller's commit saves both
and a change rolled back leaves no event. An event with no change around it (a failed login, a
download) is committed by its caller. Nothing updates or deletes an event (see models.AuditEvent).
"""
from __future__ import annotations

import getpass

from flask import has_request_context, request
from flask_login import current_user
from werkzeug.local import LocalProxy

from .. import limits
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
