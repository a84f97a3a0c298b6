"""The two days a comparison runs between: typed, or a preset, read from the query string as the item list
reads its filters (a value that makes no sense is dropped and named, and the default used instead)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from ..enums import Frequency
from ..indicators.periods import Period
from ..items.filters import QuerySchema, QueryText, load_leniently, query_date

DEFAULT_DAYS = 90
PRESETS = {
    "90d": _l("Last 90 days"),
    "quarter": _l("Last quarter"),
    "year": _l("Last year"),
}
DEFAULT_PRESET = "90d"


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """The days a preset names, both included: the last 90 days up to today, the previous calendar quarter,
    the previous calendar year."""
    if preset == "90d":
        return today - timedelta(days=DEFAULT_DAYS), today
    if preset == "quarter":
        quarter = Period.containing(today, Frequency.QUARTERLY).preceding()
        return quarter.start, quarter.end
    if preset == "year":
        year = Period(today.year - 1)
        return year.start, year.end
    raise ValueError(f"unknown preset {preset!r}")


@dataclass(frozen=True)
class Window:
    """The first and the last day compared (both included), the preset they come from if any, and what was
    dropped from the query string."""

    start: date
    end: date
    preset: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self) -> dict[str, str]:
        """Query-string arguments that name this window again: the preset if it came from one (so that a
        bookmark of "last quarter" stays the last quarter), else the two days."""
        if self.preset:
            return {"preset": self.preset}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


class WindowSchema(QuerySchema):
    """The days of /changes and /changes.csv."""

    start = query_date("start", "The first day compared (UTC), included.", bounded=True)
    end = query_date("end", "The last day compared (UTC), included.", bounded=True)
    preset = QueryText(validate=validate.OneOf(PRESETS, error=_l("unknown preset {input!r}")),
                       metadata={"description": "A preset window: " + ", ".join(PRESETS) + "."})


def read_window(args, today: date) -> Window:
    """The window a query string asks for, leniently: a preset sets both days; a day missing takes its
    default (the end today, the start 90 days before the end); an unreadable one is dropped and named.
    A start after the end is left for the comparison to refuse."""
    values, problems = load_leniently(WindowSchema(), args)
    preset = values.get("preset", "")
    if preset:
        given = [name for name in ("start", "end") if name in values]
        if given:
            problems.append(_("%(fields)s left aside: the preset “%(preset)s” sets the days",
                              fields=" and ".join(given), preset=PRESETS[preset]))
        start, end = preset_range(preset, today)
        return Window(start, end, preset, tuple(problems))
    if "start" not in values and "end" not in values:
        return Window(*preset_range(DEFAULT_PRESET, today), DEFAULT_PRESET, tuple(problems))
    end = values.get("end", today)
    start = values.get("start", end - timedelta(days=DEFAULT_DAYS))
    return Window(start, end, problems=tuple(problems))
