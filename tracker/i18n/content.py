"""The catalogue's own words in the reader's language: an Urdu title or name where the seed gives one.

Unlike the interface's messages (the .po catalogue), these are data: an item's `title_ur`, an agency's `name_ur`.
An Urdu page shows the Urdu when there is one and the English otherwise; every other page shows the English.
"""
from __future__ import annotations

from flask_babel import get_locale


def showing_urdu() -> bool:
    """Whether this request's pages are in Urdu (never outside a request: the CLI and jobs write English)."""
    locale = get_locale()
    return locale is not None and locale.language == "ur"


def in_language(english: str, urdu: str) -> str:
    """The Urdu text in an Urdu page when there is one, else the English."""
    return urdu if urdu and showing_urdu() else english


def is_translated(urdu: str | None) -> bool:
    """Whether a page shows the Urdu of something written in English: an Urdu page, and an Urdu text."""
    return bool(urdu) and showing_urdu()
