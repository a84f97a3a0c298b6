"""HTTP views for reporting on items and downloading evidence."""
from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record
from ..auth.permissions import can_update_item, can_view_evidence, is_agency_user
from ..enums import AuditEventKind, Status
from ..errors import NotAllowed
from ..extensions import db
from ..forms import parse_version, submit
from ..items.services import item_or_404
from ..models import Evidence
from ..storage import evidence_storage
from ..verification.services import first_stage, open_report
from . import bp
from .forms import UpdateForm
from .services import Figure, ProgressReport, report_progress
from .uploads import upload_limits


def _report(form: UpdateForm) -> ProgressReport:
    """The report the form describes."""
    figure = None
    if form.figure_value.data is not None:
        figure = Figure(form.figure_value.data, form.figure_unit.data, form.figure_as_of.data)
    return ProgressReport(status=Status(form.status.data), progress=form.progress.data, note=form.note.data,
                          expected_version=parse_version(form.version.data), evidence=form.evidence(figure),
                          reason=form.reason.data or "")


@bp.route("/items/<ref>/update", methods=["GET", "POST"])
def update_item(ref: str):
    item = item_or_404(ref)
    if not can_update_item(current_user, item):
        raise NotAllowed(_("Only the item's responsible agencies and coordinators may update it."))
    # The agency's report awaiting a decision, or returned to it: the form starts from it and replaces it.
    earlier = open_report(item, current_user.agency_id) if is_agency_user(current_user) else None
    form = UpdateForm(item=item)
    if not form.is_submitted():
        form.status.data, form.progress.data, form.version.data = item.status.value, item.progress, str(item.version)
        if earlier is not None:
            form.status.data, form.progress.data = earlier.status.value, earlier.progress
            form.note.data, form.reason.data = earlier.note, earlier.reason
    submission = submit(form, lambda: report_progress(current_user, item, _report(form)))
    if submission.done:
        report = submission.result.report
        if report is None:
            flash(_("Your update is saved: it is the item's official state now."), "success")
        else:
            flash(_("Your report is saved and is %(stage)s. The item's official state changes once a coordinator "
                    "verifies it.", stage=report.stage.label), "success")
        return redirect(url_for("items.item_detail", ref=item.ref))
    changes = []
    if submission.status == 409:
        changes = submission.error.changes
        form.version.data = str(item.version)
    return render_template(
        "progress/update.html",
        item=item,
        form=form,
        earlier=earlier,
        first_stage=first_stage(current_user, current_user.agency).value if is_agency_user(current_user) else None,
        changes=changes,
        chosen=form.chosen(),
        **upload_limits(current_app.config["UPLOAD_MAX_BYTES"]),
    ), submission.status


@bp.route("/evidence/<int:evidence_id>/download")
def download_evidence(evidence_id: int):
    evidence = db.get_or_404(Evidence, evidence_id, description=_("There is no such evidence."))
    if not can_view_evidence(current_user, evidence):
        abort(403, description=_("This evidence is confidential."))
    if not evidence.stored_name:
        abort(404, description=_("This evidence has no file."))
    if evidence.confidential:
        record(AuditEventKind.EVIDENCE_DOWNLOAD, subject=f"evidence:{evidence.id}",
               detail=f"{evidence.original_name} of {evidence.backs}")
        db.session.commit()
    try:
        stored = evidence_storage().open(evidence.stored_name)
    except FileNotFoundError:
        abort(404, description=_("This evidence has no file."))
    return send_file(
        stored,
        as_attachment=True,
        download_name=evidence.original_name,
        mimetype=evidence.content_type,
    )
