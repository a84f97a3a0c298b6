"""Rows of the export contract and the writers of each format."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import TextIO

from ..extensions import db
from ..items.services import ItemFilters, items_query
from ..models import ActionItem

# The contract: exactly these columns, in this order.
CSV_COLUMNS = (
    "ref",
    "framework",
    "pillar",
    "section",
    "title",
    "text",
    "lead_agency",
    "supporting_agencies",
    "province",
    "status",
    "progress",
    "due_date",
    "priority",
    "last_update",
    "source",
)
EXPORT_FORMATS = ("csv", "xlsx", "html")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a text cell inert in a spreadsheet by prefixing a quote to a would-be formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def item_row(item: ActionItem) -> dict[str, object]:
    """One item as the contract's columns (plain values, dates as ISO 8601)."""
    return {key: _iso(value) if isinstance(value, (date, datetime)) else value
            for key, value in typed_item_row(item).items()}


def typed_item_row(item: ActionItem) -> dict[str, object]:
    """One item as the contract's columns, dates kept as dates (for spreadsheets)."""
    lead = item.lead
    source = item.framework.source_document
    if item.locator:
        source = f"{source}: {item.locator}" if source else item.locator
    return {
        "ref": item.ref,
        "framework": item.framework.name,
        "pillar": item.pillar.code,
        "section": item.section,
        "title": item.title,
        "text": item.text,
        "lead_agency": lead.agency.name if lead else "",
        "supporting_agencies": "; ".join(a.agency.name for a in item.supporting),
        "province": item.province.name if item.province else "",
        "status": item.status.value,
        "progress": item.progress,
        "due_date": item.due_date,
        "priority": item.priority.value if item.priority else "",
        "last_update": item.last_update_at.date() if item.last_update_at else None,
        "source": source,
    }


def export_items(filters: ItemFilters) -> list[ActionItem]:
    """The filtered items, in document order, with what the export shows loaded."""
    return list(db.session.scalars(items_query(filters)).unique())


def export_rows(filters: ItemFilters) -> Iterator[dict[str, object]]:
    """The filtered items as contract rows, in document order."""
    for item in export_items(filters):
        yield item_row(item)


def write_csv(filters: ItemFilters, stream: TextIO) -> int:
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for row in export_rows(filters):
        writer.writerow({k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()})
        count += 1
    return count


def csv_bytes(filters: ItemFilters) -> tuple[bytes, int]:
    buffer = io.StringIO()
    count = write_csv(filters, buffer)
    return buffer.getvalue().encode("utf-8"), count


def render_export(export_format: str, filters: ItemFilters, today: date | None = None) -> tuple[bytes, int]:
    """The filtered items as a file in a format: its bytes and how many items it holds."""
    today = today or date.today()
    if export_format == "csv":
        return csv_bytes(filters)
    if export_format == "xlsx":
        from .xlsx import workbook_bytes

        return workbook_bytes(filters, today)
    if export_format == "html":
        from .report import report_html

        return report_html(filters, today)
    raise ValueError(f"unknown export format {export_format!r}")


def export_filename(export_format: str, today: date | None = None) -> str:
    return f"action-items-{(today or date.today()).isoformat()}.{export_format}"
