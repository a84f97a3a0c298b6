"""Error pages: friendly, and never a stack trace."""
from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from .api.errors import is_api_request, render_json_error
from .extensions import db

TITLES = {
    400: "That request could not be understood",
    401: "Please log in",
    403: "You may not do that",
    404: "Page not found",
    405: "That is not allowed here",
    413: "That upload is too large",
    500: "Something went wrong on our side",
}


def render_error(error: HTTPException):
    if is_api_request():
        return render_json_error(error)
    code = error.code or 500
    title = TITLES.get(code, error.name)
    return render_template("errors/error.html", code=code, title=title, description=error.description), code


def handle_unexpected(error: Exception):
    """Log the real error, roll back, and show a plain 500 page."""
    db.session.rollback()
    original = getattr(error, "original_exception", None) or error
    from flask import current_app

    current_app.logger.exception("Unhandled error", exc_info=original)
    return render_error(InternalServerError())


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything is served from this origin; inline style attributes size the progress bars.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def add_security_headers(response):
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
