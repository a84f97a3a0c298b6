"""The JSON API (/api/v1): items, stats and progress reports, by browser session or bearer token."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402,F401
