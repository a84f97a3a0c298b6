"""Coverage: which plans' actions address each recommendation, and the recommendations none addresses (gaps)."""
from flask import Blueprint

bp = Blueprint("coverage", __name__)

from . import views  # noqa: E402,F401
