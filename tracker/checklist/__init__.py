"""The first-run checklist on the admin's overview: what a new tracker needs before its people can use it."""
from flask import Blueprint

bp = Blueprint("checklist", __name__)

from . import views  # noqa: E402,F401
