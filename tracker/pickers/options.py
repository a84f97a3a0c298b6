"""What an agency picker offers: every agency, each option carrying the other names it can be found by."""
from __future__ import annotations

import json

from flask_babel import gettext as _
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
    others = [alias.alias for alias in agency.aliases]
    if agency.shown_name != agency.name:
        others.insert(0, agency.name)  # an Urdu page shows the Urdu name: the English one still finds it
    if others:
        attrs["data-aliases"] = ALIAS_SEPARATOR.join(others)
    return attrs


def picker_attrs() -> dict[str, str]:
    """The attributes that make a select an agency picker, with the picker's own words in the page's language
    (static/js/pickers.js reads them; `%(names)s` and `%(name)s` are filled in there)."""
    text = {
        "hint": _("Type part of its name, short name or another name to narrow the list; arrow keys and Enter "
                  "choose."),
        "multipleHint": _("Type part of a name, short name or another name: each agency you choose is added to the "
                          "others. Remove one with its × or, in the box, with Backspace."),
        "remove": _("Remove"),
        "removeOne": _("Remove %(name)s"),
        "noResults": _("No agency goes by that name."),
        "chosen": _("Chosen: %(names)s."),
        "noneChosen": _("None chosen."),
    }
    return {"data-picker": "agency", "data-picker-text": json.dumps(text, ensure_ascii=False)}


def pickable(query):
    """An agency query with what the options show loaded with it (one more query, whatever the number)."""
    return query.options(selectinload(Agency.aliases))


def all_agencies() -> list[Agency]:
    """Every agency by name, ready to be options of a picker."""
    return list(db.session.scalars(pickable(db.select(Agency).order_by(Agency.name))))
