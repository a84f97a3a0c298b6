"""The reporting cycle, in plain functions that the pages, the API and the reminders call.

An agency's report never changes the item: it waits for the agency's validator (when the agency has
one), who forwards or returns it, then for a coordinator, who verifies it — only then do its status
and progress become the item's official state — or returns it. Every step is a history entry.

    focal person ──submit──▶ validation ──forward──▶ coordination ──verify──▶ verified (official)
                                 │  (no validator: straight on)  │
                                 └──────return──────┬────return──┘
                                                    ▼
                                       returned: corrected and submitted again
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record
from ..auth.permissions import has_validators, is_coordinator, is_validator, may_decide, validators_exist
from ..enums import AuditEventKind, Decision, ReportStage, ReportStep, Status, UpdateKind
from ..errors import Invalid, NotAllowed, Stale
from ..extensions import db
from ..items import history
from ..models import ActionItem, Agency, Report, Update, User, as_utc

REOPEN_REASON = "Reopening a completed or superseded item needs a reason: say why it is open again."


def reopens(item: ActionItem, status: Status) -> bool:
    """Whether setting this status reopens a closed (completed or superseded) item."""
    return item.status.is_closed and not status.is_closed


def first_stage(author: User, agency: Agency) -> ReportStage:
    """A focal person's report goes to the agency's validator; a validator's own report, or one from an
    agency without a validator, goes straight to the coordinators."""
    if author.validator or not has_validators(agency.id):
        return ReportStage.COORDINATION
    return ReportStage.VALIDATION


def latest_report(item: ActionItem, agency_id: int) -> Report | None:
    """The agency's latest report on the item: pending, returned (to be corrected) or decided."""
    return db.session.scalar(
        sa.select(Report).where(Report.item_id == item.id, Report.agency_id == agency_id)
        .order_by(Report.id.desc()).limit(1)
    )


def open_report(item: ActionItem, agency_id: int) -> Report | None:
    """The agency's report on the item that a new one replaces: one awaiting a decision, or one returned."""
    report = latest_report(item, agency_id)
    if report is not None and (report.is_pending or report.stage == ReportStage.RETURNED):
        return report
    return None


def submit(author: User, item: ActionItem, status: Status, progress: int, note: str, reason: str,
           now: datetime) -> Update:
    """Record the agency's report as a history entry, leaving the official state as it is.

    A report the agency already has open on the item (awaiting a decision, or returned) is replaced:
    the new one corrects it and takes its evidence over.
    """
    agency = author.agency
    earlier = open_report(item, agency.id)
    if earlier is not None and earlier.is_pending:
        earlier.stage, earlier.stage_since = ReportStage.WITHDRAWN, now
        # The partial unique index checks rows as they are written: the old one must leave first.
        db.session.flush()
    stage = first_stage(author, agency)
    report = Report(item=item, agency=agency, author=author, status=status, progress=progress, note=note,
                    reason=reason, stage=stage, submitted_at=now, stage_since=now, corrects=earlier)
    db.session.add(report)
    if earlier is not None:
        for evidence in list(earlier.evidence):
            evidence.report = report
    return history.record(item, author, UpdateKind.REPORT, note, now, agency=agency, step=ReportStep.SUBMITTED,
                          report=report, reason=reason)


def decide(user: User, report: Report, decision: Decision, comment: str, expected_version: int | None = None,
           now: datetime | None = None) -> Update:
    """Forward, verify or return a pending report, as a history entry; verifying makes it the official state.

    Exactly one of two decisions made at once wins: the other gets Stale ("already … by …").
    """
    now = now or datetime.now(UTC)
    comment = comment.strip()
    _check_decision(user, report, decision)
    if expected_version is not None and expected_version != report.version:
        raise already_decided(report)
    if decision == Decision.RETURN and not comment:
        raise Invalid({"comment": "Say why the report is returned, so that the agency can put it right."})
    item, agency = report.item, report.agency
    if decision == Decision.VERIFY:
        reason = ""
        if reopens(item, report.status):
            reason = report.reason or comment
            if not reason:
                raise Invalid({"comment": "Verifying this report reopens a closed item: say why in the comment."})
        entry = history.record(item, user, UpdateKind.PROGRESS, comment or f"Verified the report of {agency.label}.",
                               now, status=report.status, progress=report.progress, agency=agency,
                               step=ReportStep.VERIFIED, report=report, reason=reason)
        report.stage = ReportStage.VERIFIED
    else:
        entry = history.record(item, user, UpdateKind.REPORT, comment, now, agency=agency, step=decision.step,
                               report=report)
        report.stage = ReportStage.COORDINATION if decision == Decision.FORWARD else ReportStage.RETURNED
    report.stage_since = report.decided_at = now
    report.decided_by, report.comment = user, comment
    record(AuditEventKind.REPORT_DECISION, user=user, subject=f"report:{report.id}",
           detail=f"{item.ref}: {decision.value} the report of {agency.label} ({report.status.value}, "
                  f"{report.progress}%)")
    try:
        db.session.flush()  # UPDATE reports … WHERE version = n: a decision made meanwhile fails here
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(report)
        if not report.is_pending:
            raise already_decided(report) from None
        raise Stale(message="The item changed while you were deciding: look at it again, then decide.") from None
    entry.item_version = item.version
    db.session.commit()
    return entry


def _check_decision(user: User, report: Report, decision: Decision) -> None:
    """Refuse a decision that is not this user's to make (NotAllowed), or is no longer open (Stale)."""
    own_agency = user.is_authenticated and user.agency_id == report.agency_id
    validator = is_validator(user) and own_agency
    if not (is_coordinator(user) or validator):
        if own_agency:
            raise NotAllowed("An agency never decides on its own report: its validator or a coordinator does.")
        raise NotAllowed("Only the agency's validators and the coordinators decide on its reports.")
    if not may_decide(user, report):
        if report.is_pending and is_coordinator(user):
            raise NotAllowed(f"This report waits for the validator of {report.agency.label} first; "
                             "a coordinator decides once it is forwarded.")
        raise already_decided(report)
    if validator and decision == Decision.VERIFY:
        raise NotAllowed("A validator forwards a report to the coordinators or returns it; only a coordinator "
                         "verifies it.")
    if not validator and decision == Decision.FORWARD:
        raise Invalid({"decision": "Coordinators verify or return a report; forwarding is the validator's step."})


def already_decided(report: Report) -> Stale:
    if report.stage == ReportStage.WITHDRAWN:
        message = "The agency replaced this report with a later one: decide on that one."
    else:
        who = report.decided_by.display_name if report.decided_by else "someone else"
        when = as_utc(report.decided_at).date().isoformat() if report.decided_at else ""
        done = "forwarded" if report.stage == ReportStage.COORDINATION else report.stage.value
        message = f"This report was already {done} by {who}{' on ' + when if when else ''}."
    return Stale(message=message, version=report.version)


def _awaiting_clause(user: User) -> sa.ColumnElement[bool] | None:
    """SQL: the reports awaiting this user's decision, or None for a user who decides none."""
    if is_coordinator(user):
        return sa.or_(Report.stage == ReportStage.COORDINATION,
                      sa.and_(Report.stage == ReportStage.VALIDATION, ~validators_exist(Report.agency_id)))
    if is_validator(user):
        return sa.and_(Report.stage == ReportStage.VALIDATION, Report.agency_id == user.agency_id)
    return None


def _awaiting_query(user: User) -> sa.Select | None:
    clause = _awaiting_clause(user)
    if clause is None:
        return None
    return (
        sa.select(Report).where(clause)
        .options(joinedload(Report.item), joinedload(Report.agency), joinedload(Report.author))
        .order_by(Report.stage_since, Report.id)
    )


def awaiting_decision(user: User, limit: int | None = None) -> list[Report]:
    """The reports awaiting this user's decision, the longest waiting first."""
    query = _awaiting_query(user)
    if query is None:
        return []
    return list(db.session.scalars(query.limit(limit) if limit else query))


def awaiting_page(user: User, page: int, per_page: int):
    """One page of the reports awaiting this user's decision (a Flask-SQLAlchemy Pagination)."""
    query = _awaiting_query(user)
    return db.paginate(query if query is not None else sa.select(Report).where(sa.false()), page=page,
                       per_page=per_page, error_out=False)


def awaiting_count(user: User) -> int:
    clause = _awaiting_clause(user)
    if clause is None:
        return 0
    return db.session.scalar(sa.select(sa.func.count()).select_from(Report).where(clause)) or 0


def returned_reports(agency_id: int) -> list[Report]:
    """The agency's returned reports not yet corrected (no later report on the same item), newest first."""
    later = sa.orm.aliased(Report)
    return list(
        db.session.scalars(
            sa.select(Report)
            .where(Report.agency_id == agency_id, Report.stage == ReportStage.RETURNED,
                   ~sa.exists().where(later.item_id == Report.item_id, later.agency_id == Report.agency_id,
                                      later.id > Report.id))
            .options(joinedload(Report.item), joinedload(Report.decided_by))
            .order_by(Report.decided_at.desc(), Report.id.desc())
        )
    )


def waited_days(report: Report, now: datetime | None = None) -> int:
    """Whole days the report has waited at its current stage."""
    return ((now or datetime.now(UTC)) - as_utc(report.stage_since)).days
