"""The National Rapporteur's report: composed from the data, written as Word and PDF, generated in the background."""
from flask import Blueprint

bp = Blueprint("rapporteur", __name__)

from . import views  # noqa: E402,F401
