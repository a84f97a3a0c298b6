"""Indicators: results measured over periods against a baseline and targets."""
from flask import Blueprint

bp = Blueprint("indicators", __name__)

from . import views  # noqa: E402,F401
