"""An item's history: the one writer of its entries, and the rules for changing what they describe.

Every change a person (or an import) makes to an item — its status and progress, its agencies, its
due date or priority — is a new entry here, with what it was before and after; nothing is edited in
place. Coordination, progress reports, the plan import and the seed all call these functions.

Being append-only, the history also says what an item's official state was at any past moment
(`official_states`): the page of what changed between two dates and the dashboard "as of" a day read it.
Every entry is also counted by month as it is flushed (monthly_counts), for the dashboard's chart over time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..display import format_date
from ..enums import AssignmentRole, Basis, Priority, ReportStep, Status, UpdateKind, UpdateOrigin
from ..errors import Stale
from ..extensions import db
from ..models import ActionItem, Agency, ItemAgency, Report, Update, User
from . import monthly_counts  # noqa: F401  (its flush hook counts each entry written, in the same transaction)


class _Unchanged:
    """Marks a planning field the caller leaves as it is (None means "no value")."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def record(item: ActionItem, author: User | None, kind: UpdateKind, note: str, now: datetime, *,
           status: Status | None = None, progress: int | None = None, agency: Agency | None = None,
           before: tuple[Status, int] | None = None, step: ReportStep | None = None, report: Report | None = None,
           reason: str = "") -> Update:
    """Append an entry to the item's history; with `status`/`progress`, set them on the item too.

    Every entry's before and after are the item's official state, so the state at any past moment is
    the last entry's "after". A step of an agency's report (kind REPORT) leaves the item untouched.
    `before` overrides the recorded prior state, for an item created in the same transaction.
    """
    if kind == UpdateKind.PROGRESS and author is not None and step is None:
        step = ReportStep.OFFICIAL  # a person's change outside the reporting cycle: a coordinator's or an import's
    status_before, progress_before = before or (item.status, item.progress)
    entry = Update(item=item, author=author, agency=agency, origin=UpdateOrigin.USER, kind=kind, created_at=now,
                   status_before=status_before, progress_before=progress_before,
                   status_after=status if status is not None else item.status,
                   progress_after=progress if progress is not None else item.progress, note=note,
                   step=step, report=report, reason=reason)
    if status is not None:
        item.status, item.status_derived = status, False
    if progress is not None:
        item.progress = progress
    if kind == UpdateKind.PROGRESS and author is not None:
        item.verified_at, item.verified_by = now, author
    if kind != UpdateKind.REPORT:
        item.last_update_at = now  # also bumps the item's version, so open forms see the change
    db.session.add(entry)
    return entry


def save(entries: list[Update | None], expected_version: int | None = None) -> None:
    """Write the entries and their items' changes in one transaction, each entry stamped with the item
    version it produced (what "changes since version N" reads).

    The optimistic version check runs at the flush: if another save got in first, nothing is written
    and Stale lists what that save changed.
    """
    entries = [entry for entry in entries if entry is not None]
    try:
        db.session.flush()  # UPDATE … WHERE version = the one read: a stale copy fails here
        for entry in entries:
            entry.item_version = entry.item.version
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        items = {entry.item for entry in entries}
        if len(items) != 1:
            raise Stale() from None
        item = items.pop()
        db.session.refresh(item)
        raise Stale(changes_since(item, expected_version or 0), version=item.version) from None


def check_version(item: ActionItem, expected_version: int | None) -> None:
    """Refuse a change made on a copy of the item older than its current version."""
    if expected_version is not None and expected_version != item.version:
        raise Stale(changes_since(item, expected_version), version=item.version)


def changes_since(item: ActionItem, version: int) -> list[Update]:
    """The entries saved after the user's copy of the item (version N) was read."""
    return list(
        db.session.scalars(
            db.select(Update)
            .where(Update.item_id == item.id, Update.item_version > version)
            .options(joinedload(Update.author))
            .order_by(Update.id)
        )
    )


@dataclass
class AgencyChange:
    """What `assign` changed: the lead before and after, supporting bodies added and removed."""

    lead_before: Agency | None
    lead_after: Agency
    added: list[Agency] = field(default_factory=list)
    removed: list[Agency] = field(default_factory=list)
    roles_changed: bool = False

    @property
    def changed(self) -> bool:
        return self.lead_before is not self.lead_after or bool(self.added or self.removed or self.roles_changed)

    def describe(self, _=gettext) -> str:
        """What changed, in the request's language (`_english`: the sentence the history keeps)."""
        parts = []
        if self.lead_before is not self.lead_after:
            before = self.lead_before.label if self.lead_before else _("none")
            parts.append(_("lead: %(before)s → %(after)s", before=before, after=self.lead_after.label))
        if self.added:
            parts.append(_("supporting added: %(agencies)s", agencies=", ".join(a.label for a in self.added)))
        if self.removed:
            parts.append(_("supporting removed: %(agencies)s", agencies=", ".join(a.label for a in self.removed)))
        return "; ".join(parts or [_("roles changed")])


def _english(text: str, **values) -> str:
    """A sentence as the history keeps it: in English whoever writes it, like the audit log (the page that
    saved the change says it in the user's language too, see `Update.summary`)."""
    return text % values if values else text


def assign(item: ActionItem, lead: Agency, supporting: list[Agency], basis: Basis,
           by: User | None = None) -> AgencyChange:
    """Make `lead` the item's lead and `supporting` its supporting bodies, as assignments of this basis.

    Bodies that keep their role are left as they are; a body whose role changes is changed in place
    (the item–agency pair is unique, so it is never removed and added again).
    """
    supporting = [a for a in dict.fromkeys(supporting) if a is not lead]
    before_lead = item.lead.agency if item.lead else None
    before_supporting = [a.agency for a in item.supporting]
    wanted = {lead: AssignmentRole.LEAD, **{a: AssignmentRole.SUPPORTING for a in supporting}}
    change = AgencyChange(before_lead, lead,
                          added=[a for a in supporting if a not in before_supporting],
                          removed=[a for a in before_supporting if a not in wanted])
    for assignment in list(item.assignments):
        role = wanted.get(assignment.agency)
        if role is None:
            item.assignments.remove(assignment)
        elif assignment.role != role:
            assignment.role, assignment.basis, assignment.assigned_by = role, basis, by
            change.roles_changed = True
    present = {a.agency for a in item.assignments}
    for agency, role in wanted.items():
        if agency not in present:
            item.assignments.append(ItemAgency(agency=agency, role=role, basis=basis, assigned_by=by))
    return change


def set_agencies(item: ActionItem, lead: Agency, supporting: list[Agency], by: User | None, now: datetime,
                 note_prefix: str = "") -> Update | None:
    """Assign the item's agencies as `by`'s choice and record the change; None when nothing changed.

    The entry's note is in English; its `summary` (not stored) says the same in the language of the request
    that reads it (a command's import never does).
    """
    change = assign(item, lead, supporting, Basis.ASSIGNED, by)
    if not change.changed:
        return None
    entry = record(item, by, UpdateKind.ASSIGNMENT,
                   f"{note_prefix}Agencies changed — {change.describe(_english)}.", now)
    entry.summary = LazyString(lambda: gettext("Agencies changed — %(changes)s.", changes=change.describe()))
    return entry


def set_plan(item: ActionItem, by: User | None, now: datetime, *, due_date: date | None | _Unchanged = UNCHANGED,
             priority: Priority | None | _Unchanged = UNCHANGED, note_prefix: str = "") -> Update | None:
    """Set the due date and/or the priority and record the change; None when nothing changed.

    The entry's note is in English; its `summary` (not stored) says the same in the request's language.
    """
    changes = []  # (what, before, after)
    if due_date is not UNCHANGED and due_date != item.due_date:
        changes.append(("due_date", item.due_date, due_date))
        item.due_date, item.due_derived, item.due_note = due_date, False, ""
    if priority is not UNCHANGED and priority != item.priority:
        changes.append(("priority", item.priority, priority))
        item.priority = priority
    if not changes:
        return None
    with force_locale("en"):  # the day as an English page writes it
        kept = "; ".join(_plan_change(change, _english) for change in changes)
    entry = record(item, by, UpdateKind.PLANNING, f"{note_prefix}Planning changed — {kept}.", now)
    entry.summary = LazyString(lambda: gettext("Planning changed — %(changes)s.",
                                               changes="; ".join(_plan_change(change) for change in changes)))
    return entry


def _plan_change(change: tuple, _=gettext) -> str:
    """One change of the plan, in the request's language (`_english`: as the history keeps it)."""
    what, before, after = change
    if what == "due_date":
        return _("due date: %(before)s → %(after)s", before=_day(before, _), after=_day(after, _))
    return _("priority: %(before)s → %(after)s", before=_priority(before, _), after=_priority(after, _))


def _day(value: date | None, _=gettext) -> str:
    return format_date(value, _("none"))  # the sentence is read on pages: the people's format


def _priority(value: Priority | None, _=gettext) -> str:
    if value is None:
        return _("none")
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}[value.value]


# The state at a past moment, read back from the entries.


def day_start(day: date) -> datetime:
    """The moment a day begins: 00:00 UTC. Every comparison of days with moments is made in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The moment a day ends: 24:00 UTC, which is the next day's 00:00; an entry written then is the next
    day's, so the state "at the end of a day" is the state just before this moment."""
    return day_start(day + timedelta(days=1))


def official_states(moment: datetime) -> sa.Subquery:
    """Every item's official status and progress just before `moment` (aware, UTC), read from its history.

    The official state changes only by an official entry (kind PROGRESS: a coordinator's update, a verified
    report, an import, or the source's first entry the seed writes); a step of an agency's report, an
    assignment or a planning entry leaves it as it was. So the state before the moment is the "after" of the
    item's last official entry written before it (the latest `created_at`, then the highest id); an item with
    none had, until then, the "before" of its first official entry; an item with no official entry at all
    has the state it has now, which nothing has changed.

    One statement for all items, whatever their number (two window functions over the official entries), on
    SQLite and PostgreSQL alike: columns `item_id`, `status`, `progress`. It does not say whether an item
    existed then: items created at or after the moment (`ActionItem.created_at`) are among the rows, and a
    caller that wants what existed adds `ActionItem.created_at < moment`.
    """
    official = Update.kind == UpdateKind.PROGRESS

    def ranked(before: bool) -> sa.Subquery:
        newest_first = (Update.created_at.desc(), Update.id.desc())
        oldest_first = (Update.created_at.asc(), Update.id.asc())
        rank = sa.func.row_number().over(partition_by=Update.item_id,
                                         order_by=newest_first if before else oldest_first)
        columns = ((Update.status_after, Update.progress_after) if before
                   else (Update.status_before, Update.progress_before))
        inner = (sa.select(Update.item_id, columns[0].label("status"), columns[1].label("progress"),
                           rank.label("rank"))
                 .where(official, Update.created_at < moment if before else Update.created_at >= moment)
                 .subquery())
        return sa.select(inner.c.item_id, inner.c.status, inner.c.progress).where(inner.c.rank == 1).subquery(
            "last_before" if before else "first_after")

    last, first = ranked(before=True), ranked(before=False)
    return (
        sa.select(
            ActionItem.id.label("item_id"),
            sa.func.coalesce(last.c.status, first.c.status, ActionItem.status, type_=ActionItem.status.type)
            .label("status"),
            sa.func.coalesce(last.c.progress, first.c.progress, ActionItem.progress).label("progress"),
        )
        .outerjoin(last, last.c.item_id == ActionItem.id)
        .outerjoin(first, first.c.item_id == ActionItem.id)
        .subquery()
    )
