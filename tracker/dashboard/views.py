"""The dashboard page and the plotly.js it needs, served from the installed package."""
from datetime import date, timedelta
from pathlib import Path

import plotly
from flask import render_template, request, send_from_directory

from ..indicators.services import results
from ..items.filters import ItemFilters
from ..items.services import filter_options
from . import bp
from .charts import build_charts
from .services import build_dashboard, include_pending, read_as_of

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"


@bp.route("/dashboard")
def dashboard():
    filters = ItemFilters.from_args(request.args)
    today = date.today()
    as_of, problems = read_as_of(request.args, today)
    data = build_dashboard(filters, today, include_pending(request.args), as_of=as_of)
    return render_template(
        "dashboard/index.html",
        dashboard=data,
        charts=build_charts(data),
        # Indicators' values are replaced when corrected: their results are shown as they are now only.
        results=results(filters.pillar, filters.agency) if as_of is None else None,
        filters=filters,
        problems=[*filters.problems, *problems],
        options=filter_options(),
        yesterday=today - timedelta(days=1),
        day_after=as_of + timedelta(days=1) if as_of else None,
    )


@bp.route("/vendor/plotly.min.js")
def plotly_js():
    """plotly.js from the plotly wheel: the dashboard never reaches a CDN."""
    return send_from_directory(PLOTLY_DIR, "plotly.min.js", mimetype="text/javascript", max_age=86400)
