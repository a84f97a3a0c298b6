"""Rules about users: who they are, how they log in, how accounts are made."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import limits
from ..audit.services import describe_state, record
from ..catalogue.services import find_agency
from ..enums import AuditEventKind, Role
from ..errors import Invalid, NotAllowed
from ..extensions import db, login_manager
from ..models import User, UserSession, as_utc, normalise_email
from . import throttle

# Endpoints reachable without logging in.
PUBLIC_ENDPOINTS = {"auth.login", "auth.forgot_password", "auth.set_password", "static", "bootstrap.static",
                    "i18n.bootstrap_files", "i18n.nastaliq_font", "health.healthz"}
# Blueprints that authenticate their own requests: the API answers 401 JSON, never a redirect.
SELF_AUTHENTICATING_BLUEPRINTS = {"api"}
# How often a login's last-seen time is written: the idle timeout needs minutes, not every request.
SEEN_PRECISION = timedelta(minutes=1)


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user of a live login, from the id its session or remember-me cookie carries.

    A login ends when it was logged out, when all the user's logins were ended, when it was idle too
    long (admins: SESSION_IDLE_MINUTES_ADMIN, others SESSION_IDLE_MINUTES; a remembered login of
    someone else is not idle-timed), or when it is older than its lifetime (SESSION_MAX_HOURS, or
    REMEMBER_DAYS when remembered). A deactivated account is logged out at its next request.
    """
    # One select for the login and its user: every request of a logged-in user starts here.
    login = (db.session.get(UserSession, session_id, options=[joinedload(UserSession.user)])
             if isinstance(session_id, str) else None)
    if login is None or login.ended_at is not None or not login.user.active:
        return None
    now = datetime.now(UTC)
    config = current_app.config
    user = login.user
    if login.remember:
        lifetime = timedelta(days=config["REMEMBER_DAYS"])
    else:
        lifetime = timedelta(hours=config["SESSION_MAX_HOURS"])
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES_ADMIN"] if user.role == Role.ADMIN
                     else config["SESSION_IDLE_MINUTES"])
    idle_timed = user.role == Role.ADMIN or not login.remember
    if as_utc(login.created_at) + lifetime < now or (idle_timed and as_utc(login.last_seen_at) + idle < now):
        login.ended_at = now
        db.session.commit()
        return None
    if now - as_utc(login.last_seen_at) > SEEN_PRECISION:
        login.last_seen_at = now
        db.session.commit()
    user.login_session_id = login.id
    return user


def start_session(user: User, remember: bool = False) -> UserSession:
    """A new login for the user; its id is what the cookies will carry."""
    login = UserSession(user=user, remember=remember)
    db.session.add(login)
    db.session.commit()
    user.login_session_id = login.id
    return login


def end_session(user: User) -> None:
    """Log out: this login ends, so a copy of its cookies no longer opens anything."""
    if user.login_session_id:
        db.session.execute(db.update(UserSession).where(UserSession.id == user.login_session_id,
                                                        UserSession.ended_at.is_(None))
                           .values(ended_at=datetime.now(UTC)))
        record(AuditEventKind.LOGOUT, user=user, subject=f"user:{user.id}", detail="this login")
        db.session.commit()


def end_all_sessions(user: User) -> int:
    """End every login of the user at once (the caller commits); return how many were live."""
    return db.session.execute(
        db.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC))
    ).rowcount


def require_login():
    """Send anyone not logged in to the login page (every page but the public ones)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint in SELF_AUTHENTICATING_BLUEPRINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def authenticate(email: str, password: str, address: str | None = None) -> User | None:
    """The active user with these credentials, or None, without saying which part was wrong.

    Attempts are throttled per client address and per e-mail (auth/throttle.py): known and unknown
    e-mails alike, so the answer never tells whether an account exists.
    """
    verdict = throttle.claim_attempt(address, email)
    if not verdict.allowed:
        record(AuditEventKind.LOCKOUT, actor=email, address=address,
               detail=f"too many attempts: refused unchecked, {verdict.wait_seconds} s to wait")
        db.session.commit()
        raise NotAllowed(ngettext("Too many attempts: wait %(num)d second before trying again.",
                                  "Too many attempts: wait %(num)d seconds before trying again.", verdict.wait_seconds))
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        # Hash anyway so that a missing account takes as long as a wrong password.
        User(password_hash="").set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
        record(AuditEventKind.LOGIN_FAILED, actor=email, address=address, detail="no account has this e-mail")
        db.session.commit()
        return None
    right = user.check_password(password)
    if not right or not user.active:
        reason = "the account is deactivated" if right else "wrong password"
        record(AuditEventKind.LOGIN_FAILED, actor=email, address=address, subject=f"user:{user.id}", detail=reason)
        db.session.commit()
        return None
    throttle.forget(user.email)
    user.last_login_at = datetime.now(UTC)
    record(AuditEventKind.LOGIN, user=user, address=address, subject=f"user:{user.id}")
    db.session.commit()
    return user


def check_password_policy(password: str, email: str = "") -> None:
    """At least PASSWORD_MIN characters, and none of the 30,000 most common passwords (zxcvbn's list)."""
    if len(password) < limits.PASSWORD_MIN:
        raise Invalid({"password": _("A password needs at least %(count)s characters.", count=limits.PASSWORD_MIN)})
    if len(password) > limits.PASSWORD_MAX:
        raise Invalid({"password": _("A password has at most %(count)s characters.", count=limits.PASSWORD_MAX)})
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == normalise_email(email)):
        raise Invalid({"password": _("That password is among the most common ones: choose another.")})


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def account_problems(email: str, role: str, password: str | None, agency_name: str | None = None
                     ) -> dict[str, str]:
    """What is wrong with a new account, every problem by field (email, role, agency, password) at once.

    A password of None is not checked (one is generated). The admin's form shows these beside its fields;
    `create_user` refuses them for every caller.
    """
    problems = {}
    try:
        email = normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        problems["email"] = _("%(email)s is not an e-mail address: %(reason)s", email=repr(email), reason=exc)
    else:
        if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
            problems["email"] = _("An account with the e-mail %(email)s already exists.", email=email)
    try:
        role_value = Role(role)
    except ValueError:
        role_value = None
        problems["role"] = _("unknown role %(role)s: choose one of %(roles)s", role=repr(role),
                             roles=", ".join(r.value for r in Role))
    agency = find_agency(agency_name) if agency_name else None
    if agency_name and agency is None:
        problems["agency"] = _("unknown agency %(name)s", name=repr(agency_name))
    elif role_value == Role.AGENCY and agency is None:
        problems["agency"] = _("An agency user needs an agency: choose the one this person reports for.")
    elif role_value not in (None, Role.AGENCY) and agency is not None:
        problems["agency"] = _("Only agency users belong to an agency, not a %(role)s: leave it empty.",
                                 role=str(role_value.label).lower())
    if password is not None:
        try:
            check_password_policy(password, email)
        except Invalid as exc:
            problems |= exc.errors
    return problems


def create_user(email: str, role: str, password: str | None, name: str = "", agency_name: str | None = None,
                temporary: bool = False) -> User:
    """Create an account, enforcing that agency users (and only they) belong to an agency.

    Without a password the account gets one nobody knows: its holder sets theirs with the welcome link
    (auth/passwords.py). A `temporary` password logs in once, to choose their own.
    """
    if problems := account_problems(email, role, password, agency_name):
        raise Invalid(problems)
    email = normalise_email(validate_email(email.strip(), check_deliverability=False).normalized)
    role_value = Role(role)
    agency = find_agency(agency_name) if agency_name else None
    user = User(email=email, name=name.strip(), role=role_value, agency=agency, temporary_password=temporary)
    user.set_password(password or secrets.token_urlsafe(32), current_app.config.get("PASSWORD_HASH_METHOD"))
    db.session.add(user)
    db.session.flush()
    record(AuditEventKind.ACCOUNT_CREATED, subject=f"user:{user.id}",
           detail=f"{email}: {describe_state(account_state(user))}")
    db.session.commit()
    return user


def account_state(user: User) -> dict[str, str]:
    """What an account may do, as the audit log names it: role, agency, active or deactivated."""
    return {"role": user.role.value, "agency": user.agency.label if user.agency else "none",
            "state": "active" if user.active else "deactivated"}


@dataclass
class AdminAccount:
    user: User
    created: bool
    generated_password: str | None


def ensure_admin(email: str | None, password: str | None) -> AdminAccount:
    """Make sure an active admin exists; create one (generating a one-time password if none given)."""
    existing = db.session.scalar(
        db.select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    )
    if existing is not None:
        return AdminAccount(existing, created=False, generated_password=None)
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = create_user(email or "admin@example.org", Role.ADMIN.value, password, name="Administrator",
                       temporary=generated is not None)
    return AdminAccount(user, created=True, generated_password=generated)
