"""The action items: the list with its filters, and each item's page."""
from flask import Blueprint

bp = Blueprint("items", __name__)

from . import views  # noqa: E402,F401
