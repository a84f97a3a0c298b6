"""Coverage pages: every recommendation with the actions addressing it (and the gaps), its CSV, and the
coordinators' adding and removing of links on a recommendation's page."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import can_curate_coverage, can_export, requires
from ..contract import csv_response
from ..exports.services import COVERAGE, export_filename, render_export
from ..forms import submit
from ..items.services import item_or_404
from . import bp
from .filters import read_listing
from .forms import CoverageForm
from .services import (
    NOT_ALLOWED,
    add_link,
    coverage_page,
    filter_options,
    gap_list,
    item_coverage,
    remove_link,
    summary,
)


@bp.route("/coverage")
def coverage_list():
    listing = read_listing(request.args)
    filters = listing.filters
    return render_template("coverage/index.html", filters=filters, options=filter_options(), summary=summary(filters),
                           gaps=gap_list(filters), pagination=coverage_page(filters, listing.page, listing.per_page))


@bp.route("/coverage.csv")
@requires(can_export)
def coverage_csv():
    """The coverage the page shows with these filters, every page of it; the download is audited."""
    filters = read_listing(request.args).filters
    if filters.problems:
        abort(400, description="; ".join(filters.problems))
    today = date.today()
    content, _count = render_export(COVERAGE, filters, today)
    return csv_response(content, export_filename(COVERAGE, today))


@bp.route("/items/<ref>/coverage", methods=["POST"])
@requires(can_curate_coverage, NOT_ALLOWED)
def add_coverage(ref: str):
    """The form on a recommendation's page; refused, it comes back on a page of its own with what was typed."""
    item = item_or_404(ref)
    form = CoverageForm()
    submission = submit(form, lambda: add_link(current_user, item, form.action.data or "", form.reason.data or ""))
    if submission.done:
        flash(_("%(action)s is now listed as addressing %(recommendation)s.", action=submission.result.action.ref,
                recommendation=item.ref), "success")
        return redirect(url_for("items.item_detail", ref=item.ref, _anchor="coverage"))
    return render_template("coverage/add.html", item=item, form=form,
                           coverage=item_coverage(item, curator=True)), submission.status


@bp.route("/coverage/links/<int:link_id>/remove", methods=["POST"])
@requires(can_curate_coverage, NOT_ALLOWED)
def remove_coverage(link_id: int):
    removed = remove_link(current_user, link_id)
    flash(_("%(action)s is no longer listed as addressing %(recommendation)s.", action=removed.action,
            recommendation=removed.recommendation), "success")
    return redirect(url_for("items.item_detail", ref=removed.recommendation, _anchor="coverage"))
