"""Admin pages: accounts and agencies."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.passwords import LinkSent, reset_by_admin
from ..auth.permissions import is_admin, requires
from ..catalogue.services import assignment_counts
from ..display import format_date
from ..enums import AgencyKind, Role
from ..errors import Invalid
from ..extensions import db
from ..forms import agency_picker, submit
from ..models import Agency, Province, User
from . import bp
from .filters import STATES, read_agency_listing, read_user_listing
from .forms import AgencyForm, AliasForm, MergeForm, RemoveAliasForm, ResetPasswordForm, UserCreateForm, UserEditForm
from .lists import agencies_with_users, list_agencies, list_users, matched_names
from .services import (
    add_agency,
    add_alias,
    create_account,
    edit_agency,
    merge_agencies,
    remove_alias,
    update_user,
)


@bp.before_request
@requires(is_admin)
def admins_only():
    """Every admin page is for admins alone."""


def province_choices() -> list:
    provinces = db.session.scalars(db.select(Province).order_by(Province.name))
    return [("", _("None"))] + [(p.id, p.name) for p in provinces]


def _agency(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id else None


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = UserCreateForm()
    agency_picker(form.agency, _("None"))
    submission = submit(form, lambda: create_account(form.email.data, form.role.data, form.name.data or "",
                                                     _agency(form.agency.data)))
    if submission.done:
        flash_link_sent(submission.result, _("Account %(email)s created.", email=submission.result.user.email))
        return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, **_user_list()), submission.status


def _user_list() -> dict:
    """The accounts list as the query string narrows it: its filters, the page, what its filters offer."""
    listing = read_user_listing(request.args)
    return {"filters": listing.filters, "pagination": list_users(listing.filters, listing.page, listing.per_page),
            "roles": list(Role), "states": STATES, "agencies": agencies_with_users()}


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id, description=_("There is no such user."))
    form = UserEditForm()
    agency_picker(form.agency, _("None"))
    if not form.is_submitted():
        form.name.data, form.role.data = user.name, user.role.value
        form.agency.data, form.active.data, form.validator.data = user.agency_id, user.active, user.validator
    submission = submit(form, lambda: update_user(current_user, user, name=form.name.data or "",
                                                  role=Role(form.role.data), agency=_agency(form.agency.data),
                                                  active=form.active.data, validator=form.validator.data))
    if submission.done:
        flash(_("%(name)s saved.", name=user.email), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user.html", user=user, form=form,
                           reset_form=ResetPasswordForm()), submission.status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id, description=_("There is no such user."))
    if not ResetPasswordForm().validate_on_submit():
        abort(400)
    flash_link_sent(reset_by_admin(user),
                    _("The password of %(email)s no longer works and their logins have ended.", email=user.email))
    return redirect(url_for("admin.user_detail", user_id=user.id))


def flash_link_sent(sent: LinkSent, done: str) -> None:
    """Say what became of the e-mail with the link to set a password; when it failed, give the admin the
    link to pass on (a link for the account's holder to choose a password with: never a password)."""
    until = _("%(date)s, %(time)s UTC", date=format_date(sent.valid_until), time=f"{sent.valid_until:%H:%M}")
    if sent.sent:
        flash(_("%(done)s An e-mail with a link to set a password went to %(email)s; it works once, until %(until)s.",
                done=done, email=sent.user.email, until=until), "success")
        return
    flash(_("%(done)s The e-mail with the link to set a password could not be sent (%(error)s). Once e-mail works, "
            "send a new one with “Reset password by e-mail” on the account's page, or give %(email)s this link "
            "yourself (it works once, until %(until)s): %(link)s",
            done=done, error=sent.error, email=sent.user.email, until=until, link=sent.link), "warning")


def _agency_form(form: AgencyForm, exclude: Agency | None = None) -> None:
    form.province.choices = province_choices()
    agency_picker(form.parent, _("None"), exclude=exclude)


def _agency_values(form: AgencyForm) -> dict:
    return {
        "name": form.name.data,
        "short_name": form.short_name.data or "",
        "kind": AgencyKind(form.kind.data),
        "province": db.session.get(Province, form.province.data) if form.province.data else None,
        "parent": _agency(form.parent.data),
    }


@bp.route("/agencies", methods=["GET", "POST"])
def agencies():
    form = AgencyForm()
    _agency_form(form)
    submission = submit(form, lambda: add_agency(**_agency_values(form)))
    if submission.done:
        flash(_("%(name)s added.", name=submission.result.name), "success")
        return redirect(url_for("admin.agency_detail", agency_id=submission.result.id))
    return render_template("admin/agencies.html", form=form, **_agency_list()), submission.status


def _agency_list() -> dict:
    """The agencies list as the query string narrows it: its filters, the page with each agency's items and the
    other name it was found by, what its filters offer."""
    listing = read_agency_listing(request.args)
    pagination = list_agencies(listing.filters, listing.page, listing.per_page)
    return {"filters": listing.filters, "pagination": pagination,
            "counts": assignment_counts([agency.id for agency in pagination.items]),
            "also_called": matched_names(pagination.items, listing.filters.q), "kinds": list(AgencyKind),
            "provinces": db.session.scalars(db.select(Province).order_by(Province.name)).all()}


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
def agency_detail(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description=_("There is no such agency."))
    form = AgencyForm(prefix="agency")
    _agency_form(form, exclude=agency)
    if not form.is_submitted():
        form.name.data, form.short_name.data, form.kind.data = agency.name, agency.short_name, agency.kind.value
        form.province.data, form.parent.data = agency.province_id, agency.parent_id
    submission = submit(form, lambda: edit_agency(agency, **_agency_values(form)))
    if submission.done:
        flash(_("%(name)s saved.", name=agency.name), "success")
        return redirect(url_for("admin.agency_detail", agency_id=agency.id))
    merge_form = MergeForm(prefix="merge")
    agency_picker(merge_form.target, _("Choose an agency"), exclude=agency)
    return render_template("admin/agency.html", agency=agency, form=form, alias_form=AliasForm(prefix="alias"),
                           merge_form=merge_form, remove_form=RemoveAliasForm(prefix="remove")), submission.status


@bp.route("/agencies/<int:agency_id>/aliases", methods=["POST"])
def agency_add_alias(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description=_("There is no such agency."))
    form = AliasForm(prefix="alias")
    if not form.validate_on_submit():
        raise Invalid({"alias": _("Write the other name.")})
    add_alias(agency, form.alias.data)
    flash(_("“%(alias)s” now also names %(name)s.", alias=form.alias.data, name=agency.name), "success")
    return redirect(url_for("admin.agency_detail", agency_id=agency.id))


@bp.route("/agencies/<int:agency_id>/aliases/<int:alias_id>/remove", methods=["POST"])
def agency_remove_alias(agency_id: int, alias_id: int):
    agency = db.get_or_404(Agency, agency_id, description=_("There is no such agency."))
    if not RemoveAliasForm(prefix="remove").validate_on_submit():
        abort(400)
    remove_alias(agency, alias_id)
    flash(_("Alias removed."), "success")
    return redirect(url_for("admin.agency_detail", agency_id=agency.id))


@bp.route("/agencies/<int:agency_id>/merge", methods=["POST"])
def agency_merge(agency_id: int):
    agency = db.get_or_404(Agency, agency_id, description=_("There is no such agency."))
    form = MergeForm(prefix="merge")
    agency_picker(form.target, _("Choose an agency"), exclude=agency)
    target = _agency(form.target.data) if form.validate_on_submit() else None
    if target is None:
        raise Invalid({"target": _("Choose the agency to merge into.")})
    name = agency.name
    moved = merge_agencies(agency, target)
    flash(_("%(name)s merged into %(target)s: %(moved)s item assignments moved; its names are now aliases.",
            name=name, target=target.name, moved=moved), "success")
    return redirect(url_for("admin.agency_detail", agency_id=target.id))
