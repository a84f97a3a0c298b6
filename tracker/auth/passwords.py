"""Setting passwords without anyone handing one over: signed, expiring, single-use links sent by e-mail.

A link carries the user's id and a fingerprint of their password hash as it is when the link is made,
signed with the app's secret key and a salt of its own per purpose (so a reset link is never taken for a
welcome link, nor any other signed value for either). It stops working when it expires, and once the
password changes — its first use changes it, so a link works once.

- welcome: a new account, or an admin's reset (the old password stopped working); valid for days.
- reset: "Forgot your password?" on the login page; valid for hours, and the old password keeps working
  until the link is used.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..audit.services import record
from ..enums import AuditEventKind
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..i18n import DEFAULT
from ..mail.send import send_now
from ..models import User, normalise_email
from ..tokens.services import find_user
from . import throttle
from .services import check_password_policy, end_all_sessions


class LinkPurpose(str, Enum):
    WELCOME = "welcome"
    RESET = "reset"

    @property
    def lifetime(self) -> timedelta:
        config = current_app.config
        if self is LinkPurpose.WELCOME:
            return timedelta(days=config["WELCOME_LINK_DAYS"])
        return timedelta(hours=config["RESET_LINK_HOURS"])


def _serializer(purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"set-password/{purpose.value}")


def password_fingerprint(user: User) -> str:
    """What ties a link to the password as it is now: any change of the hash makes the link worthless."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def password_token(user: User, purpose: LinkPurpose) -> str:
    return _serializer(purpose).dumps({"user": user.id, "password": password_fingerprint(user)})


def password_link(user: User, purpose: LinkPurpose) -> str:
    """The link to put in an e-mail: on the tracker's public address, as reminders' links are."""
    return f"{current_app.config['TRACKER_BASE_URL'].rstrip('/')}/password/set/{password_token(user, purpose)}"


class LinkRefused(Invalid):
    """A link that is not (or no longer) good: why, in words for the person who followed it."""


@dataclass(frozen=True)
class LinkHolder:
    user: User
    purpose: LinkPurpose


def read_link(token: str) -> LinkHolder:
    """Whose link this is, and for what; LinkRefused if it was altered, expired, used or its account closed."""
    expired = False
    for purpose in LinkPurpose:
        try:
            payload = _serializer(purpose).loads(token, max_age=int(purpose.lifetime.total_seconds()))
        except SignatureExpired:
            expired = True
            continue
        except BadSignature:
            continue
        user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) and \
            isinstance(payload.get("user"), int) else None
        if user is None or not user.active:
            raise LinkRefused(_("This link belongs to no active account."))
        if payload.get("password") != password_fingerprint(user):
            raise LinkRefused(_("This link was used already, or the password was changed since it was sent: "
                                "each link works once."))
        return LinkHolder(user, purpose)
    if expired:
        raise LinkRefused(_("This link has expired."))
    raise LinkRefused(_("This link is not valid: perhaps it was cut short when it was copied."))


def set_password(user: User, password: str, *, temporary: bool = False, replacing: str | None = None) -> int:
    """Give the user this password (the policy applies), end their logins and lift any wait on logging in;
    the caller records why and commits. Returns how many logins ended.

    With `replacing` (the hash a link was made for), the change is a compare-and-set: of two uses of one
    link at the same moment, only the first sets a password; the other is refused.
    """
    check_password_policy(password, user.email)
    with db.session.no_autoflush:
        user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
        user.temporary_password = temporary
        if replacing is not None and db.session.execute(
            sa.update(User).where(User.id == user.id, User.password_hash == replacing)
            .values(password_hash=user.password_hash).execution_options(synchronize_session=False)
        ).rowcount != 1:
            raise LinkRefused(_("This link was used already: each link works once."))
    throttle.forget(user.email)
    return end_all_sessions(user)


def set_password_with_link(token: str, password: str) -> User:
    """The person holding a good link chooses their password; the link, used, stops working."""
    holder = read_link(token)
    user = holder.user
    ended = set_password(user, password, replacing=user.password_hash)
    how = "with the welcome link" if holder.purpose is LinkPurpose.WELCOME else "with a reset link"
    record(AuditEventKind.PASSWORD_SET, user=user, subject=f"user:{user.id}",
           detail=f"{user.email}: {how}; {ended} login(s) ended")
    db.session.commit()
    return user


def void_password(user: User) -> None:
    """A random password nobody knows: the account waits for its holder to set one with a link."""
    user.set_password(secrets.token_urlsafe(32), current_app.config.get("PASSWORD_HASH_METHOD"))
    user.temporary_password = False


@dataclass(frozen=True)
class LinkSent:
    """How sending a link went: `error` empty when the server took it; the link, for an admin to pass on
    when e-mail fails, and until when it works."""

    user: User
    link: str
    valid_until: datetime
    error: str

    @property
    def sent(self) -> bool:
        return not self.error


def send_password_link(user: User, purpose: LinkPurpose, reason: str, *, actor: str | None = None,
                       address: str | None = None) -> LinkSent:
    """E-mail the user a link to set their password, and record it; the caller commits."""
    link = password_link(user, purpose)
    valid_until = datetime.now(UTC) + purpose.lifetime
    context = {"user": user, "link": link, "valid_until": valid_until, "purpose": purpose.value,
               "base_url": current_app.config["TRACKER_BASE_URL"].rstrip("/")}
    with force_locale(user.language or DEFAULT):  # the e-mail is in its recipient's language
        subject = (_("Your account on the anti-trafficking action-plan tracker") if purpose is LinkPurpose.WELCOME
                   else _("Set a new password for the anti-trafficking action-plan tracker"))
        text = render_template("auth/email_password.txt", **context)
        html = render_template("auth/email_password.html", **context)
    error = send_now(user.email, subject, text, html)
    outcome = "e-mailed" if not error else f"not delivered: {error}"
    record(AuditEventKind.PASSWORD_LINK_SENT, actor=actor, address=address, subject=f"user:{user.id}",
           detail=f"{user.email}: {purpose.value} link, {reason}; {outcome}")
    return LinkSent(user, link, valid_until, error)


def welcome(user: User) -> LinkSent:
    """A new account's welcome e-mail, with the link to set its password."""
    sent = send_password_link(user, LinkPurpose.WELCOME, "account created")
    db.session.commit()
    return sent


def reset_by_admin(user: User) -> LinkSent:
    """An admin's reset: the old password stops working, the user's logins end, and a link to choose a new
    one is e-mailed. The admin never sees a password."""
    if not user.active:
        raise Invalid(_("This account is deactivated: tick Active and save it first, then send the link."))
    void_password(user)
    throttle.forget(user.email)
    ended = end_all_sessions(user)
    record(AuditEventKind.PASSWORD_RESET, subject=f"user:{user.id}", detail=f"{user.email}: {ended} login(s) ended")
    sent = send_password_link(user, LinkPurpose.WELCOME, "the admin reset the password")
    db.session.commit()
    return sent


def request_reset(email: str, address: str | None) -> int | None:
    """"Forgot your password?": the id of the active account with this address, to send a reset link to
    (`send_reset_link`) once the answer has gone out, or None.

    The answer is the same whether an account has the address or not, and as quick (the e-mail goes out
    after it); requests are throttled per e-mail and per client address as logins are (in counts of their
    own), and refused with the wait when there were too many.
    """
    verdict = throttle.claim_attempt(address, email, scope="reset:")
    if not verdict.allowed:
        record(AuditEventKind.PASSWORD_LINK_SENT, actor=email, address=address,
               detail=f"reset link asked for too often: refused, {verdict.wait_seconds} s to wait")
        db.session.commit()
        raise NotAllowed(ngettext("Too many requests: wait %(num)d second before asking again.",
                                  "Too many requests: wait %(num)d seconds before asking again.", verdict.wait_seconds))
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        why = "no account has this e-mail" if user is None else "the account is deactivated"
        record(AuditEventKind.PASSWORD_LINK_SENT, actor=email, address=address,
               subject=f"user:{user.id}" if user else "", detail=f"reset link asked for: none sent, {why}")
        db.session.commit()
        return None
    return user.id


def send_reset_link(user_id: int, email: str, address: str | None) -> None:
    """The reset link `request_reset` found an account for, e-mailed (and recorded under the e-mail typed)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return
    send_password_link(user, LinkPurpose.RESET, "asked for on the login page", actor=email, address=address)
    db.session.commit()


def choose_after_one_time_password(user: User) -> str:
    """A user who logged in with a one-time password goes on to choose their own: the page's link."""
    return password_token(user, LinkPurpose.WELCOME)


def reset_on_command_line(email: str, password: str | None = None) -> tuple[User, str | None]:
    """`flask users reset-password`: the way back in when the admin's password is lost. Without a password
    one is generated, to be shown once: it logs in once, to choose one's own. Returns the user and it."""
    user = find_user(email)
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    ended = set_password(user, password, temporary=generated is not None)
    given = "a one-time password generated" if generated else "a password given"
    record(AuditEventKind.PASSWORD_RESET, subject=f"user:{user.id}",
           detail=f"{user.email}: on the command line, {given}; {ended} login(s) ended")
    db.session.commit()
    return user, generated
