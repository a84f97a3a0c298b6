"""Import a plan from a CSV file in the export's columns: every row is checked, then all or nothing is written.

Rows are matched to items by `ref`, so importing the same file again changes nothing. Curated fields
(framework, pillar, section, title, text, province, source locator) are refreshed in place, like the
seed does; changes to status and progress, to agencies and to due date or priority of an existing
item are written as entries of its history, so the history stays append-only. Nothing the file does
not mention is touched or deleted.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import BinaryIO, TextIO

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..contract import AGENCY_SEPARATOR, CSV_COLUMNS, restore_cell
from ..extensions import db
from ..enums import AgencyKind, AssignmentRole, Basis, Priority, Status, UpdateKind, UpdateOrigin
from ..models import (
    ActionItem,
    Agency,
    AgencyAlias,
    Framework,
    ItemAgency,
    Pillar,
    Province,
    Update,
    User,
    name_key,
)
from ..seeding.loader import assign_changed
from ..seeding.validate import REF_PATTERN

# Lengths of the columns the cells are stored in (models.py), checked so every database refuses nothing.
MAX_LENGTHS = {"ref": 40, "section": 300, "title": 300, "locator": 300, "framework": 80, "agency": 200}


@dataclass(frozen=True)
class ImportProblem:
    """One problem of the file: its spreadsheet row (the header is row 1) and column, when it has them."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"file: {self.message}"
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


class PlanImportError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class PlanRow:
    """One row of the file, its cells read and checked (names still as the file writes them)."""

    row: int
    ref: str
    framework: str
    pillar: str
    section: str
    title: str
    text: str
    lead: str
    supporting: list[str]
    province: str
    status: Status
    progress: int
    due_date: date | None
    priority: Priority | None
    source: str


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

    def summary(self) -> str:
        text = (f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.history_entries} history entries")
        if self.frameworks_created:
            text += "; frameworks created: " + ", ".join(self.frameworks_created)
        if self.agencies_created:
            text += "; agencies created: " + ", ".join(self.agencies_created)
        return text


class AgencyIndex:
    """Agencies by name, short name or alias, matched as `find_agency` does, without a query per name."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[Agency]] = defaultdict(list)
        self.by_short_name: dict[str, list[Agency]] = defaultdict(list)
        self.by_alias: dict[str, Agency] = {}
        agencies = db.session.scalars(db.select(Agency))
        for agency in agencies:
            self.add(agency)
        for alias in db.session.scalars(db.select(AgencyAlias).options(selectinload(AgencyAlias.agency))):
            self.by_alias[alias.key] = alias.agency

    def add(self, agency: Agency) -> None:
        self.by_name[name_key(agency.name)].append(agency)
        if agency.short_name:
            self.by_short_name[name_key(agency.short_name)].append(agency)

    def matches(self, name: str) -> list[Agency]:
        """The one agency a name means, or every agency it could mean (none, or several)."""
        key = name_key(name)
        for table in (self.by_name, self.by_short_name):
            found = table.get(key, [])
            if len(found) == 1:
                return found
        if key in self.by_alias:
            return [self.by_alias[key]]
        return self.by_name.get(key, []) + self.by_short_name.get(key, [])


class _Catalogue:
    """What rows are matched against, read once (a fixed number of queries whatever the file's size)."""

    def __init__(self) -> None:
        self.pillars = {p.code: p for p in db.session.scalars(db.select(Pillar).order_by(Pillar.position))}
        self.provinces: dict[str, Province] = {}
        for province in db.session.scalars(db.select(Province)):
            self.provinces[name_key(province.code)] = province
            self.provinces[name_key(province.name)] = province
        self.frameworks: dict[str, Framework] = {}
        frameworks = list(db.session.scalars(db.select(Framework)))
        for framework in frameworks:  # codes first: a name wins over another framework's code
            self.frameworks[name_key(framework.code)] = framework
        for framework in frameworks:
            self.frameworks[name_key(framework.name)] = framework
        self.agencies = AgencyIndex()
        self.items = {
            item.ref: item
            for item in db.session.scalars(
                db.select(ActionItem).options(selectinload(ActionItem.assignments).selectinload(ItemAgency.agency))
            )
        }

    def framework(self, name: str) -> Framework | None:
        return self.frameworks.get(name_key(name))

    def province(self, name: str) -> Province | None:
        return self.provinces.get(name_key(name))


def decode_plan(data: bytes | str | BinaryIO | TextIO) -> str:
    """The file's text: UTF-8, with or without a byte-order mark; anything else is refused."""
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanImportError([ImportProblem(
                None, None,
                f"is not UTF-8 text (byte {exc.start + 1} cannot be read): save it as “CSV UTF-8” and try again",
            )]) from None
    if "\x00" in data:
        raise PlanImportError([ImportProblem(None, None, "is not a CSV text file (it holds NUL bytes)")])
    return data.removeprefix("\ufeff")


class PlanReader:
    """Reads rows against the catalogue, collecting every problem instead of stopping at the first."""

    def __init__(self, catalogue: _Catalogue, create_agencies: bool, create_frameworks: bool):
        self.catalogue = catalogue
        self.create_agencies = create_agencies
        self.create_frameworks = create_frameworks
        self.problems: list[ImportProblem] = []
        # Names that match nothing yet, by name key: created before the rows are written.
        self.new_agencies: dict[str, str] = {}
        self.new_frameworks: dict[str, str] = {}

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(row, column, message))

    def read(self, text: str) -> list[PlanRow]:
        records = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(records, None)
            if header is None or not any(cell.strip() for cell in header):
                self.problem(1, None, "the header row is missing: the first row must name the columns "
                             + ", ".join(CSV_COLUMNS))
                return []
            columns = [cell.strip().lower() for cell in header]
            if not self._check_header(columns):
                return []
            rows: list[PlanRow] = []
            refs: dict[str, int] = {}
            for number, cells in enumerate(records, start=2):
                if not any(cell.strip() for cell in cells):
                    continue  # an empty line or a spreadsheet's empty row
                if len(cells) != len(columns):
                    self.problem(number, None, f"has {len(cells)} cells where the header has {len(columns)}")
                    continue
                row = self._read_row(number, dict(zip(columns, (restore_cell(c) for c in cells), strict=True)))
                if row.ref:
                    if row.ref in refs:
                        self.problem(number, "ref", f"{row.ref} is also on row {refs[row.ref]}")
                    refs.setdefault(row.ref, number)
                rows.append(row)
        except csv.Error as exc:
            self.problem(records.line_num or None, None, f"cannot be read as CSV: {exc}")
            return []
        if not rows and not self.problems:
            self.problem(None, None, "holds no rows below the header")
        return rows

    def _check_header(self, columns: list[str]) -> bool:
        missing = [c for c in CSV_COLUMNS if c not in columns]
        unknown = [c for c in dict.fromkeys(columns) if c not in CSV_COLUMNS]
        repeated = [c for c in dict.fromkeys(columns) if columns.count(c) > 1]
        if missing:
            self.problem(1, None, "missing columns: " + ", ".join(missing))
        if unknown:
            self.problem(1, None, "unknown columns: " + ", ".join(c or "(empty)" for c in unknown))
        if repeated:
            self.problem(1, None, "columns named twice: " + ", ".join(repeated))
        return not (missing or unknown or repeated)

    def _text(self, number: int, cells: dict, column: str, required: bool = False, limit: str | None = None) -> str:
        value = cells[column]
        if required and not value:
            self.problem(number, column, "is required")
        maximum = MAX_LENGTHS.get(limit or column)
        if maximum and len(value) > maximum:
            self.problem(number, column, f"is {len(value)} characters long; at most {maximum} fit")
        return value

    def _read_row(self, number: int, cells: dict[str, str]) -> PlanRow:
        ref = self._text(number, cells, "ref", required=True)
        if ref and not REF_PATTERN.match(ref):
            self.problem(number, "ref", f"{ref!r} may hold only letters, digits and hyphens (at most 40)")
        framework = self._framework(number, cells["framework"])
        pillar = cells["pillar"].lower()
        if not pillar:
            self.problem(number, "pillar", "is required")
        elif pillar not in self.catalogue.pillars:
            allowed = ", ".join(self.catalogue.pillars) or "none (load the catalogue with `flask seed` first)"
            self.problem(number, "pillar", f"{cells['pillar']!r} is not one of: {allowed}")
        province = cells["province"]
        if province and self.catalogue.province(province) is None:
            allowed = ", ".join(sorted({p.name for p in self.catalogue.provinces.values()}))
            self.problem(number, "province", f"unknown province {province!r} (a name or code of: {allowed})")
        lead = self._text(number, cells, "lead_agency", required=True, limit="agency")
        if AGENCY_SEPARATOR in lead:
            self.problem(number, "lead_agency", "names more than one agency: put the others in supporting_agencies")
        elif lead:
            self._agency(number, "lead_agency", lead)
        supporting = []
        for name in cells["supporting_agencies"].split(AGENCY_SEPARATOR):
            name = name.strip()
            if name and self._agency(number, "supporting_agencies", name) and name not in supporting:
                supporting.append(name)
        status = self._status(number, cells["status"])
        progress = self._progress(number, cells["progress"], status)
        due_date = self._date(number, "due_date", cells["due_date"])
        self._date(number, "last_update", cells["last_update"])  # derived from the history: checked, not read
        priority = None
        if cells["priority"]:
            try:
                priority = Priority(cells["priority"].lower())
            except ValueError:
                self.problem(number, "priority", f"{cells['priority']!r} is not one of: "
                             + ", ".join(p.value for p in Priority) + " (or empty)")
        source = cells["source"]
        locator = locator_from_source(source, framework) if framework is not None else source
        if len(locator) > MAX_LENGTHS["locator"]:
            self.problem(number, "source", f"is longer than the {MAX_LENGTHS['locator']} characters that fit")
        return PlanRow(
            row=number, ref=ref, framework=cells["framework"], pillar=pillar,
            section=self._text(number, cells, "section"), title=self._text(number, cells, "title", required=True),
            text=self._text(number, cells, "text", required=True), lead=lead, supporting=supporting,
            province=province, status=status, progress=progress, due_date=due_date, priority=priority,
            source=source,
        )

    def _framework(self, number: int, name: str) -> Framework | None:
        if not name:
            self.problem(number, "framework", "is required")
            return None
        framework = self.catalogue.framework(name)
        if framework is not None:
            return framework
        if len(name) > MAX_LENGTHS["framework"]:
            self.problem(number, "framework", f"is {len(name)} characters long; at most 80 fit")
        elif self.create_frameworks:
            self.new_frameworks.setdefault(name_key(name), " ".join(name.split()))
        else:
            self.problem(number, "framework", f"unknown framework {name!r} (a framework's name or code; "
                         "allow creating unknown frameworks to add it)")
        return None

    def _agency(self, number: int, column: str, name: str) -> bool:
        if len(name) > MAX_LENGTHS["agency"]:
            self.problem(number, column, f"agency name {name[:40]!r}… is longer than 200 characters")
            return False
        found = self.catalogue.agencies.matches(name)
        if len(found) == 1:
            return True
        if len(found) > 1:
            names = ", ".join(sorted(a.name for a in found))
            self.problem(number, column, f"{name!r} could be any of: {names}; use the full name")
            return False
        if self.create_agencies:
            self.new_agencies.setdefault(name_key(name), " ".join(name.split()))
            return True
        self.problem(number, column, f"unknown agency {name!r} (allow creating unknown agencies to add it)")
        return False

    def _status(self, number: int, value: str) -> Status:
        if not value:
            return Status.NOT_STARTED
        try:
            return Status(value.lower())
        except ValueError:
            self.problem(number, "status", f"{value!r} is not one of: " + ", ".join(s.value for s in Status))
            return Status.NOT_STARTED

    def _progress(self, number: int, value: str, status: Status) -> int:
        if not value:
            return 100 if status == Status.COMPLETED else 0
        if not re.fullmatch(r"\d{1,3}", value) or int(value) > 100:
            self.problem(number, "progress", f"{value!r} must be a whole number from 0 to 100")
            return 0
        progress = int(value)
        if status == Status.COMPLETED and progress != 100:
            self.problem(number, "progress", f"a completed item is 100% done, not {progress}%")
        if status == Status.NOT_STARTED and progress != 0:
            self.problem(number, "progress", f"an item that has not started has 0% progress, not {progress}%")
        return progress

    def _date(self, number: int, column: str, value: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            self.problem(number, column, f"{value!r} is not a date (YYYY-MM-DD)")
            return None


def locator_from_source(source: str, framework: Framework) -> str:
    """The item's locator from the export's `source` cell, which prefixes the framework's document."""
    document = framework.source_document
    if document and source == document:
        return ""
    if document and source.startswith(f"{document}: "):
        return source[len(document) + 2:]
    return source


def read_plan(data: bytes | str | BinaryIO | TextIO, *, create_agencies: bool = False,
              create_frameworks: bool = False) -> tuple[list[PlanRow], PlanReader]:
    """Read and check every row against the database without writing; raise PlanImportError listing all problems."""
    text = decode_plan(data)
    reader = PlanReader(_Catalogue(), create_agencies, create_frameworks)
    rows = reader.read(text)
    if reader.problems:
        raise PlanImportError(reader.problems)
    return rows, reader


def import_plan(data: bytes | str | BinaryIO | TextIO, *, create_agencies: bool = False,
                create_frameworks: bool = False, user: User | None = None, source_name: str = "a CSV file",
                dry_run: bool = False) -> ImportReport:
    """Check every row, then write them all in one transaction (or, for a dry run, none)."""
    rows, reader = read_plan(data, create_agencies=create_agencies, create_frameworks=create_frameworks)
    report = ImportReport(source_name=source_name, dry_run=dry_run)
    try:
        _write(rows, reader, user, report)
        db.session.flush()
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise PlanImportError([ImportProblem(
            None, None, "the items changed while the file was imported, so nothing was written: import it again",
        )]) from None
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise PlanImportError([ImportProblem(
            None, None, f"the database refused the rows, so nothing was written: {exc.orig}",
        )]) from None
    except Exception:
        db.session.rollback()
        raise
    return report


def _write(rows: list[PlanRow], reader: PlanReader, user: User | None, report: ImportReport) -> None:
    catalogue = reader.catalogue
    for name in reader.new_frameworks.values():
        framework = _new_framework(name, catalogue)
        catalogue.frameworks[name_key(name)] = framework
        report.frameworks_created.append(framework.name)
    for name in reader.new_agencies.values():
        agency = Agency(name=name, kind=AgencyKind.OTHER,
                        note=f"Created by the import of {report.source_name}.")
        db.session.add(agency)
        catalogue.agencies.add(agency)
        report.agencies_created.append(name)
    position = db.session.scalar(db.select(sa.func.max(ActionItem.position))) or 0
    now = datetime.now(timezone.utc)
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
        supporting = [a for a in dict.fromkeys(supporting) if a is not lead]
        if item is None:
            position += 1
            item = _new_item(row, curated, position, lead, supporting, user)
            catalogue.items[row.ref] = item
            report.created += 1
            if row.status != Status.NOT_STARTED or row.progress != 0:
                entries.append(_record_progress(item, row, user, report.source_name, now,
                                                before=(Status.NOT_STARTED, 0)))
            continue
        pillar_changed = item.pillar is not curated["pillar"]
        changed = assign_changed(item, **curated)
        if pillar_changed:
            item.pillar_basis = Basis.ASSIGNED  # the importer's choice, no longer the source's heading
        for entry in (
            _sync_agencies(item, lead, supporting, user, report.source_name, now),
            _sync_plan(item, row, user, report.source_name, now),
            _sync_progress(item, row, user, report.source_name, now),
        ):
            if entry is not None:
                entries.append(entry)
                changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()  # versions are bumped here: each entry records the version it produced
    for entry in entries:
        entry.item_version = entry.item.version
    report.history_entries = len(entries)


def _new_framework(name: str, catalogue: _Catalogue) -> Framework:
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
    for agency in supporting:
        item.assignments.append(ItemAgency(agency=agency, role=AssignmentRole.SUPPORTING, basis=Basis.ASSIGNED,
                                           assigned_by=user))
    db.session.add(item)
    return item


def _entry(item: ActionItem, user: User | None, kind: UpdateKind, note: str, now: datetime) -> Update:
    """A history entry of the import; status and progress as they are unless the caller changes them."""
    item.last_update_at = now
    update = Update(item=item, author=user, origin=UpdateOrigin.USER, kind=kind, created_at=now,
                    status_before=item.status, status_after=item.status, progress_before=item.progress,
                    progress_after=item.progress, note=note)
    db.session.add(update)
    return update


def _record_progress(item: ActionItem, row: PlanRow, user: User | None, source_name: str, now: datetime,
                     before: tuple[Status, int] | None = None) -> Update:
    update = _entry(item, user, UpdateKind.PROGRESS, f"Imported from {source_name}", now)
    if before is not None:
        update.status_before, update.progress_before = before
    update.status_after, update.progress_after = row.status, row.progress
    item.status, item.progress, item.status_derived = row.status, row.progress, False
    return update


def _sync_progress(item: ActionItem, row: PlanRow, user: User | None, source_name: str,
                   now: datetime) -> Update | None:
    if (item.status, item.progress) == (row.status, row.progress):
        return None
    return _record_progress(item, row, user, source_name, now)


def _label(agency: Agency) -> str:
    return agency.short_name or agency.name


def _sync_agencies(item: ActionItem, lead: Agency, supporting: list[Agency], user: User | None, source_name: str,
                   now: datetime) -> Update | None:
    """Make the file's agencies the item's, as assignments by the importing user; None when they already are."""
    before_lead = item.lead.agency if item.lead else None
    before_supporting = [a.agency for a in item.supporting]
    if before_lead is lead and set(before_supporting) == set(supporting):
        return None
    wanted = {lead: AssignmentRole.LEAD, **{a: AssignmentRole.SUPPORTING for a in supporting}}
    for assignment in list(item.assignments):
        if assignment.agency not in wanted:
            item.assignments.remove(assignment)
        elif assignment.role != wanted[assignment.agency]:
            # Changed in place: the (item, agency) pair is unique, so it is never removed and added again.
            assignment.role, assignment.basis, assignment.assigned_by = wanted[assignment.agency], Basis.ASSIGNED, user
    present = {a.agency for a in item.assignments}
    for agency, role in wanted.items():
        if agency not in present:
            item.assignments.append(ItemAgency(agency=agency, role=role, basis=Basis.ASSIGNED, assigned_by=user))
    parts = []
    if before_lead is not lead:
        parts.append(f"lead: {_label(before_lead) if before_lead else 'none'} → {_label(lead)}")
    added = [_label(a) for a in supporting if a not in before_supporting]
    removed = [_label(a) for a in before_supporting if a not in supporting]
    if added:
        parts.append("supporting added: " + ", ".join(added))
    if removed:
        parts.append("supporting removed: " + ", ".join(removed))
    note = f"Imported from {source_name}: agencies changed — " + "; ".join(parts or ["roles changed"]) + "."
    return _entry(item, user, UpdateKind.ASSIGNMENT, note, now)


def _sync_plan(item: ActionItem, row: PlanRow, user: User | None, source_name: str, now: datetime) -> Update | None:
    """The file's due date and priority, recorded as a planning change; None when they already are the item's."""
    parts = []
    if row.due_date != item.due_date:
        parts.append(f"due date: {item.due_date.isoformat() if item.due_date else 'none'} → "
                     f"{row.due_date.isoformat() if row.due_date else 'none'}")
        item.due_date, item.due_derived, item.due_note = row.due_date, False, ""
    if row.priority != item.priority:
        parts.append(f"priority: {item.priority.value if item.priority else 'none'} → "
                     f"{row.priority.value if row.priority else 'none'}")
        item.priority = row.priority
    if not parts:
        return None
    return _entry(item, user, UpdateKind.PLANNING,
                  f"Imported from {source_name}: planning changed — " + "; ".join(parts) + ".", now)
