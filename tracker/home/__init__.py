"""Home pages: "My items" for agencies, the overview for coordinators and the rapporteur."""
from flask import Blueprint

bp = Blueprint("home", __name__)

from . import views  # noqa: E402,F401
