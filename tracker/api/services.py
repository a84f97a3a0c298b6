"""The API's rules: reading list queries, counting items, and turning JSON into a progress report."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from .. import limits
from ..auth.permissions import can_update_item
from ..extensions import db
from ..items.services import ItemFilters, filter_clauses
from ..enums import Status
from ..models import ActionItem, Agency, Framework, ItemAgency, Pillar, Province, Update, User
from ..errors import Invalid as InvalidReport
from ..errors import NotAllowed
from ..progress.services import Figure, ProgressReport, report_progress

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200
FLAG_VALUES = ("", "0", "1", "true", "false", "on", "off", "yes", "no")
NOTE_MAX, UNIT_MAX, LINK_MAX, LINKS_MAX, ID_MAX = limits.NOTE, limits.UNIT, limits.LINK, limits.LINKS, limits.ID_MAX
REPORT_FIELDS = {"status", "progress", "note", "expected_version", "links", "figure", "confidential"}


class InvalidQuery(ValueError):
    """Query parameters that make no sense, each named (422)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ListQuery:
    filters: ItemFilters
    page: int
    per_page: int


def _positive_int(args, name: str, default: int, problems: list[str]) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    # Bounded so that no value reaches the database as an integer it cannot hold.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= ID_MAX:
        problems.append(f"{name} {raw!r} is not a whole number from 1 up")
        return default
    return int(raw)


def read_filters(args) -> ItemFilters:
    """The list's filters from query parameters; raise InvalidQuery naming values that match nothing.

    The HTML list quietly drops such values; an API client is better told its filter had a typo
    than handed every item.
    """
    problems = []
    raw_agency = (args.get("agency") or "").strip()
    if raw_agency and not raw_agency.isascii():
        # Digits such as "²" pass str.isdigit() yet int() cannot read them: name them here instead.
        problems.append(f"agency {raw_agency!r} is not an agency number")
        args = {key: value for key, value in args.items() if key != "agency"}
    filters = ItemFilters.from_args(args)
    problems.extend(filters.problems)
    # Exactly the spellings ItemFilters reads, so that no value is taken for "false" unannounced.
    overdue = args.get("overdue") or ""
    if overdue not in FLAG_VALUES:
        problems.append(f"overdue {overdue!r} is not one of {', '.join(FLAG_VALUES[1:])}")
    codes = [(filters.framework, Framework.code, "framework"), (filters.pillar, Pillar.code, "pillar"),
             (filters.province, Province.code, "province")]
    for value, column, name in codes:
        if value and db.session.scalar(db.select(column).where(column == value)) is None:
            problems.append(f"unknown {name} {value!r}")
    if filters.agency is not None and (filters.agency > ID_MAX or db.session.get(Agency, filters.agency) is None):
        problems.append(f"unknown agency {filters.agency}")
    if problems:
        raise InvalidQuery(problems)
    return filters


def read_list_query(args) -> ListQuery:
    """Filters and page of a list request; per_page is capped rather than refused."""
    problems: list[str] = []
    page = _positive_int(args, "page", 1, problems)
    per_page = min(_positive_int(args, "per_page", PER_PAGE_DEFAULT, problems), PER_PAGE_MAX)
    try:
        filters = read_filters(args)
    except InvalidQuery as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidQuery(problems)
    return ListQuery(filters, page, per_page)


def item_stats(filters: ItemFilters, today: date | None = None) -> dict:
    """Counts of the filtered items by pillar × status and by agency × status, in four queries.

    An item counts once for every agency responsible for it, lead or supporting.
    """
    today = today or date.today()
    where = filter_clauses(filters, today)
    total, overdue = db.session.execute(
        db.select(sa.func.count(), sa.func.count(sa.case((ActionItem.is_overdue(today), 1))))
        .select_from(ActionItem)
        .where(*where)
    ).one()
    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position)).all()
    by_pillar = {p.id: {"pillar": p.code, "name": p.name, "counts": Status.zero_counts(), "total": 0}
                 for p in pillars}
    for pillar_id, status, count in db.session.execute(
        db.select(ActionItem.pillar_id, ActionItem.status, sa.func.count())
        .where(*where)
        .group_by(ActionItem.pillar_id, ActionItem.status)
    ):
        by_pillar[pillar_id]["counts"][status.value] = count
        by_pillar[pillar_id]["total"] += count
    by_agency: dict[int, dict] = {}
    for agency_id, name, short_name, status, count in db.session.execute(
        db.select(Agency.id, Agency.name, Agency.short_name, ActionItem.status, sa.func.count())
        .join(ItemAgency, ItemAgency.item_id == ActionItem.id)
        .join(Agency, Agency.id == ItemAgency.agency_id)
        .where(*where)
        .group_by(Agency.id, Agency.name, Agency.short_name, ActionItem.status)
        .order_by(Agency.name)
    ):
        row = by_agency.setdefault(agency_id, {"id": agency_id, "name": name, "short_name": short_name,
                                               "counts": Status.zero_counts(), "total": 0})
        row["counts"][status.value] = count
        row["total"] += count
    return {
        "statuses": Status.codes(),
        "total": total,
        "overdue": overdue,
        "by_pillar": list(by_pillar.values()),
        "by_agency": list(by_agency.values()),
    }


def _is_int(value) -> bool:
    # JSON true/false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _read_figure(value, errors: dict[str, str]) -> Figure | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"value", "unit", "as_of"}:
        errors["figure"] = "A figure is an object with value, unit and (optionally) as_of."
        return None
    number, unit, as_of = value.get("value"), value.get("unit"), value.get("as_of")
    if not _is_number(number):
        errors["figure"] = "The figure's value must be a number."
    elif not isinstance(unit, str) or not unit.strip() or len(unit.strip()) > UNIT_MAX:
        errors["figure"] = (f"Say in at most {UNIT_MAX} characters what the figure counts "
                            "(e.g. “labourers rescued”).")
    elif as_of is not None and not isinstance(as_of, str):
        errors["figure"] = "The figure's as_of must be a date as YYYY-MM-DD."
    else:
        try:
            as_of_date = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            errors["figure"] = "The figure's as_of must be a date as YYYY-MM-DD."
        else:
            return Figure(float(number), unit.strip(), as_of_date)
    return None


def read_report(payload: dict) -> ProgressReport:
    """A progress report from a JSON object; raise InvalidReport naming each field of the wrong type or shape.

    Whether the values make sense together is validate_report's rule, shared with the form.
    """
    errors: dict[str, str] = {}
    for name in sorted(set(payload) - REPORT_FIELDS):
        errors[name] = "Unknown field."
    status = payload.get("status")
    if status not in Status.codes():
        errors["status"] = f"Status must be one of {', '.join(Status.codes())}."
    progress = payload.get("progress")
    if not _is_int(progress):
        errors["progress"] = "Give the progress as a whole number from 0 to 100."
    note = payload.get("note")
    if not isinstance(note, str):
        errors["note"] = "Say what happened: the note is text."
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = f"The note has at most {NOTE_MAX} characters."
    expected_version = payload.get("expected_version")
    if expected_version is not None and not (_is_int(expected_version) and 1 <= expected_version <= ID_MAX):
        errors["expected_version"] = "The expected version is the item's version number, as the API gave it."
    links = payload.get("links", [])
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        errors["links"] = "Links are a list of web addresses."
    elif len(links) > LINKS_MAX or any(len(link.strip()) > LINK_MAX for link in links):
        errors["links"] = f"At most {LINKS_MAX} links of at most {LINK_MAX} characters each."
    figure = _read_figure(payload.get("figure"), errors)
    confidential = payload.get("confidential", False)
    if not isinstance(confidential, bool):
        errors["confidential"] = "Confidential is true or false."
    if errors:
        raise InvalidReport(errors)
    return ProgressReport(
        status=Status(status),
        progress=progress,
        note=note,
        expected_version=expected_version,
        links=[link.strip() for link in links if link.strip()],
        figure=figure,
        confidential=confidential,
    )


def submit_report(user: User, item: ActionItem, payload: dict, upload_dir: str) -> Update:
    """Report progress from the API: who may is checked before what was sent, as the form does."""
    if not can_update_item(user, item):
        raise NotAllowed("Only the item's responsible agencies and coordinators may update it.")
    return report_progress(user, item, read_report(payload), upload_dir)
