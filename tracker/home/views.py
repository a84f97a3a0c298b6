"""The home page a user lands on, by role."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import render_template
from flask_login import current_user

from ..auth.permissions import is_admin, is_agency_user
from ..checklist.services import open_checklist
from ..mail.status import mail_failing
from ..reminders.rules import get_settings
from . import bp
from .services import agency_home, overview


@bp.route("/")
def home():
    today = date.today()
    if is_agency_user(current_user):
        return render_template("home/agency.html", home=agency_home(current_user, today), today=today,
                               now=datetime.now(UTC))
    admin = {}
    if is_admin(current_user):
        # What an admin must act on first: the setup left to do, and e-mail that does not go out (its times
        # in the reminders' time zone, the one the admin chose).
        failing, zone = mail_failing(), get_settings().timezone
        admin = {"checklist": open_checklist(), "mail_failing": failing, "zone": zone,
                 "failing_since": failing.since.astimezone(ZoneInfo(zone)) if failing else None}
    return render_template("home/overview.html", overview=overview(current_user, today), today=today,
                           now=datetime.now(UTC), **admin)
