"""The dashboard page and the plotly.js it needs, served from the installed package."""
from datetime import date
from pathlib import Path

import plotly
from flask import render_template, request, send_from_directory

from ..indicators.services import results
from ..items.filters import ItemFilters
from ..items.services import filter_options
from . import bp
from .charts import build_charts
from .services import build_dashboard, include_pending

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"


@bp.route("/dashboard")
def dashboard():
    filters = ItemFilters.from_args(request.args)
    data = build_dashboard(filters, date.today(), include_pending(request.args))
    return render_template(
        "dashboard/index.html",
        dashboard=data,
        charts=build_charts(data),
        results=results(filters.pillar, filters.agency),
        filters=filters,
        options=filter_options(),
    )


@bp.route("/vendor/plotly.min.js")
def plotly_js():
    """plotly.js from the plotly wheel: the dashboard never reaches a CDN."""
    return send_from_directory(PLOTLY_DIR, "plotly.min.js", mimetype="text/javascript", max_age=86400)
