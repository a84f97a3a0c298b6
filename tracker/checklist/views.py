"""Ticking a step of the first-run checklist (the list itself is on the overview)."""
from flask import abort, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.permissions import is_admin, requires
from . import bp
from .services import tick


@bp.route("/admin/checklist/<key>/done", methods=["POST"])
@requires(is_admin)
def tick_step(key: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    tick(key, current_user)
    return redirect(url_for("home.home") + "#first-run")
