"""Errors as the API answers them: JSON with a stable code, never an HTML page or a redirect.

The app's handlers (tracker/errors.py) call these for every request under /api/; the shapes are the
error schemas of tracker/api/schemas.py, which the OpenAPI document shows.
"""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug import exceptions
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import DomainError, Invalid, Problem, Stale, problem_list

API_PREFIX = "/api/"

# Stable codes that clients can branch on, whatever werkzeug calls the status.
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "invalid",
    500: "server_error",
    503: "unavailable",
}
SERVER_ERROR_MESSAGE = _l("Something went wrong on our side.")
# Werkzeug's own descriptions of the errors it raises (routing, methods, sizes), so that they read in the caller's
# language too; a description a view gave is translated where it was written.
WERKZEUG_DESCRIPTIONS = {
    exceptions.BadRequest.description: _l(
        "The browser (or proxy) sent a request that this server could not understand."),
    exceptions.NotFound.description: _l(
        "The requested URL was not found on the server. If you entered the URL manually please check your spelling "
        "and try again."),
    exceptions.MethodNotAllowed.description: _l("The method is not allowed for the requested URL."),
    exceptions.RequestEntityTooLarge.description: _l("The data value transmitted exceeds the capacity limit."),
}
# Sent with every 401, as RFC 6750 asks; "invalid_token" when a token was sent but refused.
BEARER_CHALLENGE = 'Bearer realm="tracker"'


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_code(status: int) -> str:
    return ERROR_CODES.get(status) or HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")


def json_error(code: int, message: str, headers: dict | None = None, **details):
    """An error response: {"error": code, "message": …} and any details (field errors, changes …)."""
    response = jsonify({"error": error_code(code), "message": message, **details})
    response.status_code = code
    response.headers.update(headers or {})
    if code == 401:
        response.headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
    return response


def invalid_arguments(location: str, messages: dict) -> Invalid:
    """A schema's complaints about a request as a domain error: query parameters as sentences naming
    each parameter, a JSON body's as one message per field."""
    if location == "query":
        problems = problem_list(messages)
        return Invalid([Problem(text) for text in problems],
                       message=_("Some query parameters are not valid: %(problems)s.", problems="; ".join(problems)))
    return Invalid({name: problem_list(value)[0] for name, value in messages.items()},
                   message=_("Some values are not valid."))


def render_domain_error(error: DomainError):
    """A domain error as JSON: field errors, row problems or the changes a stale request missed."""
    if isinstance(error, Invalid):
        # By field when every problem has one: "" too, the name a JSON body may give a key of its own.
        if all(p.field is not None and p.row is None for p in error.problems):
            return json_error(422, _("Some values are not valid."), errors=error.errors)
        return json_error(422, error.message, problems=[str(p) for p in error.problems])
    if isinstance(error, Stale):
        from .schemas import ConflictSchema

        body = ConflictSchema().dump({
            "error": error_code(409),
            "message": _("%(problem)s Read the changes, then send your request again with the current version.",
                         problem=error.message),
            "version": error.version,
            "changes": error.changes,
        })
        response = jsonify(body)
        response.status_code = 409
        return response
    return json_error(error.status_code, str(error.message))


def render_json_error(error: HTTPException):
    """Any HTTP error raised under /api/ (abort, routing, CSRF, size limits, 500) as JSON."""
    code = error.code or 500
    # A 500's description could carry internals; a fixed message never does.
    message = str(SERVER_ERROR_MESSAGE) if code >= 500 else (error.description or error.name)
    message = str(WERKZEUG_DESCRIPTIONS.get(message, message))
    # Keep what werkzeug says besides the body, e.g. Allow on a 405.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    return json_error(code, message, headers=headers)
