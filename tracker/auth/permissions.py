"""Who may do what: checked on the server for every route, whatever the page shows."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from ..enums import Role
from ..models import ActionItem, Evidence, User


def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def is_responsible(user: User, item: ActionItem) -> bool:
    """The user's agency is lead or supporting on the item."""
    return (
        user.is_authenticated
        and user.role == Role.AGENCY
        and user.agency_id is not None
        and any(a.agency_id == user.agency_id for a in item.assignments)
    )


def can_update_item(user: User, item: ActionItem) -> bool:
    return is_coordinator(user) or is_responsible(user, item)


def can_view_evidence(user: User, evidence: Evidence) -> bool:
    """Confidential evidence is for coordinators and the agency that owns it."""
    if not evidence.confidential:
        return user.is_authenticated
    return is_coordinator(user) or (
        user.is_authenticated and user.agency_id is not None and user.agency_id == evidence.agency_id
    )


def roles_required(*roles: Role):
    """Refuse (403) anyone whose role is not one of these."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403, description="Your role does not allow this.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
