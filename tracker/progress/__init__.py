"""Reporting progress with evidence, and verifying agencies' reports."""
from flask import Blueprint

bp = Blueprint("progress", __name__)

from . import views  # noqa: E402,F401
