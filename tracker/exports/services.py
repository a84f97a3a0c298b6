"""The export formats: the filtered items as CSV (the contract), an Excel workbook or the HTML report."""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import TextIO

from ..audit.services import record
from ..contract import CSV_COLUMNS, item_row, neutralise
from ..enums import AuditEventKind
from ..extensions import db
from ..items.services import ItemFilters, all_items
from .report import report_html
from .xlsx import workbook_bytes

EXPORT_FORMATS = ("csv", "xlsx", "html")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def write_csv(filters: ItemFilters, stream: TextIO) -> int:
    """Write the filtered items as contract rows, in document order; return how many."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for item in all_items(filters):
        writer.writerow({k: neutralise(v) if isinstance(v, str) else v for k, v in item_row(item).items()})
        count += 1
    return count


def csv_bytes(filters: ItemFilters) -> tuple[bytes, int]:
    buffer = io.StringIO()
    count = write_csv(filters, buffer)
    return buffer.getvalue().encode("utf-8"), count


def render_export(export_format: str, filters: ItemFilters, today: date | None = None,
                  with_pending: bool = False) -> tuple[bytes, int]:
    """The filtered items as a file in a format: its bytes and how many items it holds (audited). The CSV
    and the workbook always carry the pending report beside the official values (the contract's last
    columns); the HTML report counts reports awaiting verification apart `with_pending`."""
    today = today or date.today()
    if export_format == "csv":
        content, count = csv_bytes(filters)
    elif export_format == "xlsx":
        content, count = workbook_bytes(filters, today)
    elif export_format == "html":
        content, count = report_html(filters, today, with_pending)
    else:
        raise ValueError(f"unknown export format {export_format!r}")
    detail = describe_filters(filters) + (", pending=1" if with_pending else "")
    record(AuditEventKind.EXPORT, subject=f"export:{export_format}", detail=f"{detail}; {count} items")
    db.session.commit()
    return content, count


def describe_filters(filters: ItemFilters) -> str:
    """The filters an export was made with, as the query string names them: "pillar=prevention, overdue=1"."""
    return ", ".join(f"{name}={value}" for name, value in filters.to_args().items()) or "no filters"


def export_filename(export_format: str, today: date | None = None) -> str:
    return f"action-items-{(today or date.today()).isoformat()}.{export_format}"
