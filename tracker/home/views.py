"""The home page a user lands on, by role."""
from datetime import UTC, date, datetime

from flask import render_template
from flask_login import current_user

from ..auth.permissions import is_agency_user
from . import bp
from .services import agency_home, overview


@bp.route("/")
def home():
    today = date.today()
    if is_agency_user(current_user):
        return render_template("home/agency.html", home=agency_home(current_user, today), today=today,
                               now=datetime.now(UTC))
    return render_template("home/overview.html", overview=overview(current_user, today), today=today,
                           now=datetime.now(UTC))
