"""The indicator list's filters: one schema for the page (lenient: a bad value is dropped and named) and the API."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from marshmallow import post_load

from .. import limits
from ..items.filters import (
    Flag,
    Known,
    QuerySchema,
    QueryText,
    WholeNumber,
    lenient_listing,
    page_field,
    page_size,
    per_page_field,
)
from ..models import Agency, Pillar


@dataclass(frozen=True)
class IndicatorFilters:
    pillar: str = ""
    agency: int | None = None
    q: str = ""
    retired: bool = False  # include retired indicators
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict:
        merged = replace(self, **changes) if changes else self
        values = {"pillar": merged.pillar, "agency": merged.agency, "q": merged.q,
                  "retired": 1 if merged.retired else None}
        return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class IndicatorListing:
    filters: IndicatorFilters
    page: int = 1
    per_page: int = limits.PER_PAGE_DEFAULT


class IndicatorListArgsSchema(QuerySchema):
    """The filters of /indicators and the API's /indicators, and which page."""

    pillar = QueryText(validate=Known(Pillar.code, _l("pillar")),
                       metadata={"description": "Pillar code: prevention, prosecution, protection or partnership."})
    agency = WholeNumber(error=_l("agency %(input)s is not an agency number"), validate=Known(Agency.id, _l("agency")),
                         metadata={"description": "Agency id: indicators it reports."})
    q = QueryText(max_length=limits.SEARCH, metadata={"description": "Text in the code, name or definition."})
    retired = Flag("retired", metadata={"description": "Include retired indicators."})
    page = page_field()
    per_page = per_page_field("Indicators")

    @post_load
    def make(self, data, **kwargs) -> IndicatorListing:
        page, per_page = page_size(data)  # taken out first: the rest are the filters
        return IndicatorListing(IndicatorFilters(**data), page, per_page)


def read_listing(args) -> IndicatorListing:
    return lenient_listing(IndicatorListArgsSchema(), args)
