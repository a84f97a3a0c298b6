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
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record
from ..auth.permissions import has_validators, is_coordinator, is_validator, may_decide, validators_exist
from ..display import format_date
from ..enums import AuditEventKind, Decision, ReportStage, ReportStep, Status, UpdateKind
from ..errors import Invalid, NotAllowed, Stale
from ..extensions import db
from ..items import history
from ..models import ActionItem, Agency, Indicator, Report, ReportValue, Update, User, as_utc

if TYPE_CHECKING:
    from ..indicators.values import CellValue

REOPEN_REASON = _l("Reopening a completed or superseded item needs a reason: say why it is open again.")


def reopens(item: ActionItem, status: Status) -> bool:
    """Whether setting this status reopens a closed (completed or superseded) item."""
    return item.status.is_closed and not status.is_closed


def first_stage(author: User, agency: Agency) -> ReportStage:
    """A focal person's report goes to the agency's validator; a validator's own report, or one from an
    agency without a validator, goes straight to the coordinators."""
    if author.validator or not has_validators(agency.id):
        return ReportStage.COORDINATION
    return ReportStage.VALIDATION


def _subject(item: ActionItem | None, indicator: Indicator | None, period: str) -> sa.ColumnElement[bool]:
    if item is not None:
        return Report.item_id == item.id
    return sa.and_(Report.indicator_id == indicator.id, Report.period == period)


def latest_report(item: ActionItem | None, agency_id: int, indicator: Indicator | None = None,
                  period: str = "") -> Report | None:
    """The agency's latest report on the item (or on the indicator's period): pending, returned (to be
    corrected) or decided."""
    return db.session.scalar(
        sa.select(Report).where(_subject(item, indicator, period), Report.agency_id == agency_id)
        .order_by(Report.id.desc()).limit(1)
    )


def open_report(item: ActionItem | None, agency_id: int, indicator: Indicator | None = None,
                period: str = "") -> Report | None:
    """The agency's report that a new one replaces: one awaiting a decision, or one returned."""
    report = latest_report(item, agency_id, indicator, period)
    if report is not None and (report.is_pending or report.stage == ReportStage.RETURNED):
        return report
    return None


def _replace(earlier: Report | None, now: datetime) -> None:
    """A report still pending gives way to the new one (withdrawn, before the new one is written: the
    partial unique index checks rows as they are written)."""
    if earlier is not None and earlier.is_pending:
        earlier.stage, earlier.stage_since = ReportStage.WITHDRAWN, now
        db.session.flush()


def _take_evidence_over(earlier: Report | None, report: Report) -> None:
    """A correction keeps the evidence of the report it replaces, so that nothing has to be given twice."""
    if earlier is not None:
        for evidence in list(earlier.evidence):
            evidence.report = report


def submit_values(author: User, indicator: Indicator, period: str, cells: list[CellValue], note: str,
                  now: datetime) -> Report:
    """Record an agency's values of an indicator for a period as a report: they count once verified.

    An open report of the agency for the same period is replaced by this one, which corrects it.
    """
    agency = author.agency
    earlier = open_report(None, agency.id, indicator, period)
    _replace(earlier, now)
    report = Report(indicator=indicator, period=period, agency=agency, author=author, note=note,
                    stage=first_stage(author, agency), submitted_at=now, stage_since=now, corrects=earlier,
                    values=[ReportValue(value=cell.value, **cell.columns()) for cell in cells])
    db.session.add(report)
    _take_evidence_over(earlier, report)
    db.session.flush()
    record(AuditEventKind.REPORT_SUBMITTED, user=author, subject=f"report:{report.id}",
           detail=f"{indicator.code} {period}: {len(cells)} value(s) from {agency.label}")
    return report


def submit(author: User, item: ActionItem, status: Status, progress: int, note: str, reason: str,
           now: datetime) -> Update:
    """Record the agency's report as a history entry, leaving the official state as it is.

    A report the agency already has open on the item (awaiting a decision, or returned) is replaced:
    the new one corrects it and takes its evidence over.
    """
    agency = author.agency
    earlier = open_report(item, agency.id)
    _replace(earlier, now)
    stage = first_stage(author, agency)
    report = Report(item=item, agency=agency, author=author, status=status, progress=progress, note=note,
                    reason=reason, stage=stage, submitted_at=now, stage_since=now, corrects=earlier)
    db.session.add(report)
    _take_evidence_over(earlier, report)
    return history.record(item, author, UpdateKind.REPORT, note, now, agency=agency, step=ReportStep.SUBMITTED,
                          report=report, reason=reason)


def decide(user: User, report: Report, decision: Decision, comment: str, expected_version: int | None = None,
           now: datetime | None = None) -> Update | None:
    """Forward, verify or return a pending report; verifying makes it count. For an item's report the
    decision is a history entry (returned); an indicator's report has no item history (None).

    Exactly one of two decisions made at once wins: the other gets Stale ("already … by …").
    """
    now = now or datetime.now(UTC)
    comment = comment.strip()
    check_decision(user, report, decision)
    if expected_version is not None and expected_version != report.version:
        raise already_decided(report)
    if decision == Decision.RETURN and not comment:
        raise Invalid({"comment": _("Say why the report is returned, so that the agency can put it right.")})
    item, agency = report.item, report.agency
    entry = None
    if item is None:  # an indicator's values: the report and the audit log keep the steps
        if decision == Decision.VERIFY:
            # Imported here: the indicators' pages report through this module.
            from ..indicators.values import accept_values, report_cells

            accept_values(report.indicator, report.period, report_cells(report), report=report)
    elif decision == Decision.VERIFY:
        reason = ""
        if reopens(item, report.status):
            reason = report.reason or comment
            if not reason:
                raise Invalid({"comment": _("Verifying this report reopens a closed item: say why in the comment.")})
        entry = history.record(item, user, UpdateKind.PROGRESS, comment or f"Verified the report of {agency.label}.",
                               now, status=report.status, progress=report.progress, agency=agency,
                               step=ReportStep.VERIFIED, report=report, reason=reason)
    else:
        entry = history.record(item, user, UpdateKind.REPORT, comment, now, agency=agency, step=decision.step,
                               report=report)
    report.stage = {Decision.FORWARD: ReportStage.COORDINATION, Decision.VERIFY: ReportStage.VERIFIED,
                    Decision.RETURN: ReportStage.RETURNED}[decision]
    report.stage_since = report.decided_at = now
    report.decided_by, report.comment = user, comment
    claimed = (f"{report.status.value}, {report.progress}%" if item is not None
               else f"{len(report.values)} value(s)")
    record(AuditEventKind.REPORT_DECISION, user=user, subject=f"report:{report.id}",
           detail=f"{report.subject}: {decision.value} the report of {agency.label} ({claimed})"
                  + (f": “{comment}”" if comment else ""))
    try:
        db.session.flush()  # UPDATE reports … WHERE version = n: a decision made meanwhile fails here
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(report)
        if not report.is_pending:
            raise already_decided(report) from None
        raise Stale(message=_("The item changed while you were deciding: look at it again, then decide.")) from None
    if entry is not None:
        entry.item_version = item.version
    db.session.commit()
    return entry


def check_decision(user: User, report: Report, decision: Decision | None) -> None:
    """Refuse a decision that is not this user's to make (NotAllowed), or is no longer open (Stale); without a
    decision, whether the user may decide on the report at all."""
    own_agency = user.is_authenticated and user.agency_id == report.agency_id
    validator = is_validator(user) and own_agency
    if not (is_coordinator(user) or validator):
        if own_agency:
            raise NotAllowed(_("An agency never decides on its own report: its validator or a coordinator does."))
        raise NotAllowed(_("Only the agency's validators and the coordinators decide on its reports."))
    if not may_decide(user, report):
        if report.is_pending and is_coordinator(user):
            raise NotAllowed(_("This report waits for the validator of %(agency)s first; a coordinator decides once "
                               "it is forwarded.", agency=report.agency.label))
        raise already_decided(report)
    if validator and decision == Decision.VERIFY:
        raise NotAllowed(_("A validator forwards a report to the coordinators or returns it; only a coordinator "
                           "verifies it."))
    if not validator and decision == Decision.FORWARD:
        raise Invalid({"decision": _("Coordinators verify or return a report; forwarding is the validator's step.")})


def reported_meanwhile(subject: str, changes: list[Update] | None = None, version: int | None = None) -> Stale:
    """Two people of one agency reported at once: the one-pending-report index kept the first. `subject`: what
    was reported on, as the sentence says it ("on this item")."""
    return Stale(changes, message=_("Someone else of your agency reported %(subject)s meanwhile: look at their "
                                    "report, then send yours again if it still needs saying.", subject=subject),
                 version=version)


# What a late decider is told, by the stage the first decision left the report at: without and with its day.
ALREADY = {
    ReportStage.COORDINATION: (_l("This report was already forwarded by %(name)s."),
                               _l("This report was already forwarded by %(name)s on %(day)s.")),
    ReportStage.VERIFIED: (_l("This report was already verified by %(name)s."),
                           _l("This report was already verified by %(name)s on %(day)s.")),
    ReportStage.RETURNED: (_l("This report was already returned by %(name)s."),
                           _l("This report was already returned by %(name)s on %(day)s.")),
}


def already_decided(report: Report) -> Stale:
    if report.stage == ReportStage.WITHDRAWN:
        message = _("The agency replaced this report with a later one: decide on that one.")
    else:
        who = report.decided_by.display_name if report.decided_by else _("someone else")
        day = format_date(as_utc(report.decided_at)) if report.decided_at else None
        sentences = ALREADY.get(report.stage)
        if sentences is None:  # (no decision leaves a report at another stage)
            message = _("This report was already %(done)s by %(name)s.", done=report.stage.value, name=who)
        else:
            message = str(sentences[day is not None]) % {"name": who, "day": day}
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
        .options(joinedload(Report.item), joinedload(Report.indicator), joinedload(Report.agency),
                 joinedload(Report.author))
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
            .options(joinedload(Report.item), joinedload(Report.indicator), joinedload(Report.decided_by))
            .order_by(Report.decided_at.desc(), Report.id.desc())
        )
    )


def waited_days(report: Report, now: datetime | None = None) -> int:
    """Whole days the report has waited at its current stage."""
    return ((now or datetime.now(UTC)) - as_utc(report.stage_since)).days
