"""The self-contained HTML report: one file, plotly.js and the data inside, readable offline."""
from __future__ import annotations

from datetime import date

import plotly.io as pio
import plotly.offline
from flask import current_app, has_request_context, render_template
from markupsafe import Markup

from ..dashboard.charts import build_charts
from ..dashboard.services import build_dashboard
from ..indicators.services import results
from ..items.services import ItemFilters


def report_html(filters: ItemFilters, today: date, with_pending: bool = False,
                as_of: date | None = None) -> tuple[bytes, int]:
    """The dashboard as one HTML file with its charts, their numbers and the overdue list, and the results of
    every indicator not retired (the filters select items, not indicators); `as_of` a past day, the dashboard
    as it stood at its end, without the results (shown as they are now only)."""
    if not has_request_context():
        # From the command line: chart links are built as relative URLs, as a page would.
        with current_app.test_request_context():
            return report_html(filters, today, with_pending, as_of)
    dashboard = build_dashboard(filters, today, with_pending, as_of=as_of)
    charts = [
        (chart, None if chart.empty else Markup(pio.to_html(
            chart.figure, validate=False, full_html=False, include_plotlyjs=False, div_id=f"report-{chart.key}",
            config={"displaylogo": False, "responsive": True})))
        for chart in build_charts(dashboard)
    ]
    html = render_template(
        "dashboard/report.html",
        dashboard=dashboard,
        charts=charts,
        filters=filters,
        results=results() if as_of is None else None,
        plotly_js=Markup(plotly.offline.get_plotlyjs()),
    )
    return html.encode("utf-8"), dashboard.total
