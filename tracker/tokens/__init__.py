"""API tokens: the account page where coordinators and admins make and revoke their own.

The rules are in services.py."""
from flask import Blueprint

bp = Blueprint("tokens", __name__, url_prefix="/account")

from . import views  # noqa: E402,F401
