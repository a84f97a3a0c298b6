"""Filters and globals shared by every template."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from . import remembered
from .auth.permissions import TEMPLATE_PERMISSIONS, can_view_evidence
from .display import format_date, format_moment, format_number
from .enums import Status
from .pickers.options import agency_option_tags, picker_attrs
from .verification.services import waited_days


def status_style(status) -> str:
    """The Bootstrap colour of a status badge."""
    return Status(status).style


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def report_url(report) -> str:
    """Where a report is shown and decided: its item's page, or its indicator's."""
    if report.item is not None:
        return url_for("items.item_detail", ref=report.item.ref) + f"#report-{report.id}"
    return url_for("indicators.indicator_detail", code=report.indicator.code) + f"#report-{report.id}"


def register(app: Flask) -> None:
    remembered.register(app)
    # Imported once the blueprints are: the assessments' services read the items package, whose views import
    # the verification views, which import this module.
    from .assessments.services import disagrees
    from .catalogue.sources import source_title

    app.jinja_env.filters["status_style"] = status_style
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["source_title"] = source_title
    # `evidence|select('visible_evidence')`: what the logged-in user may see of it.
    app.jinja_env.tests["visible_evidence"] = lambda evidence: can_view_evidence(current_user, evidence)
    app.jinja_env.globals.update(
        url_with=url_with,
        report_url=report_url,
        Status=Status,
        waited=waited_days,
        disagrees=disagrees,
        agency_option_tags=agency_option_tags,
        picker_attrs=picker_attrs,
        **TEMPLATE_PERMISSIONS,
    )
