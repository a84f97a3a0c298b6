"""HTTP views of the items blueprint."""
from datetime import UTC, date, datetime

from flask import current_app, render_template, request
from flask_login import current_user

from ..assessments.forms import AssessmentForm
from ..assessments.services import by_year
from ..auth.permissions import can_assess, can_curate_coverage, is_agency_user, is_coordinator
from ..coordination.forms import BulkForm, bulk_change_fields
from ..coverage.forms import CoverageForm
from ..coverage.services import item_coverage
from ..cycles.services import recurring_since
from ..enums import ReportStage
from ..pickers.options import all_agencies
from ..verification.services import latest_report
from . import bp
from .filters import read_listing
from .lines import item_lines, lines_html, page_of_lines
from .services import (
    HISTORY_SHOWN,
    filter_options,
    item_history,
    item_or_404,
    section_notes,
    status_counts,
)


@bp.route("/items")
def item_list():
    listing = read_listing(request.args)
    filters = listing.filters
    counts = status_counts(filters)
    today = date.today()
    pagination = page_of_lines(filters, page=listing.page, per_page=current_app.config["ITEMS_PER_PAGE"],
                               total=sum(counts.values()), today=today)
    ids = [row.id for row in pagination.items]
    highlights = filters.search.highlights(ids) if filters.search else {}
    agencies = all_agencies()  # the agency filter's options, and the bulk form's
    bulk_form = BulkForm(next=request.full_path) if is_coordinator(current_user) else None
    options = filter_options(agencies)
    # Until a later cycle's recommendations repeat earlier ones, no item recurs: the chain need not be walked.
    recurring = recurring_since(ids) if options.recurring else {}
    lines = item_lines(pagination.items, recurring, highlights)
    return render_template(
        "items/list.html",
        bulk_form=bulk_form,
        filters=filters,
        pagination=pagination,
        lines=lines_html(lines, selectable=bulk_form is not None),
        bulk_fields=bulk_change_fields(agencies) if bulk_form else None,
        counts=counts,
        options=options,
    )


@bp.route("/items/<ref>")
def item_detail(ref: str):
    item = item_or_404(ref, page=True)
    history, older = item_history(item, None if request.args.get("history") == "all" else HISTORY_SHOWN)
    returned = None
    if is_agency_user(current_user):
        latest = latest_report(item, current_user.agency_id)
        returned = latest if latest is not None and latest.stage == ReportStage.RETURNED else None
    coverage = item_coverage(item, curator=can_curate_coverage(current_user))
    return render_template("items/detail.html", item=item, history=history, older=older, notes=section_notes(item),
                           today=date.today(),
                           recurring_since=recurring_since([item.id]).get(item.id),
                           returned=returned, now=datetime.now(UTC), assessment_years=by_year(item.assessments),
                           assess_form=AssessmentForm() if can_assess(current_user) else None, coverage=coverage,
                           coverage_form=CoverageForm() if coverage.is_recommendation
                           and can_curate_coverage(current_user) else None)
