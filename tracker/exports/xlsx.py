"""The Excel export: a summary, one sheet per pillar, the overdue list, the indicators' values and the coverage of
the recommendations.

Written with XlsxWriter in its constant-memory mode: each row goes to its sheet's temporary file as soon as the
next one starts, so the items are written as the exports' lean query reads them, a batch at a time, whatever their
number. Rows must therefore be written in order within each sheet (an earlier row written late is dropped), which
one pass over the items in the list's order does. Measured on the items sheet at 10,000 rows: 0.9 s of CPU, where
openpyxl's write-only mode took 1.8 s (README, Dependency notes). openpyxl stays to read uploaded workbooks."""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

import xlsxwriter
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..contract import CSV_COLUMNS
from ..coverage import services as coverage
from ..coverage.filters import CoverageFilters
from ..dashboard.services import build_dashboard
from ..enums import Status
from ..indicators.contract import INDICATOR_VALUE_COLUMNS, VALUES_SHEET, typed_indicator_value_row
from ..indicators.filters import IndicatorFilters
from ..indicators.services import count_indicator_values, indicator_value_batches
from ..items.services import ItemFilters
from .rows import contract_rows

WIDTHS = {"ref": 16, "framework": 20, "section": 30, "title": 48, "text": 80, "lead_agency": 36,
          "supporting_agencies": 40, "source": 40}
VALUE_WIDTHS = {"indicator": 20, "indicator_name": 48, "unit": 16, "exploitation": 18, "source": 40, "locator": 24}
# The item filters have no meaning for indicators: the sheet holds them all, whatever the export was filtered by.
VALUES_SCOPE = _l("Every indicator not retired, whatever the filters: they select items, not indicators.")
COVERAGE_WIDTHS = {"recommendation": 16, "framework": 24, "title": 60, "addressed_by": 60}
COVERAGE_SCOPE = _l("Every recommendation, whatever the filters, with the refs of the actions addressing it "
                    "(empty: a gap) and its own official status.")
RIGHT_TO_LEFT = frozenset({"ur"})


class Sheets:
    """The workbook's formats, and writing a row of plain values into a sheet of it."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.bold = workbook.add_format({"bold": True})
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})

    def write_row(self, sheet: Worksheet, row: int, values: Iterable[object], cell_format: Format | None = None):
        """Text as text (a spreadsheet never runs one that starts with = + - @ as a formula), days as dates,
        numbers as numbers; nothing for None."""
        for column, value in enumerate(values):
            if value is None or value == "":  # an empty cell, as a spreadsheet reads it back
                continue
            if isinstance(value, str):
                sheet.write_string(row, column, value, cell_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value, cell_format)
            elif isinstance(value, (date, datetime)):
                # A moment as its day, as the CSV writes it (Excel has no time zones).
                day = value.date() if isinstance(value, datetime) else value
                sheet.write_datetime(row, column, day, cell_format or self.day)
            else:
                sheet.write_number(row, column, value, cell_format)

    def table(self, title: str, columns: tuple[str, ...], widths: dict[str, int]) -> Table:
        """A new sheet with its bold header, which stays put, and its columns' widths."""
        sheet = self.workbook.add_worksheet(title[:31])
        self.write_row(sheet, 0, columns, self.bold)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, widths.get(column, 12))
        sheet.freeze_panes(1, 0)  # the header row stays put
        return Table(self, sheet, columns)


class Table:
    """A sheet of rows under its header, written one after the other."""

    def __init__(self, sheets: Sheets, sheet: Worksheet, columns: tuple[str, ...]):
        self.sheets, self.sheet, self.columns, self.rows = sheets, sheet, columns, 0

    def append(self, row: dict[str, object]) -> None:
        self.rows += 1
        self.sheets.write_row(self.sheet, self.rows, (row[column] for column in self.columns))

    def close(self) -> None:
        if self.rows:
            self.sheet.autofilter(0, 0, self.rows, len(self.columns) - 1)


def workbook_bytes(filters: ItemFilters, today: date) -> tuple[bytes, int]:
    """The workbook for the filtered items (and every indicator's values), and how many items it holds."""
    dashboard = build_dashboard(filters, today)
    every_indicator = IndicatorFilters()
    coverage_rows = [row.csv_row() for row in coverage.coverage_rows(CoverageFilters())]
    buffer = io.BytesIO()
    # in_memory off: constant_memory needs its temporary files (the finished file still goes to the buffer).
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheets = Sheets(workbook)
    # The headings a person reads in the user's language; the item sheets' columns are the CSV contract's.
    summary = workbook.add_worksheet(_("Summary"))
    lines: list[tuple[list[object], Format | None]] = [
        ([_("Action items"), _("as of"), today], None),
        ([_("Filters"), ", ".join(f"{k}={v}" for k, v in filters.to_args().items()) or _("none")], None),
        ([], None),
        ([_("Pillar"), *(str(s.label) for s in Status), _("Total"), _("%(sign)s completed", sign="%")], sheets.bold),
        *(([row.label, *(row.counts[s.value] for s in Status), row.total, row.completion], None)
          for row in dashboard.pillars),
        ([_("All pillars"), *(sum(r.counts[s.value] for r in dashboard.pillars) for s in Status), dashboard.total],
         None),
        ([], None),
        ([_("Overdue items"), dashboard.overdue_total], None),
        ([], None),
        ([VALUES_SHEET, count_indicator_values(every_indicator), str(VALUES_SCOPE)], None),
        ([coverage.SHEET, len(coverage_rows), str(COVERAGE_SCOPE)], None),
    ]
    for number, (values, cell_format) in enumerate(lines):
        sheets.write_row(summary, number, values, cell_format)
    summary.set_column(0, 0, 22)
    summary.freeze_panes(4, 0)

    pillar_tables = {pillar.id: sheets.table(pillar.name, CSV_COLUMNS, WIDTHS) for pillar in dashboard.heatmap_pillars}
    overdue = sheets.table(_("Overdue"), CSV_COLUMNS, WIDTHS)
    values = sheets.table(VALUES_SHEET, INDICATOR_VALUE_COLUMNS, VALUE_WIDTHS)
    # The header stays the first row, as on every sheet and in the CSV, so the sheet reads back as a table; what
    # it holds is said in a note on its first cell, and on the Summary beside its count.
    values.sheet.write_comment(0, 0, str(VALUES_SCOPE), {"author": "Tracker"})
    covered = sheets.table(coverage.SHEET, coverage.CSV_COLUMNS, COVERAGE_WIDTHS)
    covered.sheet.write_comment(0, 0, str(COVERAGE_SCOPE), {"author": "Tracker"})
    count = 0
    for item in contract_rows(filters, today):  # one pass, each row to its sheets in the list's order
        count += 1
        if item.pillar_id in pillar_tables:
            pillar_tables[item.pillar_id].append(item.row)
        if item.overdue:
            overdue.append(item.row)
    for batch in indicator_value_batches(every_indicator):  # a batch of values in memory at a time
        for value in batch:
            values.append(typed_indicator_value_row(value))
    for row in coverage_rows:
        covered.append(row)
    for table in (*pillar_tables.values(), overdue, values, covered):
        table.close()
    if str(get_locale()) in RIGHT_TO_LEFT:  # Excel then lays every sheet out from the right
        for each in workbook.worksheets():
            each.right_to_left()
    workbook.close()
    return buffer.getvalue(), count
