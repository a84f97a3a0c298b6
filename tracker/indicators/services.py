"""Indicators' rules, in plain functions the pages, the API and the seed call.

An indicator with values is never deleted, only retired: the values stay readable and keep their
history. Baselines and targets are optional; where no source gives one, the field stays empty.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..audit.services import record
from ..auth.permissions import can_manage_indicators
from ..enums import AuditEventKind, Breakdown, Direction, Frequency, IndicatorKind, ReportStage
from ..errors import Invalid, NotAllowed, NotFound
from ..extensions import db
from ..models import ActionItem, Agency, Evidence, Indicator, IndicatorTarget, IndicatorValue, Pillar, Report, User
from .filters import IndicatorFilters
from .periods import Period

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]*$"


def value_problem(kind: IndicatorKind, value: float | None) -> str | None:
    """What is wrong with a value of an indicator of this kind, or None: the checks that catch typing errors."""
    if value is None:
        return None
    if not math.isfinite(value):
        return _("A value must be a number.")
    if value < 0:
        return _("A value is never negative.")
    if kind == IndicatorKind.COUNT and value != int(value):
        return _("A count is a whole number.")
    if kind == IndicatorKind.PERCENTAGE and value > 100:
        return _("A percentage is from 0 to 100.")
    if kind == IndicatorKind.YES_NO and value not in (0, 1):
        return _("Yes / no is 1 for yes or 0 for no.")
    return None


def period_problem(period: str) -> str | None:
    try:
        Period.parse(period)
    except ValueError as exc:
        return str(exc)
    return None


@dataclass
class IndicatorFields:
    """What a coordinator sets on an indicator: the same fields from the form and the seed."""

    code: str
    name: str
    kind: IndicatorKind
    pillar: Pillar
    definition: str = ""
    unit: str = ""
    direction: Direction = Direction.HIGHER
    agency: Agency | None = None
    means_of_verification: str = ""
    frequency: Frequency = Frequency.QUARTERLY
    breakdowns: list[Breakdown] = field(default_factory=list)
    items: list[ActionItem] = field(default_factory=list)
    baseline_value: float | None = None
    baseline_period: str = ""
    baseline_source: str = ""
    targets: dict[str, float] = field(default_factory=dict)


def check(fields: IndicatorFields, indicator: Indicator | None = None) -> None:
    """Refuse fields that break a rule, naming each field."""
    if errors := indicator_problems(fields, indicator):
        raise Invalid(errors)


def indicator_problems(fields: IndicatorFields, indicator: Indicator | None = None) -> dict[str, str]:
    """What breaks a rule, by field, every problem at once (the form shows them beside its fields)."""
    errors = {}
    if not re.fullmatch(CODE_PATTERN, fields.code):
        errors["code"] = _("A code is upper-case letters, digits and dashes, e.g. PROS-CONVICTIONS.")
    else:
        taken = db.session.scalar(sa.select(Indicator.id).where(Indicator.code == fields.code))
        if taken is not None and (indicator is None or taken != indicator.id):
            errors["code"] = _("Another indicator has the code %(code)s.", code=fields.code)
    if not fields.name.strip():
        errors["name"] = _("Name what is measured.")
    if fields.baseline_value is not None:
        if problem := value_problem(fields.kind, fields.baseline_value):
            errors["baseline_value"] = problem
        elif not fields.baseline_period:
            errors["baseline_period"] = _("Say which period the baseline is of.")
        elif problem := period_problem(fields.baseline_period):
            errors["baseline_period"] = problem
        if not fields.baseline_source.strip():
            errors["baseline_source"] = _("Say where the baseline comes from: nothing is counted without its source.")
    elif fields.baseline_period or fields.baseline_source.strip():
        errors["baseline_value"] = _("Give the baseline's value, or leave its period and source empty too.")
    for period, value in fields.targets.items():
        problem = period_problem(period) or value_problem(fields.kind, value)
        if problem:
            errors["targets"] = f"{period}: {problem}"
            break
    if len(set(fields.breakdowns)) != len(fields.breakdowns):
        errors["breakdowns"] = _("Each breakdown at most once.")
    if indicator is not None and indicator.values and set(indicator.breakdown_list) != set(fields.breakdowns):
        errors["breakdowns"] = _("The breakdowns of an indicator with values stay as they are: retire it and make "
                                  "a new one.")
    return errors


def save_indicator(user: User, fields: IndicatorFields, indicator: Indicator | None = None) -> Indicator:
    """Create an indicator, or change one; recorded in the audit log."""
    if not can_manage_indicators(user):
        raise NotAllowed(_("Only coordinators and admins define indicators."))
    check(fields, indicator)
    created = indicator is None
    if created:
        last = db.session.scalar(sa.select(sa.func.max(Indicator.position))) or 0
        indicator = Indicator(kind=fields.kind, pillar=fields.pillar, position=last + 1)  # after those there
        db.session.add(indicator)
    apply_fields(indicator, fields)
    record(AuditEventKind.INDICATOR_CHANGED, user=user, subject=f"indicator:{fields.code}",
           detail=f"{fields.code}: {'created' if created else 'changed'}")
    db.session.commit()
    return indicator


def apply_fields(indicator: Indicator, fields: IndicatorFields) -> None:
    """Set an indicator's fields, its items and its targets (the seed and the form alike)."""
    indicator.code, indicator.name, indicator.definition = fields.code, fields.name.strip(), fields.definition
    indicator.unit, indicator.kind, indicator.direction = fields.unit, fields.kind, fields.direction
    indicator.pillar, indicator.agency = fields.pillar, fields.agency
    indicator.means_of_verification, indicator.frequency = fields.means_of_verification, fields.frequency
    indicator.breakdowns = ",".join(b.value for b in fields.breakdowns)
    indicator.baseline_value, indicator.baseline_period = fields.baseline_value, fields.baseline_period
    indicator.baseline_source = fields.baseline_source
    indicator.items = list(dict.fromkeys(fields.items))
    wanted = dict(fields.targets)
    for target in list(indicator.targets):
        if target.period not in wanted:
            indicator.targets.remove(target)
        else:
            target.value = wanted.pop(target.period)
    for period, value in sorted(wanted.items()):
        indicator.targets.append(IndicatorTarget(period=period, value=value))


def retire(user: User, indicator: Indicator, retired: bool = True) -> None:
    """Retire an indicator (no more values expected; its values stay), or bring it back."""
    if not can_manage_indicators(user):
        raise NotAllowed(_("Only coordinators and admins retire indicators."))
    indicator.retired_at = datetime.now(UTC) if retired else None
    record(AuditEventKind.INDICATOR_CHANGED, user=user, subject=f"indicator:{indicator.code}",
           detail=f"{indicator.code}: {'retired' if retired else 'brought back'}")
    db.session.commit()


def delete(user: User, indicator: Indicator) -> None:
    """Delete an indicator made by mistake: only one without values; one with values is retired instead."""
    if not can_manage_indicators(user):
        raise NotAllowed(_("Only coordinators and admins delete indicators."))
    if indicator.values:
        raise Invalid(_("%(code)s has values, so it is never deleted: retire it instead.", code=indicator.code))
    record(AuditEventKind.INDICATOR_CHANGED, user=user, subject=f"indicator:{indicator.code}",
           detail=f"{indicator.code}: deleted")
    db.session.delete(indicator)
    db.session.commit()


def indicator_or_404(code: str) -> Indicator:
    indicator = db.session.scalar(
        sa.select(Indicator).where(Indicator.code == code)
        .options(joinedload(Indicator.pillar), joinedload(Indicator.agency), selectinload(Indicator.items),
                 selectinload(Indicator.targets),
                 selectinload(Indicator.values).options(
                     joinedload(IndicatorValue.province),
                     # who reported and verified each value: the page's and the API's values show it
                     joinedload(IndicatorValue.report).options(joinedload(Report.agency),
                                                               joinedload(Report.decided_by))))
    )
    if indicator is None:
        raise NotFound(_("There is no indicator with the code “%(code)s”.", code=code))
    return indicator


# Indicators in pillar order, then as listed: the list, the exports and the report alike.
LISTED_ORDER = (Pillar.position, Indicator.position, Indicator.code)


def filter_indicators(query: sa.Select, filters: IndicatorFilters) -> sa.Select:
    """A query over indicators (joined with their pillar) narrowed to the list's filters: what the list shows
    is what its export holds."""
    if not filters.retired:
        query = query.where(Indicator.retired_at.is_(None))
    if filters.pillar:
        query = query.where(Pillar.code == filters.pillar)
    if filters.agency:
        query = query.where(Indicator.agency_id == filters.agency)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Indicator.code).like(like), sa.func.lower(Indicator.name).like(like),
                                   sa.func.lower(Indicator.definition).like(like)))
    return query


def list_indicators(filters: IndicatorFilters, page: int, per_page: int = 50):
    """A page of indicators in pillar order, then as listed."""
    query = (
        sa.select(Indicator).join(Indicator.pillar)
        .options(joinedload(Indicator.pillar), joinedload(Indicator.agency), selectinload(Indicator.targets))
        .order_by(*LISTED_ORDER)
    )
    return db.paginate(filter_indicators(query, filters), page=page, per_page=per_page, error_out=False)


# How many values are read at a time by the exports: their memory is a batch's, whatever the number of values.
VALUE_BATCH = 1000


def indicator_value_batches(filters: IndicatorFilters) -> Iterator[list[IndicatorValue]]:
    """Every value of the filtered indicators, in the list's order, then by period (the rows of their exports), a
    batch at a time: each read when the one before has been used (a server-side cursor on PostgreSQL)."""
    query = (
        sa.select(IndicatorValue).join(IndicatorValue.indicator).join(Indicator.pillar)
        .options(contains_eager(IndicatorValue.indicator).contains_eager(Indicator.pillar),
                 joinedload(IndicatorValue.province))
        .order_by(*LISTED_ORDER, IndicatorValue.period, IndicatorValue.id)
        .execution_options(yield_per=VALUE_BATCH)
    )
    for batch in db.session.scalars(filter_indicators(query, filters)).partitions():
        yield list(batch)


def count_indicator_values(filters: IndicatorFilters) -> int:
    """How many values the filtered indicators have: what their export holds."""
    query = sa.select(sa.func.count(IndicatorValue.id)).join(IndicatorValue.indicator).join(Indicator.pillar)
    return db.session.scalar(filter_indicators(query, filters))


def value_status(value: IndicatorValue) -> ReportStage:
    """Where a value stands in the reporting cycle: the exports' and the API's `status`. Only values that count
    are rows of indicator_values — from the sources (verified by their document), entered by a coordinator, or
    of a report a coordinator verified; values still on their way are a report's (see `pending_reports`)."""
    return ReportStage.VERIFIED


def pending_reports(indicator: Indicator) -> list[Report]:
    """The agencies' values of the indicator awaiting a decision, newest period first."""
    return list(db.session.scalars(sa.select(Report).where(Report.indicator_id == indicator.id, Report.is_pending)
                                   .order_by(Report.period.desc(), Report.id)))


def value_evidence(indicator: Indicator) -> list[Evidence]:
    """The evidence behind the values that count, newest period first: a coordinator's entry's, and verified
    reports' (a report still pending or returned shows its evidence with the report)."""
    return list(db.session.scalars(
        sa.select(Evidence).outerjoin(Report, Evidence.report_id == Report.id)
        .where(Evidence.indicator_id == indicator.id,
               sa.or_(Evidence.report_id.is_(None), Report.stage == ReportStage.VERIFIED))
        .order_by(Evidence.period.desc(), Evidence.id)))


@dataclass
class PeriodPoint:
    """An indicator's total for one period, and the target set for it."""

    period: str
    actual: float | None
    summed: bool  # the total is the sum of the breakdown's cells (no total was given)
    target: float | None


def series(indicator: Indicator) -> list[PeriodPoint]:
    """The indicator's total per period, oldest first (by the day it ends: 2026-Q1 before 2026), beside each
    period's target: what its chart draws. Without a total, a count or an amount is the sum of its cells; a
    percentage or a yes/no is not summed."""
    totals: dict[str, float] = {}
    sums: dict[str, float] = defaultdict(float)
    for value in indicator.values:
        if not value.cell:
            totals[value.period] = value.value
        else:
            sums[value.period] += value.value
    return points(indicator, totals, sums)


def summable(indicator: Indicator) -> bool:
    """Whether its cells add up to a total: counts and amounts do; percentages and yes/no do not."""
    return indicator.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT)


def points(indicator: Indicator, totals: dict[str, float], sums: dict[str, float]) -> list[PeriodPoint]:
    """The periods' points from their totals and the sums of their cells (used only where they add up)."""
    sums = sums if summable(indicator) else {}
    targets = {target.period: target.value for target in indicator.targets}
    periods = sorted(set(totals) | set(sums) | set(targets), key=lambda code: (Period.parse(code).end, code))
    return [PeriodPoint(period, totals.get(period, sums.get(period)), period not in totals and period in sums,
                        targets.get(period)) for period in periods]


def breakdown_table(indicator: Indicator, breakdown: Breakdown) -> tuple[list[str], dict[str, dict[str, float]]]:
    """Values by period (rows) and one breakdown's categories (columns), for the page's tables."""
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    columns: list[str] = []
    for value in indicator.values:
        category = value.cell.get(breakdown.value)
        if category is None:
            continue
        label = value.province.name if breakdown == Breakdown.PROVINCE and value.province else category
        rows[value.period][label] = rows[value.period].get(label, 0) + value.value
        if label not in columns:
            columns.append(label)
    return columns, dict(sorted(rows.items()))


@dataclass
class Track:
    """Where an indicator stands: its latest actual against that period's target (or the latest target)."""

    indicator: Indicator
    period: str | None
    actual: float | None
    target: float | None
    target_period: str | None
    summed: bool = False  # the actual is the sum of the breakdown's cells (no total was given)
    has_values: bool = False

    @property
    def state(self) -> str:
        """on_track, off_track, no_target, no_total (values by cell only, which cannot be summed) or no_values."""
        if self.actual is None:
            return "no_total" if self.has_values else "no_values"
        if self.target is None:
            return "no_target"
        better_high = self.indicator.direction == Direction.HIGHER
        return "on_track" if (self.actual >= self.target if better_high else self.actual <= self.target) \
            else "off_track"

    @property
    def label(self) -> str:
        return {"on_track": _("on track"), "off_track": _("off track"), "no_target": _("no target set"),
                "no_total": _("no total to judge by"), "no_values": _("no values yet")}[self.state]


def track(indicator: Indicator, known: list[PeriodPoint] | None = None, has_values: bool | None = None) -> Track:
    """The latest period with a value, judged against its own target if set, else the nearest later target
    (a year's or the plan's end), else the latest one — respecting whether higher or lower is better.
    `known` are its points when counted in SQL (`results`); otherwise its values are read."""
    if known is None:
        known, has_values = series(indicator), bool(indicator.values)
    actual = [p for p in known if p.actual is not None]
    if not actual:
        return Track(indicator, None, None, None, None, has_values=bool(has_values))
    latest = actual[-1]
    ends = {t.period: Period.parse(t.period).end for t in indicator.targets}
    targets = sorted(((t.period, t.value) for t in indicator.targets), key=lambda target: ends[target[0]])
    reached = Period.parse(latest.period).end
    chosen = next(((p, v) for p, v in targets if ends[p] >= reached), targets[-1] if targets else (None, None))
    return Track(indicator, latest.period, latest.actual, chosen[1], chosen[0], latest.summed, True)


def results(pillar: str = "", agency: int | None = None) -> list[Track]:
    """Every indicator in use (of a pillar, of a reporting agency) and where it stands, in pillar order: each
    period's total and cell sum counted in SQL, so the cost does not grow with the values."""
    query = (
        sa.select(Indicator).join(Indicator.pillar)
        .options(joinedload(Indicator.pillar), joinedload(Indicator.agency), selectinload(Indicator.targets))
        .order_by(*LISTED_ORDER)
    )
    indicators = list(db.session.scalars(filter_indicators(query, IndicatorFilters(pillar=pillar, agency=agency))))
    total_cell = sa.and_(IndicatorValue.province_id.is_(None), IndicatorValue.sex.is_(None),
                         IndicatorValue.age.is_(None), IndicatorValue.exploitation.is_(None))
    totals: dict[int, dict[str, float]] = defaultdict(dict)
    sums: dict[int, dict[str, float]] = defaultdict(dict)
    for indicator_id, period, total, cell_sum in db.session.execute(
        sa.select(IndicatorValue.indicator_id, IndicatorValue.period,
                  sa.func.max(sa.case((total_cell, IndicatorValue.value))),
                  sa.func.sum(sa.case((~total_cell, IndicatorValue.value))))
        .where(IndicatorValue.indicator_id.in_([i.id for i in indicators]))
        .group_by(IndicatorValue.indicator_id, IndicatorValue.period)
    ):
        if total is not None:
            totals[indicator_id][period] = total
        if cell_sum is not None:
            sums[indicator_id][period] = cell_sum
    with_values = set(totals) | set(sums)
    return [track(i, points(i, totals.get(i.id, {}), sums.get(i.id, {})), i.id in with_values) for i in indicators]
