"""Plotly figures of the dashboard, built from its aggregates; every bar links to the item list.

Each figure is written as the plain dict Plotly's JSON holds (traces and layout), which the page hands to
plotly.js as it is: building graph objects validated and deep-copied Plotly's whole template for every figure,
most of the dashboard's time. tests/test_dashboard.py has Plotly validate each figure, so a wrong property fails
there rather than in a browser.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import plotly.io as pio
from flask import has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..enums import Status
from .services import Dashboard, StatusRow

# Bootstrap 5's colours, so that a chart's status colours are those of the status badges.
BOOTSTRAP_COLOURS = {"secondary": "#6c757d", "primary": "#0d6efd", "success": "#198754", "danger": "#dc3545",
                     "dark": "#343a40"}
STATUS_COLOURS = {status.value: BOOTSTRAP_COLOURS[status.style] for status in Status}
TOP_AGENCIES = 20
# The "Blues" colour scale as Plotly writes a named scale into the figure (the name is expanded when validated).
HEATMAP_COLOURS = [[index / 8, colour] for index, colour in enumerate(
    ["rgb(247,251,255)", "rgb(222,235,247)", "rgb(198,219,239)", "rgb(158,202,225)", "rgb(107,174,214)",
     "rgb(66,146,198)", "rgb(33,113,181)", "rgb(8,81,156)", "rgb(8,48,107)"])]


NO_ITEMS = _l("No items match these filters.")
# The page's own families, so that a chart reads in the page's type (Nastaliq in Urdu, as static/css sets it).
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
URDU_FONT_FAMILY = "'Noto Nastaliq Urdu', 'Noto Naskh Arabic', " + FONT_FAMILY


def right_to_left() -> bool:
    """Whether the request's language reads right to left (never outside a request: the CLI's report is English)."""
    if not has_request_context():
        return False
    from ..i18n import text_direction  # the i18n package imports the app's extensions, loaded by then
    return text_direction() == "rtl"


# Plotly's own "plotly_white", as the figure JSON carries it; read once, never changed.
PLOTLY_WHITE = pio.templates["plotly_white"].to_plotly_json()


@dataclass
class Chart:
    key: str
    title: str
    figure: dict  # {"data": [traces], "layout": {...}}, as plotly.js reads it
    empty: str = ""  # what to say instead of drawing a plot with nothing in it (empty when there is something)

    def to_json(self) -> str:
        """JSON safe inside a <script> element: no "</script>" can close it early."""
        return json.dumps(self.figure).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def layout(data: list[dict], height: int = 360, **extra) -> dict:
    """The figure of these traces with the charts' common look; in a right-to-left language the chart reads from
    the right too: the first category (or month) on the right, horizontal bars growing leftwards, the value axis
    and the legend on the right, the page's Nastaliq type.

    `extra` sets more of the layout; `xaxis` and `yaxis` are added to the axes' common settings, and an axis's
    title is given as `xaxis_title` / `yaxis_title` or inside the axis as "title".
    """
    rtl = right_to_left()
    axes = {"xaxis": {"automargin": True}, "yaxis": {"automargin": True}}
    if rtl:
        axes["xaxis"]["autorange"] = "reversed"
        axes["yaxis"]["side"] = "right"
    for name in ("xaxis", "yaxis"):
        given = dict(extra.pop(name, {}))
        title = extra.pop(f"{name}_title", given.pop("title", None))
        axes[name].update(given)
        if title is not None:
            axes[name]["title"] = {"text": str(title)}
    return {"data": data, "layout": {
        "template": PLOTLY_WHITE,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        # Below the plot at the foot of the figure (not of the plot area), so it never covers the axis labels,
        # which grow and tilt as a phone narrows the plot.
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                   "x": 1 if rtl else 0, "xanchor": "right" if rtl else "left"},
        "font": {"family": URDU_FONT_FAMILY if rtl else FONT_FAMILY, "size": 13},
        "hoverlabel": {"align": "right" if rtl else "left"},
        **axes,
        **extra,
    }}


def _items_url(dashboard: Dashboard, **changes) -> str | None:
    """The item list a bar opens; none as of a past day, as the list shows the items as they are now."""
    if dashboard.as_of is not None:
        return None
    return url_for("items.item_list", **dashboard.filters.to_args(**changes))


def _two_lines(label: str, longest: int = 12) -> str:
    """A long bar label on two lines, broken at the space nearest its middle: tilted labels would take a
    phone's plot for themselves."""
    if len(label) <= longest or " " not in label:
        return label
    spaces = [i for i, char in enumerate(label) if char == " "]
    middle = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return f"{label[:middle]}<br>{label[middle + 1:]}"


def _status_bars(dashboard: Dashboard, rows: list[StatusRow], filter_name: str) -> dict:
    labels = [_two_lines(str(row.label)) for row in rows]
    bars = []
    for status in Status:
        label = str(status.label)
        bars.append({
            "type": "bar",
            "name": label,
            "x": labels,
            "y": [row.counts[status.value] for row in rows],
            "marker": {"color": STATUS_COLOURS[status.value]},
            "customdata": [
                _items_url(dashboard, **{filter_name: row.key, "status": status.value}) if row.key else None
                for row in rows
            ],
            "hovertemplate": f"%{{x}}<br>{label}: %{{y}}<extra></extra>",
        })
    if dashboard.include_pending:
        # Reports awaiting verification: a hatched segment per claimed status, labelled as such.
        for status in Status:
            counts = [row.pending[status.value] for row in rows]
            if not any(counts):
                continue
            label = _("%(status)s — reported, awaiting verification", status=status.label)
            bars.append({
                "type": "bar",
                "name": label,
                "x": labels,
                "y": counts,
                "marker": {"color": "white", "line": {"color": STATUS_COLOURS[status.value], "width": 1.5},
                           "pattern": {"shape": "/", "fgcolor": STATUS_COLOURS[status.value]}},
                "hovertemplate": f"%{{x}}<br>{label}: %{{y}}<extra></extra>",
            })
    return layout(bars, barmode="stack", yaxis_title=_("Items"))


def build_charts(dashboard: Dashboard) -> list[Chart]:
    """The dashboard's charts, in the order the page shows them; one with nothing to show says why instead."""
    no_items = str(NO_ITEMS) if not dashboard.total else ""
    none_open = no_items or ("" if any(row.open for row in dashboard.agencies)
                             else _("None of the items that match these filters is open."))
    no_months = no_items or ("" if dashboard.months else _("No item was completed or reported on in these months."))
    charts = [
        Chart("pillar-status", _("Status of items per pillar"), _status_bars(dashboard, dashboard.pillars, "pillar"),
              no_items),
        Chart("pillar-completion", _("Completion per pillar"), _completion(dashboard), no_items),
        Chart("agency-load", _("Open and overdue items per agency (busiest first)"), _agency_load(dashboard),
              none_open),
        Chart("agency-pillar", _("Open items per agency and pillar (overdue in brackets)"), _heatmap(dashboard),
              none_open),
        Chart("framework-status", _("Status of items per framework"),
              _status_bars(dashboard, dashboard.frameworks, "framework"), no_items),
        Chart("province-status", _("Status of items per province"),
              _status_bars(dashboard, dashboard.provinces, "province"), no_items),
        Chart("over-time", _("Progress over time: items completed and reports made per month"),
              _over_time(dashboard), no_months),
    ]
    return charts


def _completion(dashboard: Dashboard) -> dict:
    rows = dashboard.pillars
    bar = {
        "type": "bar",
        "x": [str(row.label) for row in rows],
        "y": [row.completion for row in rows],
        "text": [f"{row.completion:g}%" for row in rows],
        "textposition": "auto",
        "marker": {"color": STATUS_COLOURS["completed"]},
        "customdata": [_items_url(dashboard, pillar=row.key, status="completed") for row in rows],
        "hovertemplate": _("%(pillar)s: %(share)s%% completed", pillar="%{x}", share="%{y}") + "<extra></extra>",
    }
    return layout([bar], yaxis={"title": _("%(sign)s completed", sign="%"), "range": [0, 100]}, showlegend=False)


def _agency_load(dashboard: Dashboard) -> dict:
    rows = dashboard.agencies[:TOP_AGENCIES][::-1]  # horizontal bars read top-down
    names = [row.agency.label for row in rows]
    on_time = {
        "type": "bar",
        "name": _("Open, on time"),
        "y": names,
        "x": [row.open - row.overdue for row in rows],
        "orientation": "h",
        "marker": {"color": STATUS_COLOURS["in_progress"]},
        "customdata": [_items_url(dashboard, agency=row.agency.id) for row in rows],
        "text": [_("mean progress %(progress)s%%", progress=f"{row.mean_progress:g}") for row in rows],
        "hovertemplate": _("%(agency)s: %(count)s open on time, %(progress)s", agency="%{y}", count="%{x}",
                           progress="%{text}") + "<extra></extra>",
        "textposition": "none",
    }
    overdue = {
        "type": "bar",
        "name": _("Overdue"),
        "y": names,
        "x": [row.overdue for row in rows],
        "orientation": "h",
        "marker": {"color": STATUS_COLOURS["blocked"]},
        "customdata": [_items_url(dashboard, agency=row.agency.id, overdue=True) for row in rows],
        "hovertemplate": _("%(agency)s: %(count)s overdue", agency="%{y}", count="%{x}") + "<extra></extra>",
    }
    return layout([on_time, overdue], height=max(300, 26 * len(rows) + 80), barmode="stack",
                  xaxis_title=_("Open items"))


def _heatmap(dashboard: Dashboard) -> dict:
    rows = [row for row in dashboard.agencies if row.open][:TOP_AGENCIES][::-1]
    pillars = dashboard.heatmap_pillars
    z, text, links = [], [], []
    for row in rows:
        cells = [dashboard.heatmap.get(row.agency.id, {}).get(p.id, (0, 0)) for p in pillars]
        z.append([open_ for open_, _ in cells])
        text.append([f"{open_} ({late})" if open_ else "" for open_, late in cells])
        links.append([_items_url(dashboard, agency=row.agency.id, pillar=p.code) for p in pillars])
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": [p.name for p in pillars],
        "y": [row.agency.label for row in rows],
        "text": text,
        "texttemplate": "%{text}",
        "customdata": links,
        "colorscale": HEATMAP_COLOURS,
        "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
        "colorbar": {"title": {"text": _("Open")}},
    }
    return layout([heatmap], height=max(300, 26 * len(rows) + 80))


def _over_time(dashboard: Dashboard) -> dict:
    months = dashboard.months
    completed = {"type": "bar", "name": _("Items completed"), "x": [m.month for m in months],
                 "y": [m.completed for m in months], "marker": {"color": STATUS_COLOURS["completed"]}}
    reported = {"type": "scatter", "name": _("Reports made"), "x": [m.month for m in months],
                "y": [m.reported for m in months], "mode": "lines+markers",
                "line": {"color": STATUS_COLOURS["in_progress"]}}
    return layout([completed, reported], xaxis={"type": "category", "title": _("Month")}, yaxis_title=_("Count"))
