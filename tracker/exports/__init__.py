"""Exports of the items: the CSV contract, the Excel workbook and the self-contained HTML report."""
from flask import Blueprint

bp = Blueprint("exports", __name__)

from . import views  # noqa: E402,F401
