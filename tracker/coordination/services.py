"""Coordinators assign agencies and plan items, one at a time or many at once; each change is a history entry."""
from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..auth.permissions import is_coordinator
from ..enums import AssignmentRole, Priority
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..items import history
from ..models import ActionItem, Agency, ItemAgency, User


def _require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise NotAllowed(_("Only coordinators assign agencies and plan items."))


def set_agencies(user: User, item: ActionItem, lead: Agency | None, supporting: list[Agency],
                 expected_version: int | None = None) -> str | None:
    """A coordinator assigns or reassigns an item's lead and supporting agencies; return the change (in the user's
    language), or None."""
    _require_coordinator(user)
    if lead is None:
        raise Invalid({"lead": _("Every item needs a lead agency.")})
    history.check_version(item, expected_version)
    entry = history.set_agencies(item, lead, supporting, user, datetime.now(UTC))
    history.save([entry], expected_version)
    return str(entry.summary) if entry else None


def plan_item(user: User, item: ActionItem, due_date: date | None, priority: Priority | None,
              expected_version: int | None = None) -> str | None:
    """A coordinator sets an item's due date and priority; return the change (in the user's language), or None."""
    _require_coordinator(user)
    history.check_version(item, expected_version)
    entry = history.set_plan(item, user, datetime.now(UTC), due_date=due_date, priority=priority)
    history.save([entry], expected_version)
    return str(entry.summary) if entry else None


def bulk_change(user: User, refs: list[str], *, due_date=history.UNCHANGED, priority=history.UNCHANGED,
                agency: Agency | None = None, role: AssignmentRole | None = None) -> int:
    """Apply one change to many items, all or none; return how many items changed."""
    _require_coordinator(user)
    if not refs:
        raise Invalid({"refs": _("Select at least one item.")})
    items = list(
        db.session.scalars(
            db.select(ActionItem)
            .where(ActionItem.ref.in_(refs))
            .options(selectinload(ActionItem.assignments).selectinload(ItemAgency.agency))
        )
    )
    missing = set(refs) - {item.ref for item in items}
    if missing:
        raise Invalid({"refs": _("Unknown items: %(refs)s.", refs=", ".join(sorted(missing)))})
    now = datetime.now(UTC)
    entries = []
    for item in items:
        supporting = [a.agency for a in item.supporting]
        if agency is not None and role == AssignmentRole.LEAD:
            entry = history.set_agencies(item, agency, supporting, user, now)
        elif agency is not None:
            lead = item.lead.agency if item.lead else agency
            entry = history.set_agencies(item, lead, [*supporting, agency], user, now)
        else:
            entry = history.set_plan(item, user, now, due_date=due_date, priority=priority)
        entries.append(entry)
    history.save(entries)
    return sum(entry is not None for entry in entries)
