"""HTTP views for coordinators' changes to items."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ..auth.permissions import is_coordinator, requires
from ..auth.views import safe_next
from ..enums import AssignmentRole, Priority
from ..errors import Invalid
from ..extensions import db
from ..forms import agency_picker, parse_version, submit
from ..items.services import item_or_404
from ..models import Agency
from . import bp
from .forms import AgenciesForm, BulkForm, PlanForm
from .services import bulk_change, plan_item, set_agencies

STALE_MESSAGE = _l("This item changed since you opened it; it is shown as it is now. "
                   "Your input is kept below: save again to apply it.")


def _saved(item, submission):
    """After a coordinator's save: back to the item with what changed, or the form again as it was typed."""
    if submission.done:
        note = submission.result
        flash(note or _("Nothing changed."), "success" if note else "info")
        return redirect(url_for("items.item_detail", ref=item.ref))
    return None


@bp.before_request
@requires(is_coordinator)
def coordinators_only():
    """Every page here is for coordinators alone."""


@bp.route("/items/<ref>/agencies", methods=["GET", "POST"])
def edit_agencies(ref: str):
    item = item_or_404(ref)
    form = AgenciesForm()
    agency_picker(form.lead)
    agency_picker(form.supporting)
    if not form.is_submitted():
        form.lead.data = item.lead.agency_id if item.lead else None
        form.supporting.data = [a.agency_id for a in item.supporting]
        form.version.data = str(item.version)
    submission = submit(form, lambda: set_agencies(
        current_user, item, db.session.get(Agency, form.lead.data),
        [db.session.get(Agency, agency_id) for agency_id in form.supporting.data], parse_version(form.version.data)))
    if submission.status == 409:
        flash(str(STALE_MESSAGE), "warning")
        form.version.data = str(item.version)
    return _saved(item, submission) or (
        render_template("coordination/agencies.html", item=item, form=form), submission.status)


@bp.route("/items/<ref>/plan", methods=["GET", "POST"])
def edit_plan(ref: str):
    item = item_or_404(ref)
    form = PlanForm()
    if not form.is_submitted():
        form.due_date.data = item.due_date
        form.priority.data = item.priority.value if item.priority else ""
        form.version.data = str(item.version)
    submission = submit(form, lambda: plan_item(
        current_user, item, form.due_date.data, Priority(form.priority.data) if form.priority.data else None,
        parse_version(form.version.data)))
    if submission.status == 409:
        flash(str(STALE_MESSAGE), "warning")
        form.version.data = str(item.version)
    return _saved(item, submission) or (
        render_template("coordination/plan.html", item=item, form=form), submission.status)


@bp.route("/items/bulk", methods=["POST"])
def bulk():
    form = BulkForm()
    back = safe_next(form.next.data or url_for("items.item_list"))
    if not form.validate_on_submit():
        problems = [str(error) for field in form for error in field.errors]
        raise Invalid(problems or [_("the form was incomplete.")])
    changes = {}
    if form.action.data == "due_date":
        changes["due_date"] = form.due_date.data
    elif form.action.data == "priority":
        changes["priority"] = Priority(form.priority.data) if form.priority.data else None
    else:
        agency = db.session.get(Agency, form.agency.data)
        if agency is None:
            raise Invalid({"agency": _("That agency does not exist.")})
        role = AssignmentRole.LEAD if form.action.data == "lead" else AssignmentRole.SUPPORTING
        changes.update(agency=agency, role=role)
    count = bulk_change(current_user, list(dict.fromkeys(form.refs.data)), **changes)
    flash(ngettext("%(count)s of %(num)d selected item changed.", "%(count)s of %(num)d selected items changed.",
                   len(set(form.refs.data)), count=count), "success")
    return redirect(back)
