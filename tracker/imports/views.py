"""The plan upload page: the same import as `flask import-plan`."""
import os

from flask import render_template
from flask_login import current_user

from ..auth.permissions import is_admin, requires
from ..contract import IMPORTED_COLUMNS
from ..errors import Invalid
from . import bp
from .forms import ImportForm, import_max_bytes
from .writer import import_plan


@bp.before_request
@requires(is_admin)
def admins_only():
    """Importing a plan is for admins alone."""


@bp.route("", methods=["GET", "POST"])
def upload():
    form = ImportForm()
    report, problems, status = None, None, 200
    if form.validate_on_submit():
        upload_file = form.file.data
        source_name = os.path.basename((upload_file.filename or "").replace("\\", "/"))[:120] or "an uploaded file"
        try:
            report = import_plan(upload_file.read(), create_agencies=form.create_agencies.data,
                                 create_frameworks=form.create_frameworks.data,
                                 user=current_user._get_current_object(), source_name=source_name,
                                 dry_run=form.dry_run.data)
        except Invalid as exc:
            problems, status = exc.problems, 422
    elif form.is_submitted():
        status = 422
    return render_template("imports/upload.html", form=form, report=report, problems=problems,
                           columns=IMPORTED_COLUMNS, max_mb=import_max_bytes() / 1048576), status
