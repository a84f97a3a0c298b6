"""Assessment pages: the rapporteur's form on the item page."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.permissions import can_assess, requires
from ..forms import submit
from ..items.services import item_or_404
from . import bp
from .forms import AssessmentForm
from .services import NOT_ALLOWED, assess, by_year


@bp.route("/items/<ref>/assessments", methods=["POST"])
@requires(can_assess, NOT_ALLOWED)
def assess_item(ref: str):
    """The form on the item page; refused, it comes back on a page of its own with what was typed."""
    item = item_or_404(ref)
    form = AssessmentForm()
    submission = submit(form, lambda: assess(current_user, item, form.year.data, form.rating.data,
                                             form.reason.data or ""))
    if submission.done:
        assessment = submission.result
        flash(f"Your assessment of {item.ref} for {assessment.year} is recorded: {assessment.rating.label.lower()}. "
              "The official status is unchanged.", "success")
        return redirect(url_for("items.item_detail", ref=item.ref, _anchor="assessment"))
    return render_template("assessments/assess.html", item=item, form=form,
                           years=by_year(item.assessments)), submission.status
