"""What an agency picker offers: every agency, each option carrying the other names it can be found by."""
from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from wtforms.widgets import Select
from wtforms.widgets.core import clean_key

from ..catalogue.version import catalogue_read
from ..extensions import db
from ..i18n.content import showing_urdu
from ..models import Agency, AgencyAlias, ItemAgency

# How the other names are joined in an option's data-aliases (the picker searches the whole string).
ALIAS_SEPARATOR = " · "


def agency_option_attrs(agency: Agency) -> dict[str, str]:
    """The data attributes of an agency's <option>: its short name and other names, which the picker searches
    beside the option's text ("FIA", "DG FIA" and "Federal Investigation Agency" all find the FIA)."""
    attrs = {}
    if agency.short_name:
        attrs["data-short"] = agency.short_name
    others = list(agency.alias_names)
    if agency.shown_name != agency.name:
        others.insert(0, agency.name)  # an Urdu page shows the Urdu name: the English one still finds it
    if others:
        attrs["data-aliases"] = ALIAS_SEPARATOR.join(others)
    return attrs


def agency_option_tags(agencies, selected: int | None = None) -> Markup:
    """The <option>s of an agency select (templates/_macros/pickers.html), written here in one pass: a page's
    200 options through a Jinja loop and `xmlattr` cost a few milliseconds of every list."""
    agencies = tuple(agencies)
    if all(type(agency) is AgencyOption for agency in agencies):
        return _remembered_option_tags(agencies, selected)
    return _option_tags(agencies, selected)


def _option_tags(agencies, selected: int | None) -> Markup:
    tags = []
    for agency in agencies:
        attrs = "".join(f' {key}="{escape(value)}"' for key, value in agency_option_attrs(agency).items())
        chosen = " selected" if selected == agency.id else ""
        tags.append(f'<option value="{agency.id}"{attrs}{chosen}>{escape(agency.shown_display_name)}</option>')
    return Markup("".join(tags))


# The same options are written on every list page, by each process: they are kept, keyed by what they show (the
# options hold plain values, in the request's language), so a renamed agency or a new alias is a new key.
_remembered_option_tags = lru_cache(maxsize=32)(_option_tags)


class PickerSelect(Select):
    """WTForms' select, its options written as WTForms writes them but without a Markup.format per attribute:
    a form's agency picker has 200 options, each with two or three attributes."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        options = {"value": value, **(choice.render_kw or {})}
        if choice.selected:
            options["selected"] = True
        params = " ".join(clean_key(key) if value is True else f'{clean_key(key)}="{escape(value)}"'
                          for key, value in sorted(options.items()) if value is not False)
        return Markup(f"<option {params}>{escape(choice.label or choice.value)}</option>")


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


class AgencyOption(NamedTuple):
    """What an option of a picker shows of an agency, read as plain rows: a list's 200 agencies as ORM objects,
    with their aliases, cost more than the rest of its queries together. Made for one request, its name in that
    request's language is chosen once, not at each of the option's uses. A tuple: the options' HTML is kept by
    them, and a tuple is hashed and compared in C."""

    id: int
    name: str
    shown_name: str
    short_name: str
    alias_names: tuple[str, ...]
    has_items: bool  # whether any item names it: the item filters offer only those

    @property
    def shown_display_name(self) -> str:
        return f"{self.shown_name} ({self.short_name})" if self.short_name else self.shown_name


def all_agencies() -> list[AgencyOption]:
    """Every agency by name, ready to be options of a picker: read in two queries once per change of the
    catalogue by each process (catalogue/version.py)."""
    return list(catalogue_read("agencies", _read_agencies))


def _read_agencies() -> tuple[AgencyOption, ...]:
    has_items = sa.exists().where(ItemAgency.agency_id == Agency.id)  # a probe of item_agencies' index per agency
    agencies = db.session.execute(
        sa.select(Agency.id, Agency.name, Agency.name_ur, Agency.short_name, has_items).order_by(Agency.name)
    ).all()
    aliases = defaultdict(list)
    if agencies:
        for agency_id, alias in db.session.execute(
                sa.select(AgencyAlias.agency_id, AgencyAlias.alias).order_by(AgencyAlias.alias)):
            aliases[agency_id].append(alias)
    urdu = showing_urdu()
    return tuple(AgencyOption(id, name, name_ur if urdu and name_ur else name, short_name, tuple(aliases[id]), named)
                 for id, name, name_ur, short_name, named in agencies)


def pickable(query):
    """An agency query with what the options show loaded with it (one more query, whatever the number)."""
    return query.options(selectinload(Agency.aliases))
