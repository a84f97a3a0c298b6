"""Read the catalogue's TOML files and check every record before anything is written.

Run on its own, without an app or a database: ``python -m tracker.seeding.validate seed``.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import limits
from ..coverage.rules import link_problem, one_line, reason_problem
from ..enums import (
    AgeGroup,
    AgencyKind,
    Basis,
    Breakdown,
    Direction,
    Exploitation,
    FrameworkKind,
    Frequency,
    IndicatorKind,
    Priority,
    Sex,
    Status,
)
from ..errors import Invalid, Problem
from ..models import name_key
from .responsibility import GENERIC_PHRASES, is_responsibility_line, name_keys, names_in, read_line
from .sources import agency_source_problems, read_documents

PILLAR_CODES = ("prevention", "prosecution", "protection", "partnership")
ITEM_REQUIRED = ("ref", "label", "section", "title", "title_ur", "text", "locator", "pillar", "lead")
AGENCY_KEYS = frozenset(("name", "short_name", "name_ur", "kind", "province", "parent", "aliases", "note", "named_in",
                         "curated"))
INDICATOR_REQUIRED = ("code", "name", "definition", "unit", "pillar", "agency", "means_of_verification")
INDICATOR_KEYS = frozenset(INDICATOR_REQUIRED + (
    "kind", "direction", "frequency", "breakdowns", "items", "baseline", "targets", "value"))
COVERAGE_KEYS = frozenset(("recommendation", "addressed_by"))
COVERAGE_LINK_KEYS = frozenset(("action", "reason"))
VALUE_KEYS = frozenset(("period", "value", "as_of", "source", "locator", "note") + tuple(b.value for b in Breakdown))
SYNONYM_KEYS = frozenset(("terms", "note"))
INDICATOR_CODE_PATTERN = re.compile(rf"^[A-Z0-9][A-Z0-9-]{{0,{limits.INDICATOR_CODE - 1}}}$")
PERIOD_PATTERN = re.compile(limits.PERIOD_PATTERN)
# The source documents' names in shared/seeds: a number, an underscore, 16 hexadecimal digits.
SOURCE_DOCUMENT_PATTERN = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
# Urdu text is in the Arabic script; the only Latin letters it keeps are acronyms (FIA, NADRA, NAP, ATUs, 4P).
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&'’-]*")
ACRONYM = re.compile(r"^[A-Z0-9&-]*[A-Z][A-Z0-9&-]*s?$")
# The codes a breakdown cell may hold, but for provinces, which come from catalogue.toml.
CELL_ENUMS = {Breakdown.SEX: Sex, Breakdown.AGE: AgeGroup, Breakdown.EXPLOITATION: Exploitation}


@dataclass
class AgencyRecord:
    name: str
    short_name: str
    kind: AgencyKind
    province: str | None
    parent: str | None
    aliases: list[str]
    note: str = ""
    named_in: list[str] = field(default_factory=list)  # the source documents that name it
    curated: str = ""  # for a body no document names: why the curators added it
    name_ur: str = ""  # its name as it writes it in Urdu, where known


@dataclass
class ItemRecord:
    ref: str
    framework: str
    position: int
    label: str
    section: str
    title: str
    title_ur: str  # the short title in Urdu, a translation
    text: str
    locator: str
    pillar: str
    pillar_basis: Basis
    pillar_reason: str  # why a curated filing is where it is (seed/README.md, "Filing under the 4Ps")
    lead: str  # canonical agency name
    supporting: list[str]
    responsibility_basis: Basis  # of the bodies the Responsibility line (or the text) names
    assigned: list[str]  # bodies the curator added beyond those: their basis is "assigned"
    responsibility: str
    province: str | None
    status: Status
    status_note: str
    status_source: str  # the document the status note is quoted from, when not the framework's own
    status_as_of: date | None
    progress: int
    due_date: date | None
    due_note: str
    priority: Priority | None
    related: list[str]
    file: str

    def basis_of(self, agency: str) -> Basis:
        """The basis of one assignment: the bodies the curator added are assigned, the rest as the source."""
        return Basis.ASSIGNED if agency in self.assigned else self.responsibility_basis


@dataclass
class EvidenceRecord:
    item: str
    note: str
    value: float | None
    unit: str
    as_of: date | None
    source: str
    locator: str
    url: str


@dataclass
class ContextRecord:
    kind: str  # law | challenge | achievement
    code: str
    fields: dict
    items: list[str]


@dataclass
class IndicatorValueRecord:
    period: str
    value: float
    cell: dict[str, str]  # breakdown code -> province code or enum value; {} for the total
    as_of: date | None
    source: str
    locator: str
    note: str


@dataclass
class IndicatorRecord:
    code: str
    position: int
    name: str
    definition: str
    unit: str
    kind: IndicatorKind
    direction: Direction
    pillar: str
    agency: str  # canonical agency name
    means_of_verification: str
    frequency: Frequency
    breakdowns: list[Breakdown]
    items: list[str]
    baseline_value: float | None
    baseline_period: str
    baseline_source: str
    baseline_locator: str
    targets: list[tuple[str, float]]  # (period, value)
    values: list[IndicatorValueRecord]


@dataclass
class CoverageRecord:
    recommendation: str  # the ref of an item of a recommendations framework
    action: str  # the ref of a plan's item that addresses it
    reason: str  # how, in one line


@dataclass
class Catalogue:
    documents: list[dict] = field(default_factory=list)
    pillars: list[dict] = field(default_factory=list)
    provinces: list[dict] = field(default_factory=list)
    frameworks: list[dict] = field(default_factory=list)
    agencies: list[AgencyRecord] = field(default_factory=list)
    items: list[ItemRecord] = field(default_factory=list)
    section_notes: list[dict] = field(default_factory=list)
    evidence: list[EvidenceRecord] = field(default_factory=list)
    context: list[ContextRecord] = field(default_factory=list)
    indicators: list[IndicatorRecord] = field(default_factory=list)
    coverage: list[CoverageRecord] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)  # groups of terms that mean the same


class _Reader:
    """Collects every problem instead of stopping at the first."""

    def __init__(self, seed_dir: Path):
        self.seed_dir = seed_dir
        self.problems: list[Problem] = []

    def problem(self, file: str, record: str, message: str) -> None:
        self.problems.append(Problem(message, file=file, record=record))

    def load(self, relative: str, required: bool = True) -> dict:
        path = self.seed_dir / relative
        if not path.exists():
            if required:
                self.problem(relative, "file", "is missing")
            return {}
        try:
            with path.open("rb") as handle:
                return tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            self.problem(relative, "file", f"is not valid TOML: {exc}")
            return {}

    def text(self, data: dict, key: str, file: str, record: str, required: bool = False) -> str:
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(file, record, f"{key} must be a string")
            return ""
        value = value.strip()
        if required and not value:
            self.problem(file, record, f"{key} is required")
        return value

    def urdu(self, data: dict, key: str, file: str, record: str, required: bool = False,
             limit: int = limits.TITLE) -> str:
        """An Urdu translation of a record's English text: in the Arabic script, within its column's limit."""
        value = self.text(data, key, file, record, required=required)
        if value and (problem := urdu_problem(key, value)):
            self.problem(file, record, problem)
        if len(value) > limit:
            self.problem(file, record, f"{key} is longer than {limit} characters")
        return value

    def date(self, data: dict, key: str, file: str, record: str) -> date | None:
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(file, record, f"{key} {value!r} is not a date (YYYY-MM-DD)")
            return None

    def choice(self, enum_cls, data: dict, key: str, file: str, record: str, default=None):
        value = data.get(key)
        if value in (None, ""):
            return default
        try:
            return enum_cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum_cls)
            self.problem(file, record, f"{key} {value!r} is not one of: {allowed}")
            return default

    def string_list(self, data: dict, key: str, file: str, record: str) -> list[str]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(file, record, f"{key} must be a list of strings")
            return []
        return [v.strip() for v in value if v.strip()]


def urdu_problem(key: str, value: str) -> str | None:
    """What is wrong with a text that should be Urdu: none of it in the Arabic script, or Latin words that are
    not acronyms (an English title copied, or transliterated, instead of translated)."""
    if not ARABIC_LETTER.search(value):
        return f"{key} must be written in Urdu (the Arabic script), not {value[:40]!r}"
    latin = [word for word in LATIN_WORD.findall(value) if not ACRONYM.match(word)]
    if latin:
        return (f"{key} holds Latin words {latin[:5]!r}: write them in Urdu (only acronyms such as FIA, NADRA or "
                "NAP stay in Latin letters)")
    return None


def read_catalogue(seed_dir: str | Path) -> Catalogue:
    """Parse and validate every seed file; raise Invalid listing every problem by file and record."""
    reader = _Reader(Path(seed_dir))
    catalogue = Catalogue()
    _read_reference(reader, catalogue)
    resolve_agency = _read_agencies(reader, catalogue)
    _read_items(reader, catalogue, resolve_agency)
    refs = {item.ref for item in catalogue.items}
    _read_evidence(reader, catalogue, refs)
    _read_context(reader, catalogue, refs)
    _read_indicators(reader, catalogue, refs, resolve_agency)
    _read_coverage(reader, catalogue)
    _check_sources(reader, catalogue)
    _read_synonyms(reader, catalogue)
    if reader.problems:
        raise Invalid(reader.problems)
    return catalogue


def _read_reference(reader: _Reader, catalogue: Catalogue) -> None:
    file = "catalogue.toml"
    data = reader.load(file)
    for index, document in enumerate(data.get("document", []), start=1):
        name = reader.text(document, "file", file, f"document #{index}", required=True)
        record = f"document {name}"
        reader.text(document, "title", file, record, required=True)
        if any(known["file"] == name for known in catalogue.documents):
            reader.problem(file, record, "duplicate document")
        if document.get("year") is not None and not isinstance(document["year"], int):
            reader.problem(file, record, f"year {document['year']!r} must be a whole number")
        reader.date(document, "published", file, record)
        catalogue.documents.append(document)
    pillars = data.get("pillar", [])
    codes = [p.get("code") for p in pillars]
    if data and sorted(codes) != sorted(PILLAR_CODES):
        reader.problem(file, "pillars", f"must be exactly {', '.join(PILLAR_CODES)}; found {codes}")
    for position, pillar in enumerate(pillars):
        record = f"pillar {pillar.get('code')}"
        reader.text(pillar, "name", file, record, required=True)
        name_ur = reader.urdu(pillar, "name_ur", file, record, required=True, limit=40)
        catalogue.pillars.append({**pillar, "name_ur": name_ur, "position": position})
    seen: set[str] = set()
    for province in data.get("province", []):
        record = f"province {province.get('code')}"
        code = reader.text(province, "code", file, record, required=True)
        reader.text(province, "name", file, record, required=True)
        name_ur = reader.urdu(province, "name_ur", file, record, required=True, limit=60)
        if code in seen:
            reader.problem(file, record, "duplicate province code")
        seen.add(code)
        catalogue.provinces.append({**province, "name_ur": name_ur})
    seen = set()
    for position, framework in enumerate(data.get("framework", [])):
        code = reader.text(framework, "code", file, "framework", required=True)
        record = f"framework {code}"
        for key in ("name", "title"):
            reader.text(framework, key, file, record, required=True)
        translated = {"name_ur": reader.urdu(framework, "name_ur", file, record, required=True,
                                             limit=limits.FRAMEWORK_NAME),
                      "title_ur": reader.urdu(framework, "title_ur", file, record, required=True)}
        if code in seen:
            reader.problem(file, record, "duplicate framework code")
        seen.add(code)
        reader.date(framework, "source_date", file, record)
        kind = reader.choice(FrameworkKind, framework, "kind", file, record, FrameworkKind.PLAN)
        # Its aim, quoted verbatim from its source, with where it stands there (a quote is nothing without it).
        aim = reader.text(framework, "aim", file, record)
        aim_locator = reader.text(framework, "aim_locator", file, record, required=bool(aim))
        if aim_locator and not aim:
            reader.problem(file, record, "aim_locator is given without the aim it locates")
        if len(aim_locator) > limits.LOCATOR:
            reader.problem(file, record, f"aim_locator is longer than {limits.LOCATOR} characters")
        source_of_pillars = framework.get("source_of_pillars", False)
        if not isinstance(source_of_pillars, bool):
            reader.problem(file, record, f"source_of_pillars {source_of_pillars!r} must be true or false")
            source_of_pillars = False
        if source_of_pillars and (earlier := next((f["code"] for f in catalogue.frameworks
                                                   if f["source_of_pillars"]), None)):
            reader.problem(file, record, f"source_of_pillars: the pillars already come from framework {earlier}")
        catalogue.frameworks.append({**framework, **translated, "kind": kind, "aim": aim, "aim_locator": aim_locator,
                                     "source_of_pillars": source_of_pillars, "position": position})


def _check_sources(reader: _Reader, catalogue: Catalogue) -> None:
    """Every `source` in the seed names a document of catalogue.toml's register."""
    known = {document.get("file") for document in catalogue.documents}
    cited = [("catalogue.toml", f"framework {f.get('code')}", f.get("source", "")) for f in catalogue.frameworks]
    cited += [(item.file, f"item {item.ref}", item.status_source) for item in catalogue.items]
    cited += [("evidence.toml", f"evidence on {e.item}", e.source) for e in catalogue.evidence]
    cited += [("agencies.toml", f"agency {a.name!r}", document) for a in catalogue.agencies for document in a.named_in]
    cited += [("context.toml", f"{r.kind} {r.code}", r.fields.get("source", "")) for r in catalogue.context]
    for indicator in catalogue.indicators:
        record = f"indicator {indicator.code}"
        cited += [("indicators.toml", record, indicator.baseline_source)]
        cited += [("indicators.toml", record, value.source) for value in indicator.values]
    for file, record, source in cited:
        if source and source not in known:
            reader.problem(file, record, f"source {source!r} is not a document of catalogue.toml's register")


def _read_agencies(reader: _Reader, catalogue: Catalogue):
    """Read agencies.toml; return a function mapping any name or alias to a canonical name."""
    file = "agencies.toml"
    data = reader.load(file)
    province_codes = {p["code"] for p in catalogue.provinces}
    names: dict[str, str] = {}  # name key -> canonical agency name

    def claim(key_source: str, canonical: str, record: str) -> None:
        key = name_key(key_source)
        owner = names.get(key)
        if owner is not None and owner != canonical:
            reader.problem(file, record, f"name or alias {key_source!r} also belongs to {owner!r}")
        names[key] = canonical

    records = data.get("agency", [])
    for index, raw in enumerate(records, start=1):
        name = reader.text(raw, "name", file, f"agency #{index}", required=True)
        record = f"agency {name!r}"
        kind = reader.choice(AgencyKind, raw, "kind", file, record)
        if kind is None:
            reader.problem(file, record, "kind is required")
        province = reader.text(raw, "province", file, record) or None
        if province and province not in province_codes:
            reader.problem(file, record, f"unknown province {province!r}")
        if kind == AgencyKind.PROVINCIAL_BODY and not province:
            reader.problem(file, record, "a provincial body needs its province")
        for key in sorted(set(raw) - AGENCY_KEYS):
            reader.problem(file, record, f"unknown field {key!r}")
        agency = AgencyRecord(
            name=name,
            short_name=reader.text(raw, "short_name", file, record),
            kind=kind or AgencyKind.OTHER,
            province=province,
            parent=reader.text(raw, "parent", file, record) or None,
            aliases=reader.string_list(raw, "aliases", file, record),
            note=reader.text(raw, "note", file, record),
            name_ur=reader.urdu(raw, "name_ur", file, record, limit=limits.AGENCY_NAME),
            **_agency_origin(reader, raw, file, record),
        )
        if not name:
            continue
        claim(name, name, record)
        if agency.short_name:
            claim(agency.short_name, name, record)
        for alias in agency.aliases:
            claim(alias, name, record)
        catalogue.agencies.append(agency)

    def resolve(value: str) -> str | None:
        return names.get(name_key(value))

    for agency in catalogue.agencies:
        if agency.parent:
            parent = resolve(agency.parent)
            if parent is None:
                reader.problem(file, f"agency {agency.name!r}", f"unknown parent {agency.parent!r}")
            elif parent == agency.name:
                reader.problem(file, f"agency {agency.name!r}", "cannot be its own parent")
            agency.parent = parent
    return resolve


def _agency_origin(reader: _Reader, raw: dict, file: str, record: str) -> dict:
    """Where an agency comes from: `named_in`, the documents that name it, or `curated`, why the curators
    added a body that none names; never both. Whether the documents agree is checked by sources.py."""
    named_in = reader.string_list(raw, "named_in", file, record)
    for document in named_in:
        if not SOURCE_DOCUMENT_PATTERN.match(document):
            reader.problem(file, record, f"named_in {document!r} is not a document's name in shared/seeds "
                                         "(such as 000_081e8b22da21a0c3.txt)")
    if "named_in" in raw and not named_in:
        reader.problem(file, record, "named_in is empty: list the documents that name it, or leave it out")
    curated = raw.get("curated")
    if curated is not None and not (isinstance(curated, str) and curated.strip()):
        reader.problem(file, record, "curated must say, in a non-empty string, why the catalogue holds a body "
                                     "that no document names")
        curated = ""
    if named_in and curated:
        reader.problem(file, record, "has both named_in and curated: a body a document names is not the curators' "
                                     "addition")
    return {"named_in": list(dict.fromkeys(named_in)), "curated": (curated or "").strip()}


def _read_items(reader: _Reader, catalogue: Catalogue, resolve_agency) -> None:
    framework_codes = {f.get("code") for f in catalogue.frameworks}
    province_codes = {p["code"] for p in catalogue.provinces}
    items_dir = reader.seed_dir / "items"
    files = sorted(items_dir.glob("*.toml")) if items_dir.is_dir() else []
    if not files:
        reader.problem("items/", "folder", "holds no *.toml item files")
    refs: dict[str, str] = {}
    position = 0
    for path in files:
        file = f"items/{path.name}"
        data = reader.load(file)
        framework = data.get("framework")
        if framework not in framework_codes:
            reader.problem(file, "framework", f"unknown framework {framework!r}")
        for index, note in enumerate(data.get("section_note", []), start=1):
            record = f"section_note #{index}"
            values = {key: reader.text(note, key, file, record, required=True)
                      for key in ("section", "label", "text", "locator")}
            catalogue.section_notes.append({**values, "framework": framework, "position": index})
        for index, raw in enumerate(data.get("item", []), start=1):
            position += 1
            record = f"item {raw.get('ref') or '#' + str(index)}"
            values = {key: reader.text(raw, key, file, record, required=True) for key in ITEM_REQUIRED
                      if key != "title_ur"}
            # The short title translated (the verbatim source text stays as written): required, in Urdu.
            values["title_ur"] = reader.urdu(raw, "title_ur", file, record, required=True)
            ref = values["ref"]
            if ref and not limits.REF_PATTERN.match(ref):
                reader.problem(file, record, "ref may hold only letters, digits and hyphens (at most 40)")
            if ref in refs:
                reader.problem(file, record, f"duplicate ref (also in {refs[ref]})")
            refs[ref] = file
            if values["pillar"] and values["pillar"] not in PILLAR_CODES:
                reader.problem(file, record, f"pillar {values['pillar']!r} is not one of {', '.join(PILLAR_CODES)}")
            lead = resolve_agency(values["lead"]) if values["lead"] else None
            if values["lead"] and lead is None:
                reader.problem(file, record, f"unknown agency {values['lead']!r} (lead)")
            supporting = []
            for name in reader.string_list(raw, "supporting", file, record):
                canonical = resolve_agency(name)
                if canonical is None:
                    reader.problem(file, record, f"unknown agency {name!r} (supporting)")
                elif canonical != lead and canonical not in supporting:
                    supporting.append(canonical)
            assigned = []
            for name in reader.string_list(raw, "assigned", file, record):
                canonical = resolve_agency(name)
                if canonical not in (lead, *supporting):
                    reader.problem(file, record, f"assigned {name!r} is neither the lead nor a supporting body")
                elif canonical not in assigned:
                    assigned.append(canonical)
            province = reader.text(raw, "province", file, record) or None
            if province and province not in province_codes:
                reader.problem(file, record, f"unknown province {province!r}")
            status = reader.choice(Status, raw, "status", file, record, Status.NOT_STARTED)
            progress = raw.get("progress", 100 if status == Status.COMPLETED else 0)
            if not isinstance(progress, int) or not 0 <= progress <= 100:
                reader.problem(file, record, f"progress {progress!r} must be a whole number from 0 to 100")
                progress = 0
            catalogue.items.append(
                ItemRecord(
                    ref=ref,
                    framework=framework,
                    position=position,
                    label=values["label"],
                    section=values["section"],
                    title=values["title"],
                    title_ur=values["title_ur"],
                    text=values["text"],
                    locator=values["locator"],
                    pillar=values["pillar"],
                    pillar_basis=reader.choice(Basis, raw, "pillar_basis", file, record, Basis.ASSIGNED),
                    pillar_reason=reader.text(raw, "pillar_reason", file, record),
                    lead=lead or "",
                    supporting=supporting,
                    responsibility_basis=reader.choice(
                        Basis, raw, "responsibility_basis", file, record, Basis.ASSIGNED
                    ),
                    assigned=assigned,
                    responsibility=reader.text(raw, "responsibility", file, record),
                    province=province,
                    status=status,
                    status_note=reader.text(raw, "status_note", file, record),
                    status_source=reader.text(raw, "status_source", file, record),
                    status_as_of=reader.date(raw, "status_as_of", file, record),
                    progress=progress,
                    due_date=reader.date(raw, "due_date", file, record),
                    due_note=reader.text(raw, "due_note", file, record),
                    priority=reader.choice(Priority, raw, "priority", file, record),
                    related=reader.string_list(raw, "related", file, record),
                    file=file,
                )
            )
    names = name_keys(catalogue.agencies)
    for item in catalogue.items:
        for problem in [*responsibility_problems(item, names), *filing_problems(item)]:
            reader.problem(item.file, f"item {item.ref}", problem)
        for related in item.related:
            if related not in refs:
                reader.problem(item.file, f"item {item.ref}", f"related ref {related!r} does not exist")
            elif related == item.ref:
                reader.problem(item.file, f"item {item.ref}", "is related to itself")


def filing_problems(item: ItemRecord) -> list[str]:
    """An item under one of the 2005 plan's PREVENTION, PROSECUTION or PROTECTION headings is filed there
    ("stated"); filing it elsewhere is the curator's call, which says why."""
    heading = item.section.split("›")[0].strip().casefold()
    if heading not in PILLAR_CODES:
        return ["pillar_basis \"stated\" needs a section under a pillar's own heading"] \
            if item.pillar_basis == Basis.STATED else []
    if item.pillar == heading and item.pillar_basis != Basis.STATED:
        return [f"filed under its own heading {heading!r}: pillar_basis is \"stated\""]
    if item.pillar != heading and (item.pillar_basis != Basis.ASSIGNED or not item.pillar_reason):
        return [f"filed under {item.pillar!r} although its heading is {heading!r}: pillar_basis \"assigned\" "
                "and a pillar_reason are needed"]
    return []


def responsibility_problems(item: ItemRecord, names: dict[str, str]) -> list[str]:
    """Where an item's bodies and their bases disagree with what its Responsibility line or text names.

    The rule (seed/README.md): the bodies the line names, read by `read_line`, are exactly the item's
    bodies on the basis "stated" or "group", the first of them the lead unless the curator assigned
    one; any other body is listed in `assigned`. Without a line, a body "stated" is one the item's own
    text names.
    """
    if not item.lead:
        return []
    bodies = [item.lead, *item.supporting]
    from_source = [body for body in bodies if body not in item.assigned]
    basis = item.responsibility_basis
    problems = []
    if basis == Basis.ASSIGNED:
        if item.assigned:
            problems.append("assigned lists bodies although responsibility_basis is already \"assigned\"")
        from_source = []
    if is_responsibility_line(item.responsibility):
        read = read_line(item.responsibility, names)
        unknown = [phrase for phrase in read.unnamed if name_key(phrase) not in GENERIC_PHRASES]
        if unknown:
            problems.append(f"the Responsibility line names no known body in {unknown!r}: add an alias "
                            "to agencies.toml or the phrase to GENERIC_PHRASES")
        if basis == Basis.ASSIGNED and read.bodies:
            problems.append(f"the Responsibility line names {read.bodies!r}: their basis is stated or group")
        elif basis != Basis.ASSIGNED and from_source != read.bodies:
            problems.append(f"the Responsibility line names {read.bodies!r}, in that order, but the bodies on "
                            f"the basis {basis.value!r} are {from_source!r}; list any other body in assigned")
    elif basis == Basis.GROUP:
        problems.append("responsibility_basis \"group\" needs the governing Responsibility line in responsibility")
    else:
        named = names_in(f"{item.text} {item.responsibility}", names)
        unnamed = [body for body in from_source if body not in named]
        if unnamed:
            problems.append(f"{unnamed!r} marked {basis.value!r} but not named by the item's text: "
                            "list them in assigned")
    return problems


def _read_evidence(reader: _Reader, catalogue: Catalogue, refs: set[str]) -> None:
    file = "evidence.toml"
    data = reader.load(file, required=False)
    for index, raw in enumerate(data.get("evidence", []), start=1):
        record = f"evidence #{index}"
        item = reader.text(raw, "item", file, record, required=True)
        if item and item not in refs:
            reader.problem(file, record, f"unknown item {item!r}")
        value = raw.get("value")
        if value is not None and not isinstance(value, (int, float)):
            reader.problem(file, record, f"value {value!r} must be a number")
            value = None
        catalogue.evidence.append(
            EvidenceRecord(
                item=item,
                note=reader.text(raw, "note", file, record, required=True),
                value=float(value) if value is not None else None,
                unit=reader.text(raw, "unit", file, record),
                as_of=reader.date(raw, "as_of", file, record),
                source=reader.text(raw, "source", file, record),
                locator=reader.text(raw, "locator", file, record),
                url=reader.text(raw, "url", file, record),
            )
        )


def _read_context(reader: _Reader, catalogue: Catalogue, refs: set[str]) -> None:
    file = "context.toml"
    data = reader.load(file, required=False)
    province_codes = {p["code"] for p in catalogue.provinces}
    law_codes = {raw.get("code") for raw in data.get("law", [])}
    for kind in ("law", "challenge", "achievement"):
        seen: set[str] = set()
        for index, raw in enumerate(data.get(kind, []), start=1):
            code = reader.text(raw, "code", file, f"{kind} #{index}", required=True)
            record = f"{kind} {code}"
            if code in seen:
                reader.problem(file, record, f"duplicate {kind} code")
            seen.add(code)
            items = reader.string_list(raw, "items", file, record)
            for ref in items:
                if ref not in refs:
                    reader.problem(file, record, f"unknown item {ref!r}")
            if kind == "law":
                fields = {
                    "name": reader.text(raw, "name", file, record, required=True),
                    "short_name": reader.text(raw, "short_name", file, record),
                    "year": raw.get("year"),
                    "jurisdiction": reader.text(raw, "jurisdiction", file, record) or "federal",
                    "repealed": bool(raw.get("repealed", False)),
                    "repealed_by": reader.text(raw, "repealed_by", file, record),
                    "note": reader.text(raw, "note", file, record),
                    "source": reader.text(raw, "source", file, record, required=True),
                    "locator": reader.text(raw, "locator", file, record, required=True),
                    "named_as": reader.text(raw, "named_as", file, record),
                    "features": reader.string_list(raw, "features", file, record),
                }
                if fields["year"] is not None and not isinstance(fields["year"], int):
                    reader.problem(file, record, f"year {fields['year']!r} must be a whole number")
                    fields["year"] = None
                if fields["jurisdiction"] != "federal" and fields["jurisdiction"] not in province_codes:
                    reader.problem(file, record,
                                   f"jurisdiction {fields['jurisdiction']!r} is neither federal nor a province code")
                if fields["repealed_by"] and fields["repealed_by"] not in law_codes:
                    reader.problem(file, record, f"repealed_by {fields['repealed_by']!r} is not a law of this file")
            else:
                fields = {
                    "title": reader.text(raw, "title", file, record, required=True),
                    "text": reader.text(raw, "text", file, record, required=True),
                    "source": reader.text(raw, "source", file, record),
                    "locator": reader.text(raw, "locator", file, record),
                }
            catalogue.context.append(ContextRecord(kind=kind, code=code, fields=fields, items=items))


def _read_indicators(reader: _Reader, catalogue: Catalogue, refs: set[str], resolve_agency) -> None:
    """Read indicators.toml: what each indicator counts, who reports it, the items it measures, and the
    baselines, targets and values the sources give."""
    file = "indicators.toml"
    data = reader.load(file)
    pillar_codes = {p.get("code") for p in catalogue.pillars}
    province_codes = {p["code"] for p in catalogue.provinces}
    records = data.get("indicator", [])
    if not isinstance(records, list) or not all(isinstance(raw, dict) for raw in records):
        reader.problem(file, "file", "indicator must be an array of tables ([[indicator]])")
        records = []
    seen: set[str] = set()
    for position, raw in enumerate(records):
        code = raw.get("code")
        record = f"indicator {code}" if isinstance(code, str) and code.strip() else f"indicator #{position + 1}"
        for key in sorted(set(raw) - INDICATOR_KEYS):
            reader.problem(file, record, f"unknown field {key!r}")
        values = {key: reader.text(raw, key, file, record, required=True) for key in INDICATOR_REQUIRED}
        code = values["code"]
        if code and not INDICATOR_CODE_PATTERN.match(code):
            reader.problem(file, record, "code may hold only upper-case letters, digits and hyphens "
                                         f"(at most {limits.INDICATOR_CODE})")
        if code and code in seen:
            reader.problem(file, record, "duplicate indicator code")
        seen.add(code)
        for key, limit in (("name", limits.TITLE), ("unit", limits.UNIT)):
            if len(values[key]) > limit:
                reader.problem(file, record, f"{key} is longer than {limit} characters")
        if values["pillar"] and values["pillar"] not in pillar_codes:
            reader.problem(file, record, f"pillar {values['pillar']!r} is not one of {', '.join(PILLAR_CODES)}")
        agency = resolve_agency(values["agency"]) if values["agency"] else None
        if values["agency"] and agency is None:
            reader.problem(file, record, f"unknown agency {values['agency']!r}")
        kind = reader.choice(IndicatorKind, raw, "kind", file, record)
        if kind is None and raw.get("kind") in (None, ""):
            reader.problem(file, record, "kind is required")
        frequency = reader.choice(Frequency, raw, "frequency", file, record, Frequency.QUARTERLY)
        breakdowns: list[Breakdown] = []
        for name in reader.string_list(raw, "breakdowns", file, record):
            try:
                breakdown = Breakdown(name)
            except ValueError:
                allowed = ", ".join(b.value for b in Breakdown)
                reader.problem(file, record, f"breakdown {name!r} is not one of: {allowed}")
                continue
            if breakdown in breakdowns:
                reader.problem(file, record, f"breakdown {name!r} is given twice")
            else:
                breakdowns.append(breakdown)
        items = reader.string_list(raw, "items", file, record)
        if not items:
            reader.problem(file, record, "items: at least one item ref is required (the items it measures)")
        for ref in items:
            if ref not in refs:
                reader.problem(file, record, f"unknown item {ref!r}")
        figures = _IndicatorFigures(reader, file, record, kind, frequency)
        baseline = raw.get("baseline")
        baseline_value, baseline_period, baseline_source, baseline_locator = None, "", "", ""
        if baseline is not None:
            if isinstance(baseline, dict):
                where = f"{record}, baseline"
                baseline_value = figures.number(baseline.get("value"), where, "value")
                baseline_period = figures.period(baseline, where)
                baseline_source = figures.source(baseline, where)
                baseline_locator = reader.text(baseline, "locator", file, where)
            else:
                reader.problem(file, record, "baseline must be a table: { value, period, source, locator }")
        targets: list[tuple[str, float]] = []
        raw_targets = raw.get("targets", [])
        if not isinstance(raw_targets, list) or not all(isinstance(t, dict) for t in raw_targets):
            reader.problem(file, record, "targets must be a list of tables: [{ period, value }]")
            raw_targets = []
        for index, target in enumerate(raw_targets, start=1):
            where = f"{record}, target #{index}"
            period = figures.period(target, where)
            value = figures.number(target.get("value"), where, "value")
            if period in dict(targets):
                reader.problem(file, where, f"a second target for {period}")
            elif period and value is not None:
                targets.append((period, value))
        indicator_values = _read_indicator_values(reader, file, record, raw, figures, breakdowns, province_codes)
        if not code:
            continue
        catalogue.indicators.append(
            IndicatorRecord(
                code=code,
                position=position,
                name=values["name"],
                definition=values["definition"],
                unit=values["unit"],
                kind=kind or IndicatorKind.COUNT,
                direction=reader.choice(Direction, raw, "direction", file, record, Direction.HIGHER),
                pillar=values["pillar"],
                agency=agency or "",
                means_of_verification=values["means_of_verification"],
                frequency=frequency,
                breakdowns=breakdowns,
                items=list(dict.fromkeys(items)),
                baseline_value=baseline_value,
                baseline_period=baseline_period,
                baseline_source=baseline_source,
                baseline_locator=baseline_locator,
                targets=targets,
                values=indicator_values,
            )
        )


def _read_coverage(reader: _Reader, catalogue: Catalogue) -> None:
    """Read coverage.toml: for each recommendation, the plans' actions that address it, each with a one-line
    reason. A recommendation the file does not name is a gap."""
    file = "coverage.toml"
    data = reader.load(file, required=False)
    for key in sorted(set(data) - {"coverage"}):
        reader.problem(file, "file", f"unknown field {key!r}")
    kinds = {framework.get("code"): framework["kind"] for framework in catalogue.frameworks}
    item_kinds = {item.ref: kinds.get(item.framework) for item in catalogue.items}
    records = data.get("coverage", [])
    if not isinstance(records, list) or not all(isinstance(raw, dict) for raw in records):
        reader.problem(file, "file", "coverage must be an array of tables ([[coverage]])")
        records = []
    seen: dict[tuple[str, str], int] = {}  # a pair -> the [[coverage]] that first links it
    for index, raw in enumerate(records, start=1):
        named = raw.get("recommendation")
        record = f"coverage {named}" if isinstance(named, str) and named.strip() else f"coverage #{index}"
        for key in sorted(set(raw) - COVERAGE_KEYS):
            reader.problem(file, record, f"unknown field {key!r}")
        recommendation = reader.text(raw, "recommendation", file, record, required=True)
        if recommendation and recommendation not in item_kinds:
            reader.problem(file, record, f"unknown item {recommendation!r}")
        links = raw.get("addressed_by", [])
        if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
            reader.problem(file, record, "addressed_by must be a list of tables ([[coverage.addressed_by]])")
            links = []
        elif not links:
            reader.problem(file, record, "addressed_by: name at least one action; a recommendation no action "
                                         "addresses is a gap, left out of this file")
        for number, link in enumerate(links, start=1):
            named = link.get("action")
            where = f"{record}, {named}" if isinstance(named, str) and named.strip() else f"{record}, action #{number}"
            for key in sorted(set(link) - COVERAGE_LINK_KEYS):
                reader.problem(file, where, f"unknown field {key!r}")
            action = reader.text(link, "action", file, where, required=True)
            reason = one_line(reader.text(link, "reason", file, where))
            problems = []
            if reason_problem(reason):  # the form's rule, said as the other seed files say theirs
                problems.append("reason is required: say in one line how the action addresses the recommendation"
                                if not reason else f"reason is longer than {limits.COVERAGE_REASON} characters: "
                                                   "keep it to one line")
            if action and action not in item_kinds:
                problems.append(f"unknown item {action!r}")
            elif action and recommendation in item_kinds:
                problems.append(link_problem(recommendation, item_kinds[recommendation], action, item_kinds[action]))
            pair = (recommendation, action)
            if action and pair in seen:
                problems.append(f"links {recommendation} and {action} a second time (first in [[coverage]] "
                                f"#{seen[pair]})")
            seen.setdefault(pair, index)
            problems = [problem for problem in problems if problem]
            for problem in problems:
                reader.problem(file, where, problem)
            if not problems and recommendation in item_kinds:
                catalogue.coverage.append(CoverageRecord(recommendation, action, reason))


def _read_indicator_values(reader: _Reader, file: str, record: str, raw: dict, figures: _IndicatorFigures,
                           breakdowns: list[Breakdown], province_codes: set[str]) -> list[IndicatorValueRecord]:
    """An indicator's [[indicator.value]] tables: dated figures from the sources, one per period and cell."""
    raw_values = raw.get("value", [])
    if not isinstance(raw_values, list) or not all(isinstance(v, dict) for v in raw_values):
        reader.problem(file, record, "value must be a list of tables ([[indicator.value]])")
        return []
    result: list[IndicatorValueRecord] = []
    cells: set[tuple] = set()
    for index, raw_value in enumerate(raw_values, start=1):
        where = f"{record}, value #{index}"
        for key in sorted(set(raw_value) - VALUE_KEYS):
            reader.problem(file, where, f"unknown field {key!r}")
        period = figures.period(raw_value, where)
        value = figures.number(raw_value.get("value"), where, "value")
        cell: dict[str, str] = {}
        for breakdown in Breakdown:
            code = reader.text(raw_value, breakdown.value, file, where)
            if not code:
                continue
            if breakdown not in breakdowns:
                reader.problem(file, where, f"{breakdown.value} is not one of this indicator's breakdowns "
                                            f"({', '.join(b.value for b in breakdowns) or 'none'})")
            elif breakdown == Breakdown.PROVINCE and code not in province_codes:
                reader.problem(file, where, f"unknown province {code!r}")
            elif breakdown in CELL_ENUMS and code not in {m.value for m in CELL_ENUMS[breakdown]}:
                allowed = ", ".join(m.value for m in CELL_ENUMS[breakdown])
                reader.problem(file, where, f"{breakdown.value} {code!r} is not one of: {allowed}")
            else:
                cell[breakdown.value] = code
        as_of = reader.date(raw_value, "as_of", file, where)
        if as_of and period and as_of < period_start(period):
            reader.problem(file, where, f"as_of {as_of.isoformat()} is before its period {period} begins")
        source = figures.source(raw_value, where)
        locator = reader.text(raw_value, "locator", file, where, required=True)
        if len(locator) > limits.LOCATOR:
            reader.problem(file, where, f"locator is longer than {limits.LOCATOR} characters")
        note = reader.text(raw_value, "note", file, where, required=True)
        key = (period, tuple(sorted(cell.items())))
        if period and key in cells:
            shown = ", ".join(f"{name} {code}" for name, code in sorted(cell.items())) or "the total"
            reader.problem(file, where, f"a second value for {period}, {shown}")
        cells.add(key)
        if period and value is not None:
            result.append(IndicatorValueRecord(period=period, value=value, cell=cell, as_of=as_of, source=source,
                                               locator=locator, note=note))
    return result


def _read_synonyms(reader: _Reader, catalogue: Catalogue) -> None:
    """Read synonyms.toml: groups of words or phrases that a search treats as one (optional)."""
    from ..search.query import name_key as search_key  # how the search compares what is typed with a term

    file = "synonyms.toml"
    data = reader.load(file, required=False)
    for key in sorted(set(data) - {"synonym"}):
        reader.problem(file, "file", f"unknown field {key!r} (the groups are [[synonym]] tables)")
    groups = data.get("synonym", [])
    if not isinstance(groups, list) or not all(isinstance(group, dict) for group in groups):
        reader.problem(file, "file", "synonym must be an array of tables ([[synonym]])")
        return
    owners: dict[tuple[str, ...], int] = {}
    for number, raw in enumerate(groups, start=1):
        record = f"synonym #{number}"
        for key in sorted(set(raw) - SYNONYM_KEYS):
            reader.problem(file, record, f"unknown field {key!r}")
        reader.text(raw, "note", file, record)
        if "terms" not in raw:
            reader.problem(file, record, "terms is required")
        given = reader.string_list(raw, "terms", file, record)
        if "terms" in raw and len(given) < 2:
            reader.problem(file, record, "terms needs at least two words or phrases that mean the same")
        terms: list[str] = []
        for term in given:
            key = search_key(term)
            if not key:
                reader.problem(file, record, f"term {term!r} holds no word to search for")
            elif len(term) > limits.SYNONYM:
                reader.problem(file, record, f"term {term[:40]!r}… is longer than {limits.SYNONYM} characters")
            elif key in owners:
                where = "is given twice" if owners[key] == number else f"is also in synonym #{owners[key]}"
                reader.problem(file, record, f"term {term!r} {where}")
            else:
                owners[key] = number
                terms.append(term)
        catalogue.synonyms.append(terms)


def period_start(period: str) -> date:
    """The first day of a period: 2009 -> 1 Jan 2009, 2009-Q3 -> 1 Jul 2009."""
    year, _, quarter = period.partition("-Q")
    return date(int(year), 3 * (int(quarter or 1) - 1) + 1, 1)


class _IndicatorFigures:
    """The checks an indicator's baseline, targets and values share: its kind's numbers, its periods, sources."""

    def __init__(self, reader: _Reader, file: str, record: str, kind: IndicatorKind | None, frequency: Frequency):
        self.reader, self.file, self.record, self.kind, self.frequency = reader, file, record, kind, frequency

    def number(self, value, where: str, key: str) -> float | None:
        problem = None
        if value is None:
            problem = f"{key} is required"
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            problem = f"{key} {value!r} must be a number"
        elif self.kind == IndicatorKind.COUNT and (value < 0 or value != int(value)):
            problem = f"{key} {value!r} must be a whole number, not negative (the indicator is a count)"
        elif self.kind == IndicatorKind.PERCENTAGE and not 0 <= value <= 100:
            problem = f"{key} {value!r} must be from 0 to 100 (the indicator is a percentage)"
        elif self.kind == IndicatorKind.YES_NO and value not in (0, 1):
            problem = f"{key} {value!r} must be 1 (yes) or 0 (no)"
        elif self.kind == IndicatorKind.AMOUNT and value < 0:
            problem = f"{key} {value!r} must not be negative (the indicator is an amount)"
        if problem:
            self.reader.problem(self.file, where, problem)
            return None
        return float(value)

    def period(self, data: dict, where: str) -> str:
        if isinstance(data.get("period"), int):
            self.reader.problem(self.file, where, f"period {data['period']} must be a string: \"{data['period']}\"")
            return ""
        period = self.reader.text(data, "period", self.file, where, required=True)
        if period and not PERIOD_PATTERN.match(period):
            self.reader.problem(self.file, where, f"period {period!r} is not a year or a quarter (2009, 2009-Q3)")
            return ""
        if period and self.frequency == Frequency.YEARLY and "-Q" in period:
            self.reader.problem(self.file, where, f"period {period!r} is a quarter; the indicator is yearly")
            return ""
        return period

    def source(self, data: dict, where: str) -> str:
        source = self.reader.text(data, "source", self.file, where, required=True)
        if source and not SOURCE_DOCUMENT_PATTERN.match(source):
            self.reader.problem(self.file, where, f"source {source!r} is not a document's name in shared/seeds "
                                                  "(such as 004_39894861599362c9.txt)")
        return source


def main(argv: list[str]) -> int:
    """`python -m tracker.seeding.validate [SEED_DIR] [--sources DOCUMENTS_DIR]`: 0 when every file is valid (and,
    given the source documents, every agency's named_in or curated agrees with them)."""
    arguments = argparse.ArgumentParser(prog="python -m tracker.seeding.validate")
    arguments.add_argument("seed_dir", nargs="?", default="seed")
    arguments.add_argument("--sources", help="the source documents' folder (shared/seeds): check named_in and curated")
    options = arguments.parse_args(argv[1:])
    try:
        catalogue = read_catalogue(options.seed_dir)
        if options.sources:
            documents = read_documents(options.sources)
            if not documents:
                raise Invalid(f"{options.sources} holds no source documents (*.txt)")
            problems = agency_source_problems(catalogue.agencies, documents)
            if problems:
                raise Invalid(problems)
    except Invalid as exc:
        print(f"{len(exc.problems)} problem(s):")
        for problem in exc.problems:
            print(f"  {problem}")
        return 1
    print(
        f"ok: {len(catalogue.frameworks)} frameworks, {len(catalogue.agencies)} agencies, "
        f"{len(catalogue.items)} items, {len(catalogue.evidence)} evidence, "
        f"{len(catalogue.context)} context records, {len(catalogue.indicators)} indicators "
        f"({sum(len(i.values) for i in catalogue.indicators)} values), {len(catalogue.coverage)} coverage links, "
        f"{len(catalogue.synonyms)} synonym groups"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
