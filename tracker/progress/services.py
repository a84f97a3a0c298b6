"""Reporting progress on an item, with its evidence. The form and the API call these."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import limits
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
        if self.figure is not None and (wrong := figure_problems(self.figure.value, self.figure.unit)):
            errors["figure"] = " ".join(wrong.values())
        if problem := links_problem(self.links):
            errors["links"] = problem
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


FIGURE_NOT_A_NUMBER = _l("The figure's value must be a number.")
FIGURE_NEEDS_UNIT = _l("Say what the figure counts (e.g. “labourers rescued”).")
# A figure counts or measures what its unit names (labourers rescued, cases registered, rupees spent, a share
# of districts), and none of these is below zero. Only a change can be: its unit says so by beginning with one
# of these words ("change in cases registered", "net change in shelters", "difference from the target").
SIGNED_UNIT_WORDS = ("change", "net", "difference")


def is_signed_unit(unit: str) -> bool:
    """Whether a figure with this unit may be negative: a change, not a count."""
    words = unit.strip().lower().split(maxsplit=1)
    return bool(words) and words[0] in SIGNED_UNIT_WORDS


def figure_problems(value: float | None, unit: str | None) -> dict[str, str]:
    """What is wrong with a figure, by part ("value", "unit"): no number, no unit, a negative count."""
    if value is None:
        return {}
    unit = (unit or "").strip()
    problems = {}
    if not math.isfinite(value):
        problems["value"] = str(FIGURE_NOT_A_NUMBER)
    elif value < 0 and unit and not is_signed_unit(unit):
        problems["value"] = _("%(figure)s: a count is never below zero. For a fall, give it as a number that says "
                              "which way in its unit (“fewer cases than in 2025”), or begin the unit with “change in” "
                              "for a change up or down.", figure=f"{value:g} {unit}")
    if not unit:
        problems["unit"] = str(FIGURE_NEEDS_UNIT)
    elif problem := limits.too_long(_("The unit"), unit, limits.UNIT):
        problems["unit"] = problem
    return problems


def links_problem(links: list[str]) -> str | None:
    """What is wrong with a report's links, every bad one named, or None."""
    problems = []
    if len(links) > limits.LINKS:
        problems.append(_("%(count)s links; a report holds at most %(limit)s.", count=len(links), limit=limits.LINKS))
    for link in links:
        if problem := limits.too_long(f"“{link[:60]}…”", link, limits.LINK):
            problems.append(problem)
        elif not link.startswith(("http://", "https://")):
            problems.append(_("“%(link)s” is not a web address (it must start with http:// or https://).", link=link))
    return " ".join(problems) or None


def progress_problem(status: Status, progress: int) -> str | None:
    """What is wrong with a progress for a status, or None."""
    if not 0 <= progress <= 100:
        return _("Progress is a percentage from 0 to 100.")
    if status == Status.COMPLETED and progress != 100:
        return _("A completed item is %(full)s done: set progress to 100.", full="100%")
    if status == Status.NOT_STARTED and progress > 0:
        return _("An item that has not started has %(none)s progress.", none="0%")
    return None


def validate_report(report: ProgressReport) -> None:
    """Check the values together; raise Invalid naming each bad field."""
    errors = {}
    if problem := progress_problem(report.status, report.progress):
        errors["progress"] = problem
    if problem := limits.too_long(_("The note"), report.note, limits.NOTE):
        errors["note"] = problem
    if problem := limits.too_long(_("The reason"), report.reason, limits.NOTE):
        errors["reason"] = problem
    if not report.note.strip():
        errors["note"] = _("Say what happened: the note is what others read.")
    errors |= report.evidence.problems()
    if errors:
        raise Invalid(errors)


def add_evidence(user: User, given: EvidenceGiven, stored: list[str], **backs) -> None:
    """Add the evidence to the session, backing what `backs` names (an item and its update, or an indicator and
    period; the report if any). Stored files' names are appended to `stored`, for `discard` if the save fails.
    Confidential evidence an agency gives is its own; a coordinator's is for the coordinators alone."""
    common = {"origin": UpdateOrigin.USER, "confidential": given.confidential, "uploaded_by": user,
              "agency_id": None if is_coordinator(user) else user.agency_id, **backs}
    for checked in given.files:
        stored_name = store(checked)
        stored.append(stored_name)
        db.session.add(Evidence(stored_name=stored_name, original_name=checked.original_name,
                                content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                **common))
    for link in given.links:
        db.session.add(Evidence(url=link, **common))
    if given.figure is not None:
        db.session.add(Evidence(value=given.figure.value, unit=given.figure.unit, as_of=given.figure.as_of,
                                **common))


def report_progress(user: User, item: ActionItem, report: ProgressReport) -> Update:
    """Add the report to the item's history with its evidence; refuse stale or unauthorised saves.

    A coordinator's update is official at once; an agency's becomes a pending report (see verification).
    """
    if not can_update_item(user, item):
        raise NotAllowed(_("Only the item's responsible agencies and coordinators may update it."))
    validate_report(report)
    reason = report.reason.strip()
    if reopens(item, report.status) and not reason:
        raise Invalid({"reason": str(REOPEN_REASON)})
    history.check_version(item, report.expected_version)
    now = datetime.now(UTC)
    if is_coordinator(user):
        update = history.record(item, user, UpdateKind.PROGRESS, report.note.strip(), now, status=report.status,
                                progress=report.progress, reason=reason if reopens(item, report.status) else "")
    else:
        update = submit(user, item, report.status, report.progress, report.note.strip(), reason, now)
    stored: list[str] = []
    try:
        add_evidence(user, report.evidence, stored, item=item, update=update, report=update.report)
        history.save([update], report.expected_version)
    except IntegrityError:
        db.session.rollback()
        discard(stored)
        raise reported_meanwhile(_("on this item"),
                                 history.changes_since(item, report.expected_version or item.version),
                                 item.version) from None
    except Exception:
        db.session.rollback()
        discard(stored)
        raise
    return update
