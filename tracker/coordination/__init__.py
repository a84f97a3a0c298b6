"""Coordinators' work on items: agencies, due dates, priorities, one item or many at once."""
from flask import Blueprint

bp = Blueprint("coordination", __name__)

from . import views  # noqa: E402,F401
