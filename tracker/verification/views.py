"""The queue of reports awaiting the user's decision, and the decision itself."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request
from flask_login import current_user

from ..auth.permissions import decides_reports, requires
from ..auth.views import safe_next
from ..enums import Decision
from ..errors import Invalid
from ..extensions import db
from ..forms import page_number, parse_version
from ..models import Report
from ..templating import report_url
from . import bp
from .forms import DecisionForm
from .services import awaiting_page, decide

QUEUE_PAGE = 25
DONE = {Decision.FORWARD: "forwarded to the coordinators", Decision.VERIFY: "verified: it is the official state now",
        Decision.RETURN: "returned to the agency"}


@bp.route("/queue")
@requires(decides_reports, "Only coordinators and agencies' validators decide on reports.")
def queue():
    pagination = awaiting_page(current_user, page_number(request.args), QUEUE_PAGE)
    return render_template("verification/queue.html", pagination=pagination, reports=pagination.items,
                           now=datetime.now(UTC))


@bp.route("/reports/<int:report_id>/decision", methods=["POST"])
def decision(report_id: int):
    report = db.get_or_404(Report, report_id, description="There is no such report.")
    form = DecisionForm()
    if not form.validate_on_submit():
        raise Invalid(form.errors and {name: errors[0] for name, errors in form.errors.items()}
                      or "The decision form was incomplete; please try again.")
    chosen = (Decision.FORWARD if form.forward.data else Decision.VERIFY if form.verify.data
              else Decision.RETURN if form.send_back.data else None)
    if chosen is None:
        raise Invalid({"decision": "Choose to forward, verify or return the report."})
    decide(current_user, report, chosen, form.comment.data or "", parse_version(form.version.data))
    flash(f"{report.subject}: the report of {report.agency.label} is {DONE[chosen]}.", "success")
    if request.form.get("next"):
        return redirect(safe_next(request.form["next"]))
    return redirect(report_url(report))
