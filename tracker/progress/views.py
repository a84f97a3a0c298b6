"""HTTP views for updating items, downloading evidence and reviewing reports."""
from flask import abort, current_app, flash, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from ..audit.services import record
from ..auth.permissions import can_update_item, can_view_evidence, is_coordinator, requires
from ..enums import AuditEventKind, ReviewDecision, Status
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..forms import parse_version, submit
from ..items.services import item_or_404
from ..models import Evidence, Update
from . import bp
from .forms import ReviewForm, UpdateForm
from .services import Figure, ProgressReport, report_progress, review_report
from .uploads import ACCEPT_ATTRIBUTE, ALLOWED_DESCRIPTION, check_upload


def _report(form: UpdateForm) -> ProgressReport:
    """The report the form describes, its files checked (every refused file named beside the field)."""
    files, problems = [], []
    for upload in form.files.data or []:
        if not upload or not upload.filename:
            continue
        try:
            files.append(check_upload(upload.stream, upload.filename, current_app.config["UPLOAD_MAX_BYTES"]))
        except Invalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise Invalid(problems)
    figure = None
    if form.figure_value.data is not None:
        figure = Figure(form.figure_value.data, form.figure_unit.data, form.figure_as_of.data)
    return ProgressReport(status=Status(form.status.data), progress=form.progress.data, note=form.note.data,
                          expected_version=parse_version(form.version.data), files=files, links=form.link_list,
                          figure=figure, confidential=form.confidential.data)


@bp.route("/items/<ref>/update", methods=["GET", "POST"])
def update_item(ref: str):
    item = item_or_404(ref)
    if not can_update_item(current_user, item):
        raise NotAllowed("Only the item's responsible agencies and coordinators may update it.")
    form = UpdateForm()
    if not form.is_submitted():
        form.status.data, form.progress.data, form.version.data = item.status.value, item.progress, str(item.version)
    chosen = [f.filename for f in (form.files.data or []) if f and f.filename]
    submission = submit(form, lambda: report_progress(current_user, item, _report(form),
                                                      current_app.config["UPLOAD_DIR"]))
    if submission.done:
        waits = " and waits for a coordinator to verify it" if submission.result.is_report else ""
        flash(f"Your update is saved{waits}.", "success")
        return redirect(url_for("items.item_detail", ref=item.ref))
    changes = []
    if submission.status == 409:
        changes = submission.error.changes
        form.version.data = str(item.version)
    return render_template(
        "progress/update.html",
        item=item,
        form=form,
        changes=changes,
        chosen=chosen if form.is_submitted() else [],
        accept=ACCEPT_ATTRIBUTE,
        allowed=ALLOWED_DESCRIPTION,
        max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
    ), submission.status


@bp.route("/evidence/<int:evidence_id>/download")
def download_evidence(evidence_id: int):
    evidence = db.get_or_404(Evidence, evidence_id, description="There is no such evidence.")
    if not can_view_evidence(current_user, evidence):
        abort(403, description="This evidence is confidential.")
    if not evidence.stored_name:
        abort(404, description="This evidence has no file.")
    if evidence.confidential:
        record(AuditEventKind.EVIDENCE_DOWNLOAD, subject=f"evidence:{evidence.id}",
               detail=f"{evidence.original_name} of {evidence.item.ref}")
        db.session.commit()
    return send_from_directory(
        current_app.config["UPLOAD_DIR"],
        evidence.stored_name,
        as_attachment=True,
        download_name=evidence.original_name,
        mimetype=evidence.content_type,
    )


@bp.route("/updates/<int:update_id>/review", methods=["POST"])
@requires(is_coordinator)
def review(update_id: int):
    update = db.get_or_404(Update, update_id, description="There is no such update.")
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400, description="The review form was incomplete; please try again.")
    decision = ReviewDecision.RETURNED if form.send_back.data else ReviewDecision.VERIFIED
    review_report(current_user, update, decision, form.comment.data or "")
    done = f"returned to {update.agency.name}" if decision == ReviewDecision.RETURNED else "verified"
    flash(f"Report {done}.", "success")
    return redirect(url_for("items.item_detail", ref=update.item.ref) + f"#update-{update.id}")
