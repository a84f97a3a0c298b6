"""The plan upload page: the same import as `flask import-plan`, with the suggested repeats to confirm first."""
import os

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import is_admin, requires
from ..contract import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, csv_response
from ..cycles.repeats import THRESHOLD, suggest_repeats
from ..errors import Invalid, Problem
from ..extensions import db
from ..models import Framework
from . import bp
from .forms import ConfirmRepeatsForm, ImportForm, import_max_bytes
from .reader import read_plan
from .staging import drop_staged, stage_import, staged_import
from .template import template_csv, template_filename
from .writer import import_plan

EXPIRED = _l("this check has expired, or its file was imported already: upload the file again "
             "(a file held for its repeats to be confirmed is kept for a day)")


@bp.before_request
@requires(is_admin)
def admins_only():
    """Importing a plan is for admins alone."""


def chosen_framework() -> Framework | None:
    """The framework the page was opened for (`?framework=CODE`, from its call to action), if there is one."""
    code = (request.args.get("framework") or "").strip()
    if not code or len(code) > 40:
        return None
    return db.session.scalar(db.select(Framework).where(Framework.code == code))


def page(form: ImportForm, status: int = 200, **context):
    context = {"report": None, "problems": None, "confirm_form": None, "suggestions": [], **context}
    return render_template("imports/upload.html", form=form, columns=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                           max_mb=import_max_bytes() / 1048576, framework=chosen_framework(), threshold=THRESHOLD,
                           **context), status


@bp.route("", methods=["GET", "POST"])
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        return page(form, 422 if form.is_submitted() else 200)
    upload_file = form.file.data
    # In English whatever the page's language: the history and the audit log keep it.
    source_name = os.path.basename((upload_file.filename or "").replace("\\", "/")) or "an uploaded file"
    content = upload_file.read()
    user = current_user._get_current_object()
    try:
        # A file whose recommendations look like earlier ones is only checked: its importer confirms them first.
        report = import_plan(content, create_agencies=form.create_agencies.data,
                             create_frameworks=form.create_frameworks.data, user=user, source_name=source_name,
                             dry_run=form.dry_run.data, hold_for_repeats=True)
    except Invalid as exc:
        return page(form, 422, problems=exc.problems)
    confirm_form = None
    if report.open_suggestions:
        staged = stage_import(content, user, source_name, create_agencies=form.create_agencies.data,
                              create_frameworks=form.create_frameworks.data)
        confirm_form = ConfirmRepeatsForm(staged=staged.token, formdata=None)
    return page(form, report=report, confirm_form=confirm_form, suggestions=report.suggestions)


@bp.route("/confirm", methods=["POST"])
def confirm():
    """Import a held file, recording the suggested repeats ticked; the form comes back, ticks kept, on a problem."""
    form, confirm_form = ImportForm(formdata=None), ConfirmRepeatsForm()
    user = current_user._get_current_object()
    staged = staged_import(confirm_form.staged.data, user)
    if staged is None:
        return page(form, 422, problems=[Problem(EXPIRED, field="file")])
    options = {"create_agencies": staged.create_agencies, "create_frameworks": staged.create_frameworks}
    form.create_agencies.data, form.create_frameworks.data = staged.create_agencies, staged.create_frameworks
    try:
        report = import_plan(staged.content, user=user, source_name=staged.source_name,
                             confirm_repeats=confirm_form.repeats.data or [], **options)
    except Invalid as exc:
        if not all(problem.field == "repeats" for problem in exc.problems):
            drop_staged(staged)  # the file itself no longer imports: it is to be corrected and uploaded again
            return page(form, 422, problems=exc.problems)
        rows, reader = read_plan(staged.content, **options)
        return page(form, 422, problems=exc.problems, confirm_form=confirm_form,
                    suggestions=suggest_repeats(rows, reader))
    drop_staged(staged)
    return page(form, report=report)


@bp.route("/template.csv")
def template():
    """The CSV contract's header and an example row to overwrite, for `?framework=CODE` or a new plan."""
    framework = chosen_framework()
    return csv_response(template_csv(framework), template_filename(framework))
