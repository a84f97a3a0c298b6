"""How dates and figures read for people, on every page and in every message, in the page's language (Babel):
30 Nov 2026, or 30 نومبر 2026 in Urdu; Western digits unless an Urdu reader chose Urdu's (i18n.page_digits).

Exports, the API, `datetime` attributes and form fields keep ISO 8601 (contract.iso), which machines read.
Outside a request (jobs, the command line) they are written in English unless flask_babel.force_locale says
otherwise (e-mails in their recipient's language).
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_decimal
from flask import has_app_context
from flask_babel import get_locale

from .i18n import DIGITS, WESTERN_DIGITS, page_digits

# CLDR patterns: the day, the month's short name (Urdu has one name for each month), the year.
DATE_PATTERN = "d MMM y"
TIME_PATTERN = "HH:mm:ss"


def locale():
    """The language to write in: the request's (or the one forced), else English."""
    return (get_locale() if has_app_context() else None) or "en"


def with_digits(text: str, digits: str | None = None) -> str:
    """The text with the page's digits (or `digits`): Babel writes Urdu with Western digits, which Urdu pages keep
    unless the reader chose Urdu's."""
    digits = digits or page_digits()
    if digits == WESTERN_DIGITS:
        return text
    return text.translate(str.maketrans(DIGITS[WESTERN_DIGITS], DIGITS[digits]))


def format_date(value: date | datetime | None, empty: str = "—") -> str:
    """Dates as people read them here: 5 Jan 2026 (the day of a datetime as it is stored, without conversion)."""
    if value is None:
        return empty
    day = value.date() if isinstance(value, datetime) else value
    return _written_day(day, str(locale()), page_digits())


@lru_cache(maxsize=4096)
def _written_day(day: date, language: str, digits: str) -> str:
    # Babel takes some 20 µs a date, and a list of 50 items writes 100 of them: the same few days, over and over.
    return with_digits(babel_date(day, DATE_PATTERN, locale=language), digits)


def format_moment(value: datetime | None, empty: str = "—") -> str:
    """A moment to the second, in the date format: 30 Nov 2026 14:05:09."""
    if value is None:
        return empty
    return f"{format_date(value)} {with_digits(babel_time(value, TIME_PATTERN, locale=locale()))}"


def format_number(value: float | None) -> str:
    """Figures with thousands separators, without a needless ".0"."""
    if value is None:
        return ""
    number = int(value) if float(value).is_integer() else value
    return with_digits(format_decimal(number, locale=locale(), decimal_quantization=False))
