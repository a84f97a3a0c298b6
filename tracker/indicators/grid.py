"""The value grid of an indicator's period: one input per breakdown cell, and one for the total.

Rows are the first breakdown's categories (or, with three or more breakdowns, every combination of all but
the last), columns the last breakdown's; an indicator reported as totals only has the total alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from flask_babel import gettext as _

from ..enums import Breakdown
from ..models import Indicator
from .sheet import cell_number
from .values import CellValue, categories


@dataclass(frozen=True)
class GridInput:
    name: str  # the form field's name: "total", or "v." and the cell's codes
    label: str  # what a screen reader says for it
    cell: dict[str, str]  # the breakdown cell, as codes ({} for the total)


@dataclass(frozen=True)
class GridRow:
    label: str
    inputs: list[GridInput]


@dataclass(frozen=True)
class Grid:
    heading: str  # what the rows are
    columns: list[str]  # the columns' labels; empty when the rows hold one value each
    rows: list[GridRow]
    total: GridInput

    @classmethod
    def of(cls, indicator: Indicator) -> Grid:
        dims = indicator.breakdown_list
        row_dims, column_dim = (dims[:-1], dims[-1]) if len(dims) > 1 else (dims, None)
        columns = categories(column_dim) if column_dim else [("", "")]
        rows = []
        for combination in product(*(categories(d) for d in row_dims)) if row_dims else []:
            row_cell = {d.value: code for d, (code, _) in zip(row_dims, combination, strict=True)}
            row_label = " · ".join(label for _, label in combination)
            inputs = []
            for code, label in columns:
                cell = {**row_cell, column_dim.value: code} if column_dim else row_cell
                inputs.append(GridInput(_name(cell), f"{row_label}, {label}" if label else row_label, cell))
            rows.append(GridRow(row_label, inputs))
        return cls(heading=" · ".join(str(d.label) for d in row_dims),
                   columns=[label for _, label in columns if label], rows=rows,
                   total=GridInput("total", _("Total"), {}))

    def inputs(self) -> list[GridInput]:
        """Every input, the total first."""
        return [self.total, *(cell for row in self.rows for cell in row.inputs)]

    def read(self, form) -> tuple[list[CellValue], dict[str, str], list[str]]:
        """The values typed: the cells, what each input held (to show again), and what is not a number."""
        cells, typed, wrong = [], {}, []
        for field in self.inputs():
            raw = (form.get(field.name) or "").strip()
            typed[field.name] = raw
            if not raw:
                continue
            value = cell_number(raw)  # as in a sheet: commas only between thousands, so 2,5 is not 25
            if value is None:
                wrong.append(_("%(cell)s: “%(typed)s” is not a number", cell=field.label, typed=raw[:40]))
                continue
            cells.append(CellValue.of(field.cell, value))
        return cells, typed, wrong


def _name(cell: dict[str, str]) -> str:
    """An input's name: the cell's codes in the order of the breakdowns."""
    return "v." + ".".join(cell[b.value] for b in Breakdown if b.value in cell)
