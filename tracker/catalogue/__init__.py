"""Browsing the catalogue's reference data: agencies and pillars."""
from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from . import version, views  # noqa: E402,F401 (version: its session hooks)
