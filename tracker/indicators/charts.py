"""An indicator's chart: the actual values per period against the baseline and the targets."""
from __future__ import annotations

from flask_babel import gettext as _

from ..dashboard.charts import STATUS_COLOURS, Chart, layout
from ..models import Indicator
from .services import PeriodPoint


def indicator_chart(indicator: Indicator, points: list[PeriodPoint]) -> Chart | None:
    """Bars of the actual values, the targets as markers on a line, the baseline as a dashed line; None if
    there is nothing to draw."""
    actual = [p for p in points if p.actual is not None]
    targets = [p for p in points if p.target is not None]
    if not actual and not targets and indicator.baseline_value is None:
        return None
    periods = [p.period for p in points] or [indicator.baseline_period]
    traces = [{"type": "bar", "name": _("Actual"), "x": [p.period for p in actual], "y": [p.actual for p in actual],
               "marker": {"color": STATUS_COLOURS["in_progress"]},
               "text": [_("sum of the breakdown") if p.summed else "" for p in actual],
               "hovertemplate": "%{x}: %{y} " + indicator.unit + " %{text}<extra></extra>", "textposition": "none"}]
    if targets:
        traces.append({"type": "scatter", "name": _("Target"), "x": [p.period for p in targets],
                       "y": [p.target for p in targets], "mode": "lines+markers",
                       "line": {"color": STATUS_COLOURS["completed"], "dash": "dot"},
                       "marker": {"symbol": "diamond", "size": 10},
                       "hovertemplate": _("Target %(period)s: %(value)s", period="%{x}", value="%{y}")
                       + "<extra></extra>"})
    if indicator.baseline_value is not None:
        traces.append({"type": "scatter", "name": _("Baseline (%(period)s)", period=indicator.baseline_period),
                       "x": periods, "y": [indicator.baseline_value] * len(periods), "mode": "lines",
                       "line": {"color": STATUS_COLOURS["not_started"], "dash": "dash"},
                       "hovertemplate": _("Baseline %(period)s: %(value)s", period=indicator.baseline_period,
                                          value="%{y}") + "<extra></extra>"})
    return Chart(f"indicator-{indicator.code.lower()}",
                 _("%(name)s: actual, baseline and targets", name=indicator.name),
                 layout(traces, xaxis={"type": "category", "title": _("Period")},
                        yaxis_title=indicator.unit or _("Value")))
