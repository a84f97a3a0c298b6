"""The action items: the list with its filters, and each item's page."""
from flask import Blueprint

bp = Blueprint("items", __name__)

from . import views  # noqa: E402,F401
from .lines import register as _register_lines  # noqa: E402

bp.record_once(lambda state: _register_lines(state.app))
