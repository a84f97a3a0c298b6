"""Importing another plan from a CSV file in the export's columns (admins)."""
from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/admin/import")

from . import views  # noqa: E402,F401
