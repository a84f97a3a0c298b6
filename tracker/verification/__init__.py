"""The reporting cycle: agencies' reports pass their validator, then a coordinator, before they count."""
from flask import Blueprint

bp = Blueprint("verification", __name__)

from . import views  # noqa: E402,F401
