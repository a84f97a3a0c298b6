"""Reading a plan file: every row checked against the CSV contract and the catalogue, every problem named.

The cells of a row are checked by a marshmallow schema (types, lengths, choices, the rules between
status and progress); what they name — framework, pillar, province, agencies — is then looked up in
the catalogue, read once. Nothing here writes.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, TextIO

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates_schema
from sqlalchemy.orm import selectinload

from .. import limits
from ..contract import AGENCY_SEPARATOR, CSV_COLUMNS, IMPORTED_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, restore_cell
from ..enums import GovernmentResponse, Priority, Status
from ..errors import Invalid, Problem
from ..extensions import db
from ..models import ActionItem, Agency, AgencyAlias, Framework, ItemAgency, Pillar, Province, name_key


class TextCell(fields.String):
    """A text cell, trimmed; optionally required and at most `maximum` characters long."""

    def __init__(self, *, required_text: bool = False, maximum: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.required_text, self.maximum = required_text, maximum

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        value = super()._deserialize(value, attr, data, **kwargs)
        if self.required_text and not value:
            raise ValidationError(_l("is required"))
        if self.maximum and len(value) > self.maximum:
            raise ValidationError(_l("is %(length)s characters long; at most %(limit)s fit", length=len(value),
                                     limit=self.maximum))
        return value


class ChoiceCell(fields.Field):
    """A lower-case code of an enum; empty gives `empty` (or is refused when `empty` is None and required)."""

    def __init__(self, enum_cls, *, empty=None, **kwargs):
        super().__init__(**kwargs)
        self.enum_cls, self.empty = enum_cls, empty

    def _deserialize(self, value, attr, data, **kwargs):
        if not value:
            return self.empty
        try:
            return self.enum_cls(value.lower())
        except ValueError:
            codes = ", ".join(member.value for member in self.enum_cls)
            message = (_l("%(value)s is not one of: %(codes)s", value=repr(value), codes=codes) if self.empty else
                       _l("%(value)s is not one of: %(codes)s (or empty)", value=repr(value), codes=codes))
            raise ValidationError(message) from None


class ProgressCell(fields.Field):
    """A whole number from 0 to 100, or empty (then the status decides it)."""

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        if not value:
            return None
        if not re.fullmatch(r"\d{1,3}", value) or int(value) > 100:
            raise ValidationError(_l("%(value)s must be a whole number from 0 to 100", value=repr(value)))
        return int(value)


class DateCell(fields.Field):
    """An ISO 8601 date (a date-time is read as its day), or empty."""

    def _deserialize(self, value, attr, data, **kwargs) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            raise ValidationError(_l("%(value)s is not a date (YYYY-MM-DD)", value=repr(value))) from None


class ResponseCell(fields.Field):
    """The government's response as a person writes it ("Partially accepted", any case), or empty."""

    def _deserialize(self, value, attr, data, **kwargs) -> GovernmentResponse | None:
        if not value:
            return None
        response = GovernmentResponse.from_text(value)
        if response is None:
            raise ValidationError(_l("%(value)s is not one of: accepted, partially accepted, noted (or empty)",
                                     value=repr(value)))
        return response


class CycleCell(fields.Field):
    """The year of a review cycle (four digits, from the first reviews to next year), or empty."""

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        if not value:
            return None
        last = date.today().year + 1
        if not re.fullmatch(r"\d{4}", value) or not limits.FIRST_CYCLE <= int(value) <= last:
            raise ValidationError(_l("%(value)s is not a year from %(first)s to %(last)s", value=repr(value),
                                     first=limits.FIRST_CYCLE, last=last))
        return int(value)


class AgencyListCell(fields.Field):
    """Agency names separated by the contract's separator, each at most an agency name long."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        names = list(dict.fromkeys(name.strip() for name in (value or "").split(AGENCY_SEPARATOR) if name.strip()))
        for name in names:
            if len(name) > limits.AGENCY_NAME:
                raise ValidationError(_l("agency name %(name)s… is longer than %(limit)s characters",
                                         name=repr(name[:40]), limit=limits.AGENCY_NAME))
        return names


class PlanRowSchema(Schema):
    """The cells of one row of a plan file, as the CSV contract defines them."""

    class Meta:
        unknown = EXCLUDE

    ref = TextCell(required_text=True, maximum=limits.REF)
    framework = TextCell(required_text=True)
    pillar = TextCell(required_text=True)
    section = TextCell(maximum=limits.SECTION)
    title = TextCell(required_text=True, maximum=limits.TITLE)
    text = TextCell(required_text=True)
    lead_agency = TextCell(required_text=True, maximum=limits.AGENCY_NAME)
    supporting_agencies = AgencyListCell()
    province = TextCell()
    status = ChoiceCell(Status, empty=Status.NOT_STARTED)
    progress = ProgressCell()
    due_date = DateCell()
    priority = ChoiceCell(Priority)
    last_update = DateCell()  # derived from the history: checked, never read
    source = TextCell()
    response = ResponseCell()
    cycle = CycleCell()

    @validates_schema(skip_on_field_errors=False)
    def check_rules(self, data: dict, **kwargs) -> None:
        ref = data.get("ref")
        if ref and len(ref) <= limits.REF and not limits.REF_PATTERN.match(ref):
            raise ValidationError(_l("%(ref)s may hold only letters, digits and hyphens (at most %(limit)s)",
                                     ref=repr(ref), limit=limits.REF), "ref")
        if data.get("lead_agency") and AGENCY_SEPARATOR in data["lead_agency"]:
            raise ValidationError(_l("names more than one agency: put the others in supporting_agencies"),
                                  "lead_agency")
        status, progress = data.get("status"), data.get("progress")
        if progress is not None and status == Status.COMPLETED and progress != 100:
            raise ValidationError(_l("a completed item is 100%% done, not %(progress)s%%", progress=progress),
                                  "progress")
        if progress is not None and status == Status.NOT_STARTED and progress != 0:
            raise ValidationError(_l("an item that has not started has 0%% progress, not %(progress)s%%",
                                     progress=progress), "progress")

    @post_load
    def default_progress(self, data: dict, **kwargs) -> dict:
        if data.get("progress") is None:
            data["progress"] = 100 if data.get("status") == Status.COMPLETED else 0
        return data


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
    response: GovernmentResponse | None = None
    cycle: int | None = None


class AgencyIndex:
    """Agencies by name, short name or alias, matched as `find_agency` does, without a query per name."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[Agency]] = defaultdict(list)
        self.by_short_name: dict[str, list[Agency]] = defaultdict(list)
        self.by_alias: dict[str, Agency] = {}
        for agency in db.session.scalars(db.select(Agency)):
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


class CatalogueIndex:
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
            raise Invalid([Problem(
                _l("is not UTF-8 text (byte %(byte)s cannot be read): save it as “CSV UTF-8” and try again",
                   byte=exc.start + 1),
                field="file",
            )]) from None
    if "\x00" in data:
        raise Invalid([Problem(_l("is not a CSV text file (it holds NUL bytes)"), field="file")])
    return data.removeprefix("\ufeff")


def locator_from_source(source: str, framework: Framework) -> str:
    """The item's locator from the export's `source` cell, which prefixes the framework's document."""
    document = framework.source_document
    if document and source == document:
        return ""
    if document and source.startswith(f"{document}: "):
        return source[len(document) + 2:]
    return source


class PlanReader:
    """Reads rows against the catalogue, collecting every problem instead of stopping at the first."""

    schema = PlanRowSchema()

    def __init__(self, catalogue: CatalogueIndex, create_agencies: bool, create_frameworks: bool):
        self.catalogue = catalogue
        self.create_agencies = create_agencies
        self.create_frameworks = create_frameworks
        self.problems: list[Problem] = []
        # Names that match nothing yet, by name key: created before the rows are written.
        self.new_agencies: dict[str, str] = {}
        self.new_frameworks: dict[str, str] = {}
        # New frameworks whose rows give a response or a cycle (recommendation sets), with the cycles given.
        self.new_recommendations: dict[str, set[int]] = {}
        # The optional columns the file has: without one, that field of existing items is left as it is.
        self.optional_columns: frozenset[str] = frozenset()

    def problem(self, row: int | None, column: str | None, message) -> None:
        """Note a problem; its message a lazy string, read in the language of whoever reads it (the page's, the
        audit log's English)."""
        self.problems.append(Problem(message, field=column if row is not None else column or "file", row=row))

    def read(self, text: str) -> list[PlanRow]:
        records = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(records, None)
            if header is None or not any(cell.strip() for cell in header):
                self.problem(1, None, _l("the header row is missing: the first row must name the columns %(columns)s",
                                         columns=", ".join(REQUIRED_COLUMNS)))
                return []
            columns = [cell.strip().lower() for cell in header]
            if not self._check_header(columns):
                return []
            self.optional_columns = frozenset(c for c in OPTIONAL_COLUMNS if c in columns)
            rows: list[PlanRow] = []
            refs: dict[str, int] = {}
            for number, cells in enumerate(records, start=2):
                if not any(cell.strip() for cell in cells):
                    continue  # an empty line or a spreadsheet's empty row
                if len(cells) != len(columns):
                    self.problem(number, None, _l("has %(cells)s cells where the header has %(columns)s",
                                                    cells=len(cells), columns=len(columns)))
                    continue
                row = self._read_row(number, dict(zip(columns, (restore_cell(c) for c in cells), strict=True)))
                if row is None:
                    continue
                if row.ref in refs:
                    self.problem(number, "ref", _l("%(ref)s is also on row %(row)s", ref=row.ref, row=refs[row.ref]))
                refs.setdefault(row.ref, number)
                rows.append(row)
        except csv.Error as exc:
            self.problem(records.line_num or None, None, _l("cannot be read as CSV: %(error)s", error=exc))
            return []
        if not rows and not self.problems:
            self.problem(None, None, _l("holds no rows below the header"))
        return rows

    def _check_header(self, columns: list[str]) -> bool:
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        unknown = [c for c in dict.fromkeys(columns) if c not in CSV_COLUMNS]
        repeated = [c for c in dict.fromkeys(columns) if columns.count(c) > 1]
        if missing:
            self.problem(1, None, _l("missing columns: %(columns)s", columns=", ".join(missing)))
        if unknown:
            self.problem(1, None, _l("unknown columns: %(columns)s",
                                     columns=", ".join(c or "(empty)" for c in unknown)))
        if repeated:
            self.problem(1, None, _l("columns named twice: %(columns)s", columns=", ".join(repeated)))
        return not (missing or unknown or repeated)

    def _read_row(self, number: int, cells: dict[str, str]) -> PlanRow | None:
        """The row's cells by the schema, then what they name by the catalogue; None when the row has problems."""
        try:
            values = self.schema.load(cells)
        except ValidationError as exc:
            for column in IMPORTED_COLUMNS:  # in the file's column order, whatever order the schema found them
                for message in _messages(exc.messages.get(column, [])):
                    self.problem(number, column, message)
            values = {**exc.valid_data, "invalid": True}
        found = self._look_up(number, values)
        if values.get("invalid") or not found:
            return None
        return PlanRow(
            row=number, ref=values["ref"], framework=values["framework"], pillar=values["pillar"].lower(),
            section=values["section"], title=values["title"], text=values["text"], lead=values["lead_agency"],
            supporting=values["supporting_agencies"], province=values["province"], status=values["status"],
            progress=values["progress"], due_date=values["due_date"], priority=values["priority"],
            source=values["source"], response=values.get("response"), cycle=values.get("cycle"),
        )

    def _look_up(self, number: int, values: dict) -> bool:
        """Check that what the row names exists (or may be created); False when something does not."""
        before = len(self.problems)
        framework = self._framework(number, values["framework"]) if values.get("framework") else None
        self._recommendation(number, values, framework)
        pillar = (values.get("pillar") or "").lower()
        if pillar and pillar not in self.catalogue.pillars:
            if self.catalogue.pillars:
                self.problem(number, "pillar", _l("%(value)s is not one of: %(codes)s", value=repr(values["pillar"]),
                                                  codes=", ".join(self.catalogue.pillars)))
            else:
                self.problem(number, "pillar", _l("%(value)s is not one of: none (load the catalogue with `flask seed` "
                                                  "first)", value=repr(values["pillar"])))
        province = values.get("province")
        if province and self.catalogue.province(province) is None:
            allowed = ", ".join(sorted({p.name for p in self.catalogue.provinces.values()}))
            self.problem(number, "province", _l("unknown province %(value)s (a name or code of: %(allowed)s)",
                                                 value=repr(province), allowed=allowed))
        lead = values.get("lead_agency")
        if lead and AGENCY_SEPARATOR not in lead:
            self._agency(number, "lead_agency", lead)
        for name in values.get("supporting_agencies") or []:
            self._agency(number, "supporting_agencies", name)
        source = values.get("source")
        locator = locator_from_source(source, framework) if source is not None and framework is not None else ""
        if len(locator) > limits.LOCATOR:
            self.problem(number, "source", _l("is longer than the %(limit)s characters that fit", limit=limits.LOCATOR))
        return len(self.problems) == before

    def _framework(self, number: int, name: str) -> Framework | None:
        framework = self.catalogue.framework(name)
        if framework is not None:
            return framework
        if len(name) > limits.FRAMEWORK_NAME:
            self.problem(number, "framework", _l("is %(length)s characters long; at most %(limit)s fit",
                                                  length=len(name), limit=limits.FRAMEWORK_NAME))
        elif self.create_frameworks:
            self.new_frameworks.setdefault(name_key(name), " ".join(name.split()))
        else:
            self.problem(number, "framework", _l("unknown framework %(name)s (a framework's name or code; allow "
                                                 "creating unknown frameworks to add it)", name=repr(name)))
        return None

    def _recommendation(self, number: int, values: dict, framework: Framework | None) -> None:
        """A response or a cycle is a recommendation's: refused on a plan's row; on a new framework's row, it makes
        that framework a set of recommendations."""
        given = [column for column in OPTIONAL_COLUMNS if values.get(column) is not None]
        if not given:
            return
        if framework is not None and not framework.is_recommendations:
            for column in given:
                self.problem(number, column, _l("%(name)s is a plan: only a recommendation has a government response",
                                                name=framework.name) if column == "response" else
                             _l("%(name)s is a plan: only a recommendation has a review cycle", name=framework.name))
        elif framework is None and values.get("framework"):
            key = name_key(values["framework"])
            if key in self.new_frameworks:
                cycles = self.new_recommendations.setdefault(key, set())
                if values.get("cycle") is not None:
                    cycles.add(values["cycle"])

    def _agency(self, number: int, column: str, name: str) -> None:
        found = self.catalogue.agencies.matches(name)
        if len(found) > 1:
            names = ", ".join(sorted(a.name for a in found))
            self.problem(number, column, _l("%(name)s could be any of: %(names)s; use the full name", name=repr(name),
                                            names=names))
        elif not found and self.create_agencies:
            self.new_agencies.setdefault(name_key(name), " ".join(name.split()))
        elif not found:
            self.problem(number, column, _l("unknown agency %(name)s (allow creating unknown agencies to add it)",
                                            name=repr(name)))


def _messages(messages) -> list:
    """A schema's messages for a column, as they are: lazy strings stay lazy (`errors.problem_list` makes text)."""
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _messages(value)]
    if isinstance(messages, (list, tuple)):
        return [text for value in messages for text in _messages(value)]
    return [messages]


def read_plan(data: bytes | str | BinaryIO | TextIO, *, create_agencies: bool = False,
              create_frameworks: bool = False) -> tuple[list[PlanRow], PlanReader]:
    """Read and check every row against the database without writing; raise Invalid listing every problem."""
    text = decode_plan(data)
    reader = PlanReader(CatalogueIndex(), create_agencies, create_frameworks)
    rows = reader.read(text)
    if reader.problems:
        raise Invalid(reader.problems)
    return rows, reader
