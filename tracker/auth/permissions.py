"""Who may do what: one function per permission, used by the route guards, the services and the templates.

A page or button hidden from a role is never the protection: every route is guarded on the server by
`requires(permission)` at its blueprint or on the route itself, and services check again.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..enums import ReportStage, Role
from ..errors import NotAllowed
from ..extensions import db
from ..models import ActionItem, Evidence, Report, User


def _has_role(user: User, *roles: Role) -> bool:
    return bool(user.is_authenticated and user.role in roles)


def is_admin(user: User) -> bool:
    return _has_role(user, Role.ADMIN)


def is_coordinator(user: User) -> bool:
    return _has_role(user, Role.COORDINATOR)


def is_agency_user(user: User) -> bool:
    """A focal person of an agency: sees the agency's home page and reports on its items."""
    return _has_role(user, Role.AGENCY) and user.agency_id is not None


def is_validator(user: User) -> bool:
    """An agency's validating authority: forwards its focal persons' reports to the coordinators, or returns them."""
    return is_agency_user(user) and user.validator


def validators_exist(agency_id: sa.ColumnElement[int] | int) -> sa.Exists:
    """SQL: the agency has an active validator (else its reports go straight to the coordinators)."""
    return sa.exists().where(User.agency_id == agency_id, User.role == Role.AGENCY, User.validator, User.active)


def has_validators(agency_id: int) -> bool:
    return bool(db.session.scalar(sa.select(validators_exist(agency_id))))


def may_decide(user: User, report: Report) -> bool:
    """Whether the report awaits this user's decision now: its agency's validator first (if it has one), then a
    coordinator. Never the agency's focal persons; a validator never for another agency."""
    if not report.is_pending:
        return False
    if report.stage == ReportStage.VALIDATION and has_validators(report.agency_id):
        return is_validator(user) and user.agency_id == report.agency_id
    return is_coordinator(user)


def decides_reports(user: User) -> bool:
    """Coordinators and agencies' validators have a queue of reports awaiting their decision."""
    return is_coordinator(user) or is_validator(user)


def can_manage_indicators(user: User) -> bool:
    """Coordinators and admins define, change and retire indicators."""
    return _has_role(user, Role.COORDINATOR, Role.ADMIN)


def can_report_values(user: User, indicator) -> bool:
    """The indicator's reporting agency reports its values (verified before they count); a coordinator's
    entry counts at once."""
    if indicator.retired:
        return False
    return is_coordinator(user) or (is_agency_user(user) and user.agency_id == indicator.agency_id)


def can_export(user: User) -> bool:
    """Coordinators and the rapporteur download the items and the dashboard, and build the Rapporteur's report."""
    return _has_role(user, Role.COORDINATOR, Role.RAPPORTEUR)


def can_see_changes(user: User) -> bool:
    """Coordinators, the rapporteur and admins compare the plan at two dates (what changed between them)."""
    return _has_role(user, Role.COORDINATOR, Role.RAPPORTEUR, Role.ADMIN)


def can_assess(user: User) -> bool:
    """The National Rapporteur records independent assessments of items; nobody else does (everyone reads them)."""
    return _has_role(user, Role.RAPPORTEUR)


def can_curate_coverage(user: User) -> bool:
    """Coordinators and admins say which actions address a recommendation (everyone reads the coverage)."""
    return _has_role(user, Role.COORDINATOR, Role.ADMIN)


def can_manage_own_tokens(user: User) -> bool:
    """Coordinators and admins make and revoke their own API tokens in the browser (anyone, by an admin's command)."""
    return _has_role(user, Role.COORDINATOR, Role.ADMIN)


def is_api_reader(user: User) -> bool:
    """The roles the navigation offers the API documentation to (any logged-in user may open it)."""
    return _has_role(user, Role.COORDINATOR, Role.RAPPORTEUR, Role.ADMIN)


def is_responsible(user: User, item: ActionItem) -> bool:
    """The user's agency is lead or supporting on the item."""
    return is_agency_user(user) and any(a.agency_id == user.agency_id for a in item.assignments)


def can_update_item(user: User, item: ActionItem) -> bool:
    return is_coordinator(user) or is_responsible(user, item)


def can_view_evidence(user: User, evidence: Evidence) -> bool:
    """Confidential evidence is for coordinators and the agency that owns it."""
    if not evidence.confidential:
        return user.is_authenticated
    return is_coordinator(user) or (
        user.is_authenticated and user.agency_id is not None and user.agency_id == evidence.agency_id
    )


# Every permission a template may ask about, under the same names.
TEMPLATE_PERMISSIONS = {
    f.__name__: f
    for f in (is_admin, is_coordinator, is_agency_user, can_export, can_see_changes, can_manage_own_tokens,
              is_api_reader, is_responsible, can_update_item, can_view_evidence, is_validator, may_decide,
              decides_reports, can_manage_indicators, can_report_values, can_assess, can_curate_coverage)
}


def requires(permission: Callable[[User], bool], message: str = _l("Your role does not allow this.")):
    """Guard a view, or a blueprint's `before_request`: refuse (403) a user without the permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not permission(current_user):
                raise NotAllowed(str(message))  # a lazy message (`_l`) in the request's language
            return view(*args, **kwargs)

        return wrapped

    return decorator
