"""How dates and figures read for people, on every page and in every message: one format, 30 Nov 2026.

Exports, the API, `datetime` attributes and form fields keep ISO 8601 (contract.iso), which machines read.
"""
from __future__ import annotations

from datetime import date, datetime


def format_date(value: date | datetime | None, empty: str = "—") -> str:
    """Dates as people read them here: 5 Jan 2026."""
    if value is None:
        return empty
    return f"{value.day} {value:%b %Y}"


def format_moment(value: datetime | None, empty: str = "—") -> str:
    """A moment to the second, in the date format: 30 Nov 2026 14:05:09."""
    if value is None:
        return empty
    return f"{format_date(value)} {value:%H:%M:%S}"


def format_number(value: float | None) -> str:
    """Figures with thousands separators, without a needless ".0"."""
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
