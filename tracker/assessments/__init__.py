"""The National Rapporteur's independent assessments of items, year by year, beside their official status."""
from flask import Blueprint

bp = Blueprint("assessments", __name__)

from . import views  # noqa: E402,F401
