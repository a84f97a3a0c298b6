"""Assigning agencies and planning items. Each change is a new entry of the item's history."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth.permissions import is_coordinator
from ..extensions import db
from ..enums import AssignmentRole, Basis, Priority, UpdateKind, UpdateOrigin
from ..models import ActionItem, Agency, ItemAgency, Update, User
from ..progress.services import InvalidReport, NotAllowed, StaleItem, changes_since


def _require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise NotAllowed("Only coordinators assign agencies and plan items.")


def _check_version(item: ActionItem, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != item.version:
        raise StaleItem(changes_since(item, expected_version))


def _record(user: User, item: ActionItem, kind: UpdateKind, note: str, now: datetime) -> Update:
    """A history entry for a coordinator's change; status and progress stay as they are."""
    item.last_update_at = now  # also bumps the item's version, so open forms see the change
    update = Update(item=item, author=user, origin=UpdateOrigin.USER, kind=kind, created_at=now,
                    status_before=item.status, status_after=item.status,
                    progress_before=item.progress, progress_after=item.progress, note=note)
    db.session.add(update)
    return update


def _name(agency: Agency) -> str:
    return agency.short_name or agency.name


def apply_agencies(user: User, item: ActionItem, lead: Agency, supporting: list[Agency], now: datetime) -> str | None:
    """Make `lead` the lead and `supporting` the supporting bodies; return the change, or None."""
    supporting = [a for a in dict.fromkeys(supporting) if a.id != lead.id]
    before_lead = item.lead.agency if item.lead else None
    before_supporting = {a.agency.id: a.agency for a in item.supporting}
    wanted = {lead.id: AssignmentRole.LEAD, **{a.id: AssignmentRole.SUPPORTING for a in supporting}}
    for assignment in list(item.assignments):
        if assignment.agency_id not in wanted:
            item.assignments.remove(assignment)
        elif assignment.role != wanted[assignment.agency_id]:
            assignment.role = wanted[assignment.agency_id]
            assignment.basis, assignment.assigned_by = Basis.ASSIGNED, user
    present = {a.agency_id for a in item.assignments}
    for agency in [lead, *supporting]:
        if agency.id not in present:
            item.assignments.append(ItemAgency(agency=agency, role=wanted[agency.id], basis=Basis.ASSIGNED,
                                               assigned_by=user))
    parts = []
    if before_lead is None or before_lead.id != lead.id:
        parts.append(f"lead: {_name(before_lead) if before_lead else 'none'} → {_name(lead)}")
    added = [_name(a) for a in supporting if a.id not in before_supporting]
    removed = [_name(a) for a_id, a in before_supporting.items() if a_id not in {s.id for s in supporting}]
    if added:
        parts.append("supporting added: " + ", ".join(added))
    if removed:
        parts.append("supporting removed: " + ", ".join(removed))
    if not parts:
        return None
    note = "Agencies changed — " + "; ".join(parts) + "."
    _record(user, item, UpdateKind.ASSIGNMENT, note, now)
    return note


def apply_plan(user: User, item: ActionItem, now: datetime, *, due_date: date | None | bool = False,
               priority: Priority | None | bool = False) -> str | None:
    """Set the due date and/or priority (False leaves one as it is); return the change, or None."""
    parts = []
    if due_date is not False and due_date != item.due_date:
        parts.append(f"due date: {item.due_date.isoformat() if item.due_date else 'none'} → "
                     f"{due_date.isoformat() if due_date else 'none'}")
        item.due_date, item.due_derived, item.due_note = due_date, False, ""
    if priority is not False and priority != item.priority:
        parts.append(f"priority: {item.priority.value if item.priority else 'none'} → "
                     f"{priority.value if priority else 'none'}")
        item.priority = priority
    if not parts:
        return None
    note = "Planning changed — " + "; ".join(parts) + "."
    _record(user, item, UpdateKind.PLANNING, note, now)
    return note


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleItem([]) from None


def set_agencies(user: User, item: ActionItem, lead: Agency | None, supporting: list[Agency],
                 expected_version: int | None = None) -> str | None:
    """A coordinator assigns or reassigns an item's lead and supporting agencies."""
    _require_coordinator(user)
    if lead is None:
        raise InvalidReport({"lead": "Every item needs a lead agency."})
    _check_version(item, expected_version)
    note = apply_agencies(user, item, lead, supporting, datetime.now(timezone.utc))
    _commit()
    return note


def plan_item(user: User, item: ActionItem, due_date: date | None, priority: Priority | None,
              expected_version: int | None = None) -> str | None:
    """A coordinator sets an item's due date and priority."""
    _require_coordinator(user)
    _check_version(item, expected_version)
    note = apply_plan(user, item, datetime.now(timezone.utc), due_date=due_date, priority=priority)
    _commit()
    return note


def bulk_change(user: User, refs: list[str], *, due_date: date | None | bool = False,
                priority: Priority | None | bool = False, agency: Agency | None = None,
                role: AssignmentRole | None = None) -> int:
    """Apply one change to many items, all or none; return how many items changed."""
    _require_coordinator(user)
    if not refs:
        raise InvalidReport({"refs": "Select at least one item."})
    items = list(
        db.session.scalars(
            db.select(ActionItem)
            .where(ActionItem.ref.in_(refs))
            .options(selectinload(ActionItem.assignments).selectinload(ItemAgency.agency))
        )
    )
    missing = set(refs) - {item.ref for item in items}
    if missing:
        raise InvalidReport({"refs": f"Unknown items: {', '.join(sorted(missing))}."})
    now = datetime.now(timezone.utc)
    changed = 0
    for item in items:
        note = None
        if agency is not None and role == AssignmentRole.LEAD:
            note = apply_agencies(user, item, agency, [a.agency for a in item.supporting], now)
        elif agency is not None:
            lead = item.lead.agency if item.lead else agency
            note = apply_agencies(user, item, lead, [*(a.agency for a in item.supporting), agency], now)
        else:
            note = apply_plan(user, item, now, due_date=due_date, priority=priority)
        changed += note is not None
    _commit()
    return changed
