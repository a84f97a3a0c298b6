"""The one family of domain errors, and the handlers that answer them (and HTTP errors) once for the app.

A service raises one of the few kinds below; it never knows whether a page, the API, the command line
or a scheduled job called it. The handlers registered here turn an uncaught one into the right answer:
a JSON body under /api/, a friendly page elsewhere. Forms catch Invalid and Stale themselves (see
`forms.submit`) so that the page can be shown again with what the user typed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

if TYPE_CHECKING:
    from .models import Update


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: a form or JSON field, a file's row and column, a seed record."""

    message: str
    field: str | None = None  # a form or JSON field, or a CSV file's column
    row: int | None = None  # a spreadsheet row number (the header is row 1)
    file: str | None = None  # a seed file
    record: str | None = None  # a record of a seed file

    def __str__(self) -> str:
        if self.file is not None:
            return f"{self.file}: {self.record or 'file'}: {self.message}"
        if self.row is not None:  # a file's cell, named in the reader's language
            if self.field:
                return _("row %(row)s, column %(column)s: %(message)s", row=self.row, column=self.field,
                         message=self.message)
            return _("row %(row)s: %(message)s", row=self.row, message=self.message)
        return f"{self.field}: {self.message}" if self.field else self.message


def problem_list(messages) -> list[str]:
    """A schema's error messages (marshmallow's nested dicts and lists) as sentences, in field order."""
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in problem_list(value)]
    if isinstance(messages, (list, tuple)):
        return [text for value in messages for text in problem_list(value)]
    return [str(messages)]


class DomainError(Exception):
    """A request that breaks one of the tracker's rules; its message is written for the person who made it."""

    status_code = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The user's role or agency does not allow this (403)."""

    status_code = 403


class NotFound(DomainError):
    """There is no such thing (404)."""

    status_code = 404


class Invalid(DomainError):
    """Values that break a rule, each problem named by field, or by row and column, or by file and record (422)."""

    status_code = 422

    def __init__(self, problems: Mapping[str, str] | Iterable[Problem | str] | str, message: str = ""):
        if isinstance(problems, str):
            problems = [problems]
        elif isinstance(problems, Mapping):
            problems = [Problem(text, field=name) for name, text in problems.items()]
        self.problems: list[Problem] = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        super().__init__(message or "\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> dict[str, str]:
        """The problems by field (the last word on a field wins); problems without a field under ""."""
        return {p.field or "": p.message for p in self.problems}

    @property
    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


class Stale(DomainError):
    """Someone else changed the thing since the user read it; `changes` are the history entries since (409)."""

    status_code = 409

    def __init__(self, changes: list[Update] | None = None, message: str | None = None, version: int | None = None):
        super().__init__(message or _("This item changed since you opened it."))
        self.changes = list(changes or [])
        self.version = version  # the thing's version now, to send again with


class Unavailable(DomainError):
    """A service the tracker relies on (the SMTP server) cannot be reached or refused the request (503)."""

    status_code = 503


TITLES = {
    400: _l("That request could not be understood"),
    401: _l("Please log in"),
    403: _l("You may not do that"),
    404: _l("Page not found"),
    405: _l("That is not allowed here"),
    409: _l("That changed meanwhile"),
    413: _l("That upload is too large"),
    422: _l("That could not be done"),
    500: _l("Something went wrong on our side"),
    503: _l("A service is unavailable"),
}
# Said instead of werkzeug's own descriptions (English only) when an error carries no description of ours.
DESCRIPTIONS = {
    400: _l("The browser sent a request this page could not read. Go back and try again."),
    401: _l("Log in first, then open the page again."),
    403: _l("Your account may not open this page."),
    404: _l("There is no page at this address. Check it, or start again from the tracker's home page."),
    405: _l("This page cannot be used that way."),
    413: _l("The files sent are larger than the tracker accepts. Send smaller files, or fewer at a time."),
    500: _l("The tracker could not finish this request. It has been recorded; please try again later."),
    503: _l("A service the tracker needs is not answering. Please try again later."),
}


def render_error_page(code: int, description: str | None, name: str = ""):
    title = TITLES.get(code, name or _("Error"))
    return render_template("errors/error.html", code=code, title=title, description=description), code


def page_description(error: HTTPException) -> str | None:
    """What the error page says: our own words for werkzeug's defaults; a description given by the tracker (or
    by Flask-WTF, whose CSRF messages the catalogue holds) in the page's language when the catalogue has it."""
    if not error.description or error.description == type(error).description:
        return DESCRIPTIONS.get(error.code or 500, error.description)
    # Not gettext(): the text is a variable, whose translation is looked up, not a message to extract.
    return get_translations().ugettext(str(error.description))


def handle_http_error(error: HTTPException):
    from .api.errors import is_api_request, render_json_error

    if is_api_request():
        return render_json_error(error)
    return render_error_page(error.code or 500, page_description(error), error.name)


def handle_domain_error(error: DomainError):
    """A domain error no view caught: JSON for the API; on a page, a flash and back where the user was."""
    db.session.rollback()
    from .api.errors import is_api_request, render_domain_error

    if is_api_request():
        return render_domain_error(error)
    if isinstance(error, (Invalid, Stale)) and request.method == "POST":
        said = " ".join(error.messages) if isinstance(error, Invalid) else error.message
        flash(_("Nothing changed: %(problem)s", problem=said), "warning" if isinstance(error, Stale) else "danger")
        return redirect(back_url())
    return render_error_page(error.status_code, error.message)


def back_url() -> str:
    """Where a refused action returns to: the form's `next`, else the page it was sent from, on this site only."""
    from .auth.views import safe_next

    target = request.form.get("next")
    if not target and request.referrer:
        referrer = urlsplit(request.referrer)
        if referrer.netloc == request.host:
            target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next(target)


def handle_unexpected(error: Exception):
    """Log the real error, roll back, and show a plain 500 page."""
    db.session.rollback()
    original = getattr(error, "original_exception", None) or error
    current_app.logger.exception("Unhandled error", exc_info=original)
    return handle_http_error(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
