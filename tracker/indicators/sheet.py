"""A period's values of one indicator read from an uploaded sheet (CSV or Excel), and the sheet to fill in.

The layout is the long format of the values export (contract.INDICATOR_VALUE_COLUMNS): a header row, then one
row per value. Only `value`, the breakdown columns and, when present, `indicator` and `period` are read; the
export's other columns are left aside, so the export itself, narrowed to one indicator and period, reads back.
Every problem is named by row and column and the file is refused whole; the checks that need the period before
or the cells together (the total against its breakdown, outliers) stay with `reporting.report_values`.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from itertools import islice, product

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell

from ..contract import inert, restore_cell
from ..enums import Breakdown
from ..errors import Invalid, Problem
from ..imports.reader import decode_plan
from ..models import Indicator
from .contract import VALUES_SHEET, number
from .services import value_problem
from .values import CellValue, categories, cell_key

# A period's values are a few hundred rows at most (every province by every form of exploitation, by sex and
# age): a longer sheet is not one period's values, and is refused before it is read any further.
MAX_ROWS = 10_000
# Plain decimals; a comma only between groups of three digits (1,234.5), so that a decimal comma (2,5) is refused
# rather than read as 25.
NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|[+-]?\.\d+")


def sheet_rows(filename: str, data: bytes) -> list[Sequence[object]]:
    """The file's rows, the header first, by its extension: at most MAX_ROWS + 2, enough to tell it is too long."""
    if filename.lower().endswith(".csv"):
        return _csv_rows(data)
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    refusal = (_("must be a CSV (.csv) or Excel (.xlsx) file, not “%(name)s”", name=filename[-40:]) if filename
               else _("must be a CSV (.csv) or Excel (.xlsx) file"))
    raise Invalid([Problem(refusal, field="file")])


def _csv_rows(data: bytes) -> list[Sequence[object]]:
    text = decode_plan(data)
    try:
        return list(islice(csv.reader(io.StringIO(text, newline="")), MAX_ROWS + 2))
    except csv.Error as exc:
        raise Invalid([Problem(_("cannot be read as CSV: %(error)s", error=exc), field="file")]) from None


def _xlsx_rows(data: bytes) -> list[Sequence[object]]:
    """The rows of the workbook's values sheet (the export's name for it), else of its first sheet."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = workbook.worksheets
            sheet = next((s for s in sheets if s.title.lower() == VALUES_SHEET.lower()), sheets[0] if sheets else None)
            if sheet is None:
                return []
            # Some writers record a wrong size for the sheet, and read-only openpyxl would cut rows to it.
            sheet.reset_dimensions()
            return [[shown_value(cell) for cell in row] for row in islice(sheet.iter_rows(), MAX_ROWS + 2)]
        finally:
            workbook.close()
    except Exception:  # a damaged workbook fails in openpyxl, zipfile or the XML parser, each its own way
        raise Invalid([Problem("cannot be read as an Excel workbook (.xlsx): save it again from the spreadsheet, "
                               "or as CSV UTF-8", field="file")]) from None


def shown_value(cell: ReadOnlyCell | EmptyCell) -> object:
    """A workbook cell's value as the spreadsheet shows it: a number formatted as a percentage (stored as 0.125
    for 12.5%) as the percentage, which is what an indicator's percentage values are."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return round(value * 100, 10)  # 0.1 * 100 is 10.000000000000002
    return value


def cell_text(cell: object) -> str:
    """A cell as trimmed text, without the quote the exports put before a would-be formula; a workbook's number
    or truth value as a spreadsheet shows it."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return restore_cell(cell)
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    return str(cell)


def cell_number(cell: object) -> float | None:
    """A value cell as a number, or None when it is not one: a workbook's number, or a decimal whose commas
    separate thousands."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = cell_text(cell)
    return float(text.replace(",", "")) if NUMBER.fullmatch(text) else None


def category_codes(breakdown: Breakdown) -> dict[str, str]:
    """A breakdown's category codes by lower-cased code and name (a code wins over another category's name)."""
    pairs = categories(breakdown)
    return {**{label.lower(): code for code, label in pairs}, **{code.lower(): code for code, _ in pairs}}


class SheetReader:
    """Reads rows of the long format as one indicator's values for one period, collecting every problem."""

    def __init__(self, indicator: Indicator, period: str):
        self.indicator = indicator
        self.period = period
        self.problems: list[Problem] = []
        self.columns: dict[str, int] = {}  # the columns read, by name: their position in a row
        self.width = 0  # how many columns the header has
        self.codes = {breakdown: category_codes(breakdown) for breakdown in indicator.breakdown_list}

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(message, field=column if row is not None else "file", row=row))

    def read(self, rows: list[Sequence[object]]) -> list[CellValue]:
        if not rows:
            self.problem(None, None, _("holds no values: it is empty"))
            return []
        if len(rows) > MAX_ROWS + 1:
            self.problem(None, None, _("holds more than %(num)s rows below the header, far more than one period's "
                                       "values: keep the rows of this indicator and period only", num=f"{MAX_ROWS:,}"))
            return []
        if not self._read_header(rows[0]):
            return []
        cells: list[CellValue] = []
        first_row: dict[tuple, int] = {}  # where each cell was first given
        for row_number, row in enumerate(rows[1:], start=2):
            cell = self._read_row(row_number, row)
            if cell is None:
                continue
            if cell.cell in first_row:
                where = "the total" if cell.is_total else cell.label()
                self.problem(row_number, "value", _("%(where)s is given twice, on rows %(first)s and %(second)s",
                                                       where=where, first=first_row[cell.cell], second=row_number))
                continue
            first_row[cell.cell] = row_number
            cells.append(cell)
        if not cells and not self.problems:
            self.problem(None, None, _("holds no values: fill in the value column"))
        return cells

    def _read_header(self, header: Sequence[object]) -> bool:
        """Note where the columns read are; False when one needed is missing or one is named twice."""
        names = [cell_text(cell).lower() for cell in header]
        self.width = len(names)
        if not any(names):
            self.problem(1, None, _("the header row is empty: the first row names the columns, value among them"))
            return False
        readable = ("indicator", "period", *(breakdown.value for breakdown in Breakdown), "value")
        for name in readable:
            if names.count(name) > 1:
                self.problem(1, name, _("is named twice in the header row"))
            elif name in names:
                self.columns[name] = names.index(name)
        if "value" not in names:
            self.problem(1, "value", _("is missing from the header row"))
        for breakdown in self.indicator.breakdown_list:
            if breakdown.value not in names:
                self.problem(1, breakdown.value,
                         _("is missing from the header row (%(code)s is reported by %(breakdown)s)",
                           code=self.indicator.code, breakdown=str(breakdown.label).lower()))
        return not self.problems

    def _cell(self, row: Sequence[object], column: str) -> object:
        index = self.columns.get(column)
        return row[index] if index is not None and index < len(row) else None

    def _read_row(self, row_number: int, row: Sequence[object]) -> CellValue | None:
        """The row's value and cell; None when it gives no value or has a problem (noted)."""
        if any(cell_text(cell) for cell in row[self.width:]):
            # In a CSV file, most likely a number with a comma that was not quoted: "1,234" read as 1 and 234.
            self.problem(row_number, None, _("has more cells than the header's %(num)s columns (in a CSV file, put a "
                                             "number with commas in quotes)", num=self.width))
            return None
        raw = self._cell(row, "value")
        if not cell_text(raw):
            return None  # nothing reported for this cell
        before = len(self.problems)
        self._check_same(row_number, row, "indicator", self.indicator.code)
        self._check_same(row_number, row, "period", self.period)
        cell = self._read_cell(row_number, row)
        value = cell_number(raw)
        if value is None:
            self.problem(row_number, "value", _("“%(given)s” is not a number", given=cell_text(raw)[:40]))
        elif problem := value_problem(self.indicator.kind, value):
            self.problem(row_number, "value", problem)
        if len(self.problems) > before or value is None:
            return None
        return CellValue.of(cell, value)

    def _check_same(self, row_number: int, row: Sequence[object], column: str, expected: str) -> None:
        """A row's indicator or period, when given, must be the one the values are read for."""
        given = cell_text(self._cell(row, column))
        if given and given.lower() != expected.lower():
            self.problem(row_number, column,
                         _("is “%(given)s”: only %(expected)s's values are read here", given=given[:40],
                           expected=expected))

    def _read_cell(self, row_number: int, row: Sequence[object]) -> dict[str, str]:
        """The row's breakdown cell as codes ({} for the total)."""
        cell = {}
        for breakdown in Breakdown:
            given = cell_text(self._cell(row, breakdown.value))
            if not given:
                continue
            if breakdown not in self.codes:
                self.problem(row_number, breakdown.value, _("%(code)s is not reported by %(breakdown)s: leave it empty",
                                                            code=self.indicator.code,
                                                            breakdown=str(breakdown.label).lower()))
            elif (code := self.codes[breakdown].get(given.lower())) is None:
                known = ", ".join(dict.fromkeys(self.codes[breakdown].values()))
                self.problem(row_number, breakdown.value,
                             _("“%(given)s” is not a category of %(breakdown)s: give one of %(known)s, or its name",
                               given=given[:40], breakdown=str(breakdown.label).lower(), known=known))
            else:
                cell[breakdown.value] = code
        return cell


def read_sheet(indicator: Indicator, period: str, filename: str, data: bytes) -> list[CellValue]:
    """An indicator's values for a period from an uploaded CSV or Excel file in the export's long format, one
    per breakdown cell; raise Invalid naming every problem by row and column (all the values, or none)."""
    reader = SheetReader(indicator, period)
    cells = reader.read(sheet_rows(filename, data))
    if reader.problems:
        raise Invalid(reader.problems)
    return cells


def template_cells(indicator: Indicator) -> list[dict[str, str]]:
    """The cells the sheet to fill in has a row for, as codes: the total, then every combination of the
    indicator's breakdowns' categories (the grid's cells; no subtotals)."""
    breakdowns = [breakdown for breakdown in Breakdown if breakdown in indicator.breakdown_list]
    if not breakdowns:
        return [{}]
    axes = [[(breakdown.value, code) for code, _ in categories(breakdown)] for breakdown in breakdowns]
    return [{}, *(dict(pairs) for pairs in product(*axes))]


def sheet_template(indicator: Indicator, period: str, given: dict[tuple, float] | None = None) -> str:
    """The sheet to fill in with a period's values, as CSV: a row per cell (`template_cells`), the values
    `given` by cell_key already in; what `read_sheet` reads back."""
    given = given or {}
    breakdowns = [breakdown.value for breakdown in Breakdown if breakdown in indicator.breakdown_list]
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=("indicator", "period", *breakdowns, "value"), lineterminator="\r\n")
    writer.writeheader()
    for cell in template_cells(indicator):
        value = given.get(cell_key(cell))
        writer.writerow(inert({"indicator": indicator.code, "period": period,
                               **{name: cell.get(name, "") for name in breakdowns},
                               "value": "" if value is None else number(value)}))
    return stream.getvalue()
