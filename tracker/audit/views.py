"""The audit log for admins: a page, filtered and paged, and the same events as CSV."""
from datetime import date

from flask import abort, render_template, request, stream_with_context

from ..auth.permissions import is_admin, requires
from ..contract import csv_response
from ..forms import page_number
from . import bp
from .forms import AuditFilterForm
from .services import events_page, export_csv


@bp.before_request
@requires(is_admin)
def admins_only():
    """The audit log is for admins alone."""


@bp.route("/audit")
def log():
    form = AuditFilterForm(request.args)
    filters = form.filters()
    return render_template("audit/log.html", form=form, filters=filters,
                           pagination=events_page(filters, page_number(request.args)))


@bp.route("/audit.csv")
def log_csv():
    filters = AuditFilterForm(request.args).filters()
    if filters.problems:
        abort(400, description="; ".join(filters.problems))
    return csv_response(stream_with_context(export_csv(filters)), f"audit-log-{date.today().isoformat()}.csv")
