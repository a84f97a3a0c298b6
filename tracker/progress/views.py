"""HTTP views for updating items, downloading evidence and reviewing reports."""
from flask import abort, current_app, flash, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from ..auth.permissions import can_update_item, can_view_evidence, roles_required
from ..extensions import db
from ..enums import ReviewDecision, Role, Status
from ..models import Evidence, Update
from . import bp
from .forms import ReviewForm, UpdateForm, parse_version
from .services import (
    Figure,
    InvalidReport,
    NotAllowed,
    ProgressReport,
    StaleItem,
    get_item_for_update,
    report_progress,
    review_report,
)
from .uploads import ACCEPT_ATTRIBUTE, ALLOWED_DESCRIPTION, UploadError, check_upload


def _item_or_404(ref: str):
    item = get_item_for_update(ref)
    if item is None:
        abort(404, description=f"There is no item with the reference “{ref}”.")
    return item


def _checked_files(form: UpdateForm):
    """Check every chosen file; errors go beside the files field."""
    files, errors = [], []
    for upload in form.files.data or []:
        if not upload or not upload.filename:
            continue
        try:
            files.append(check_upload(upload.stream, upload.filename, current_app.config["UPLOAD_MAX_BYTES"]))
        except UploadError as exc:
            errors.append(str(exc))
    return files, errors


@bp.route("/items/<ref>/update", methods=["GET", "POST"])
def update_item(ref: str):
    item = _item_or_404(ref)
    if not can_update_item(current_user, item):
        abort(403, description="Only the item's responsible agencies and coordinators may update it.")
    form = UpdateForm()
    changes = []
    status_code = 200
    if not form.is_submitted():
        form.status.data = item.status.value
        form.progress.data = item.progress
        form.version.data = str(item.version)
    chosen = [f.filename for f in (form.files.data or []) if f and f.filename]
    if form.validate_on_submit():
        files, file_errors = _checked_files(form)
        if file_errors:
            form.files.errors = list(form.files.errors) + file_errors
        else:
            figure = None
            if form.figure_value.data is not None:
                figure = Figure(form.figure_value.data, form.figure_unit.data, form.figure_as_of.data)
            report = ProgressReport(
                status=Status(form.status.data),
                progress=form.progress.data,
                note=form.note.data,
                expected_version=parse_version(form.version.data),
                files=files,
                links=form.link_list,
                figure=figure,
                confidential=form.confidential.data,
            )
            try:
                update = report_progress(current_user, item, report, current_app.config["UPLOAD_DIR"])
            except NotAllowed as exc:
                abort(403, description=str(exc))
            except InvalidReport as exc:
                for name, message in exc.errors.items():
                    getattr(form, name, form.note).errors = [message]
            except StaleItem as exc:
                changes = exc.changes
                form.version.data = str(item.version)
                status_code = 409
            else:
                message = "Your update is saved"
                if update.is_report:
                    message += " and waits for a coordinator to verify it"
                flash(message + ".", "success")
                return redirect(url_for("items.item_detail", ref=item.ref))
    if form.is_submitted() and status_code == 200 and (form.errors or any(f.errors for f in form)):
        status_code = 422
    return (
        render_template(
            "progress/update.html",
            item=item,
            form=form,
            changes=changes,
            chosen=chosen if form.is_submitted() else [],
            accept=ACCEPT_ATTRIBUTE,
            allowed=ALLOWED_DESCRIPTION,
            max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        status_code,
    )


@bp.route("/evidence/<int:evidence_id>/download")
def download_evidence(evidence_id: int):
    evidence = db.get_or_404(Evidence, evidence_id, description="There is no such evidence.")
    if not can_view_evidence(current_user, evidence):
        abort(403, description="This evidence is confidential.")
    if not evidence.stored_name:
        abort(404, description="This evidence has no file.")
    return send_from_directory(
        current_app.config["UPLOAD_DIR"],
        evidence.stored_name,
        as_attachment=True,
        download_name=evidence.original_name,
        mimetype=evidence.content_type,
    )


@bp.route("/updates/<int:update_id>/review", methods=["POST"])
@roles_required(Role.COORDINATOR)
def review(update_id: int):
    update = db.get_or_404(Update, update_id, description="There is no such update.")
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400, description="The review form was incomplete; please try again.")
    decision = ReviewDecision.RETURNED if form.send_back.data else ReviewDecision.VERIFIED
    try:
        review_report(current_user, update, decision, form.comment.data or "")
    except InvalidReport as exc:
        flash(" ".join(exc.errors.values()), "danger")
    else:
        flash(f"Report {'returned to ' + update.agency.name if decision == ReviewDecision.RETURNED else 'verified'}.",
              "success")
    return redirect(url_for("items.item_detail", ref=update.item.ref) + f"#update-{update.id}")
