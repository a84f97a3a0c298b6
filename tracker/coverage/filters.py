"""The coverage page's filters: one schema for the page (lenient: a bad value is dropped and named), its CSV
download and the API (strict)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, post_load, validate

from .. import limits
from ..enums import FrameworkKind
from ..extensions import db
from ..items.filters import (
    Flag,
    Known,
    QuerySchema,
    QueryText,
    lenient_listing,
    page_field,
    page_size,
    per_page_field,
)
from ..models import Framework, Pillar


@dataclass(frozen=True)
class CoverageFilters:
    """Which recommendations the coverage shows; every field round-trips through a query string."""

    framework: str = ""  # a recommendations framework's code
    pillar: str = ""  # the recommendation's pillar
    gaps: bool = False  # only the recommendations no action addresses
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict:
        merged = replace(self, **changes) if changes else self
        values = {"framework": merged.framework, "pillar": merged.pillar, "gaps": 1 if merged.gaps else None}
        return {key: value for key, value in values.items() if value not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.to_args())

    def describe(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.to_args().items()) or "no filters"


@dataclass(frozen=True)
class CoverageListing:
    filters: CoverageFilters
    page: int = 1
    per_page: int = limits.PER_PAGE_DEFAULT


class RecommendationsFramework(validate.Validator):
    """The code names a framework of recommendations (a plan's items are actions, not recommendations)."""

    def __call__(self, value):
        kind = db.session.scalar(db.select(Framework.kind).where(Framework.code == value))
        if kind is not None and kind != FrameworkKind.RECOMMENDATIONS:
            raise ValidationError(_("framework %(code)r is a plan, not a set of recommendations", code=value))
        return value


class CoverageArgsSchema(QuerySchema):
    """The filters of /coverage, /coverage.csv and the API's /coverage, and which page."""

    framework = QueryText(validate=[Known(Framework.code, _l("framework")), RecommendationsFramework()],
                          metadata={"description": "Code of a framework of recommendations, e.g. PAPER."})
    pillar = QueryText(validate=Known(Pillar.code, _l("pillar")),
                       metadata={"description": "Pillar code of the recommendation: prevention, prosecution, "
                                                "protection or partnership."})
    gaps = Flag("gaps", metadata={"description": "Only the gaps: recommendations no action addresses."})
    page = page_field()
    per_page = per_page_field("Recommendations")

    @post_load
    def make(self, data, **kwargs) -> CoverageListing:
        page, per_page = page_size(data)  # taken out first: the rest are the filters
        return CoverageListing(CoverageFilters(**data), page, per_page)


def read_listing(args) -> CoverageListing:
    return lenient_listing(CoverageArgsSchema(), args)
