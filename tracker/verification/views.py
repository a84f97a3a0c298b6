"""The queue of reports awaiting the user's decision, and the decision itself."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import decides_reports, requires
from ..auth.views import safe_next
from ..enums import Decision
from ..errors import Invalid
from ..extensions import db
from ..forms import page_number, parse_version, submit
from ..models import Report
from ..templating import report_url
from . import bp
from .forms import DecisionForm
from .services import awaiting_page, check_decision, decide

QUEUE_PAGE = 25
DONE = {
    Decision.FORWARD: _l("%(subject)s: the report of %(agency)s is forwarded to the coordinators."),
    Decision.VERIFY: _l("%(subject)s: the report of %(agency)s is verified: it is the official state now."),
    Decision.RETURN: _l("%(subject)s: the report of %(agency)s is returned to the agency."),
}


@bp.route("/queue")
@requires(decides_reports, _l("Only coordinators and agencies' validators decide on reports."))
def queue():
    pagination = awaiting_page(current_user, page_number(request.args), QUEUE_PAGE)
    return render_template("verification/queue.html", pagination=pagination, reports=pagination.items,
                           now=datetime.now(UTC))


@bp.route("/reports/<int:report_id>/decision", methods=["POST"])
def decision(report_id: int):
    """Forward, verify or return a report. Refused, the form comes back on a page of its own with the comment
    as typed and each problem beside its field (a report changed meanwhile goes back where it was shown)."""
    report = db.get_or_404(Report, report_id, description=_("There is no such report."))
    check_decision(current_user, report, None)  # before anything is shown of a form refused
    form = DecisionForm()
    chosen = (Decision.FORWARD if form.forward.data else Decision.VERIFY if form.verify.data
              else Decision.RETURN if form.send_back.data else None)
    submission = submit(form, lambda: decide(current_user, report, chosen, form.comment.data or "",
                                             parse_version(form.version.data)) if chosen else _no_choice())
    if submission.done:
        flash(DONE[chosen] % {"subject": report.subject, "agency": report.agency.label}, "success")
        if request.form.get("next"):
            return redirect(safe_next(request.form["next"]))
        return redirect(report_url(report))
    if submission.status == 409:
        raise submission.error  # the app's handler says who decided first, back on the page the form was on
    return render_template("verification/decide.html", report=report, form=form, now=datetime.now(UTC),
                           next=request.form.get("next")), submission.status


def _no_choice():
    raise Invalid({"decision": _("Choose to forward, verify or return the report.")})
