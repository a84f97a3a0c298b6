"""The export formats: the filtered items as CSV (the contract), an Excel workbook or the HTML report; the
filtered indicators' values as CSV in long format; the coverage of the recommendations as CSV."""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import TextIO

from ..audit.services import record
from ..contract import CSV_COLUMNS, csv_chunks, inert, plain_row
from ..coverage.filters import CoverageFilters
from ..coverage.services import write_csv as write_coverage_csv
from ..enums import AuditEventKind
from ..extensions import db
from ..indicators.contract import INDICATOR_VALUE_COLUMNS, indicator_value_row
from ..indicators.filters import IndicatorFilters
from ..indicators.services import count_indicator_values, indicator_value_batches
from ..items.services import ItemFilters, count_items
from .report import report_html
from .rows import contract_row_batches
from .xlsx import workbook_bytes

ITEM_FORMATS = ("csv", "xlsx", "html")
# The indicators' values, filtered as the indicator list is (IndicatorFilters, not ItemFilters).
INDICATOR_VALUES = "indicator-values-csv"
# Which actions address each recommendation, filtered as the coverage page is (CoverageFilters).
COVERAGE = "coverage-csv"
EXPORT_FORMATS = (*ITEM_FORMATS, INDICATOR_VALUES, COVERAGE)
Filters = ItemFilters | IndicatorFilters | CoverageFilters
CSV_FORMATS = ("csv", INDICATOR_VALUES, COVERAGE)
FILTERS = {INDICATOR_VALUES: IndicatorFilters, COVERAGE: CoverageFilters}
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    INDICATOR_VALUES: "text/csv; charset=utf-8",
    COVERAGE: "text/csv; charset=utf-8",
}


def item_csv_chunks(filters: ItemFilters, today: date | None = None) -> Iterator[str]:
    """The filtered items as the contract's CSV text: the header, then each batch of rows as it is read; what the
    download sends and the command line writes, as it comes."""
    return csv_chunks(CSV_COLUMNS, (
        [[cells[column] for column in CSV_COLUMNS] for cells in (inert(plain_row(item.row)) for item in batch)]
        for batch in contract_row_batches(filters, today)))


def indicator_value_csv_chunks(filters: IndicatorFilters) -> Iterator[str]:
    """The values of the filtered indicators in long format, one row per value, a batch at a time as read."""
    return csv_chunks(INDICATOR_VALUE_COLUMNS, (
        [[cells[column] for column in INDICATOR_VALUE_COLUMNS]
         for cells in (inert(indicator_value_row(value)) for value in batch)]
        for batch in indicator_value_batches(filters)))


def csv_bytes(write: Callable[[Filters, TextIO], int], filters: Filters) -> tuple[bytes, int]:
    """What a CSV writer writes for these filters, as UTF-8, and how many rows."""
    buffer = io.StringIO()
    count = write(filters, buffer)
    return buffer.getvalue().encode("utf-8"), count


def render_export(export_format: str, filters: Filters, today: date | None = None,
                  with_pending: bool = False, as_of: date | None = None) -> tuple[bytes | Iterator[str], int]:
    """The filtered items (or, for INDICATOR_VALUES, the filtered indicators' values; for COVERAGE, the filtered
    recommendations with the actions addressing them) as a file in a format:
    its bytes and how many rows of its kind it holds, recorded in the audit log. The items' and the values' CSV
    come as text chunks still to be read, to be sent or written as they come: counted and recorded before the first
    is read.
    The CSV and the workbook always carry the pending report beside the official values (the contract's last
    columns); the HTML report counts reports awaiting verification apart `with_pending`, or stands `as_of` a past
    day."""
    if as_of is not None and export_format != "html":
        raise ValueError(f"the {export_format} export holds the items as they are now: no as_of")
    today = today or date.today()
    wanted = FILTERS.get(export_format, ItemFilters)
    if not isinstance(filters, wanted):
        raise TypeError(f"the {export_format} export takes {wanted.__name__}, not {type(filters).__name__}")
    content: bytes | Iterator[str]
    if export_format == "csv":
        content, count = item_csv_chunks(filters, today), count_items(filters, today)
    elif export_format == INDICATOR_VALUES:
        content, count = indicator_value_csv_chunks(filters), count_indicator_values(filters)
    elif export_format == COVERAGE:
        content, count = csv_bytes(write_coverage_csv, filters)
    elif export_format == "xlsx":
        content, count = workbook_bytes(filters, today)
    elif export_format == "html":
        content, count = report_html(filters, today, with_pending, as_of)
    else:
        raise ValueError(f"unknown export format {export_format!r}")
    detail = (describe_filters(filters) + (", pending=1" if with_pending and as_of is None else "")
              + (f", as_of={as_of.isoformat()}" if as_of else ""))
    record(AuditEventKind.EXPORT, subject=f"export:{export_format}",
           detail=f"{detail}; {count} {counted(export_format)}")
    db.session.commit()
    return content, count


def counted(export_format: str) -> str:
    """What an export's count counts."""
    return {INDICATOR_VALUES: "indicator values", COVERAGE: "recommendations"}.get(export_format, "items")


def describe_filters(filters: Filters) -> str:
    """The filters an export was made with, as the query string names them: "pillar=prevention, overdue=1"."""
    return ", ".join(f"{name}={value}" for name, value in filters.to_args().items()) or "no filters"


def export_filename(export_format: str, today: date | None = None) -> str:
    day = (today or date.today()).isoformat()
    if export_format == INDICATOR_VALUES:
        return f"indicator-values-{day}.csv"
    if export_format == COVERAGE:
        return f"coverage-{day}.csv"
    return f"action-items-{day}.{export_format}"
