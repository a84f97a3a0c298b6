"""Reporting progress on an item, with its evidence. The form and the API call these."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError

from ..auth.permissions import can_update_item, is_coordinator
from ..enums import Status, UpdateKind, UpdateOrigin
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..items import history
from ..models import ActionItem, Evidence, Update, User
from ..verification.services import REOPEN_REASON, reopens, reported_meanwhile, submit
from .uploads import CheckedFile, discard, store


@dataclass
class Figure:
    value: float
    unit: str
    as_of: date | None


@dataclass
class EvidenceGiven:
    """The evidence a report comes with, typed in a form or sent to the API: files, links, a figure."""

    files: list[CheckedFile] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    figure: Figure | None = None
    confidential: bool = False

    def problems(self) -> dict[str, str]:
        """What is wrong with it, by field."""
        errors = {}
        if self.figure is not None and figure_problem(self.figure.value):
            errors["figure"] = figure_problem(self.figure.value)
        for link in self.links:
            if not link.startswith(("http://", "https://")):
                errors["links"] = f"“{link}” is not a web address (it must start with http:// or https://)."
        return errors


@dataclass
class ProgressReport:
    """What a user reports: the same fields whether typed in the form or sent to the API."""

    status: Status
    progress: int
    note: str
    expected_version: int | None = None
    evidence: EvidenceGiven = field(default_factory=EvidenceGiven)
    reason: str = ""  # why a closed item is reopened


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
    errors |= report.evidence.problems()
    if errors:
        raise Invalid(errors)


def add_evidence(user: User, given: EvidenceGiven, upload_dir: str, stored: list[str], **backs) -> None:
    """Add the evidence to the session, backing what `backs` names (an item and its update, or an indicator and
    period; the report if any). Stored files' names are appended to `stored`, for `discard` if the save fails.
    Confidential evidence an agency gives is its own; a coordinator's is for the coordinators alone."""
    common = {"origin": UpdateOrigin.USER, "confidential": given.confidential, "uploaded_by": user,
              "agency_id": None if is_coordinator(user) else user.agency_id, **backs}
    for checked in given.files:
        stored_name = store(checked, upload_dir)
        stored.append(stored_name)
        db.session.add(Evidence(stored_name=stored_name, original_name=checked.original_name,
                                content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                **common))
    for link in given.links:
        db.session.add(Evidence(url=link, **common))
    if given.figure is not None:
        db.session.add(Evidence(value=given.figure.value, unit=given.figure.unit, as_of=given.figure.as_of,
                                **common))


def report_progress(user: User, item: ActionItem, report: ProgressReport, upload_dir: str) -> Update:
    """Add the report to the item's history with its evidence; refuse stale or unauthorised saves.

    A coordinator's update is official at once; an agency's becomes a pending report (see verification).
    """
    if not can_update_item(user, item):
        raise NotAllowed("Only the item's responsible agencies and coordinators may update it.")
    validate_report(report)
    reason = report.reason.strip()
    if reopens(item, report.status) and not reason:
        raise Invalid({"reason": REOPEN_REASON})
    history.check_version(item, report.expected_version)
    now = datetime.now(UTC)
    if is_coordinator(user):
        update = history.record(item, user, UpdateKind.PROGRESS, report.note.strip(), now, status=report.status,
                                progress=report.progress, reason=reason if reopens(item, report.status) else "")
    else:
        update = submit(user, item, report.status, report.progress, report.note.strip(), reason, now)
    stored: list[str] = []
    try:
        add_evidence(user, report.evidence, upload_dir, stored, item=item, update=update, report=update.report)
        history.save([update], report.expected_version)
    except IntegrityError:
        db.session.rollback()
        discard(stored, upload_dir)
        raise reported_meanwhile("on this item", history.changes_since(item, report.expected_version or item.version),
                                 item.version) from None
    except Exception:
        db.session.rollback()
        discard(stored, upload_dir)
        raise
    return update
