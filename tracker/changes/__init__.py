"""What changed between two dates: the plan compared at two moments, read from the append-only history."""
from flask import Blueprint

bp = Blueprint("changes", __name__)

from . import views  # noqa: E402,F401
