"""HTTP views of the API: read the request, call a service, answer JSON."""
from datetime import date

from flask import abort, current_app, request, url_for
from flask_login import current_user

from ..extensions import csrf
from ..items.services import item_or_404, list_items
from ..errors import Invalid, NotAllowed, Stale
from . import bp
from .errors import json_error
from .openapi import openapi_document
from .representations import item_detail_json, item_json, update_json
from .services import InvalidQuery, item_stats, read_filters, read_list_query, submit_report
from .tokens import user_for_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _unauthorized(message: str, invalid_token: bool = False):
    headers = {"WWW-Authenticate": 'Bearer realm="tracker", error="invalid_token"'} if invalid_token else None
    return json_error(401, message, headers=headers)


@bp.before_request
def authenticate():
    """Let in a bearer token's user or a logged-in session; anyone else gets a 401 in JSON, never a redirect."""
    header = request.headers.get("Authorization")
    if header is not None:
        # A token, when sent, decides alone: a wrong one is refused even beside a live session.
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthorized("Send the token as “Authorization: Bearer <token>”.", invalid_token=True)
        user = user_for_token(secret.strip())
        if user is None:
            return _unauthorized("This token is unknown, revoked, or its user is deactivated.", invalid_token=True)
        # The request's user, without writing a session cookie: a token never turns into a login.
        current_app.login_manager._update_request_context_with_user(user)
        return None
    if not current_user.is_authenticated:
        return _unauthorized("Log in, or send an API token as “Authorization: Bearer <token>”.")
    # The blueprint is exempt from form CSRF for token clients; a browser's cookie alone must not
    # be enough to change anything, so session callers send the X-CSRFToken header.
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def _query_problems(exc: InvalidQuery):
    return json_error(422, "Some query parameters are not valid: " + "; ".join(exc.problems) + ".",
                      problems=exc.problems)


@bp.get("/items")
def items():
    try:
        query = read_list_query(request.args)
    except InvalidQuery as exc:
        return _query_problems(exc)
    pagination = list_items(query.filters, page=query.page, per_page=query.per_page)
    today = date.today()
    return {
        "items": [item_json(item, today) for item in pagination.items],
        "page": query.page,
        "per_page": query.per_page,
        "pages": pagination.pages,
        "total": pagination.total,
    }


@bp.get("/items/<ref>")
def item(ref: str):
    found = item_or_404(ref, page=True)
    return item_detail_json(found, current_user, date.today())


@bp.get("/stats")
def stats():
    try:
        filters = read_filters(request.args)
    except InvalidQuery as exc:
        return _query_problems(exc)
    return item_stats(filters)


@bp.post("/items/<ref>/updates")
def report(ref: str):
    found = item_or_404(ref)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return json_error(400, "Send a JSON object (Content-Type: application/json) with status, progress and note.")
    try:
        update = submit_report(current_user, found, payload, current_app.config["UPLOAD_DIR"])
    except NotAllowed as exc:
        abort(403, description=str(exc))
    except Invalid as exc:
        return json_error(422, "Some values are not valid.", errors=exc.errors)
    except Stale as exc:
        return json_error(409, f"{exc} Read the changes, then send your report again with the current version.",
                          version=found.version, changes=[update_json(u, current_user) for u in exc.changes])
    body = {"update": update_json(update, current_user), "item": item_json(found, date.today())}
    return body, 201, {"Location": url_for(".item", ref=found.ref)}


@bp.get("/openapi.json")
def openapi():
    return openapi_document()
