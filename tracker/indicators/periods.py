"""Reporting periods: quarters (2026-Q4) and years (2026), when they end and when their values are due.

Periods are not stored: they follow from the calendar, so they "open" by themselves. A period's values
are expected once it has ended, and due a grace period after its end; values sent later are late.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from .. import limits
from ..enums import Frequency

GRACE_DAYS = 30  # how long after its end a period's values are due


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int = 0  # 1–4; 0 for a whole year

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period a code names; ValueError for anything else."""
        if not re.fullmatch(limits.PERIOD_PATTERN, code or ""):
            shown = code if len(code or "") <= 40 else code[:40] + "…"
            raise ValueError(_("“%(code)s” is not a period: a year (2026) or a quarter (2026-Q4).", code=shown))
        year, _dash, quarter = code.partition("-Q")
        return cls(int(year), int(quarter or 0))

    @classmethod
    def containing(cls, day: date, frequency: Frequency) -> Period:
        if frequency == Frequency.YEARLY:
            return cls(day.year)
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def frequency(self) -> Frequency:
        return Frequency.QUARTERLY if self.quarter else Frequency.YEARLY

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2 if self.quarter else 1, 1)

    @property
    def end(self) -> date:
        return self.following().start - timedelta(days=1)

    @property
    def due(self) -> date:
        """The day by which its values should be in."""
        return self.end + timedelta(days=GRACE_DAYS)

    def following(self) -> Period:
        if not self.quarter:
            return Period(self.year + 1)
        return Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)

    def preceding(self) -> Period:
        if not self.quarter:
            return Period(self.year - 1)
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def __str__(self) -> str:
        return self.code


def ended_periods(frequency: Frequency, since: date, today: date) -> list[Period]:
    """The periods of this frequency from the one holding `since` to the last that has ended by `today`."""
    periods = []
    period = Period.containing(since, frequency)
    while period.end < today:
        periods.append(period)
        period = period.following()
    return periods


def open_period(frequency: Frequency, today: date) -> Period:
    """The period agencies report on now: the last one that has ended."""
    return Period.containing(today, frequency).preceding()
