"""Reporting periods follow the calendar: their bounds, due dates and order."""
from datetime import date

import pytest

from tracker.enums import Frequency
from tracker.indicators.periods import Period, ended_periods, open_period


@pytest.mark.parametrize("code, start, end, due", [
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 30)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30)),
    ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31), date(2024, 4, 30)),
    ("2025", date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 30)),
])
def test_a_period_knows_its_bounds_and_due_date(code, start, end, due):
    period = Period.parse(code)
    assert (period.start, period.end, period.due, period.code) == (start, end, due, code)


@pytest.mark.parametrize("code", ["2026-Q5", "2026-Q0", "26", "2026Q1", "", "2026-q1", "２０２６"])
def test_what_is_not_a_period_is_refused(code):
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(code)


def test_periods_follow_and_precede_each_other_across_years():
    assert Period.parse("2026-Q4").following() == Period.parse("2027-Q1")
    assert Period.parse("2027-Q1").preceding() == Period.parse("2026-Q4")
    assert Period.parse("2025").following().code == "2026"
    assert sorted([Period.parse("2026-Q2"), Period.parse("2025-Q4"), Period.parse("2026-Q1")])[0].code == "2025-Q4"


def test_the_open_period_is_the_last_one_ended():
    today = date(2026, 11, 30)
    assert open_period(Frequency.QUARTERLY, today).code == "2026-Q3"
    assert open_period(Frequency.YEARLY, today).code == "2025"
    assert [p.code for p in ended_periods(Frequency.QUARTERLY, date(2026, 2, 10), today)] == [
        "2026-Q1", "2026-Q2", "2026-Q3"]
    assert ended_periods(Frequency.YEARLY, date(2026, 2, 10), today) == []
