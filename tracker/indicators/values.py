"""An indicator's values for a period: the cells a report carries, the checks that catch typing errors,
and what verification writes. Pages, the API and the reporting cycle call these.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..enums import AgeGroup, Breakdown, Exploitation, Sex, UpdateOrigin
from ..extensions import db
from ..models import Indicator, IndicatorValue, Province, Report
from .periods import Period
from .services import value_problem

# A value more than this many times (or under this fraction of) the previous period's asks to be confirmed.
OUTLIER_FACTOR = 3

CATEGORIES = {
    Breakdown.SEX: [(s.value, s.label) for s in Sex],
    Breakdown.AGE: [(a.value, a.label) for a in AgeGroup],
    Breakdown.EXPLOITATION: [(e.value, e.label) for e in Exploitation],
}


def categories(breakdown: Breakdown) -> list[tuple[str, str]]:
    """A breakdown's categories as (code, label), in the order a grid shows them."""
    if breakdown == Breakdown.PROVINCE:
        return [(p.code, p.name) for p in db.session.scalars(sa.select(Province).order_by(Province.name))]
    return [(code, str(label)) for code, label in CATEGORIES[breakdown]]  # labels in the request's language


def cell_key(cell: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A cell given as codes, in a form that can key a dict: its (breakdown, code) pairs, sorted."""
    return tuple(sorted(cell.items()))


@dataclass(frozen=True)
class CellValue:
    """One value for one breakdown cell, given as codes ({} for the total)."""

    cell: tuple[tuple[str, str], ...]  # sorted (breakdown, code) pairs, hashable
    value: float

    @classmethod
    def of(cls, cell: dict[str, str], value: float) -> CellValue:
        return cls(cell_key(cell), value)

    @property
    def is_total(self) -> bool:
        return not self.cell

    def label(self) -> str:
        return ", ".join(code.replace("_", " ") for _, code in self.cell) or "total"

    def columns(self) -> dict:
        """The cell as a row's columns (province by id)."""
        codes = dict(self.cell)
        province = codes.get("province")
        return {
            "province_id": db.session.scalar(sa.select(Province.id).where(Province.code == province))
            if province else None,
            "sex": Sex(codes["sex"]) if "sex" in codes else None,
            "age": AgeGroup(codes["age"]) if "age" in codes else None,
            "exploitation": Exploitation(codes["exploitation"]) if "exploitation" in codes else None,
        }


def cell_problem(indicator: Indicator, cell: dict[str, str]) -> str | None:
    """What is wrong with a cell given as codes: a breakdown the indicator is not reported by, or an unknown
    category."""
    for name, code in cell.items():
        breakdown = Breakdown(name)
        if breakdown not in indicator.breakdown_list:
            return f"{indicator.code} is not reported by {breakdown.label.lower()}."
        if code not in {known for known, _ in categories(breakdown)}:
            return f"“{code[:40]}” is not a category of {breakdown.label.lower()}."
    return None


def report_cells(report: Report) -> list[CellValue]:
    return [CellValue.of(value.cell, value.value) for value in report.values]


def problems(indicator: Indicator, cells: list[CellValue]) -> dict[str, str]:
    """What cannot be right, by the cell's label: values of the wrong kind, a cell of some breakdowns but not all
    (a subtotal the grid has no place for), a cell given twice, and a total that is not the sum of its cells
    when both are given."""
    found = {}
    for cell in cells:
        if problem := value_problem(indicator.kind, cell.value):
            found[cell.label()] = problem
    total = next((cell.value for cell in cells if cell.is_total), None)
    width = len(indicator.breakdown_list)
    seen = set()
    for cell in cells:
        if cell.cell in seen:
            found[cell.label()] = _("Given twice: one value per cell.")
        seen.add(cell.cell)
        if cell.cell and len(cell.cell) != width:
            found[cell.label()] = _("A value is for one cell of every breakdown (%(breakdowns)s) or the total.",
                                    breakdowns=", ".join(str(b.label).lower() for b in indicator.breakdown_list))
    parts = [cell.value for cell in cells if len(cell.cell) == width and cell.cell]
    if total is not None and parts and abs(sum(parts) - total) > 1e-9:
        found["total"] = _("The total (%(total)s) is not the sum of the values (%(sum)s).", total=f"{total:g}",
                           sum=f"{sum(parts):g}")
    if not cells:
        found["values"] = _("Give at least one value.")
    return found


def previous_values(indicator: Indicator, period: str) -> dict[tuple, float]:
    """The values that count for the period before, by cell: what a new value is compared with."""
    before = Period.parse(period).preceding().code
    return {cell_key(v.cell): v.value
            for v in db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id,
                                                                         IndicatorValue.period == before))}


def outliers(indicator: Indicator, period: str, cells: list[CellValue]) -> list[str]:
    """Cells whose value is more than three times, or under a third of, the previous period's: likely typing
    errors, saved only once confirmed."""
    previous = previous_values(indicator, period)
    found = []
    for cell in cells:
        before = previous.get(cell.cell)
        if before and (cell.value > OUTLIER_FACTOR * before or cell.value < before / OUTLIER_FACTOR):
            found.append(_("%(cell)s: %(value)s against %(before)s the period before", cell=cell.label(),
                           value=f"{cell.value:g}", before=f"{before:g}"))
    return found


def accept_values(indicator: Indicator, period: str, cells: list[CellValue], report: Report | None = None) -> None:
    """Make these the period's values that count: they replace what agencies (or coordinators) gave before for
    the period; values from the sources stay, being another record of it."""
    db.session.execute(sa.delete(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id,
                                                        IndicatorValue.period == period,
                                                        IndicatorValue.origin == UpdateOrigin.USER))
    for cell in cells:
        db.session.add(IndicatorValue(indicator=indicator, period=period, value=cell.value, origin=UpdateOrigin.USER,
                                      report=report, note=report.note if report else "", **cell.columns()))
