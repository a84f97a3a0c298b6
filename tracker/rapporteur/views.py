"""The report builder, the reports asked for (with their progress while they are written), and their files."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..auth.permissions import can_export, requires
from ..catalogue.services import frameworks_with_items
from ..enums import AuditEventKind, GenerationState
from ..errors import Invalid
from ..extensions import db
from ..forms import page_number, submit
from ..models import Pillar, RapporteurReport
from . import bp
from .forms import ReportRequestForm
from .services import FORMATS, ReportOptions, options_of, report_page, reports_folder, request_report

FIRST_YEAR = 2005  # the first plan's


def _options(form: ReportRequestForm) -> ReportOptions:
    """The options the form asks for: the dates if both are given, else the year."""
    if bool(form.start.data) != bool(form.end.data):
        raise Invalid({"end" if form.start.data else "start": _("Give both dates of the period, or neither.")})
    choices = {"frameworks": form.frameworks.data or [], "pillars": form.pillars.data or [],
               "language": form.language.data or "en"}
    if form.start.data:
        return ReportOptions(form.start.data, form.end.data, **choices)
    return ReportOptions.year(form.year.data, **choices)


@bp.route("/rapporteur/reports", methods=["GET", "POST"])
@requires(can_export)
def builder():
    today = date.today()
    form = ReportRequestForm()
    form.year.choices = [(year, str(year)) for year in range(today.year, FIRST_YEAR - 1, -1)]
    form.frameworks.choices = [(f.code, f.name) for f in frameworks_with_items()]
    form.pillars.choices = [(p.code, p.name) for p in db.session.scalars(sa.select(Pillar).order_by(Pillar.position))]
    if not form.is_submitted():
        form.year.data = today.year
        form.language.data = str(get_locale())  # the page's language, unless another is chosen
    submission = submit(form, lambda: request_report(current_user, _options(form)))
    if submission.done:
        return redirect(url_for("rapporteur.report_status", report_id=submission.result.id))
    pagination = report_page(page_number(request.args))
    return render_template("rapporteur/builder.html", form=form, pagination=pagination), submission.status


def _report_or_404(report_id: int) -> RapporteurReport:
    return db.get_or_404(RapporteurReport, report_id, description=_("There is no such report."))


@bp.route("/rapporteur/reports/<int:report_id>")
@requires(can_export)
def report_status(report_id: int):
    report = _report_or_404(report_id)
    return render_template("rapporteur/status.html", report=report, options=options_of(report))


@bp.route("/rapporteur/reports/<int:report_id>/progress.json")
@requires(can_export)
def report_progress(report_id: int):
    """Where the report's writing stands, for the status page to follow without reloading."""
    report = _report_or_404(report_id)
    return jsonify(state=report.state.value, label=report.state.label, progress=report.progress, step=report.step,
                   error=report.error if report.state == GenerationState.FAILED else "",
                   # What the page says of a failure, in its language (the error itself is the program's).
                   error_message=_("It could not be written: %(error)s. Ask for it again.", error=report.error)
                   if report.state == GenerationState.FAILED else "",
                   downloads={extension: url_for("rapporteur.report_file", report_id=report.id, extension=extension)
                              for extension in FORMATS} if report.state == GenerationState.DONE else {})


@bp.route("/rapporteur/reports/<int:report_id>/report.<extension>")
@requires(can_export)
def report_file(report_id: int, extension: str):
    report = _report_or_404(report_id)
    if extension not in FORMATS:
        abort(404, description=_("The report is written as Word (.docx) and PDF (.pdf)."))
    name = report.docx_name if extension == "docx" else report.pdf_name
    if report.state != GenerationState.DONE or not name:
        abort(404, description=_("This report has no file yet: it is %(state)s.", state=report.state.label))
    if not (reports_folder() / name).is_file():
        flash(_("This report's file is no longer kept: ask for the report again."), "warning")
        return redirect(url_for("rapporteur.report_status", report_id=report.id))
    options = options_of(report)
    record(AuditEventKind.RAPPORTEUR_REPORT, subject=f"rapporteur_report:{report.id}",
           detail=f"downloaded the report of {options.title_period} as {extension}")
    db.session.commit()
    return send_from_directory(reports_folder(), name, as_attachment=True, mimetype=FORMATS[extension],
                               download_name=f"rapporteur-report-{options.start}-{options.end}.{extension}")
