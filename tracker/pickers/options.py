"""What an agency picker offers: every agency, each option carrying the other names it can be found by."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Agency

# How the other names are joined in an option's data-aliases (the picker searches the whole string).
ALIAS_SEPARATOR = " · "


def agency_option_attrs(agency: Agency) -> dict[str, str]:
    """The data attributes of an agency's <option>: its short name and other names, which the picker searches
    beside the option's text ("FIA", "DG FIA" and "Federal Investigation Agency" all find the FIA)."""
    attrs = {}
    if agency.short_name:
        attrs["data-short"] = agency.short_name
    if agency.aliases:
        attrs["data-aliases"] = ALIAS_SEPARATOR.join(alias.alias for alias in agency.aliases)
    return attrs


def pickable(query):
    """An agency query with what the options show loaded with it (one more query, whatever the number)."""
    return query.options(selectinload(Agency.aliases))


def all_agencies() -> list[Agency]:
    """Every agency by name, ready to be options of a picker."""
    return list(db.session.scalars(pickable(db.select(Agency).order_by(Agency.name))))
