"""The assessment list's filters: one schema for the page (lenient: a bad value is dropped and named), its CSV
download and the API (strict)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from marshmallow import post_load, validate

from .. import limits
from ..enums import AssessmentRating
from ..items.filters import (
    Flag,
    ItemFilters,
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
class AssessmentFilters:
    """What a list of standing assessments is narrowed to; every field round-trips through a query string."""

    year: int | None = None
    pillar: str = ""
    agency: int | None = None
    rating: str = ""
    disagreements: bool = False  # only those that disagree with the item's official status
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict:
        merged = replace(self, **changes) if changes else self
        values = {"year": merged.year, "pillar": merged.pillar, "agency": merged.agency, "rating": merged.rating,
                  "disagreements": 1 if merged.disagreements else None}
        return {key: value for key, value in values.items() if value not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    @property
    def item_filters(self) -> ItemFilters:
        """The filters on the assessed items, as the item list reads them (pillar, and agency lead or supporting)."""
        return ItemFilters(pillar=self.pillar, agency=self.agency)


@dataclass(frozen=True)
class AssessmentListing:
    filters: AssessmentFilters
    page: int = 1
    per_page: int = limits.PER_PAGE_DEFAULT


class AssessmentListArgsSchema(QuerySchema):
    """The filters of /assessments, its CSV download and the API's /assessments, and which page."""

    year = WholeNumber(error=_l("year %(input)s is not a year"),
                       metadata={"description": "The reporting year assessed, e.g. 2026."})
    pillar = QueryText(validate=Known(Pillar.code, _l("pillar")),
                       metadata={"description": "Pillar code: prevention, prosecution, protection or partnership."})
    agency = WholeNumber(error=_l("agency %(input)s is not an agency number"), validate=Known(Agency.id, _l("agency")),
                         metadata={"description": "Agency id: items where it is lead or supporting."})
    rating = QueryText(validate=validate.OneOf(AssessmentRating.codes(), error=_l("unknown rating {input!r}")),
                       metadata={"description": "Rating code: " + ", ".join(AssessmentRating.codes()) + "."})
    disagreements = Flag("disagreements", metadata={
        "description": "Only assessments that disagree with the item's official status."})
    page = page_field()
    per_page = per_page_field("Assessments")

    @post_load
    def make(self, data, **kwargs) -> AssessmentListing:
        page, per_page = page_size(data)  # taken out first: the rest are the filters
        return AssessmentListing(AssessmentFilters(**data), page, per_page)


def read_listing(args) -> AssessmentListing:
    return lenient_listing(AssessmentListArgsSchema(), args)
