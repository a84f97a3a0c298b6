"""The audit log: security-relevant events, written where they happen (services.record), read by admins."""
from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401
