"""What changed between two dates: read from the items' append-only history and the reports' decisions, so
that it is exact for any past window.

Both dates are included and days run from 00:00 to 24:00 UTC: the plan is compared as it stood just before
the first day began (`day_start(start)`) and just as the last day ended (`day_end(end)`), and an event
counts when it happened at or after the one moment and before the other. An item's official status and
progress at each moment come from `items.history.official_states`; never from its columns of today, which
say only where it stands now.

What the history cannot answer is read as it is now, and the page says so: an item's pillar, framework,
province and due date, and its lead and supporting agencies (an assignment entry records the change as a
sentence, not as rows to replay). Filters narrow the items as on the list, the status and overdue filters by
the official state at the end of the window.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..audit.services import record
from ..auth.permissions import can_view_evidence
from ..contract import neutralise
from ..display import format_date
from ..enums import AuditEventKind, ReportStage, ReportStep, Status, UpdateKind, UpdateOrigin
from ..errors import Invalid
from ..extensions import db
from ..items.filters import ItemFilters
from ..items.history import day_end, day_start, official_states
from ..items.services import filter_clauses
from ..models import (
    ActionItem,
    Agency,
    Evidence,
    Framework,
    Indicator,
    IndicatorValue,
    ItemAgency,
    Pillar,
    Report,
    Update,
    User,
    as_utc,
)

# The sections of a comparison, in the order the page and the CSV give them; the keys are the CSV's codes.
SECTIONS = {
    "status_changed": _l("Official status or progress changed"),
    "completed": _l("Newly completed"),
    "overdue": _l("Newly overdue"),
    "assigned": _l("Agencies assigned"),
    "new_item": _l("New items"),
    "new_framework": _l("New frameworks"),
    "evidence_added": _l("Evidence added"),
    "values_verified": _l("Indicator values verified"),
    "report_returned": _l("Reports returned"),
}
# Filters that only items have: indicators' values and reports are narrowed by pillar and agency alone (as
# the dashboard's results are), and left out when one of these is set.
ITEM_ONLY_FILTERS = ("framework", "province", "status", "overdue", "q", "due_from", "due_to")
EARLIEST = datetime.min.replace(tzinfo=UTC)
CSV_COLUMNS = ("section", "ref", "title", "pillar", "agencies", "before", "after", "when", "who")


@dataclass(frozen=True)
class State:
    """An item's official status and progress at a moment."""

    status: Status
    progress: int

    def __str__(self) -> str:
        return f"{self.status.value} {self.progress}%"


@dataclass(frozen=True)
class Dated:
    """Words with a day in them: the day in ISO 8601 in the CSV (str), as people read it on the page (shown)."""

    before: str
    day: date
    after: str = ""

    def __str__(self) -> str:
        return f"{self.before}{self.day.isoformat()}{self.after}"

    def shown(self) -> str:
        return f"{self.before}{format_date(self.day)}{self.after}"


@dataclass(frozen=True)
class Change:
    """One row of a comparison: what changed (an item, an indicator's period, a framework), before and after,
    when and by whom. `agencies` are those it is counted for: an item's lead first, then its supporting
    bodies; a report's own agency."""

    section: str
    subject: str  # "item", "indicator" or "framework": what `key` names and the page links to
    key: str  # the item's ref, the indicator's code, the framework's code
    ref: str  # as shown: the item's ref, "CODE PERIOD" for an indicator's values, the framework's code
    title: str
    pillar: Pillar | None
    agencies: tuple[Agency, ...]
    before: State | Dated | str
    after: State | Dated | str
    when: datetime | None
    who: str = ""


@dataclass
class GroupRow:
    """A pillar's or an agency's count of changes, per section."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))

    @property
    def any(self) -> int:
        return sum(self.counts.values())


@dataclass
class Changes:
    start: date
    end: date
    filters: ItemFilters
    sections: dict[str, list[Change]]
    by_pillar: list[GroupRow]
    by_agency: list[GroupRow]

    @property
    def total(self) -> int:
        """Rows over all sections (an item newly completed is also among those whose status changed)."""
        return sum(len(rows) for rows in self.sections.values())

    def rows(self) -> list[Change]:
        """Every row, section by section: the CSV's order."""
        return [change for rows in self.sections.values() for change in rows]


def changes_between(start: date, end: date, filters: ItemFilters, user: User, today: date | None = None) -> Changes:
    """What changed from the start of `start` to the end of `end` (both included; days in UTC, each ending at
    24:00 UTC), for the items the filters select, as `user` may see it (confidential evidence only for those
    who may open it).

    - status_changed: items whose official status or progress differ between the two moments, before → after
      (an item changed twice shows the first "before" and the last "after"; one changed and changed back is
      the same at both moments and not listed), with when and by whom the last change in the window was made;
    - completed: those of them completed at the end and not at the start;
    - overdue: items due within the window, a due date now past, and neither completed nor superseded at the
      end;
    - assigned: each assignment entry (lead or supporting agencies changed) written in the window;
    - new_item, new_framework: taken in during the window (an import, the seed);
    - evidence_added: evidence given in the window on items, and with indicators' values (narrowed as the values
      are), confidential evidence only if `user` may see it;
    - values_verified: indicators' values reports verified in the window, and coordinators' own entries of
      values made in it (still counted: a later entry or report for the same period replaces them);
    - report_returned: reports (an item's or an indicator's) returned to their agency in the window.
    """
    if start > end:
        raise Invalid({"start": _("The start, %(start)s, is after the end, %(end)s: choose a start on or before "
                                  "the end.", start=format_date(start), end=format_date(end))})
    today = today or date.today()
    window = _Window(start, end, today, filters)
    status_changed, completed = _state_changes(window)
    sections = {
        "status_changed": status_changed,
        "completed": completed,
        "overdue": _newly_overdue(window),
        "assigned": _assignments(window),
        "new_item": _new_items(window),
        "new_framework": _new_frameworks(window),
        "evidence_added": [change for evidence, change in [*_evidence(window), *_value_evidence(window)]
                           if can_view_evidence(user, evidence)],
        "values_verified": [*_verified_values(window), *_coordinators_values(window)],
        "report_returned": _returned(window),
    }
    for key, rows in sections.items():
        sections[key] = sorted(rows, key=_order)
    pillars = list(db.session.scalars(sa.select(Pillar).order_by(Pillar.position)))
    return Changes(start, end, filters, sections, *_groups(sections, pillars))


class _Window:
    """The moments, the official states at both ends, and the clauses every section's items share."""

    def __init__(self, start: date, end: date, today: date, filters: ItemFilters):
        self.start, self.end, self.filters = start, end, filters
        self.since, self.until = day_start(start), day_end(end)
        # Overdue at the end of the window: due before the day after it, or before today if it has not ended.
        self.cutoff = min(end + timedelta(days=1), today)
        self.before, self.after = official_states(self.since), official_states(self.until)
        self.clauses = [*filter_clauses(filters, self.cutoff, status=self.after.c.status),
                        ActionItem.created_at < self.until]

    def during(self, column) -> sa.ColumnElement[bool]:
        return sa.and_(column >= self.since, column < self.until)

    def items(self, query: sa.Select) -> sa.Select:
        """The query narrowed to the filtered items that existed at the end, with their state then joined."""
        return query.join(self.after, self.after.c.item_id == ActionItem.id).where(*self.clauses)

    def indicator_clauses(self, agency_column) -> list | None:
        """The pillar and agency filters for an indicator's values or report; None when a filter only items
        have is set (the rows are then left out)."""
        given = self.filters.to_args()
        if any(name in given for name in ITEM_ONLY_FILTERS):
            return None
        clauses = []
        if self.filters.pillar:
            clauses.append(Indicator.pillar.has(Pillar.code == self.filters.pillar))
        if self.filters.agency is not None:
            clauses.append(agency_column == self.filters.agency)
        return clauses


# What a row shows of an item, loaded with it.
ITEM_ROW = (joinedload(ActionItem.pillar), selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))


def _agencies(item: ActionItem) -> tuple[Agency, ...]:
    lead = (item.lead.agency,) if item.lead else ()
    return lead + tuple(a.agency for a in item.supporting)


def _item_change(section: str, item: ActionItem, before: State | Dated | str, after: State | Dated | str,
                 when: datetime | None,
                 who: str = "", agencies: tuple[Agency, ...] | None = None) -> Change:
    return Change(section, "item", item.ref, item.ref, item.title, item.pillar,
                  _agencies(item) if agencies is None else agencies, before, after, when, who)


def _who(entry: Update | None) -> str:
    """Who wrote a history entry: its author (the coordinator who verified an agency's report, with the
    agency), or the source document the seed took it from."""
    if entry is None:
        return ""
    if entry.author is not None:
        if entry.step == ReportStep.VERIFIED and entry.agency is not None:
            return _("%(name)s (verifying %(agency)s)", name=entry.author.display_name, agency=entry.agency.label)
        return entry.author.display_name
    if entry.origin == UpdateOrigin.SOURCE:
        return _("source: %(document)s", document=entry.source_document) if entry.source_document else _("source")
    return ""


def _state_changes(window: _Window) -> tuple[list[Change], list[Change]]:
    """Items whose official state differs between the two moments, and those newly completed among them."""
    before, after = window.before, window.after
    ranked = (
        sa.select(Update.item_id, Update.id,
                  sa.func.row_number().over(partition_by=Update.item_id,
                                            order_by=(Update.created_at.desc(), Update.id.desc())).label("rank"))
        .where(Update.kind == UpdateKind.PROGRESS, window.during(Update.created_at))
        .subquery()
    )
    last = sa.select(ranked.c.item_id, ranked.c.id).where(ranked.c.rank == 1).subquery("last_in_window")
    query = window.items(
        sa.select(ActionItem, before.c.status, before.c.progress, after.c.status, after.c.progress, Update)
        .select_from(ActionItem)
        .join(before, before.c.item_id == ActionItem.id)
    ).outerjoin(last, last.c.item_id == ActionItem.id).outerjoin(Update, Update.id == last.c.id).where(
        sa.or_(before.c.status != after.c.status, before.c.progress != after.c.progress)
    ).options(*ITEM_ROW, joinedload(Update.author), joinedload(Update.agency))
    changed, completed = [], []
    for item, status_0, progress_0, status_1, progress_1, entry in db.session.execute(query).unique():
        was, now = State(status_0, progress_0), State(status_1, progress_1)
        when = as_utc(entry.created_at) if entry is not None else None
        changed.append(_item_change("status_changed", item, was, now, when, _who(entry)))
        if now.status == Status.COMPLETED and was.status != Status.COMPLETED:
            completed.append(_item_change("completed", item, was, now, when, _who(entry)))
    return changed, completed


def _newly_overdue(window: _Window) -> list[Change]:
    after = window.after
    query = window.items(
        sa.select(ActionItem, after.c.status, after.c.progress).select_from(ActionItem)
    ).where(ActionItem.due_date >= window.start, ActionItem.due_date <= window.end,
            ActionItem.overdue_with(after.c.status, window.cutoff)).options(*ITEM_ROW)
    return [
        _item_change("overdue", item, Dated("due ", item.due_date), State(status, progress),
                     day_end(item.due_date))
        for item, status, progress in db.session.execute(query).unique()
    ]


def _assignments(window: _Window) -> list[Change]:
    query = window.items(
        sa.select(Update).join(ActionItem, ActionItem.id == Update.item_id)
    ).where(Update.kind == UpdateKind.ASSIGNMENT, window.during(Update.created_at)).options(
        contains_eager(Update.item).joinedload(ActionItem.pillar),
        contains_eager(Update.item).selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
        joinedload(Update.author),
    )
    return [_item_change("assigned", entry.item, "", entry.note, as_utc(entry.created_at), _who(entry))
            for entry in db.session.scalars(query).unique()]


def _new_items(window: _Window) -> list[Change]:
    after = window.after
    query = window.items(
        sa.select(ActionItem, after.c.status, after.c.progress).select_from(ActionItem)
    ).where(window.during(ActionItem.created_at)).options(*ITEM_ROW)
    return [_item_change("new_item", item, "", State(status, progress), as_utc(item.created_at))
            for item, status, progress in db.session.execute(query).unique()]


def _new_frameworks(window: _Window) -> list[Change]:
    """Frameworks taken in during the window; with filters, those holding an item they select."""
    query = sa.select(Framework).where(window.during(Framework.created_at))
    if window.filters.active:
        query = query.where(Framework.id.in_(window.items(sa.select(ActionItem.framework_id))))
    return [Change("new_framework", "framework", framework.code, framework.code, framework.name, None, (), "",
                   framework.title, as_utc(framework.created_at))
            for framework in db.session.scalars(query)]


def _evidence_text(evidence: Evidence) -> Dated | str:
    """Evidence in a few words: the file, the link, the figure (and its day), the note."""
    parts, after = [], []
    if evidence.stored_name:
        parts.append(evidence.original_name or _("a file"))
    if evidence.url:
        parts.append(evidence.url)
    if evidence.value is not None:
        parts.append(f"{evidence.value:g} {evidence.unit}".strip())
    if evidence.note:
        after.append(evidence.note if len(evidence.note) <= 120 else evidence.note[:119] + "…")
    confidential = " " + _("(confidential)") if evidence.confidential else ""
    if evidence.value is not None and evidence.as_of:
        return Dated("; ".join(parts) + ", as of ", evidence.as_of, "".join(f"; {a}" for a in after) + confidential)
    return "; ".join(parts + after) + confidential


def _evidence(window: _Window) -> list[tuple[Evidence, Change]]:
    """Evidence given on the filtered items in the window, each with its row (the caller keeps what the user
    may see)."""
    query = window.items(
        sa.select(Evidence).join(ActionItem, ActionItem.id == Evidence.item_id)
    ).where(window.during(Evidence.created_at)).options(
        contains_eager(Evidence.item).joinedload(ActionItem.pillar),
        contains_eager(Evidence.item).selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
        joinedload(Evidence.uploaded_by),
    )
    return [(evidence, _item_change("evidence_added", evidence.item, "", _evidence_text(evidence),
                                    as_utc(evidence.created_at), _giver(evidence)))
            for evidence in db.session.scalars(query).unique()]


def _value_evidence(window: _Window) -> list[tuple[Evidence, Change]]:
    """Evidence given with indicators' values in the window, each with its row: narrowed by the pillar and the
    reporting agency as the values are (the caller keeps what the user may see)."""
    clauses = window.indicator_clauses(Indicator.agency_id)
    if clauses is None:
        return []
    query = (
        sa.select(Evidence).join(Indicator, Indicator.id == Evidence.indicator_id)
        .where(window.during(Evidence.created_at), *clauses)
        .options(contains_eager(Evidence.indicator).joinedload(Indicator.pillar),
                 contains_eager(Evidence.indicator).joinedload(Indicator.agency), joinedload(Evidence.uploaded_by))
    )
    return [(evidence, _indicator_change("evidence_added", evidence.indicator, evidence.period,
                                         evidence.indicator.agency, "", _evidence_text(evidence),
                                         as_utc(evidence.created_at), _giver(evidence)))
            for evidence in db.session.scalars(query).unique()]


def _giver(evidence: Evidence) -> str:
    """Who gave evidence: its uploader, or the source document the seed took it from."""
    if evidence.uploaded_by is not None:
        return evidence.uploaded_by.display_name
    if evidence.origin == UpdateOrigin.SOURCE:
        return _("source: %(document)s", document=evidence.source_document)
    return ""


def _values(count: int) -> str:
    return ngettext("%(num)d value", "%(num)d values", count)


def _indicator_change(section: str, indicator: Indicator, period: str, agency: Agency | None, before: str,
                      after: str, when: datetime | None, who: str) -> Change:
    return Change(section, "indicator", indicator.code, f"{indicator.code} {period}", indicator.name,
                  indicator.pillar, (agency,) if agency else (), before, after, when, who)


def _verified_values(window: _Window) -> list[Change]:
    clauses = window.indicator_clauses(Report.agency_id)
    if clauses is None:
        return []
    query = (
        sa.select(Report).join(Indicator, Indicator.id == Report.indicator_id)
        .where(Report.stage == ReportStage.VERIFIED, window.during(Report.decided_at), *clauses)
        .options(contains_eager(Report.indicator).joinedload(Indicator.pillar), joinedload(Report.agency),
                 joinedload(Report.decided_by), selectinload(Report.values))
    )
    return [
        _indicator_change("values_verified", report.indicator, report.period, report.agency, "",
                          ngettext("%(num)d value verified", "%(num)d values verified", len(report.values)),
                          as_utc(report.decided_at), report.decided_by.display_name if report.decided_by else "")
        for report in db.session.scalars(query).unique()
    ]


def _coordinators_values(window: _Window) -> list[Change]:
    """A coordinator's own entry of a period's values counts at once, with no report: dated by its values."""
    clauses = window.indicator_clauses(Indicator.agency_id)
    if clauses is None:
        return []
    entries = db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.period, sa.func.count(),
                  sa.func.max(IndicatorValue.created_at))
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(IndicatorValue.report_id.is_(None), IndicatorValue.origin == UpdateOrigin.USER,
               window.during(IndicatorValue.created_at), *clauses)
        .group_by(IndicatorValue.indicator_id, IndicatorValue.period)
    ).all()
    if not entries:
        return []
    indicators = {indicator.id: indicator for indicator in db.session.scalars(
        sa.select(Indicator).where(Indicator.id.in_({row[0] for row in entries}))
        .options(joinedload(Indicator.pillar), joinedload(Indicator.agency)))}
    return [
        _indicator_change("values_verified", indicators[indicator_id], period, indicators[indicator_id].agency, "",
                          ngettext("%(num)d value entered by a coordinator", "%(num)d values entered by a coordinator",
                                   count), as_utc(when), _("a coordinator"))
        for indicator_id, period, count, when in entries
    ]


def _returned(window: _Window) -> list[Change]:
    """Reports returned to their agency in the window: an item's (the item filtered), an indicator's."""
    decided = (Report.stage == ReportStage.RETURNED, window.during(Report.decided_at))
    report_row = (joinedload(Report.agency), joinedload(Report.decided_by))
    items = window.items(sa.select(Report).join(ActionItem, ActionItem.id == Report.item_id)).where(*decided).options(
        contains_eager(Report.item).joinedload(ActionItem.pillar),
        contains_eager(Report.item).selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
        *report_row,
    )
    rows = [
        _item_change("report_returned", report.item, State(report.status, report.progress),
                     _returned_text(report), as_utc(report.decided_at), _decider(report), agencies=(report.agency,))
        for report in db.session.scalars(items).unique()
    ]
    clauses = window.indicator_clauses(Report.agency_id)
    if clauses is not None:
        values = (
            sa.select(Report).join(Indicator, Indicator.id == Report.indicator_id).where(*decided, *clauses)
            .options(contains_eager(Report.indicator).joinedload(Indicator.pillar), selectinload(Report.values),
                     *report_row)
        )
        rows += [
            _indicator_change("report_returned", report.indicator, report.period, report.agency,
                              _values(len(report.values)), _returned_text(report), as_utc(report.decided_at),
                              _decider(report))
            for report in db.session.scalars(values).unique()
        ]
    return rows


def _returned_text(report: Report) -> str:
    return _("returned: “%(comment)s”", comment=report.comment) if report.comment else _("returned")


def _decider(report: Report) -> str:
    return report.decided_by.display_name if report.decided_by else ""


def _order(change: Change):
    """Within a section: by pillar, then ref, then time."""
    position = change.pillar.position if change.pillar is not None else 1_000_000
    return position, change.ref, change.when or EARLIEST


def _groups(sections: dict[str, list[Change]], pillars: list[Pillar]) -> tuple[list[GroupRow], list[GroupRow]]:
    """The counts per pillar (every pillar, then the plan-wide frameworks if any) and per agency (an item's
    change counts for each agency responsible for it, lead and supporting; a report's for its agency),
    the busiest agency first."""
    by_pillar = {pillar.id: GroupRow(pillar.code, pillar.name) for pillar in pillars}
    plan_wide = GroupRow("", "Plan-wide (frameworks)")
    by_agency: dict[int, GroupRow] = {}
    for key, rows in sections.items():
        for change in rows:
            (by_pillar[change.pillar.id] if change.pillar is not None else plan_wide).counts[key] += 1
            for agency in change.agencies:
                row = by_agency.setdefault(agency.id, GroupRow(str(agency.id), agency.name))
                row.counts[key] += 1
    pillar_rows = [*by_pillar.values(), *([plan_wide] if plan_wide.any else [])]
    agency_rows = sorted(by_agency.values(), key=lambda row: (-row.any, row.label))
    return pillar_rows, agency_rows


def change_row(change: Change) -> dict[str, str]:
    """One change as the CSV's columns: codes for the section and the pillar, agencies by name separated by
    "; ", the moment in ISO 8601 with its UTC offset."""
    return {
        "section": change.section,
        "ref": change.ref,
        "title": change.title,
        "pillar": change.pillar.code if change.pillar is not None else "",
        "agencies": "; ".join(agency.name for agency in change.agencies),
        "before": str(change.before),
        "after": str(change.after),
        "when": change.when.isoformat(timespec="seconds") if change.when else "",
        "who": change.who,
    }


def write_csv(rows: Iterable[Change], stream) -> int:
    """Write the changes as CSV rows, their text cells made inert; return how many."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for change in rows:
        writer.writerow({key: neutralise(value) for key, value in change_row(change).items()})
        count += 1
    return count


def changes_csv(changes: Changes, description: str) -> bytes:
    """The comparison as CSV (UTF-8), one row per change, recorded in the audit log as every export is."""
    buffer = io.StringIO()
    count = write_csv(changes.rows(), buffer)
    record(AuditEventKind.EXPORT, subject="export:changes-csv", detail=f"{description}; {count} changes")
    db.session.commit()
    return buffer.getvalue().encode("utf-8")
