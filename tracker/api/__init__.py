"""The JSON API (/api/v1): items, stats, progress reports, indicators and the rapporteur's assessments, by bearer
token or browser session.

Its input checks, its JSON and its OpenAPI document come from one set of schemas (schemas.py, and the
item filters of items/filters.py), through flask-smorest.
"""
from flask import Flask

from ..extensions import csrf
from .extension import ApiBlueprint, ApiPaths, TrackerApi

URL_PREFIX = "/api/v1"

bp = ApiBlueprint("api", __name__, url_prefix=URL_PREFIX,
                  description="Items of the plans, their history, counts, and progress reports.")

from . import views  # noqa: E402,F401
from .auth import authenticate  # noqa: E402
from .docs import bp as docs_bp  # noqa: E402

bp.before_request(authenticate)

DESCRIPTION = (
    "Items of Pakistan's anti-trafficking plans, their history and progress reports. Authenticate with a "
    "bearer token (made on the API tokens page, or with `flask --app app users token EMAIL`) or a browser "
    "session; session calls that change something send the X-CSRFToken header."
)


def register(app: Flask) -> None:
    """flask-smorest for this app (its own document), the API under /api/v1, and its documentation page."""
    api = TrackerApi(app, spec_kwargs={
        "title": "Anti-trafficking action-plan tracker API",
        "version": "1",
        "openapi_version": "3.0.3",
        "flask_plugin": ApiPaths(URL_PREFIX),
        "info": {"description": DESCRIPTION},
        "servers": [{"url": URL_PREFIX}],
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
    })
    api.spec.components.security_scheme("bearerToken", {
        "type": "http", "scheme": "bearer",
        "description": "A token from the API tokens page or `flask --app app users token EMAIL`."})
    api.spec.components.security_scheme("sessionCookie", {
        "type": "apiKey", "in": "cookie", "name": "session",
        "description": "The browser session after logging in at /login."})
    # The API authenticates by token or session itself, answering 401 JSON rather than the login
    # redirect (require_login lets it through), and checks CSRF itself for session callers only.
    api.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_blueprint(docs_bp)
