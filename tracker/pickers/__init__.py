"""Agency pickers: with 120 agencies, every select of them is searchable by name, short name and the other names
an agency goes by. The options carry those names (options.py); static/js/pickers.js turns each
`<select data-picker="agency">` into a Tom Select, whose files come from npm at install time (views.py).
Without JavaScript the plain select stays and works."""
from flask import Blueprint

bp = Blueprint("pickers", __name__)

from . import views  # noqa: E402,F401
