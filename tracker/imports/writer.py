"""Writing a checked plan file: all rows in one transaction, or none.

Rows are matched to items by `ref`, so importing the same file again changes nothing. Curated fields
(framework, pillar, section, title, text, province, source locator) are refreshed in place, as the
seed does; changes to status and progress, to agencies and to due date or priority of an existing
item are entries of its history, written by the history module, so the history stays append-only.
Nothing the file does not mention is touched or deleted.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, TextIO

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from .. import limits
from ..audit.services import record
from ..cycles.repeats import RepeatSuggestion, confirmed, suggest_repeats
from ..enums import AgencyKind, AssignmentRole, AuditEventKind, Basis, FrameworkKind, Status, UpdateKind
from ..errors import Invalid, Problem, Stale
from ..extensions import db
from ..i18n import DEFAULT
from ..items import history
from ..models import (
    ActionItem,
    Agency,
    Framework,
    ItemAgency,
    RecommendationRepeat,
    Update,
    User,
    assign_changed,
    name_key,
)
from .reader import CatalogueIndex, PlanReader, PlanRow, locator_from_source, read_plan


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    source_name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    history_entries: int = 0
    agencies_created: list[str] = field(default_factory=list)
    frameworks_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Earlier recommendations the file's look like, and those confirmed (recorded by this import).
    suggestions: list[RepeatSuggestion] = field(default_factory=list)
    repeats_confirmed: list[RepeatSuggestion] = field(default_factory=list)
    # Checked but not written: the importer is to confirm the suggested repeats first.
    held: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.agencies_created or self.frameworks_created
                    or self.repeats_confirmed)

    @property
    def open_suggestions(self) -> list[RepeatSuggestion]:
        """The suggested repeats no import has recorded yet: what the importer is asked to confirm."""
        return [suggestion for suggestion in self.suggestions if not suggestion.recorded]

    @property
    def heading(self) -> str:
        """The file, and whether it was only checked: how the audit log names the import."""
        if self.held:
            return f"{self.source_name} (checked, held until its suggested repeats are confirmed; nothing written)"
        return f"{self.source_name} (check only, nothing written)" if self.dry_run else self.source_name

    def summary(self) -> str:
        text = (f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.history_entries} history entries")
        if self.frameworks_created:
            text += "; frameworks created: " + ", ".join(self.frameworks_created)
        if self.agencies_created:
            text += "; agencies created: " + ", ".join(self.agencies_created)
        if self.suggestions:
            text += (f"; {len(self.repeats_confirmed)} repeat(s) of earlier recommendations confirmed, "
                     f"{len(self.open_suggestions) - len(self.repeats_confirmed)} suggested and not confirmed")
        return text


def import_plan(data: bytes | str | BinaryIO | TextIO, *, create_agencies: bool = False,
                create_frameworks: bool = False, user: User | None = None, source_name: str = "a CSV file",
                dry_run: bool = False, confirm_repeats: Collection[str] | bool = False,
                hold_for_repeats: bool = False) -> ImportReport:
    """Check every row, then write them all in one transaction (or, for a dry run, none).

    Imported recommendations are compared with earlier cycles' (`cycles.repeats`): `confirm_repeats` names the
    suggestions to record (by key), or all of them (True); with `hold_for_repeats`, a file with suggestions not yet
    recorded is only checked, for the importer to confirm them first. The audit log records the import with its
    counts, or its refusal with its problems.
    """
    # The file's name as the history and the log keep it: shortened visibly ("…") if it would not fit.
    report = ImportReport(source_name=limits.shortened(source_name, limits.SOURCE_NAME), dry_run=dry_run)
    try:
        rows, reader = read_plan(data, create_agencies=create_agencies, create_frameworks=create_frameworks)
        report.suggestions = suggest_repeats(rows, reader)
        if hold_for_repeats and report.open_suggestions and not dry_run:
            report.dry_run = report.held = True
        report.repeats_confirmed = confirmed(report.suggestions, confirm_repeats, {row.ref: row.row for row in rows})
        _import(rows, reader, user, report)
    except Invalid as exc:
        db.session.rollback()
        rows = len({problem.row for problem in exc.problems if problem.row is not None})
        with force_locale(DEFAULT):  # the audit log is kept in one language, whoever imported
            first = str(exc.problems[0])
        record(AuditEventKind.IMPORT_REFUSED, subject=f"file:{report.source_name}",
               detail=f"{report.heading}: refused, {len(exc.problems)} problem(s) on {rows} row(s); "
                      f"the first: {first}")
        db.session.commit()
        raise
    return report


def _import(rows: list[PlanRow], reader: PlanReader, user: User | None, report: ImportReport) -> None:
    try:
        entries = _write(rows, reader, user, report)
        _record_repeats(reader.catalogue, report, user)
        if report.dry_run:
            db.session.flush()
            db.session.rollback()
        record(AuditEventKind.IMPORT, subject=f"file:{report.source_name}",
               detail=f"{report.heading}: {len(rows)} row(s): {report.summary()}")
        if report.dry_run:
            db.session.commit()
        else:
            history.save(entries)
    except (Stale, StaleDataError):
        db.session.rollback()
        raise Invalid([Problem(_l("the items changed while the file was imported, so nothing was written: "
                                  "import it again"), field="file")]) from None
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise Invalid([Problem(_l("the database refused the rows, so nothing was written: %(error)s", error=exc.orig),
                               field="file")]) from None
    except Exception:
        db.session.rollback()
        raise


def _write(rows: list[PlanRow], reader: PlanReader, user: User | None, report: ImportReport) -> list[Update]:
    catalogue = reader.catalogue
    for key, name in reader.new_frameworks.items():
        framework = _new_framework(name, catalogue, reader.new_recommendations.get(key))
        catalogue.frameworks[name_key(name)] = framework
        report.frameworks_created.append(framework.name)
    for name in reader.new_agencies.values():
        agency = Agency(name=name, kind=AgencyKind.OTHER, note=f"Created by the import of {report.source_name}.")
        db.session.add(agency)
        catalogue.agencies.add(agency)
        report.agencies_created.append(name)
    position = db.session.scalar(db.select(sa.func.max(ActionItem.position))) or 0
    now = datetime.now(UTC)
    prefix = f"Imported from {report.source_name}: "
    entries: list[Update] = []
    for row in rows:
        item = catalogue.items.get(row.ref)
        framework = catalogue.framework(row.framework)
        curated = {
            "framework": framework,
            "pillar": catalogue.pillars[row.pillar],
            "section": row.section,
            "title": row.title,
            "text": row.text,
            "locator": locator_from_source(row.source, framework),
            "province": catalogue.province(row.province) if row.province else None,
        }
        # A file without the column leaves that field as it is.
        curated.update({column: getattr(row, column) for column in reader.optional_columns})
        lead = catalogue.agencies.matches(row.lead)[0]
        supporting = [catalogue.agencies.matches(name)[0] for name in row.supporting]
        if item is None:
            position += 1
            item = _new_item(row, curated, position, lead, supporting, user)
            catalogue.items[row.ref] = item
            report.created += 1
            if row.status != Status.NOT_STARTED or row.progress != 0:
                entries.append(history.record(item, user, UpdateKind.PROGRESS, f"Imported from {report.source_name}",
                                              now, status=row.status, progress=row.progress,
                                              before=(Status.NOT_STARTED, 0)))
            continue
        pillar_changed = item.pillar is not curated["pillar"]
        changed = assign_changed(item, **curated)
        if pillar_changed:
            item.pillar_basis = Basis.ASSIGNED  # the importer's choice, no longer the source's heading
        progress = None
        if (item.status, item.progress) != (row.status, row.progress):
            progress = history.record(item, user, UpdateKind.PROGRESS, f"Imported from {report.source_name}", now,
                                      status=row.status, progress=row.progress)
        for entry in (
            history.set_agencies(item, lead, supporting, user, now, note_prefix=prefix),
            history.set_plan(item, user, now, due_date=row.due_date, priority=row.priority, note_prefix=prefix),
            progress,
        ):
            if entry is not None:
                entries.append(entry)
                changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    report.history_entries = len(entries)
    return entries


def _new_framework(name: str, catalogue: CatalogueIndex, cycles: set[int] | None) -> Framework:
    """A framework named in the file: its code derived from the name, unique. Its rows giving a response or a cycle
    (`cycles`, not None) make it a set of recommendations, of the year of its earliest cycle."""
    base = re.sub(r"[^A-Z0-9]+", "", name.upper())[:14] or "PLAN"
    taken = {f.code for f in catalogue.frameworks.values()}
    code, suffix = base, 1
    while code in taken:
        suffix += 1
        code = f"{base}-{suffix}"
    last = db.session.scalar(db.select(sa.func.max(Framework.position)))
    framework = Framework(code=code, name=name, title=name, position=(last or 0) + 1,
                          description="Created by a plan import.")
    if cycles is not None:
        framework.kind = FrameworkKind.RECOMMENDATIONS
        framework.year = min(cycles, default=None)
        framework.description = "Created by an import, as a set of recommendations."
    db.session.add(framework)
    catalogue.frameworks[name_key(code)] = framework
    return framework


def _record_repeats(catalogue: CatalogueIndex, report: ImportReport, user: User | None) -> None:
    """The confirmed repeats, between the items as written (the new ones flushed first, for their ids)."""
    if not report.repeats_confirmed:
        return
    db.session.flush()
    now = datetime.now(UTC)
    for suggestion in report.repeats_confirmed:
        db.session.add(RecommendationRepeat(
            item=catalogue.items[suggestion.recommendation.ref], earlier=catalogue.items[suggestion.earlier.ref],
            score=suggestion.score, confirmed_by=user, confirmed_at=now, source_name=report.source_name))


def _new_item(row: PlanRow, curated: dict, position: int, lead: Agency, supporting: list[Agency],
              user: User | None) -> ActionItem:
    item = ActionItem(ref=row.ref, position=position, pillar_basis=Basis.ASSIGNED, status=Status.NOT_STARTED,
                      progress=0, due_date=row.due_date, priority=row.priority, **curated)
    item.assignments.append(ItemAgency(agency=lead, role=AssignmentRole.LEAD, basis=Basis.ASSIGNED, assigned_by=user))
    for agency in dict.fromkeys(supporting):
        if agency is not lead:
            item.assignments.append(ItemAgency(agency=agency, role=AssignmentRole.SUPPORTING, basis=Basis.ASSIGNED,
                                               assigned_by=user))
    db.session.add(item)
    return item
