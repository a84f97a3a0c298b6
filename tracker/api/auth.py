"""Who calls the API: a bearer token, read by Flask-Login's request loader, or the browser's session.

A call that sends a token is authenticated by the token alone: its cookies are not read, so a wrong
token is refused even beside a live session, and a token never turns into a session.
"""
from __future__ import annotations

from flask import Request, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from ..extensions import csrf
from ..models import User
from ..tokens.services import user_for_token
from .errors import API_PREFIX, json_error

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
INVALID_TOKEN = 'Bearer realm="tracker", error="invalid_token"'


def is_token_request(req: Request) -> bool:
    """An API call that sends credentials of its own (web pages never read a token)."""
    return req.path.startswith(API_PREFIX) and "Authorization" in req.headers


def bearer_secret(header: str) -> str | None:
    """The token of an “Authorization: Bearer <token>” header; None for any other scheme or an empty token."""
    scheme, _, secret = header.partition(" ")
    return (secret.strip() or None) if scheme.lower() == "bearer" else None


class TrackerRequest(Request):
    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        # Neither the session nor the remember-me cookie may speak for a call that sent a token.
        if is_token_request(self):
            return ImmutableMultiDict()
        return super().cookies


def load_user_from_request(req: Request) -> User | None:
    """Flask-Login's request loader: the user of a live token sent to the API, else nobody."""
    if not is_token_request(req):
        return None
    secret = bearer_secret(req.headers["Authorization"])
    return user_for_token(secret) if secret else None


def authenticate():
    """Let in a token's user or a logged-in session; anyone else gets a 401 in JSON, never a redirect."""
    header = request.headers.get("Authorization")
    if header is not None:
        if current_user.is_authenticated:
            return None
        if bearer_secret(header) is None:
            message = _("Send the token as “Authorization: Bearer <token>”.")
        else:
            message = _("This token is unknown, revoked, or its user is deactivated.")
        return json_error(401, message, headers={"WWW-Authenticate": INVALID_TOKEN})
    if not current_user.is_authenticated:
        return json_error(401, _("Log in, or send an API token as “Authorization: Bearer <token>”."))
    # The API is exempt from form CSRF for token clients; a browser's cookie alone must not be enough
    # to change anything, so session callers send the page's token as the X-CSRFToken header.
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None
