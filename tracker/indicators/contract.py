"""Indicator values in long format: one row per value, in the columns the CSV export and the workbook share.

Kept beside the indicators rather than beside the item contract (tracker/contract.py): that one is the
plan import's too, while these rows follow the indicators' rules — which breakdown cell a value is of,
where it comes from, whether it counts yet — and change with them (reported values will bring their
report's stage). Cells are made inert where the files are written, with the item contract's `neutralise`.
"""
from __future__ import annotations

from datetime import date

from ..contract import iso
from ..enums import Breakdown
from ..models import IndicatorValue
from .services import value_status

# Exactly these columns, in this order. A breakdown column is empty where the value is not broken down
# by it: a row with all four empty is the indicator's total for the period.
INDICATOR_VALUE_COLUMNS = (
    "indicator",
    "indicator_name",
    "pillar",
    "unit",
    "period",
    "province",  # the breakdowns (enums.Breakdown), as codes: SD, female, child, bonded_labour
    "sex",
    "age",
    "exploitation",
    "value",
    "status",
    "origin",
    "as_of",
    "source",
    "locator",
)
# The workbook's sheet of these rows: the Excel export writes it, and an uploaded workbook is read from it.
VALUES_SHEET = "Indicator values"


def number(value: float) -> float | int:
    """A value as a spreadsheet should hold it: a whole number without its ".0"."""
    return int(value) if float(value).is_integer() else value


def typed_indicator_value_row(value: IndicatorValue) -> dict[str, object]:
    """One value as the long format's columns, the value a number and `as_of` a date (for spreadsheets)."""
    indicator = value.indicator
    cell = value.cell
    return {
        "indicator": indicator.code,
        "indicator_name": indicator.name,
        "pillar": indicator.pillar.code,
        "unit": indicator.unit,
        "period": value.period,
        **{breakdown.value: cell.get(breakdown.value, "") for breakdown in Breakdown},
        "value": number(value.value),
        "status": value_status(value).value,
        "origin": value.origin.value,
        "as_of": value.as_of,
        "source": value.source_document,
        "locator": value.locator,
    }


def indicator_value_row(value: IndicatorValue) -> dict[str, object]:
    """One value as the long format's columns (plain values, dates as ISO 8601)."""
    return {key: iso(cell) if isinstance(cell, date) or cell is None else cell
            for key, cell in typed_indicator_value_row(value).items()}
