"""Scheduled reminders to agencies, weekly summaries to coordinators, and in-app notifications."""
from flask import Blueprint

bp = Blueprint("reminders", __name__)

from . import views  # noqa: E402,F401
