"""HTTP views for coordinators' changes to items."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.permissions import roles_required
from ..auth.views import safe_next
from ..extensions import db
from ..enums import AssignmentRole, Priority, Role
from ..models import Agency
from ..progress.forms import parse_version
from ..progress.services import InvalidReport, StaleItem, get_item_for_update
from . import bp
from .forms import AgenciesForm, BulkForm, PlanForm, agency_choices
from .services import bulk_change, plan_item, set_agencies


def _item(ref: str):
    item = get_item_for_update(ref)
    if item is None:
        abort(404, description=f"There is no item with the reference “{ref}”.")
    return item


@bp.route("/items/<ref>/agencies", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_agencies(ref: str):
    item = _item(ref)
    form = AgenciesForm()
    form.lead.choices = agency_choices()
    form.supporting.choices = form.lead.choices
    if not form.is_submitted():
        form.lead.data = item.lead.agency_id if item.lead else None
        form.supporting.data = [a.agency_id for a in item.supporting]
        form.version.data = str(item.version)
    status = 200
    if form.validate_on_submit():
        lead = db.session.get(Agency, form.lead.data)
        supporting = [db.session.get(Agency, agency_id) for agency_id in form.supporting.data]
        try:
            note = set_agencies(current_user, item, lead, supporting, parse_version(form.version.data))
        except StaleItem:
            flash("This item changed since you opened it; its agencies are shown as they are now. "
                  "Your choice is kept below: save again to apply it.", "warning")
            form.version.data = str(item.version)
            status = 409
        except InvalidReport as exc:
            form.lead.errors = list(exc.errors.values())
            status = 422
        else:
            flash(note or "Nothing changed.", "success" if note else "info")
            return redirect(url_for("items.item_detail", ref=item.ref))
    elif form.is_submitted():
        status = 422
    return render_template("coordination/agencies.html", item=item, form=form), status


@bp.route("/items/<ref>/plan", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_plan(ref: str):
    item = _item(ref)
    form = PlanForm()
    if not form.is_submitted():
        form.due_date.data = item.due_date
        form.priority.data = item.priority.value if item.priority else ""
        form.version.data = str(item.version)
    status = 200
    if form.validate_on_submit():
        priority = Priority(form.priority.data) if form.priority.data else None
        try:
            note = plan_item(current_user, item, form.due_date.data, priority, parse_version(form.version.data))
        except StaleItem:
            flash("This item changed since you opened it. Your input is kept below: save again to apply it.",
                  "warning")
            form.version.data = str(item.version)
            status = 409
        else:
            flash(note or "Nothing changed.", "success" if note else "info")
            return redirect(url_for("items.item_detail", ref=item.ref))
    elif form.is_submitted():
        status = 422
    return render_template("coordination/plan.html", item=item, form=form), status


@bp.route("/items/bulk", methods=["POST"])
@roles_required(Role.COORDINATOR)
def bulk():
    form = BulkForm()
    back = safe_next(form.next.data or url_for("items.item_list"))
    if not form.validate_on_submit():
        problems = [error for field in form for error in field.errors]
        flash("Nothing changed: " + " ".join(problems or ["the form was incomplete."]), "danger")
        return redirect(back)
    action = form.action.data
    changes = {}
    if action == "due_date":
        changes["due_date"] = form.due_date.data
    elif action == "priority":
        changes["priority"] = Priority(form.priority.data) if form.priority.data else None
    else:
        agency = db.session.get(Agency, form.agency.data)
        if agency is None:
            flash("Nothing changed: that agency does not exist.", "danger")
            return redirect(back)
        changes.update(agency=agency, role=AssignmentRole.LEAD if action == "lead" else AssignmentRole.SUPPORTING)
    try:
        count = bulk_change(current_user, list(dict.fromkeys(form.refs.data)), **changes)
    except InvalidReport as exc:
        flash("Nothing changed: " + " ".join(exc.errors.values()), "danger")
    except StaleItem:
        flash("Nothing changed: an item changed meanwhile. Please try again.", "warning")
    else:
        flash(f"{count} of {len(set(form.refs.data))} selected items changed.", "success")
    return redirect(back)
