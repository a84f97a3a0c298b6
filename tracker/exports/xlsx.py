"""The Excel export: a summary, one sheet per pillar, the overdue list, the indicators' values and the coverage of
the recommendations."""
from __future__ import annotations

import io
from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..contract import CSV_COLUMNS, typed_item_row
from ..coverage import services as coverage
from ..coverage.filters import CoverageFilters
from ..dashboard.services import build_dashboard
from ..enums import Status
from ..indicators.contract import INDICATOR_VALUE_COLUMNS, VALUES_SHEET, typed_indicator_value_row
from ..indicators.filters import IndicatorFilters
from ..indicators.services import indicator_values
from ..items.services import ItemFilters, all_items

WIDTHS = {"ref": 16, "framework": 20, "section": 30, "title": 48, "text": 80, "lead_agency": 36,
          "supporting_agencies": 40, "source": 40}
VALUE_WIDTHS = {"indicator": 20, "indicator_name": 48, "unit": 16, "exploitation": 18, "source": 40, "locator": 24}
# The item filters have no meaning for indicators: the sheet holds them all, whatever the export was filtered by.
VALUES_SCOPE = _l("Every indicator not retired, whatever the filters: they select items, not indicators.")
COVERAGE_WIDTHS = {"recommendation": 16, "framework": 24, "title": 60, "addressed_by": 60}
COVERAGE_SCOPE = _l("Every recommendation, whatever the filters, with the refs of the actions addressing it "
                    "(empty: a gap) and its own official status.")
RIGHT_TO_LEFT = frozenset({"ur"})


def _text_cell(cell) -> None:
    # Stored as text, so a spreadsheet never runs a value that starts with = + - @ as a formula.
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _table(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[dict],
           widths: dict[str, int]) -> Worksheet:
    """A sheet of rows under a bold header that stays put: text as text, dates as dates, numbers as numbers."""
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[column] for column in columns])
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            _text_cell(cell)
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, 12)
    sheet.freeze_panes = "A2"  # the header row stays put
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _items_sheet(workbook: Workbook, title: str, rows: list[dict]) -> None:
    _table(workbook, title, CSV_COLUMNS, rows, WIDTHS)


def _indicator_values_sheet(workbook: Workbook, rows: list[dict]) -> None:
    """The indicators' values in the CSV's long format."""
    sheet = _table(workbook, VALUES_SHEET, INDICATOR_VALUE_COLUMNS, rows, VALUE_WIDTHS)
    # The header stays the first row, as on every sheet and in the CSV, so the sheet reads back as a table; what
    # it holds is said in a note on its first cell, and on the Summary beside its count.
    sheet["A1"].comment = Comment(str(VALUES_SCOPE), "Tracker")


def workbook_bytes(filters: ItemFilters, today: date) -> tuple[bytes, int]:
    """The workbook for the filtered items (and every indicator's values), and how many items it holds."""
    items = all_items(filters)
    dashboard = build_dashboard(filters, today)
    value_rows = [typed_indicator_value_row(value) for value in indicator_values(IndicatorFilters())]
    coverage_rows = [row.csv_row() for row in coverage.coverage_rows(CoverageFilters())]
    workbook = Workbook()
    summary = workbook.active
    # The headings a person reads in the user's language; the item sheets' columns are the CSV contract's.
    summary.title = _("Summary")
    summary.append([_("Action items"), _("as of"), today])
    summary["C1"].number_format = "yyyy-mm-dd"
    summary.append([_("Filters"), ", ".join(f"{k}={v}" for k, v in filters.to_args().items()) or _("none")])
    summary.append([])
    summary.append([_("Pillar"), *(str(s.label) for s in Status), _("Total"), _("%(sign)s completed", sign="%")])
    for cell in summary[4]:
        cell.font = Font(bold=True)
    for row in dashboard.pillars:
        summary.append([row.label, *(row.counts[s.value] for s in Status), row.total, row.completion])
    summary.append([_("All pillars"), *(sum(r.counts[s.value] for r in dashboard.pillars) for s in Status),
                    dashboard.total])
    summary.append([])
    summary.append([_("Overdue items"), dashboard.overdue_total])
    summary.append([])
    summary.append([VALUES_SHEET, len(value_rows), str(VALUES_SCOPE)])
    summary.append([coverage.SHEET, len(coverage_rows), str(COVERAGE_SCOPE)])
    summary.column_dimensions["A"].width = 22
    for row_cells in summary.iter_rows():
        for cell in row_cells:
            _text_cell(cell)
    summary.freeze_panes = "A5"

    rows = [(item, typed_item_row(item)) for item in items]
    for pillar in dashboard.heatmap_pillars:
        _items_sheet(workbook, pillar.name, [row for item, row in rows if item.pillar_id == pillar.id])
    _items_sheet(workbook, _("Overdue"), [row for item, row in rows if item.is_overdue(today)])
    _indicator_values_sheet(workbook, value_rows)
    sheet = _table(workbook, coverage.SHEET, coverage.CSV_COLUMNS, coverage_rows, COVERAGE_WIDTHS)
    sheet["A1"].comment = Comment(str(COVERAGE_SCOPE), "Tracker")
    if str(get_locale()) in RIGHT_TO_LEFT:  # Excel then lays every sheet out from the right
        for each in workbook.worksheets:
            each.sheet_view.rightToLeft = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(items)
