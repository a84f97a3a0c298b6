"""The admin lists' filters, read from the query string so that a search can be bookmarked: leniently, as the item
list reads its own (a value that makes no sense is dropped and named above the list)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from marshmallow import post_load, validate

from .. import limits
from ..enums import AgencyKind, Role
from ..items.filters import (
    Known,
    QuerySchema,
    QueryText,
    WholeNumber,
    lenient_listing,
    page_field,
    page_size,
    per_page_field,
)
from ..models import Agency, Province

# An account's state, as the users list filters by it.
STATES = {"active": _l("Active"), "deactivated": _l("Deactivated")}


def _args(values: dict) -> dict:
    return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class AgencyFilters:
    """What the admin's list of agencies is narrowed to."""

    q: str = ""  # words each in the name, the short name or another name
    kind: str = ""
    province: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict:
        merged = replace(self, **changes) if changes else self
        return _args({"q": merged.q, "kind": merged.kind, "province": merged.province})

    @property
    def active(self) -> bool:
        return bool(self.to_args())


@dataclass(frozen=True)
class UserFilters:
    """What the admin's list of accounts is narrowed to."""

    q: str = ""  # words each in the e-mail, the name, the role or the agency's names
    role: str = ""
    agency: int | None = None
    state: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict:
        merged = replace(self, **changes) if changes else self
        return _args({"q": merged.q, "role": merged.role, "agency": merged.agency, "state": merged.state})

    @property
    def active(self) -> bool:
        return bool(self.to_args())


@dataclass(frozen=True)
class Listing:
    """Filters and the page of an admin list."""

    filters: AgencyFilters | UserFilters
    page: int = 1
    per_page: int = limits.PER_PAGE_DEFAULT


class AgencyListArgsSchema(QuerySchema):
    """The filters of /admin/agencies, and which page."""

    q = QueryText(max_length=limits.SEARCH)
    kind = QueryText(validate=validate.OneOf([kind.value for kind in AgencyKind], error=_l("unknown kind {input!r}")))
    province = QueryText(validate=Known(Province.code, _l("province")))
    page = page_field()
    per_page = per_page_field("Agencies")

    @post_load
    def make(self, data, **kwargs) -> Listing:
        page, per_page = page_size(data)  # taken out first: the rest are the filters
        return Listing(AgencyFilters(**data), page, per_page)


class UserListArgsSchema(QuerySchema):
    """The filters of /admin/users, and which page."""

    q = QueryText(max_length=limits.SEARCH)
    role = QueryText(validate=validate.OneOf([role.value for role in Role], error=_l("unknown role {input!r}")))
    agency = WholeNumber(error=_l("agency %(input)s is not an agency number"), validate=Known(Agency.id, _l("agency")))
    state = QueryText(validate=validate.OneOf(list(STATES), error=_l("unknown state {input!r}")))
    page = page_field()
    per_page = per_page_field("Accounts")

    @post_load
    def make(self, data, **kwargs) -> Listing:
        page, per_page = page_size(data)
        return Listing(UserFilters(**data), page, per_page)


def read_agency_listing(args) -> Listing:
    return lenient_listing(AgencyListArgsSchema(), args)


def read_user_listing(args) -> Listing:
    return lenient_listing(UserListArgsSchema(), args)
