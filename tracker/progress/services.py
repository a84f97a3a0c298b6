"""Reporting progress on an item, and reviewing agencies' reports. The form and the API call these."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import joinedload, selectinload

from ..auth.permissions import can_update_item, is_coordinator
from ..enums import ReviewDecision, Role, Status, UpdateKind, UpdateOrigin
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..items import history
from ..models import ActionItem, Evidence, Review, Update, User
from .uploads import CheckedFile, discard, store


@dataclass
class Figure:
    value: float
    unit: str
    as_of: date | None


@dataclass
class ProgressReport:
    """What a user reports: the same fields whether typed in the form or sent to the API."""

    status: Status
    progress: int
    note: str
    expected_version: int | None = None
    files: list[CheckedFile] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    figure: Figure | None = None
    confidential: bool = False


FIGURE_NOT_A_NUMBER = "The figure's value must be a number."


def figure_problem(value: float | None) -> str | None:
    """What is wrong with a figure's value (an infinity or not-a-number is no count of anything), or None."""
    if value is not None and not math.isfinite(value):
        return FIGURE_NOT_A_NUMBER
    return None


def validate_report(report: ProgressReport) -> None:
    """Check the values together; raise Invalid naming each bad field."""
    errors = {}
    if not 0 <= report.progress <= 100:
        errors["progress"] = "Progress is a percentage from 0 to 100."
    if report.status == Status.COMPLETED and report.progress != 100:
        errors["progress"] = "A completed item is 100% done: set progress to 100."
    if report.status == Status.NOT_STARTED and report.progress > 0:
        errors["progress"] = "An item that has not started has 0% progress."
    if not report.note.strip():
        errors["note"] = "Say what happened: the note is what others read."
    if report.figure is not None and figure_problem(report.figure.value):
        errors["figure"] = figure_problem(report.figure.value)
    for link in report.links:
        if not link.startswith(("http://", "https://")):
            errors["links"] = f"“{link}” is not a web address (it must start with http:// or https://)."
    if errors:
        raise Invalid(errors)


def report_progress(user: User, item: ActionItem, report: ProgressReport, upload_dir: str) -> Update:
    """Append an update to the item's history with its evidence; refuse stale or unauthorised saves."""
    if not can_update_item(user, item):
        raise NotAllowed("Only the item's responsible agencies and coordinators may update it.")
    validate_report(report)
    history.check_version(item, report.expected_version)
    owner = user.agency if user.role == Role.AGENCY else None
    update = history.record(item, user, UpdateKind.PROGRESS, report.note.strip(), datetime.now(UTC),
                            status=report.status, progress=report.progress, agency=owner)
    evidence_common = {"item": item, "update": update, "origin": UpdateOrigin.USER,
                       "confidential": report.confidential, "agency_id": owner.id if owner else None,
                       "uploaded_by": user}
    stored: list[str] = []
    try:
        for checked in report.files:
            stored_name = store(checked, upload_dir)
            stored.append(stored_name)
            db.session.add(Evidence(stored_name=stored_name, original_name=checked.original_name,
                                    content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                    **evidence_common))
        for link in report.links:
            db.session.add(Evidence(url=link, **evidence_common))
        if report.figure is not None:
            db.session.add(Evidence(value=report.figure.value, unit=report.figure.unit,
                                    as_of=report.figure.as_of, **evidence_common))
        history.save([update], report.expected_version)
    except Exception:
        db.session.rollback()
        discard(stored, upload_dir)
        raise
    return update


def review_report(user: User, update: Update, decision: ReviewDecision, comment: str) -> Review:
    """A coordinator verifies an agency's report, or returns it with a comment."""
    if not is_coordinator(user):
        raise NotAllowed("Only coordinators verify or return reports.")
    if not update.is_report:
        raise Invalid({"update": "Only agencies' progress reports are verified or returned."})
    if update.review is not None:
        raise Invalid({"update": f"This report was already {update.review.decision.value}."})
    comment = comment.strip()
    if decision == ReviewDecision.RETURNED and not comment:
        raise Invalid({"comment": "Say why the report is returned, so the agency can put it right."})
    review = Review(update=update, reviewer=user, decision=decision, comment=comment)
    db.session.add(review)
    db.session.commit()
    return review


def awaiting_verification(limit: int | None = None) -> list[Update]:
    """Agencies' reports that no coordinator has reviewed yet, oldest first."""
    query = (
        db.select(Update)
        .where(
            Update.origin == UpdateOrigin.USER,
            Update.kind == UpdateKind.PROGRESS,
            Update.agency_id.is_not(None),
            ~Update.reviews.any(),
        )
        .options(joinedload(Update.item), joinedload(Update.author), joinedload(Update.agency))
        .order_by(Update.created_at)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def returned_reports(agency_id: int) -> list[Update]:
    """The agency's reports a coordinator returned, newest first."""
    return [
        update
        for update in db.session.scalars(
            db.select(Update)
            .where(Update.agency_id == agency_id, Update.reviews.any(Review.decision == ReviewDecision.RETURNED))
            .options(selectinload(Update.reviews).joinedload(Review.reviewer), joinedload(Update.item))
            .order_by(Update.created_at.desc())
        )
        if update.review and update.review.decision == ReviewDecision.RETURNED
    ]
