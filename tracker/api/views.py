"""HTTP views of the API: the schemas read the request and write the answer; the views call services."""
from __future__ import annotations

from functools import wraps

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import current_api

from ..assessments.filters import AssessmentListArgsSchema, AssessmentListing
from ..assessments.services import NOT_ALLOWED, assess, current_page
from ..auth.permissions import can_assess, can_update_item, requires
from ..coverage.filters import CoverageArgsSchema, CoverageListing
from ..coverage.services import coverage_page, summary
from ..errors import Invalid, NotAllowed, NotFound
from ..extensions import db
from ..indicators.filters import IndicatorListArgsSchema, IndicatorListing
from ..indicators.reporting import report_values
from ..indicators.services import indicator_or_404, list_indicators
from ..indicators.values import CellValue, cell_problem
from ..items.filters import ItemFilters, ItemListArgsSchema, ItemListing, ItemStatsArgsSchema
from ..items.services import item_or_404, list_items
from ..models import Report
from ..progress.services import ProgressReport, report_progress
from ..verification.services import decide
from . import bp
from .schemas import (
    AssessmentInputSchema,
    AssessmentPageSchema,
    AssessmentSchema,
    ConflictSchema,
    CoveragePageSchema,
    DecisionMadeSchema,
    DecisionSchema,
    ErrorSchema,
    FieldErrorsSchema,
    IndicatorDetailSchema,
    IndicatorPageSchema,
    ItemDetailSchema,
    ItemPageSchema,
    ProgressReportSchema,
    QueryErrorSchema,
    ReportCreatedSchema,
    StatsSchema,
    ValuesReportedSchema,
    ValuesReportSchema,
    linked_evidence,
)
from .services import item_stats

UNAUTHORIZED = {
    "schema": ErrorSchema,
    "description": "No valid credentials: no session or token, or a token unknown, revoked or of a deactivated user.",
    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer challenge."}},
}
# tracker/security.py refuses a NUL character anywhere in a request before any view reads it.
NUL_REFUSED = {"schema": ErrorSchema, "description": "The request holds a NUL character, which no field may contain."}
BAD_QUERY = {"schema": QueryErrorSchema, "description": "A query parameter matches nothing; each is named."}


def page_body(name: str, pagination, listing) -> dict:
    """One page of a list as PageSchema answers it: the rows under `name`, and where the page stands."""
    return {name: pagination.items, "page": listing.page, "per_page": listing.per_page, "pages": pagination.pages,
            "total": pagination.total}


@bp.route("/items")
@bp.arguments(ItemListArgsSchema, location="query")
@bp.response(200, ItemPageSchema, description="One page of items.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(422, **BAD_QUERY)
def items(listing: ItemListing):
    """List items, filtered and paginated."""
    return page_body("items", list_items(listing.filters, page=listing.page, per_page=listing.per_page), listing)


@bp.route("/items/<ref>")
@bp.response(200, ItemDetailSchema, description="The item.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(404, schema=ErrorSchema, description="No item has this ref.")
def item(ref: str):
    """One item with its agencies, related items, history and evidence."""
    return item_or_404(ref, page=True, history=True)


@bp.route("/stats")
@bp.arguments(ItemStatsArgsSchema, location="query")
@bp.response(200, StatsSchema, description="The counts.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(422, **BAD_QUERY)
def stats(filters: ItemFilters):
    """Counts of items by pillar × status and by agency × status."""
    return item_stats(filters)


def reportable_item(view):
    """Find the item and check who may report on it before reading what was sent, as the form does."""

    @wraps(view)
    def wrapper(*args, ref: str, **kwargs):
        found = item_or_404(ref)
        if not can_update_item(current_user, found):
            raise NotAllowed(_("Only the item's responsible agencies and coordinators may update it."))
        return view(*args, item=found, **kwargs)

    return wrapper


@bp.route("/items/<ref>/updates", methods=["POST"])
@reportable_item
@bp.arguments(ProgressReportSchema)
@bp.response(201, ReportCreatedSchema, description="Saved; the item's history has a new entry.",
             headers={"Location": {"schema": {"type": "string"}, "description": "The item in the API."}})
@bp.alt_response(400, schema=ErrorSchema,
                 description="The body is not a JSON object, the request holds a NUL character, "
                             "or a session call lacks its CSRF token.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(403, schema=ErrorSchema,
                 description="Only the item's responsible agencies and coordinators may update it.")
@bp.alt_response(404, schema=ErrorSchema, description="No item has this ref.")
@bp.alt_response(409, schema=ConflictSchema, description="The item changed since expected_version.")
@bp.alt_response(413, schema=ErrorSchema, description="The body is too large.")
@bp.alt_response(422, schema=FieldErrorsSchema, description="Values of the wrong type or that break a rule, by field.")
def report(report: ProgressReport, item):
    """Report progress on an item, by the same rules as the update form.

    From an agency, the report awaits its validator's (if it has one) and a coordinator's decision; the
    item's official state changes only once a coordinator verifies it. From a coordinator, it is
    official at once.
    """
    update = report_progress(current_user, item, report)
    pending = update.report
    return ({"id": pending.id if pending else None, "stage": pending.stage.value if pending else "official",
             "update": update, "item": item}, 201, {"Location": url_for(".item", ref=item.ref)})


@bp.route("/reports/<int:report_id>/decisions", methods=["POST"])
@bp.arguments(DecisionSchema)
@bp.response(200, DecisionMadeSchema, description="Decided; the item's history has a new entry.")
@bp.alt_response(400, schema=ErrorSchema,
                 description="The body is not a JSON object, the request holds a NUL character, "
                             "or a session call lacks its CSRF token.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(403, schema=ErrorSchema, description="Not this user's to decide: an agency's own focal persons, "
                 "another agency's validator, a validator verifying, or a coordinator before the validator.")
@bp.alt_response(404, schema=ErrorSchema, description="No report has this id.")
@bp.alt_response(409, schema=ConflictSchema, description="Someone decided first, or the agency replaced it.")
@bp.alt_response(413, schema=ErrorSchema, description="The body is too large.")
@bp.alt_response(422, schema=FieldErrorsSchema, description="A bad decision or comment, by field.")
def decide_report(decision: dict, report_id: int):
    """Forward (a validator), verify (a coordinator) or return an agency's pending report."""
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(_("There is no report %(id)s.", id=report_id))
    update = decide(current_user, report, decision["decision"], decision["comment"], decision["expected_version"])
    return {"report": report, "update": update, "item": report.item}


@bp.route("/indicators")
@bp.arguments(IndicatorListArgsSchema, location="query")
@bp.response(200, IndicatorPageSchema, description="One page of indicators, in pillar order.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(422, **BAD_QUERY)
def indicators(listing: IndicatorListing):
    """List indicators: what each measures, who reports it, its baseline and targets."""
    return page_body("indicators", list_indicators(listing.filters, page=listing.page, per_page=listing.per_page),
                     listing)


@bp.route("/indicators/<code>")
@bp.response(200, IndicatorDetailSchema, description="The indicator with its values.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(404, schema=ErrorSchema, description="No indicator has this code.")
def indicator(code: str):
    """One indicator with its definition, the items it measures and its values (with their sources)."""
    return indicator_or_404(code)


@bp.route("/indicators/<code>/values", methods=["POST"])
@bp.arguments(ValuesReportSchema)
@bp.response(201, ValuesReportedSchema, description="Saved: a report awaiting verification, or (a coordinator's) "
                                                    "the period's values.")
@bp.alt_response(400, schema=ErrorSchema, description="The body is not a JSON object, the request holds a NUL "
                                                      "character, or a session call lacks its CSRF token.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(403, schema=ErrorSchema, description="Not the indicator's reporting agency nor a coordinator, or "
                                                      "the indicator is retired.")
@bp.alt_response(404, schema=ErrorSchema, description="No indicator has this code.")
@bp.alt_response(409, schema=ConflictSchema, description="Someone of the agency reported the period meanwhile.")
@bp.alt_response(422, schema=FieldErrorsSchema, description="A bad period or value, a cell of another breakdown, "
                                                            "a total that is not the sum, or an unconfirmed outlier.")
def report_indicator_values(args: dict, code: str):
    """Report an indicator's values for a period: an agency's count once verified, a coordinator's at once."""
    found = indicator_or_404(code)
    cells = []
    for entry in args["values"]:
        problem = cell_problem(found, entry["breakdown"])
        if problem:
            raise Invalid({"values": problem})
        cells.append(CellValue.of(entry["breakdown"], entry["value"]))
    report = report_values(current_user, found, args["period"], cells, args["note"], confirmed=args["confirm"],
                           evidence=linked_evidence(args))
    return {"id": report.id if report else None, "stage": report.stage.value if report else "official",
            "indicator": indicator_or_404(code)}, 201


@bp.route("/assessments")
@bp.arguments(AssessmentListArgsSchema, location="query")
@bp.response(200, AssessmentPageSchema, description="One page of standing assessments, newest year first.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(422, **BAD_QUERY)
def assessments(listing: AssessmentListing):
    """List the National Rapporteur's standing assessments (the latest of each item and year), filtered."""
    return page_body("assessments", current_page(listing.filters, listing.page, listing.per_page), listing)


@bp.route("/items/<ref>/assessments", methods=["POST"])
@requires(can_assess, NOT_ALLOWED)
@bp.arguments(AssessmentInputSchema)
@bp.response(201, AssessmentSchema, description="Recorded; it stands for the item and year until a later one.",
             headers={"Location": {"schema": {"type": "string"}, "description": "The item in the API."}})
@bp.alt_response(400, schema=ErrorSchema,
                 description="The body is not a JSON object, the request holds a NUL character, "
                             "or a session call lacks its CSRF token.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(403, schema=ErrorSchema, description="Only the National Rapporteur records assessments.")
@bp.alt_response(404, schema=ErrorSchema, description="No item has this ref.")
@bp.alt_response(413, schema=ErrorSchema, description="The body is too large.")
@bp.alt_response(422, schema=FieldErrorsSchema, description="A bad year, rating or reason, by field.")
def assess_item(args: dict, ref: str):
    """Record the National Rapporteur's assessment of an item for a year, beside its official status (which it
    never changes); a later one of the same year supersedes it, and both stay readable."""
    found = item_or_404(ref)
    assessment = assess(current_user, found, args["year"], args["rating"], args["reason"])
    return assessment, 201, {"Location": url_for(".item", ref=found.ref)}


@bp.route("/coverage")
@bp.arguments(CoverageArgsSchema, location="query")
@bp.response(200, CoveragePageSchema, description="One page of recommendations with the actions addressing them.")
@bp.alt_response(401, **UNAUTHORIZED)
@bp.alt_response(400, **NUL_REFUSED)
@bp.alt_response(422, **BAD_QUERY)
def coverage(listing: CoverageListing):
    """Which plans' actions address each recommendation, and how; a recommendation none addresses is a gap. The
    rows of /coverage.csv, with the counts of the coverage page."""
    return {**page_body("coverage", coverage_page(listing.filters, listing.page, listing.per_page), listing),
            "summary": summary(listing.filters)}


@bp.route("/openapi.json")
@bp.response(200, description="This document (OpenAPI 3).")
@bp.alt_response(401, **UNAUTHORIZED)
def openapi():
    """The OpenAPI document of this API, generated from its schemas."""
    return current_api.spec.to_dict()
