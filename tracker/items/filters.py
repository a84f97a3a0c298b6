"""The item filters, declared once: the schema that the API validates with (and documents), and that the
item list, the dashboard and the exports read their query strings through.

The API is strict: a value that makes no sense is a 422 naming it. The pages are lenient: the same
value is dropped and named above the list. Either way the problems are the same sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import ValidationError, post_load, pre_load, validate
from marshmallow import fields as ma_fields

from .. import limits
from ..enums import GovernmentResponse, Status
from ..errors import problem_list
from ..extensions import db
from ..models import Agency, Framework, Pillar, Province

if TYPE_CHECKING:
    from ..search.services import Search

SORTS = {
    "rank": _l("Relevance"),
    "ref": _l("Reference"),
    "due": _l("Due date"),
    "status": _l("Status"),
    "updated": _l("Last update"),
}
SORT_CHOICES = [spelling for key in SORTS for spelling in (key, "-" + key)]
FLAGS_TRUE = ("1", "true", "on", "yes")
FLAGS_FALSE = ("0", "false", "off", "no")


@dataclass(frozen=True)
class ItemFilters:
    """What a list of items is narrowed to; every field round-trips through a query string."""

    framework: str = ""
    pillar: str = ""
    agency: int | None = None
    province: str = ""
    status: str = ""
    overdue: bool = False
    q: str = ""
    due_from: date | None = None
    due_to: date | None = None
    # A recommendation's government response and review cycle; only those that repeat an earlier one.
    response: str = ""
    cycle: int | None = None
    recurring: bool = False
    sort: str = ""  # none chosen: the most relevant first when searching, else by reference
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_args(cls, args) -> ItemFilters:
        """Read filters from request arguments, dropping (and naming) values that make no sense."""
        filters, problems = load_leniently(ItemFilterSchema(), args)
        return replace(filters, problems=tuple(problems))

    def to_args(self, **changes) -> dict:
        """Query-string arguments for these filters (defaults left out), with some changed."""
        merged = replace(self, **changes) if changes else self
        args = {}
        for f in fields(merged):
            if f.name == "problems":
                continue
            value = getattr(merged, f.name)
            if value in ("", None, False):
                continue
            args[f.name] = 1 if value is True else value.isoformat() if isinstance(value, date) else value
        return args

    @property
    def active(self) -> bool:
        return bool(set(self.to_args()) - {"sort"})

    @property
    def order(self) -> str:
        """The order the items are listed in: the one chosen, or relevance when searching for words (not only
        excluding some), else by reference."""
        return self.sort or ("rank" if self.search is not None and self.search.query.groups else "ref")

    @cached_property
    def search(self) -> Search | None:
        """What `q` searches for (None when it is blank): read once per filters, as the list, its counts and its
        highlights all use it."""
        from ..search.services import search_for  # the search reads the agencies and synonyms: only when asked

        return search_for(self.q)


@dataclass(frozen=True)
class ItemListing:
    """Filters and the page of a list."""

    filters: ItemFilters
    page: int = 1
    per_page: int = limits.PER_PAGE_DEFAULT


# Fields that read query-string text and say, in the problem, which parameter held what.


class TranslatedErrors:
    """A field whose own problems are written for translation (`_l("… %(input)s …")`): each is put in the
    request's language when it is raised, the value as typed shown quoted. (Marshmallow fills in only plain
    strings, with `str.format`; a field given one, as some schemas do, keeps that.)"""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        message = self.error_messages.get(key)
        if not isinstance(message, LazyString):
            return super().make_error(key, **kwargs)
        values = {name: repr(value) if name == "input" else value for name, value in kwargs.items()}
        return ValidationError(str(message) % values)


class QueryText(TranslatedErrors, ma_fields.String):
    """Text from a query string; a NUL character is refused here, before any database sees it."""

    default_error_messages = {"nul": _l("%(name)s %(input)s holds a NUL character")}

    def __init__(self, *, max_length: int | None = None, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise self.make_error("nul", name=attr, input=value)
        # Longer search words cannot match more: cut them rather than refuse.
        return value[: self.max_length] if self.max_length else value


class WholeNumber(TranslatedErrors, ma_fields.Integer):
    """A number from 1 to the largest a database integer holds, in plain ASCII digits
    (int() would take "١٢", "1_000" or "+5")."""

    def __init__(self, *, error: str | LazyString, **kwargs):
        metadata = {"minimum": 1, "maximum": limits.ID_MAX, **kwargs.pop("metadata", {})}
        super().__init__(error_messages={"invalid": error}, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value)
        if not re.fullmatch(r"[0-9]{1,10}", text) or not 1 <= int(text) <= limits.ID_MAX:
            raise self.make_error("invalid", input=value)
        return int(text)


class Flag(TranslatedErrors, ma_fields.Boolean):
    """A checkbox-like flag, in exactly the spellings the pages send, so nothing is taken for "false" unannounced."""

    def __init__(self, name: str, **kwargs):
        self.flag_name = name  # the query-string parameter, named as written
        super().__init__(truthy=set(FLAGS_TRUE), falsy=set(FLAGS_FALSE),
                         error_messages={"invalid": _l("%(name)s %(input)s is not one of %(spellings)s")}, **kwargs)

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return super().make_error(key, name=self.flag_name, spellings=", ".join(FLAGS_TRUE + FLAGS_FALSE), **kwargs)


class Known(validate.Validator):
    """The value names something in the database (a code or an id), else "unknown <what> <value>" (`what` in
    the request's language when given as `_l(...)`)."""

    def __init__(self, column, what: str | LazyString):
        self.column = column
        self.what = what

    def __call__(self, value):
        if db.session.scalar(db.select(self.column).where(self.column == value)) is None:
            raise ValidationError(_("unknown %(what)s %(value)s", what=self.what, value=repr(value)))
        return value


# The days a comparison of dates or an "as of" may name: the end of each (the next day's 00:00) must be a
# moment that Python and both databases hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class QueryDate(TranslatedErrors, ma_fields.Date):
    """A day in a query string, its problems naming the parameter (as written, its underscores spaces)."""

    def __init__(self, label: str, **kwargs):
        self.label = label
        super().__init__(error_messages={"invalid": _l("%(name)s %(input)s is not a date (YYYY-MM-DD)")}, **kwargs)

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return super().make_error(key, name=self.label, **kwargs)


def query_date(name: str, description: str, *, bounded: bool = False) -> ma_fields.Date:
    """A day in a query string (YYYY-MM-DD); `bounded`, from FIRST_DAY to LAST_DAY."""
    label = name.replace("_", " ")

    def within_bounds(day: date) -> None:
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(_("%(name)s %(day)s is not between %(first)s and %(last)s", name=label,
                                    day=day.isoformat(), first=FIRST_DAY.year, last=LAST_DAY.year))

    return QueryDate(label, validate=[within_bounds] if bounded else [], metadata={"description": description})


class QuerySchema(ma.Schema):
    """Filters read from a query string, by pages and the API alike."""

    @pre_load
    def given_values(self, data, **kwargs):
        """Query strings carry text: surrounding spaces are dropped, and an empty value (a select left
        at "All") means the filter is not set. Only the first of repeated parameters counts."""
        values = {}
        for name, schema_field in self.load_fields.items():
            key = schema_field.data_key or name
            value = data.get(key) if hasattr(data, "get") else None
            if isinstance(value, str):
                value = value.strip()
            if value is None or value is ma.missing or value == "":
                continue
            values[key] = value
        return values


class ItemFilterSchema(QuerySchema):
    """The filters of /items, /dashboard, the exports, and the API's /items and /stats."""

    framework = QueryText(validate=Known(Framework.code, _l("framework")),
                          metadata={"description": "Framework code, e.g. NAP05."})
    pillar = QueryText(validate=Known(Pillar.code, _l("pillar")),
                       metadata={"description": "Pillar code: prevention, prosecution, protection or partnership."})
    agency = WholeNumber(error=_l("agency %(input)s is not an agency number"), validate=Known(Agency.id, _l("agency")),
                         metadata={"description": "Agency id: items where it is lead or supporting."})
    province = QueryText(validate=Known(Province.code, _l("province")),
                         metadata={"description": "Province code, e.g. PB."})
    status = QueryText(validate=validate.OneOf(Status.codes(), error=_l("unknown status {input!r}")),
                       metadata={"description": "Status code."})
    overdue = Flag("overdue", metadata={
        "description": "Only overdue items (a past due date, neither completed nor superseded)."})
    q = QueryText(max_length=limits.SEARCH, metadata={
        "description": "Words that must all appear in the ref, title, source text, verified notes or agencies' names, "
                       "stemmed (\"shelters\" finds \"shelter\"), names and synonyms matched with their others "
                       "(\"FIA\" finds \"Federal Investigation Agency\"); \"a phrase\", prefix*, a OR b, -not. "
                       "Ranked by relevance unless `sort` is given."})
    due_from = query_date("due_from", "Only items due on or after this date.")
    due_to = query_date("due_to", "Only items due on or before this date.")
    response = QueryText(validate=validate.OneOf(GovernmentResponse.codes(), error=_l("unknown response {input!r}")),
                         metadata={"description": "A recommendation's government response: "
                                                  + ", ".join(GovernmentResponse.codes()) + "."})
    cycle = WholeNumber(error=_l("cycle %(input)s is not a year"),
                        validate=validate.Range(min=limits.FIRST_CYCLE, max=LAST_DAY.year,
                                                error=_l("cycle {input} is not a year from {min}")),
                        metadata={"description": "A recommendation's review cycle (a year).",
                                  "minimum": limits.FIRST_CYCLE, "maximum": LAST_DAY.year})
    recurring = Flag("recurring", metadata={
        "description": "Only recommendations that repeat an earlier cycle's (a confirmed repeat)."})
    sort = QueryText(load_default="", validate=validate.OneOf(SORT_CHOICES, error=_l("unknown sort {input!r}")),
                     metadata={"description": "Order: " + ", ".join(SORTS) + "; a leading - reverses it. Default: "
                                              "rank (the most relevant first) with `q`, else ref."})

    @post_load
    def make(self, data, **kwargs):
        return ItemFilters(**data)


class ItemStatsArgsSchema(ItemFilterSchema):
    """The filters of counts: any order gives the same counts."""

    class Meta:
        exclude = ("sort",)


def page_field() -> WholeNumber:
    """Which page of a list, from 1: the same argument for every listing, page and API alike."""
    return WholeNumber(error=_l("page %(input)s is not a whole number from 1 up"), load_default=1,
                       metadata={"description": "Page number, from 1."})


def per_page_field(rows: str) -> WholeNumber:
    """How many `rows` (items, indicators …) a page holds; `page_size` caps it."""
    return WholeNumber(error=_l("per_page %(input)s is not a whole number from 1 up"),
                       load_default=limits.PER_PAGE_DEFAULT,
                       metadata={"description": f"{rows} a page; larger values are capped at {limits.PER_PAGE_MAX}."})


def page_size(data: dict) -> tuple[int, int]:
    """Take the page and its size out of loaded arguments. The size is capped rather than refused: asking for
    more is not a mistake worth a failed call."""
    return data.pop("page"), min(data.pop("per_page"), limits.PER_PAGE_MAX)


class ItemListArgsSchema(ItemFilterSchema):
    """The filters of a list, and which page of it."""

    page = page_field()
    per_page = per_page_field("Items")

    @post_load
    def make(self, data, **kwargs):
        page, per_page = page_size(data)  # taken out first: the rest are the filters
        return ItemListing(ItemFilters(**data), page, per_page)


def load_leniently(schema: ma.Schema, args):
    """Load query-string arguments for a page: a value that makes no sense is dropped and named.

    Returns what the schema makes, and the problems as sentences.
    """
    try:
        return schema.load(args), []
    except ValidationError as exc:
        problems = problem_list(exc.messages)
        bad = set(exc.messages)
        kept = {key: args.get(key) for key in args.keys() if key not in bad}
        return schema.load(kept), problems


def lenient_listing(schema: ma.Schema, args):
    """A page's list query (filters and page) by a listing schema, leniently: what made no sense is dropped
    and named in the filters' `problems`."""
    listing, problems = load_leniently(schema, args)
    return replace(listing, filters=replace(listing.filters, problems=tuple(problems)))


def read_listing(args) -> ItemListing:
    return lenient_listing(ItemListArgsSchema(), args)
