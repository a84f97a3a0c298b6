"""API tokens: made for a user, shown once, kept only as a hash, revocable.

The rules in one place, for the `users token` commands, the account's token page and the API's
request loader alike.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from .. import limits
from ..audit.services import record
from ..enums import AuditEventKind
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import ApiToken, User, normalise_email

# A recognisable prefix lets secret scanners and people tell a tracker token from other strings.
TOKEN_PREFIX = "trk_"
NAME_MAX = limits.TOKEN_NAME
def hash_token(secret: str) -> str:
    """The stored form of a secret. A plain SHA-256 is enough: the secret is 256 random bits, not a password."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def find_user(email: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(_("no user with e-mail %(email)s", email=email.strip()))
    return user


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for an active user; return it with its secret, which is never stored."""
    if not user.active:
        raise Invalid({"user": _("%(email)s is deactivated: reactivate the account before giving it a token",
                                 email=user.email)})
    name = name.strip()
    if len(name) > NAME_MAX:
        raise Invalid({"name": _("a token's name has at most %(count)s characters", count=NAME_MAX)})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(secret))
    db.session.add(token)
    db.session.flush()
    record(AuditEventKind.TOKEN_CREATED, subject=f"token:{token.id}", detail=f"“{name}” for {user.email}")
    db.session.commit()
    return token, secret


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, noting when it was used; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        db.select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.user.active:
        return None
    token.last_used_at = datetime.now(UTC)
    db.session.commit()
    return token.user


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, live and revoked, oldest first."""
    return list(db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_tokens(user: User, token_id: int | None = None) -> list[ApiToken]:
    """Revoke one of the user's live tokens, or all of them; return those revoked."""
    query = db.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    tokens = list(db.session.scalars(query))
    if token_id is not None and not tokens:
        raise NotFound(_("%(email)s has no live token number %(id)s", email=user.email, id=token_id))
    now = datetime.now(UTC)
    for token in tokens:
        token.revoked_at = now
        record(AuditEventKind.TOKEN_REVOKED, subject=f"token:{token.id}", detail=f"“{token.name}” of {user.email}")
    db.session.commit()
    return tokens
