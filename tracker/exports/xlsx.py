"""The Excel export: a summary, one sheet per pillar, and the overdue list."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..contract import CSV_COLUMNS, typed_item_row
from ..dashboard.services import build_dashboard
from ..enums import Status
from ..items.services import ItemFilters, all_items

WIDTHS = {"ref": 16, "framework": 20, "section": 30, "title": 48, "text": 80, "lead_agency": 36,
          "supporting_agencies": 40, "source": 40}


def _text_cell(cell) -> None:
    # Stored as text, so a spreadsheet never runs a value that starts with = + - @ as a formula.
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _items_sheet(workbook: Workbook, title: str, rows: list[dict]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(CSV_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[column] for column in CSV_COLUMNS])
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            _text_cell(cell)
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, column in enumerate(CSV_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column, 12)
    sheet.freeze_panes = "A2"  # the header row stays put
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


def workbook_bytes(filters: ItemFilters, today: date) -> tuple[bytes, int]:
    """The workbook for the filtered items, and how many items it holds."""
    items = all_items(filters)
    dashboard = build_dashboard(filters, today)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Action items", "as of", today])
    summary["C1"].number_format = "yyyy-mm-dd"
    summary.append(["Filters", ", ".join(f"{k}={v}" for k, v in filters.to_args().items()) or "none"])
    summary.append([])
    summary.append(["Pillar", *(s.label for s in Status), "Total", "% completed"])
    for cell in summary[4]:
        cell.font = Font(bold=True)
    for row in dashboard.pillars:
        summary.append([row.label, *(row.counts[s.value] for s in Status), row.total, row.completion])
    summary.append(["All pillars", *(sum(r.counts[s.value] for r in dashboard.pillars) for s in Status),
                    dashboard.total])
    summary.append([])
    summary.append(["Overdue items", dashboard.overdue_total])
    summary.column_dimensions["A"].width = 22
    for row_cells in summary.iter_rows():
        for cell in row_cells:
            _text_cell(cell)
    summary.freeze_panes = "A5"

    rows = [(item, typed_item_row(item)) for item in items]
    for pillar in dashboard.heatmap_pillars:
        _items_sheet(workbook, pillar.name, [row for item, row in rows if item.pillar_id == pillar.id])
    _items_sheet(workbook, "Overdue", [row for item, row in rows if item.is_overdue(today)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(items)
