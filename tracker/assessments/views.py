"""Assessment pages: the standing assessments with their filters and download, and the rapporteur's form."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import can_assess, can_export, requires
from ..contract import csv_response
from ..forms import submit
from ..items.services import item_or_404
from . import bp
from .filters import read_listing
from .forms import AssessmentForm
from .services import NOT_ALLOWED, assess, by_year, current_page, disagreement_count, export_csv, filter_options


@bp.route("/assessments")
def assessment_list():
    listing = read_listing(request.args)
    filters = listing.filters
    return render_template("assessments/list.html", filters=filters,
                           pagination=current_page(filters, listing.page, listing.per_page),
                           disagreeing=disagreement_count(filters), options=filter_options(filters))


@bp.route("/assessments.csv")
@requires(can_export)
def assessment_csv():
    """The standing assessments the list shows with these filters, every page of them."""
    filters = read_listing(request.args).filters
    if filters.problems:
        abort(400, description="; ".join(filters.problems))
    return csv_response(export_csv(filters), f"assessments-{date.today().isoformat()}.csv")


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
        flash(_("Your assessment of %(ref)s for %(year)s is recorded: %(rating)s. The official status is unchanged.",
                ref=item.ref, year=assessment.year, rating=str(assessment.rating.label).lower()), "success")
        return redirect(url_for("items.item_detail", ref=item.ref, _anchor="assessment"))
    return render_template("assessments/assess.html", item=item, form=form,
                           years=by_year(item.assessments)), submission.status
