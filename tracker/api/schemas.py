"""The API's schemas: what it accepts and what it answers. The views validate and serialise with them,
and the OpenAPI document is generated from them; the query-string filters are in tracker/items/filters.py.
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import url_for
from flask_login import current_user
from marshmallow import fields, post_load, pre_dump, validate

from .. import limits
from ..assessments.services import REASON_NEEDED, REASON_TOO_LONG, by_year, disagrees
from ..auth.permissions import can_view_evidence
from ..contract import CSV_COLUMNS, item_row
from ..cycles.services import recurring_since
from ..enums import (
    AssessmentRating,
    AssignmentRole,
    Basis,
    Breakdown,
    Decision,
    Direction,
    Frequency,
    GovernmentResponse,
    IndicatorKind,
    ReportStage,
    ReportStep,
    Status,
    UpdateKind,
    UpdateOrigin,
)
from ..indicators.services import pending_reports, value_evidence, value_status
from ..models import as_utc
from ..progress.services import EvidenceGiven, Figure, ProgressReport

UNIT_MESSAGE = f"Say in at most {limits.UNIT} characters what the figure counts (e.g. “labourers rescued”)."
LINKS_MESSAGE = "Links are a list of web addresses."
LINKS_LIMIT = f"At most {limits.LINKS} links of at most {limits.LINK} characters each."


# Field types


class Derived:
    """An output field whose value a function computes from the object, typed for the document."""

    def __init__(self, *args, getter, **kwargs):
        self.getter = getter
        super().__init__(*args, dump_only=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return self.getter(obj)


class DerivedString(Derived, fields.String):
    pass


class DerivedNested(Derived, fields.Nested):
    pass


class DerivedList(Derived, fields.List):
    pass


class DerivedBoolean(Derived, fields.Boolean):
    pass


class Text(fields.String):
    """Text as a person typed it: surrounding spaces dropped before the length is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class UtcDateTime(fields.DateTime):
    """A moment with its UTC offset, on SQLite too (which gives stored moments back without their zone)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(as_utc(value) if value is not None else None, attr, obj, **kwargs)


class DerivedUtcDateTime(Derived, UtcDateTime):
    pass


class StrictNumber(fields.Float):
    """A JSON number, never a string that looks like one, nor one too large for a float."""

    def _validated(self, value):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """JSON true or false, never 1, "yes" or "on"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


def _messages(text: str, **more: str) -> dict[str, str]:
    """One sentence for every way a field can be wrong, unless told otherwise."""
    return {key: text for key in ("invalid", "required", "null", "too_large", "special")} | more


# Errors (the documented shapes; tracker/api/errors.py writes them)


class ErrorSchema(ma.Schema):
    error = fields.String(required=True, metadata={
        "description": "A stable code: bad_request, unauthorized, forbidden, not_found, method_not_allowed, conflict, "
                       "payload_too_large, invalid, server_error, unavailable."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person to read."})


class QueryErrorSchema(ErrorSchema):
    problems = fields.List(fields.String(), required=True, metadata={"description": "Each bad query parameter, named."})


class FieldErrorsSchema(ErrorSchema):
    errors = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "A message for each bad field."})


# History and evidence


class FigureSchema(ma.Schema):
    """A number that backs a report, e.g. 12 records linked as of a date."""

    error_messages = {
        "type": "A figure is an object with value, unit and (optionally) as_of.",
        "unknown": "A figure has only value, unit and as_of.",
    }

    value = StrictNumber(required=True, error_messages=_messages("The figure's value must be a number."))
    unit = Text(required=True, validate=validate.Length(min=1, max=limits.UNIT, error=UNIT_MESSAGE),
                error_messages=_messages(UNIT_MESSAGE), metadata={"description": "What the figure counts."})
    as_of = fields.Date(allow_none=True, load_default=None,
                        error_messages=_messages("The figure's as_of must be a date as YYYY-MM-DD."))

    @post_load
    def make(self, data, **kwargs) -> Figure:
        return Figure(float(data["value"]), data["unit"], data["as_of"])


class EvidenceFileSchema(ma.Schema):
    name = fields.String(attribute="original_name")
    content_type = fields.String()
    size = fields.Integer(allow_none=True)
    sha256 = fields.String()
    download_url = DerivedString(getter=lambda e: url_for("progress.download_evidence", evidence_id=e.id))


class EvidenceSchema(ma.Schema):
    id = fields.Integer()
    origin = fields.Enum(UpdateOrigin, by_value=True)
    note = fields.String()
    url = DerivedString(getter=lambda e: e.url or None, allow_none=True)
    figure = DerivedNested(FigureSchema, getter=lambda e: e if e.value is not None else None, allow_none=True)
    file = DerivedNested(EvidenceFileSchema, getter=lambda e: e if e.stored_name else None, allow_none=True)
    source_document = fields.String()
    locator = fields.String()
    confidential = fields.Boolean()


class PeriodEvidenceSchema(EvidenceSchema):
    period = fields.String(metadata={"description": "The period whose values it backs."})


class VisibleEvidence(fields.List):
    """Evidence as the caller may see it: confidential evidence only for coordinators and the owning agency."""

    def __init__(self, schema: type[ma.Schema] = EvidenceSchema, getter=None, **kwargs):
        self.getter = getter  # the evidence, where it is not an attribute of the object
        super().__init__(fields.Nested(schema), **kwargs)

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return self.getter(obj) if self.getter else super().get_value(obj, attr, accessor, default)

    def _serialize(self, value, attr, obj, **kwargs):
        visible = [evidence for evidence in value or [] if can_view_evidence(current_user, evidence)]
        return super()._serialize(visible, attr, obj, **kwargs)


class UpdateSchema(ma.Schema):
    """One entry of an item's history."""

    id = fields.Integer()
    created_at = UtcDateTime()
    origin = fields.Enum(UpdateOrigin, by_value=True)
    kind = fields.Enum(UpdateKind, by_value=True)
    # Source-derived entries have no author: the source document speaks.
    author = fields.String(attribute="author.display_name", allow_none=True, dump_default=None,
                           metadata={"description": "Null for entries derived from a source document."})
    agency = fields.String(attribute="agency.name", allow_none=True, dump_default=None,
                           metadata={"description": "The agency the author reported for."})
    status_before = fields.Enum(Status, by_value=True)
    status_after = fields.Enum(Status, by_value=True)
    progress_before = fields.Integer()
    progress_after = fields.Integer()
    note = fields.String()
    source_document = fields.String()
    item_version = fields.Integer(allow_none=True)
    step = fields.Enum(ReportStep, by_value=True, allow_none=True, metadata={
        "description": "The step of the reporting cycle this entry records; null for planning, assignment and "
                       "source-derived entries."})
    report = fields.Integer(attribute="report_id", allow_none=True,
                            metadata={"description": "The agency report this entry concerns."})
    reason = fields.String(metadata={"description": "Why a closed item was reopened; empty otherwise."})
    evidence = VisibleEvidence(metadata={
        "description": "Confidential evidence only for coordinators and the owning agency."})


class ReportValueSchema(ma.Schema):
    breakdown = fields.Dict(keys=fields.String(), values=fields.String(), attribute="cell",
                            metadata={"description": 'The breakdown cell, e.g. {"province": "SD"}; {} for the total.'})
    value = fields.Float()


class ReportSchema(ma.Schema):
    """An agency's report: what it says, and where it stands on its way to becoming the official state."""

    id = fields.Integer()
    item = fields.String(attribute="item.ref", allow_none=True, dump_default=None,
                         metadata={"description": "The item's ref, for a report on an item."})
    indicator = fields.String(attribute="indicator.code", allow_none=True, dump_default=None,
                              metadata={"description": "The indicator's code, for a report of values."})
    period = fields.String(metadata={"description": "The period of an indicator's values; empty otherwise."})
    values = fields.List(fields.Nested(ReportValueSchema), metadata={
        "description": "An indicator's values for the period, by breakdown cell."})
    agency = fields.String(attribute="agency.name")
    agency_id = fields.Integer()
    author = fields.String(attribute="author.display_name", allow_none=True, dump_default=None)
    status = fields.Enum(Status, by_value=True, allow_none=True)
    progress = fields.Integer()
    note = fields.String()
    reason = fields.String(metadata={"description": "Why the item is to be reopened; empty otherwise."})
    stage = fields.Enum(ReportStage, by_value=True, metadata={
        "description": "validation: awaiting the agency's validator; coordination: awaiting a coordinator; "
                       "verified; returned; withdrawn (replaced by a later report)."})
    submitted_at = UtcDateTime()
    stage_since = UtcDateTime(metadata={"description": "Since when it has been at this stage."})
    decided_by = fields.String(attribute="decided_by.display_name", allow_none=True, dump_default=None)
    decided_at = UtcDateTime(allow_none=True)
    comment = fields.String(metadata={"description": "The latest decision's comment."})
    version = fields.Integer(metadata={"description": "Send it back as expected_version when deciding."})
    evidence = VisibleEvidence()


class ConflictSchema(ErrorSchema):
    version = fields.Integer(required=True, allow_none=True,
                             metadata={"description": "The item's (or the report's) current version."})
    changes = fields.List(fields.Nested(UpdateSchema), required=True,
                          metadata={"description": "What was saved since your version (empty for a report "
                                                   "someone else decided first)."})


# Items

_CONTRACT_FIELDS = {
    "status": lambda: fields.String(required=True, validate=validate.OneOf(Status.codes())),
    "progress": lambda: fields.Integer(required=True, validate=validate.Range(0, 100)),
    # The CSV leaves these cells empty; JSON has null for "no date".
    "due_date": lambda: fields.String(required=True, allow_none=True,
                                      metadata={"description": "YYYY-MM-DD; null if unknown."}),
    "last_update": lambda: fields.String(required=True, allow_none=True,
                                         metadata={"description": "YYYY-MM-DD; null if none."}),
    "supporting_agencies": lambda: fields.String(required=True, metadata={"description": "Names separated by “; ”."}),
    "response": lambda: fields.String(
        required=True, allow_none=True, validate=validate.OneOf(GovernmentResponse.codes()),
        metadata={"description": "A recommendation's: the government's response; null if none is recorded "
                                 "(or for a plan's item)."}),
    "cycle": lambda: fields.Integer(required=True, allow_none=True, metadata={
        "description": "A recommendation's: the year of the review cycle that made it; null if none."}),
    "verified_at": lambda: fields.String(required=True, allow_none=True, metadata={
        "description": "YYYY-MM-DD: when the status and progress became official; null if as the source states."}),
    "pending_status": lambda: fields.String(required=True, allow_none=True, validate=validate.OneOf(Status.codes()),
                                            metadata={"description": "The latest report awaiting a decision; "
                                                                     "null if none. Not official."}),
    "pending_progress": lambda: fields.Integer(required=True, allow_none=True,
                                               metadata={"description": "As pending_status."}),
}
# The CSV contract's columns, each a field: a column added to the contract is added to the API at once.
_ContractRowSchema = ma.Schema.from_dict(
    {column: _CONTRACT_FIELDS.get(column, lambda: fields.String(required=True))() for column in CSV_COLUMNS},
    name="ContractRowSchema",
)


class ItemSchema(_ContractRowSchema):
    """The CSV export's columns (the export's item_row), plus overdue, version and url."""

    overdue = fields.Boolean(required=True)
    version = fields.Integer(required=True,
                             metadata={"description": "Send it back as expected_version when reporting."})
    url = fields.String(required=True, metadata={"description": "This item in the API."})

    @pre_dump
    def as_row(self, item, **kwargs) -> dict:
        return {**item_row(item), "overdue": item.is_overdue(date.today()), "version": item.version,
                "url": url_for("api.item", ref=item.ref)}


class ResponsibilitySchema(ma.Schema):
    """An agency responsible for an item, and on what basis."""

    id = fields.Integer(attribute="agency_id")
    name = fields.String(attribute="agency.name")
    short_name = fields.String(attribute="agency.short_name")
    role = fields.Enum(AssignmentRole, by_value=True)
    basis = fields.Enum(Basis, by_value=True)


class AssessmentSchema(ma.Schema):
    """The National Rapporteur's assessment of an item for a year, beside the item's official status (never part
    of it)."""

    id = fields.Integer(required=True)
    item = fields.String(attribute="item.ref", required=True, metadata={"description": "The item's ref."})
    year = fields.Integer(required=True, metadata={"description": "The reporting year assessed."})
    rating = fields.Enum(AssessmentRating, by_value=True, required=True)
    reason = fields.String(required=True)
    author = fields.String(attribute="author.display_name", required=True)
    created_at = UtcDateTime(required=True)
    official_status = DerivedString(getter=lambda a: a.item.status.value, required=True,
                                    validate=validate.OneOf(Status.codes()),
                                    metadata={"description": "The item's official status now, as the government "
                                                             "reports it."})
    disagrees = DerivedBoolean(getter=lambda a: disagrees(a.item.status, a.rating), required=True, metadata={
        "description": "The rating disagrees with the official status (the rule is in docs/domain.md): e.g. "
                       "completed officially, rated limited."})
    url = DerivedString(getter=lambda a: url_for("api.item", ref=a.item.ref), required=True,
                        metadata={"description": "The item in the API."})


class AssessmentYearSchema(ma.Schema):
    """An item's assessments of one year: the latest stands; those it superseded stay readable."""

    year = fields.Integer(required=True)
    standing = fields.Nested(AssessmentSchema, required=True)
    earlier = fields.List(fields.Nested(AssessmentSchema), required=True,
                          metadata={"description": "Superseded by the standing one, newest first."})


class RepeatSchema(ma.Schema):
    """A confirmed repeat between two recommendations, seen from one of them: the other one, and who confirmed it."""

    ref = fields.String(required=True, metadata={"description": "The other recommendation's ref."})
    cycle = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Its review cycle (its own, else its set's year)."})
    score = fields.Integer(required=True, metadata={"description": "How alike the two texts are, 0–100."})
    confirmed_by = fields.String(required=True, allow_none=True, metadata={
        "description": "Who confirmed it; null if a command did, with no account given."})
    confirmed_at = UtcDateTime(required=True)


def repeat_row(repeat, other) -> dict:
    return {"ref": other.ref, "cycle": other.review_cycle, "score": repeat.score, "confirmed_at": repeat.confirmed_at,
            "confirmed_by": repeat.confirmed_by.display_name if repeat.confirmed_by else None}


class ItemDetailSchema(ItemSchema):
    """An item with its agencies, related items, history (newest first), the evidence its sources give, and the
    rapporteur's assessments."""

    agencies = fields.List(fields.Nested(ResponsibilitySchema), required=True)
    related = fields.List(fields.String(), required=True, metadata={"description": "Refs of related items."})
    history = fields.List(fields.Nested(UpdateSchema), required=True, metadata={"description": "Newest first."})
    source_evidence = VisibleEvidence(required=True)
    verified_by = fields.String(required=True, allow_none=True, metadata={
        "description": "Who made the status and progress official; null if as the source states."})
    pending = fields.List(fields.Nested(ReportSchema), required=True, metadata={
        "description": "Agencies' reports awaiting a decision, oldest first: not part of the official state."})
    assessments = fields.List(fields.Nested(AssessmentYearSchema), required=True, metadata={
        "description": "The National Rapporteur's assessments, newest year first: not part of the official state."})
    repeats = fields.List(fields.Nested(RepeatSchema), required=True, metadata={
        "description": "A recommendation's: the earlier recommendations it repeats (confirmed)."})
    repeated_by = fields.List(fields.Nested(RepeatSchema), required=True, metadata={
        "description": "A recommendation's: the later recommendations that repeat it (confirmed)."})
    recurring_since = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The earliest cycle of the recommendations it repeats, directly or through them; null if it "
                       "repeats none."})

    @pre_dump
    def as_row(self, item, **kwargs) -> dict:
        return {
            **super().as_row(item),
            "agencies": item.assignments,
            "related": [related.ref for related in item.related],
            "history": item.updates,
            "source_evidence": [e for e in item.evidence if e.origin == UpdateOrigin.SOURCE],
            "verified_by": item.verified_by.display_name if item.verified_by else None,
            "pending": item.pending_reports,
            "assessments": by_year(item.assessments),
            "repeats": [repeat_row(repeat, repeat.earlier) for repeat in item.repeats],
            "repeated_by": [repeat_row(repeat, repeat.item) for repeat in item.repeated_by],
            "recurring_since": recurring_since([item.id]).get(item.id),
        }


class PageSchema(ma.Schema):
    """Which page of a list this is, and how many there are."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ItemPageSchema(PageSchema):
    items = fields.List(fields.Nested(ItemSchema), required=True)


class AssessmentPageSchema(PageSchema):
    assessments = fields.List(fields.Nested(AssessmentSchema), required=True, metadata={
        "description": "The standing assessment (the latest) of each item and year, newest year first."})


# Counts

StatusCountsSchema = ma.Schema.from_dict({code: fields.Integer(required=True) for code in Status.codes()},
                                         name="StatusCountsSchema")


class PillarCountsSchema(ma.Schema):
    pillar = fields.String()
    name = fields.String()
    counts = fields.Nested(StatusCountsSchema)
    total = fields.Integer()


class AgencyCountsSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    short_name = fields.String()
    counts = fields.Nested(StatusCountsSchema)
    total = fields.Integer()


class StatsSchema(ma.Schema):
    statuses = fields.List(fields.String(validate=validate.OneOf(Status.codes())), required=True)
    total = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    by_pillar = fields.List(fields.Nested(PillarCountsSchema), required=True)
    by_agency = fields.List(fields.Nested(AgencyCountsSchema), required=True, metadata={
        "description": "An item counts for each agency responsible, lead or supporting."})


# Reporting progress


class LinkedEvidenceSchema(ma.Schema):
    """The evidence a report sent to the API may carry: links (files are given in the browser)."""

    links = fields.List(
        Text(validate=validate.Length(max=limits.LINK, error=LINKS_LIMIT), error_messages=_messages(LINKS_MESSAGE)),
        load_default=list, validate=validate.Length(max=limits.LINKS, error=LINKS_LIMIT),
        error_messages=_messages(LINKS_MESSAGE),
        metadata={"description": "Web addresses (http or https)."})
    confidential = StrictBoolean(load_default=False, error_messages=_messages("Confidential is true or false."),
                                 metadata={"description": "The evidence is for coordinators and your agency only."})


def linked_evidence(data: dict, figure: Figure | None = None) -> EvidenceGiven:
    """The evidence a LinkedEvidenceSchema loaded: its links (empty ones dropped), and a figure if any."""
    return EvidenceGiven(links=[link for link in data["links"] if link], figure=figure,
                         confidential=data["confidential"])


class ProgressReportSchema(LinkedEvidenceSchema):
    """A progress report, by the same rules as the update form: the types and sizes are checked here,
    whether the values make sense together by the service both share (validate_report)."""

    status = fields.String(required=True, validate=validate.OneOf(
        Status.codes(), error=f"Status must be one of {', '.join(Status.codes())}."),
        error_messages=_messages(f"Status must be one of {', '.join(Status.codes())}."))
    progress = fields.Integer(strict=True, required=True,
                              validate=validate.Range(0, 100, error="Progress is a percentage from 0 to 100."),
                              error_messages=_messages("Give the progress as a whole number from 0 to 100."),
                              metadata={"description": "100 when completed; 0 when not started."})
    note = Text(required=True, validate=[
        validate.Length(min=1, error="Say what happened: the note is what others read."),
        validate.Length(max=limits.NOTE, error=f"The note has at most {limits.NOTE} characters."),
    ], error_messages=_messages("Say what happened: the note is text."))
    expected_version = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(1, limits.ID_MAX),
        error_messages=_messages("The expected version is the item's version number, as the API gave it."),
        metadata={"description": "The version you read; a later one makes the report a 409."})
    figure = fields.Nested(FigureSchema, allow_none=True, load_default=None)
    reason = Text(load_default="", validate=validate.Length(max=limits.NOTE, error=f"The reason has at most "
                                                                                   f"{limits.NOTE} characters."),
                  error_messages=_messages("The reason is text."),
                  metadata={"description": "Needed to reopen a completed or superseded item: why it is open again."})

    @post_load
    def make(self, data, **kwargs) -> ProgressReport:
        return ProgressReport(
            status=Status(data["status"]),
            progress=data["progress"],
            note=data["note"],
            expected_version=data["expected_version"],
            evidence=linked_evidence(data, figure=data["figure"]),
            reason=data["reason"],
        )



class ReportCreatedSchema(ma.Schema):
    id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The agency's report, to follow or decide on; null for a coordinator's update."})
    stage = fields.String(required=True, validate=validate.OneOf(["official", *(s.value for s in ReportStage)]),
                          metadata={"description": "official: a coordinator's update, the official state at once; "
                                                   "validation or coordination: an agency's report awaiting a "
                                                   "decision."})
    update = fields.Nested(UpdateSchema, required=True)
    item = fields.Nested(ItemSchema, required=True)


class DecisionSchema(ma.Schema):
    """A validator's or a coordinator's decision on a pending report."""

    decision = fields.String(required=True, validate=validate.OneOf(
        [d.value for d in Decision], error="Decision is forward (validators), verify (coordinators) or return."),
        error_messages=_messages("Decision is forward (validators), verify (coordinators) or return."))
    comment = Text(load_default="", validate=validate.Length(max=limits.COMMENT, error=f"The comment has at most "
                                                                                      f"{limits.COMMENT} characters."),
                   error_messages=_messages("The comment is text."),
                   metadata={"description": "Needed to return a report: what the agency should put right."})
    expected_version = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(1, limits.ID_MAX),
        error_messages=_messages("The expected version is the report's version number, as the API gave it."),
        metadata={"description": "The report's version you read; if it changed, the decision is a 409."})

    @post_load
    def make(self, data, **kwargs) -> dict:
        return {**data, "decision": Decision(data["decision"])}


class DecisionMadeSchema(ma.Schema):
    report = fields.Nested(ReportSchema, required=True)
    update = fields.Nested(UpdateSchema, required=True, allow_none=True,
                           metadata={"description": "The item history entry it made; null for indicator values."})
    item = fields.Nested(ItemSchema, required=True, allow_none=True,
                         metadata={"description": "The item, for a report on an item; null otherwise."})


# Indicators


class BaselineSchema(ma.Schema):
    value = fields.Float(required=True)
    period = fields.String(required=True)
    source = fields.String(required=True)


class TargetSchema(ma.Schema):
    period = fields.String(required=True, metadata={"description": "A year (2025) or a quarter (2025-Q4)."})
    value = fields.Float(required=True)


class IndicatorSchema(ma.Schema):
    """What an indicator measures, who reports it, its baseline and targets."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    kind = fields.Enum(IndicatorKind, by_value=True, required=True)
    direction = fields.Enum(Direction, by_value=True, required=True,
                            metadata={"description": "Whether a higher or a lower value is better."})
    pillar = fields.String(attribute="pillar.code", required=True)
    agency = fields.String(attribute="agency.name", allow_none=True, dump_default=None,
                           metadata={"description": "The agency that reports it; null if none yet."})
    frequency = fields.Enum(Frequency, by_value=True, required=True)
    breakdowns = fields.List(fields.Enum(Breakdown, by_value=True), attribute="breakdown_list", required=True)
    baseline = DerivedNested(BaselineSchema, allow_none=True, getter=lambda i: {
        "value": i.baseline_value, "period": i.baseline_period, "source": i.baseline_source}
        if i.baseline_value is not None else None, metadata={"description": "Null where no source gives one."})
    targets = fields.List(fields.Nested(TargetSchema), required=True)
    retired = fields.Boolean(required=True)
    url = DerivedString(getter=lambda i: url_for("api.indicator", code=i.code))


class IndicatorValueSchema(ma.Schema):
    period = fields.String(required=True)
    breakdown = fields.Dict(keys=fields.String(), values=fields.String(), attribute="cell", required=True,
                            metadata={"description": 'The breakdown cell, e.g. {"province": "SD"}; {} for the total.'})
    value = fields.Float(required=True)
    origin = fields.Enum(UpdateOrigin, by_value=True, required=True)
    as_of = fields.Date(allow_none=True)
    source_document = fields.String()
    locator = fields.String()
    note = fields.String()
    status = DerivedString(getter=lambda v: value_status(v).value, required=True, metadata={
        "description": "verified: it counts. Values awaiting a decision are in the indicator's pending_reports."})
    report_id = fields.Integer(allow_none=True, metadata={
        "description": "The verified report it comes from; null for the sources' values and a coordinator's."})
    verified_at = DerivedUtcDateTime(getter=lambda v: v.report.decided_at if v.report else None, allow_none=True,
                                     metadata={"description": "When its report was verified."})


class IndicatorDetailSchema(IndicatorSchema):
    definition = fields.String(required=True)
    means_of_verification = fields.String(required=True)
    items = DerivedList(fields.String(), getter=lambda i: [item.ref for item in i.items], required=True,
                        metadata={"description": "Refs of the items it measures."})
    values = fields.List(fields.Nested(IndicatorValueSchema), required=True,
                         metadata={"description": "Oldest period first."})
    evidence = VisibleEvidence(PeriodEvidenceSchema, getter=value_evidence, required=True, metadata={
        "description": "What backs the values that count, newest period first."})
    pending_reports = DerivedList(fields.Nested(ReportSchema), getter=pending_reports, required=True, metadata={
        "description": "Agencies' values awaiting a decision, newest period first."})


class IndicatorPageSchema(PageSchema):
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True)


class CellValueSchema(ma.Schema):
    breakdown = fields.Dict(keys=fields.String(validate=validate.OneOf([b.value for b in Breakdown])),
                            values=fields.String(validate=validate.Length(max=40)), load_default=dict,
                            metadata={"description": 'The cell, e.g. {"province": "SD"}; {} or absent for the total.'})
    value = StrictNumber(required=True, error_messages=_messages("A value must be a number."))


class ValuesReportSchema(LinkedEvidenceSchema):
    """A period's values of an indicator, by the same rules as the grid."""

    period = fields.String(required=True, validate=validate.Length(max=limits.PERIOD),
                           metadata={"description": "A quarter (2026-Q3) or a year (2026), as the indicator is "
                                                    "reported."})
    values = fields.List(fields.Nested(CellValueSchema), required=True,
                         validate=validate.Length(min=1, max=2000, error="Give from 1 to 2000 values."))
    note = Text(load_default="", validate=validate.Length(max=limits.NOTE))
    confirm = StrictBoolean(load_default=False, metadata={
        "description": "True to save values more than three times (or under a third of) the period before's."})


class ValuesReportedSchema(ma.Schema):
    id = fields.Integer(required=True, allow_none=True,
                        metadata={"description": "The report awaiting verification; null for a coordinator's entry."})
    stage = fields.String(required=True, metadata={
        "description": "validation or coordination; official for a coordinator's entry, which counts at once."})
    indicator = fields.Nested(IndicatorDetailSchema, required=True)


# The rapporteur's assessments


class AssessmentInputSchema(ma.Schema):
    """The rapporteur's assessment of an item, by the same rules as the form on the item page: the types and sizes
    are checked here, the year and the reason again by the service both share (assessments.services.assess)."""

    year = fields.Integer(strict=True, required=True,
                          error_messages=_messages("The year is a whole number, e.g. 2026."),
                          metadata={"description": "The reporting year assessed: from 2005 to next year."})
    rating = fields.String(required=True, validate=validate.OneOf(
        AssessmentRating.codes(), error=f"Rating is one of {', '.join(AssessmentRating.codes())}."),
        error_messages=_messages(f"Rating is one of {', '.join(AssessmentRating.codes())}."))
    reason = Text(required=True, validate=[
        validate.Length(min=1, error=REASON_NEEDED),
        validate.Length(max=limits.ASSESSMENT_REASON, error=REASON_TOO_LONG),
    ], error_messages=_messages(REASON_NEEDED), metadata={"description": "Why, in a sentence or two."})

    @post_load
    def make(self, data, **kwargs) -> dict:
        return {**data, "rating": AssessmentRating(data["rating"])}


# Coverage of the recommendations


class CoverageActionSchema(ma.Schema):
    """A plan's action addressing a recommendation, and how."""

    ref = fields.String(attribute="action.ref", required=True)
    title = fields.String(attribute="action.title", required=True)
    framework = fields.String(attribute="action.framework.name", required=True)
    status = DerivedString(getter=lambda link: link.action.status.value, required=True,
                           validate=validate.OneOf(Status.codes()),
                           metadata={"description": "The action's official status."})
    reason = fields.String(required=True, metadata={"description": "How it addresses the recommendation, in a line."})
    curated = fields.Boolean(required=True, metadata={
        "description": "Curated with the catalogue (seed/coverage.toml); false: added by a coordinator."})


class CoverageRowSchema(ma.Schema):
    """A recommendation as a row of /coverage.csv (its columns, the same values), with its pillar, whether it is a
    gap, the addressing actions in detail and its url."""

    recommendation = fields.String(required=True, metadata={"description": "The recommendation's ref."})
    framework = fields.String(required=True)
    title = fields.String(required=True)
    addressed_by = fields.String(required=True, metadata={
        "description": "The refs of the actions addressing it, separated by '; '; empty for a gap."})
    status = fields.String(required=True, validate=validate.OneOf(Status.codes()),
                           metadata={"description": "The recommendation's own official status."})
    pillar = fields.String(required=True)
    gap = fields.Boolean(required=True, metadata={"description": "No action addresses it."})
    actions = fields.List(fields.Nested(CoverageActionSchema), required=True,
                          metadata={"description": "The actions addressing it, in the plans' order."})
    url = fields.String(required=True, metadata={"description": "The recommendation in the API."})

    @pre_dump
    def as_row(self, row, **kwargs) -> dict:
        item = row.recommendation
        return {**row.csv_row(), "pillar": item.pillar.code, "gap": row.gap, "actions": row.links,
                "url": url_for("api.item", ref=item.ref)}


class CoverageSummarySchema(ma.Schema):
    recommendations = fields.Integer(required=True, metadata={
        "description": "Recommendations the framework and pillar filters select (gaps only narrows the rows, not "
                       "these counts)."})
    addressed = fields.Integer(required=True)
    gaps = fields.Integer(required=True)
    completed = fields.Integer(required=True, metadata={
        "description": "Addressed, and every addressing action's official status is completed."})


class CoveragePageSchema(PageSchema):
    coverage = fields.List(fields.Nested(CoverageRowSchema), required=True, metadata={
        "description": "The recommendations, in the frameworks' and the documents' order."})
    summary = fields.Nested(CoverageSummarySchema, required=True)
