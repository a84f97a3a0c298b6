"""The edge of the app: input no database can hold is refused here, once, and every response gets
headers that keep it from being framed, sniffed, cached or made to load foreign code."""
from __future__ import annotations

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from . import limits

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


# Files that are the same for everyone and may be cached: everything else is someone's data.
CACHEABLE_ENDPOINTS = {"static", "bootstrap.static", "dashboard.plotly_js", "api_docs.swagger_ui", "pickers.tom_select",
                       "i18n.bootstrap_files", "i18n.nastaliq_font"}


def add_security_headers(response):
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        # Pages, exports, API answers and evidence files are for the logged-in user alone.
        response.headers["Cache-Control"] = "no-store"
    return response


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def refuse_nul_bytes():
    """A NUL character fits no text column (PostgreSQL refuses it): refuse it wherever it comes in."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [*request.form.keys(), *request.form.values()]
        texts += [f.filename or "" for f in request.files.values()]
    if _holds_nul(texts) or (request.is_json and _holds_nul(request.get_json(silent=True))):
        abort(400, description="The request holds a NUL character, which no field may contain.")


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: only numbers a database integer holds match; a larger one is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", limits.ID_MAX)
        super().__init__(map, *args, **kwargs)


class StrictJSONProvider(DefaultJSONProvider):
    """JSON out is always strict: NaN or Infinity would be refused by strict parsers, so they are a bug."""

    def dumps(self, obj, **kwargs):
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def register_converters(app: Flask) -> None:
    """Before any blueprint: route rules are compiled with the converters known then."""
    app.url_map.converters["int"] = IdConverter
    app.json = StrictJSONProvider(app)


def register(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
