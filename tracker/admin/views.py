"""Admin pages: accounts and agencies."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import roles_required
from ..auth.services import UserError
from ..catalogue.services import agencies_with_counts
from ..extensions import db
from ..enums import AgencyKind, Role
from ..models import Agency, Province, User
from . import bp
from .forms import AgencyForm, AliasForm, MergeForm, RemoveAliasForm, ResetPasswordForm, UserCreateForm, UserEditForm
from .services import add_agency, create_account, add_alias, edit_agency, merge_agencies, remove_alias, reset_password, update_user


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every admin page is for admins alone."""


def agency_options(empty: str = "None", exclude: Agency | None = None) -> list[SelectChoice]:
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.name))
    return [SelectChoice("", empty)] + [SelectChoice(a.id, a.display_name) for a in agencies if a is not exclude]


def province_options() -> list[SelectChoice]:
    provinces = db.session.scalars(db.select(Province).order_by(Province.name))
    return [SelectChoice("", "None")] + [SelectChoice(p.id, p.name) for p in provinces]


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserCreateForm()
    form.agency.choices = agency_options()
    status = 200
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency.data) if form.agency.data else None
        try:
            user, generated = create_account(form.email.data, form.role.data, form.password.data or None,
                                             form.name.data or "", agency)
        except UserError as exc:
            flash(str(exc), "danger")
            status = 422
        else:
            message = f"Account {user.email} created."
            if generated:
                message += f" Its password, shown only this once: {generated}"
            flash(message, "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 422
    rows = db.session.scalars(db.select(User).order_by(User.active.desc(), User.role, User.email)).all()
    return render_template("admin/users.html", users=rows, form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id, description="There is no such user.")
    form = UserEditForm(obj=None)
    form.agency.choices = agency_options()
    if not form.is_submitted():
        form.name.data, form.role.data = user.name, user.role.value
        form.agency.data, form.active.data = user.agency_id, user.active
    status = 200
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency.data) if form.agency.data else None
        try:
            update_user(current_user, user, name=form.name.data or "", role=Role(form.role.data), agency=agency,
                        active=form.active.data)
        except UserError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            status = 422
        else:
            flash(f"{user.email} saved.", "success")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/user.html", user=user, form=form, reset_form=ResetPasswordForm()), status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id, description="There is no such user.")
    if not ResetPasswordForm().validate_on_submit():
        abort(400)
    password = reset_password(user)
    flash(f"New password for {user.email}, shown only this once: {password}", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _agency_form(form: AgencyForm, exclude: Agency | None = None) -> None:
    form.province.choices = province_options()
    form.parent.choices = agency_options(exclude=exclude)


def _agency_values(form: AgencyForm) -> dict:
    return {
        "name": form.name.data,
        "short_name": form.short_name.data or "",
        "kind": AgencyKind(form.kind.data),
        "province": db.session.get(Province, form.province.data) if form.province.data else None,
        "parent": db.session.get(Agency, form.parent.data) if form.parent.data else None,
    }


@bp.route("/agencies", methods=["GET", "POST"])
def agencies():
    form = AgencyForm()
    _agency_form(form)
    status = 200
    if form.validate_on_submit():
        try:
            agency = add_agency(**_agency_values(form))
        except UserError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            status = 422
        else:
            flash(f"{agency.name} added.", "success")
            return redirect(url_for("admin.agency_detail", agency_id=agency.id))
    elif form.is_submitted():
        status = 422
    return render_template("admin/agencies.html", rows=agencies_with_counts(), form=form), status


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
def agency_detail(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description="There is no such agency.")
    form = AgencyForm(prefix="agency")
    _agency_form(form, exclude=agency)
    if not form.is_submitted():
        form.name.data, form.short_name.data, form.kind.data = agency.name, agency.short_name, agency.kind.value
        form.province.data, form.parent.data = agency.province_id, agency.parent_id
    status = 200
    if form.validate_on_submit():
        try:
            edit_agency(agency, **_agency_values(form))
        except UserError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            status = 422
        else:
            flash(f"{agency.name} saved.", "success")
            return redirect(url_for("admin.agency_detail", agency_id=agency.id))
    elif form.is_submitted():
        status = 422
    merge_form = MergeForm(prefix="merge")
    merge_form.target.choices = agency_options("Choose an agency", exclude=agency)
    return render_template("admin/agency.html", agency=agency, form=form, alias_form=AliasForm(prefix="alias"),
                           merge_form=merge_form, remove_form=RemoveAliasForm(prefix="remove")), status


@bp.route("/agencies/<int:agency_id>/aliases", methods=["POST"])
def agency_add_alias(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description="There is no such agency.")
    form = AliasForm(prefix="alias")
    if form.validate_on_submit():
        try:
            add_alias(agency, form.alias.data)
        except UserError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(f"“{form.alias.data}” now also names {agency.name}.", "success")
    else:
        flash("Write the other name.", "danger")
    return redirect(url_for("admin.agency_detail", agency_id=agency.id))


@bp.route("/agencies/<int:agency_id>/aliases/<int:alias_id>/remove", methods=["POST"])
def agency_remove_alias(agency_id: int, alias_id: int):
    agency = db.get_or_404(Agency, agency_id, description="There is no such agency.")
    if not RemoveAliasForm(prefix="remove").validate_on_submit():
        abort(400)
    try:
        remove_alias(agency, alias_id)
    except UserError as exc:
        flash(str(exc), "danger")
    else:
        flash("Alias removed.", "success")
    return redirect(url_for("admin.agency_detail", agency_id=agency.id))


@bp.route("/agencies/<int:agency_id>/merge", methods=["POST"])
def agency_merge(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description="There is no such agency.")
    form = MergeForm(prefix="merge")
    form.target.choices = agency_options("Choose an agency", exclude=agency)
    target = db.session.get(Agency, form.target.data) if form.validate_on_submit() and form.target.data else None
    if target is None:
        flash("Choose the agency to merge into.", "danger")
        return redirect(url_for("admin.agency_detail", agency_id=agency.id))
    name = agency.name
    try:
        moved = merge_agencies(agency, target)
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("admin.agency_detail", agency_id=agency.id))
    flash(f"{name} merged into {target.name}: {moved} item assignments moved; its names are now aliases.", "success")
    return redirect(url_for("admin.agency_detail", agency_id=target.id))
