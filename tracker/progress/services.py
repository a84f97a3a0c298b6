"""Reporting progress on an item, and reviewing agencies' reports. The form and the API call these."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth.permissions import can_update_item, is_coordinator
from ..errors import Invalid as InvalidReport, NotAllowed, Stale as StaleItem  # noqa: F401 (the views import them from here)
from ..extensions import db
from ..enums import ReviewDecision, Role, Status, UpdateKind, UpdateOrigin
from ..models import ActionItem, Evidence, ItemAgency, Review, Update, User
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


def validate_report(report: ProgressReport) -> None:
    """Check the values together; raise InvalidReport naming each bad field."""
    errors = {}
    if not 0 <= report.progress <= 100:
        errors["progress"] = "Progress is a percentage from 0 to 100."
    if report.status == Status.COMPLETED and report.progress != 100:
        errors["progress"] = "A completed item is 100% done: set progress to 100."
    if report.status == Status.NOT_STARTED and report.progress > 0:
        errors["progress"] = "An item that has not started has 0% progress."
    if not report.note.strip():
        errors["note"] = "Say what happened: the note is what others read."
    for link in report.links:
        if not link.startswith(("http://", "https://")):
            errors["links"] = f"“{link}” is not a web address (it must start with http:// or https://)."
    if errors:
        raise InvalidReport(errors)


def changes_since(item: ActionItem, version: int) -> list[Update]:
    """The updates saved after the user's copy of the item (version N) was read."""
    return list(
        db.session.scalars(
            db.select(Update)
            .where(Update.item_id == item.id, Update.item_version > version)
            .options(joinedload(Update.author))
            .order_by(Update.id)
        )
    )


def report_progress(user: User, item: ActionItem, report: ProgressReport, upload_dir: str) -> Update:
    """Append an update to the item's history with its evidence; refuse stale or unauthorised saves."""
    if not can_update_item(user, item):
        raise NotAllowed("Only the item's responsible agencies and coordinators may update it.")
    validate_report(report)
    if report.expected_version is not None and report.expected_version != item.version:
        raise StaleItem(changes_since(item, report.expected_version))
    now = datetime.now(timezone.utc)
    update = Update(
        item=item,
        author=user,
        agency_id=user.agency_id if user.role == Role.AGENCY else None,
        origin=UpdateOrigin.USER,
        kind=UpdateKind.PROGRESS,
        created_at=now,
        status_before=item.status,
        status_after=report.status,
        progress_before=item.progress,
        progress_after=report.progress,
        note=report.note.strip(),
    )
    db.session.add(update)
    owner = user.agency_id if user.role == Role.AGENCY else None
    evidence_common = {"item": item, "update": update, "origin": UpdateOrigin.USER,
                       "confidential": report.confidential, "agency_id": owner, "uploaded_by": user}
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
        item.status = report.status
        item.status_derived = False
        item.progress = report.progress
        item.last_update_at = now
        db.session.flush()  # the version check happens here: UPDATE … WHERE version = the one we read
        update.item_version = item.version
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        discard(stored, upload_dir)
        db.session.refresh(item)
        raise StaleItem(changes_since(item, report.expected_version or 0)) from None
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
        raise InvalidReport({"update": "Only agencies' progress reports are verified or returned."})
    if update.review is not None:
        raise InvalidReport({"update": f"This report was already {update.review.decision.value}."})
    comment = comment.strip()
    if decision == ReviewDecision.RETURNED and not comment:
        raise InvalidReport({"comment": "Say why the report is returned, so the agency can put it right."})
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


def get_item_for_update(ref: str) -> ActionItem | None:
    return db.session.scalar(
        db.select(ActionItem)
        .where(ActionItem.ref == ref)
        .options(selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
    )
