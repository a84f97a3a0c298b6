"""Reporting rate and timeliness: for a period, per reporting agency and per province, the share of expected
values reported, verified and on time — what DHIS2 calls completeness and timeliness.

Expected: every indicator in use, of the period's frequency, that names its reporting agency, once the
period has ended; with a province breakdown, one value per province. Reported: the agency sent a report for
it (or a coordinator entered it). Verified: values that count exist. On time: the first report came by the due date.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..enums import Breakdown, ReportStage, UpdateOrigin
from ..extensions import db
from ..models import Agency, Indicator, IndicatorValue, Province, Report, ReportValue, as_utc
from .periods import Period


@dataclass
class Rate:
    label: str
    expected: int = 0
    reported: int = 0
    verified: int = 0
    on_time: int = 0

    def share(self, count: int) -> float:
        return round(100 * count / self.expected, 1) if self.expected else 0.0

    @property
    def reported_share(self) -> float:
        return self.share(self.reported)

    @property
    def verified_share(self) -> float:
        return self.share(self.verified)

    @property
    def on_time_share(self) -> float:
        return self.share(self.on_time)


@dataclass
class Rates:
    period: Period
    by_agency: list[Rate] = field(default_factory=list)
    by_province: list[Rate] = field(default_factory=list)


def reporting_rates(period: Period) -> Rates:
    """The period's rates, counted in four queries whatever the number of indicators."""
    indicators = list(db.session.scalars(
        sa.select(Indicator).where(Indicator.retired_at.is_(None), Indicator.agency_id.is_not(None),
                                   Indicator.frequency == period.frequency)
        .options(joinedload(Indicator.agency))
    ))
    ids = [i.id for i in indicators]
    # Each report's first moment and the provinces its values cover ("" for a cell without a province).
    first_report: dict[tuple[int, int], datetime] = {}
    reported: dict[int, set[str]] = defaultdict(set)
    for indicator_id, agency_id, submitted_at, province_code in db.session.execute(
        sa.select(Report.indicator_id, Report.agency_id, Report.submitted_at, Province.code)
        .outerjoin(ReportValue, ReportValue.report_id == Report.id)
        .outerjoin(Province, Province.id == ReportValue.province_id)
        .where(Report.indicator_id.in_(ids), Report.period == period.code, Report.stage != ReportStage.WITHDRAWN)
    ):
        key = (indicator_id, agency_id)
        first_report[key] = min(first_report.get(key, as_utc(submitted_at)), as_utc(submitted_at))
        reported[indicator_id].add(province_code or "")
    verified: dict[int, set[str]] = defaultdict(set)  # the values that count, by province code likewise
    for indicator_id, province_code in db.session.execute(
        sa.select(IndicatorValue.indicator_id, Province.code)
        .outerjoin(Province, Province.id == IndicatorValue.province_id)
        .where(IndicatorValue.indicator_id.in_(ids), IndicatorValue.period == period.code,
               IndicatorValue.origin == UpdateOrigin.USER)
    ):
        verified[indicator_id].add(province_code or "")
    provinces = list(db.session.scalars(sa.select(Province).order_by(Province.name)))
    due = datetime.combine(period.due, datetime.max.time(), tzinfo=UTC)
    agencies: dict[int, Rate] = {}
    by_province = {p.code: Rate(p.name) for p in provinces}
    for indicator in indicators:
        agency: Agency = indicator.agency
        rate = agencies.setdefault(agency.id, Rate(agency.label))
        sent = first_report.get((indicator.id, agency.id))
        # A coordinator's entry has no report: it counts as reported and verified, on time by its nature.
        entered = bool(verified[indicator.id]) and sent is None
        rate.expected += 1
        rate.reported += bool(sent) or entered
        rate.verified += bool(verified[indicator.id])
        rate.on_time += entered or (sent is not None and sent <= due)
        if Breakdown.PROVINCE in indicator.breakdown_list:
            for code, province_rate in by_province.items():
                counted = code in verified[indicator.id]
                sent_here = code in reported[indicator.id]
                province_rate.expected += 1
                province_rate.reported += sent_here or counted
                province_rate.verified += counted
                province_rate.on_time += (sent_here and sent <= due) or (entered and counted)
    return Rates(period, sorted(agencies.values(), key=lambda r: (r.reported_share, r.label)),
                 [rate for rate in by_province.values() if rate.expected])


def combined_rates(periods: list[Period]) -> tuple[list[Rate], list[Rate]]:
    """The rates of several periods added up, per agency and per province (e.g. a year's four quarters and the
    year itself): what was expected over them all, and how much of it came, verified and on time."""
    agencies: dict[str, Rate] = {}
    provinces: dict[str, Rate] = {}
    for period in periods:
        rates = reporting_rates(period)
        for totals, rows in ((agencies, rates.by_agency), (provinces, rates.by_province)):
            for row in rows:
                total = totals.setdefault(row.label, Rate(row.label))
                total.expected += row.expected
                total.reported += row.reported
                total.verified += row.verified
                total.on_time += row.on_time
    return (sorted(agencies.values(), key=lambda r: r.label.lower()),
            sorted(provinces.values(), key=lambda r: r.label.lower()))
