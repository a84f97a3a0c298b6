"""Writing a checked plan file: all rows in one transaction, or none.

Rows are matched to items by `ref`, so importing the same file again changes nothing. Curated fields
(framework, pillar, section, title, text, province, source locator) are refreshed in place, as the
seed does; changes to status and progress, to agencies and to due date or priority of an existing
item are entries of its history, written by the history module, so the history stays append-only.
Nothing the file does not mention is touched or deleted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, TextIO

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record
from ..enums import AgencyKind, AssignmentRole, AuditEventKind, Basis, Status, UpdateKind
from ..errors import Invalid, Problem, Stale
from ..extensions import db
from ..items import history
from ..models import ActionItem, Agency, Framework, ItemAgency, Update, User, assign_changed, name_key
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

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.agencies_created or self.frameworks_created)

    @property
    def heading(self) -> str:
        """The file, and whether it was only checked: how the audit log names the import."""
        return f"{self.source_name} (check only, nothing written)" if self.dry_run else self.source_name

    def summary(self) -> str:
        text = (f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.history_entries} history entries")
        if self.frameworks_created:
            text += "; frameworks created: " + ", ".join(self.frameworks_created)
        if self.agencies_created:
            text += "; agencies created: " + ", ".join(self.agencies_created)
        return text


def import_plan(data: bytes | str | BinaryIO | TextIO, *, create_agencies: bool = False,
                create_frameworks: bool = False, user: User | None = None, source_name: str = "a CSV file",
                dry_run: bool = False) -> ImportReport:
    """Check every row, then write them all in one transaction (or, for a dry run, none).

    The audit log records the import with its counts, or its refusal with its problems.
    """
    report = ImportReport(source_name=source_name, dry_run=dry_run)
    try:
        rows, reader = read_plan(data, create_agencies=create_agencies, create_frameworks=create_frameworks)
        _import(rows, reader, user, report)
    except Invalid as exc:
        db.session.rollback()
        rows = len({problem.row for problem in exc.problems if problem.row is not None})
        record(AuditEventKind.IMPORT_REFUSED, subject=f"file:{source_name}",
               detail=f"{report.heading}: refused, {len(exc.problems)} problem(s) on {rows} row(s); "
                      f"the first: {exc.problems[0]}")
        db.session.commit()
        raise
    return report


def _import(rows: list[PlanRow], reader: PlanReader, user: User | None, report: ImportReport) -> None:
    try:
        entries = _write(rows, reader, user, report)
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
        raise Invalid([Problem("the items changed while the file was imported, so nothing was written: "
                               "import it again", field="file")]) from None
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise Invalid([Problem(f"the database refused the rows, so nothing was written: {exc.orig}",
                               field="file")]) from None
    except Exception:
        db.session.rollback()
        raise


def _write(rows: list[PlanRow], reader: PlanReader, user: User | None, report: ImportReport) -> list[Update]:
    catalogue = reader.catalogue
    for name in reader.new_frameworks.values():
        framework = _new_framework(name, catalogue)
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


def _new_framework(name: str, catalogue: CatalogueIndex) -> Framework:
    """A framework named in the file: its code derived from the name, unique."""
    base = re.sub(r"[^A-Z0-9]+", "", name.upper())[:14] or "PLAN"
    taken = {f.code for f in catalogue.frameworks.values()}
    code, suffix = base, 1
    while code in taken:
        suffix += 1
        code = f"{base}-{suffix}"
    last = db.session.scalar(db.select(sa.func.max(Framework.position)))
    framework = Framework(code=code, name=name, title=name, position=(last or 0) + 1,
                          description="Created by a plan import.")
    db.session.add(framework)
    catalogue.frameworks[name_key(code)] = framework
    return framework


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
