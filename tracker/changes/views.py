"""The comparison page and its CSV download, with the item list's filters and two days (or a preset)."""
from datetime import date

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import can_export, can_see_changes, requires
from ..contract import csv_response
from ..errors import Invalid
from ..exports.services import describe_filters
from ..items.filters import ItemFilters
from ..items.services import filter_options
from . import bp
from .services import SECTIONS, changes_between, changes_csv
from .window import PRESETS, preset_range, read_window

SHOWN = 100  # rows of a section on the page; the CSV holds them all


@bp.before_request
@requires(can_see_changes, _l("Only coordinators, the rapporteur and admins compare the plan at two dates."))
def readers_only():
    """Agencies follow their own items; the comparison of the whole plan is for its overseers."""


@bp.route("/changes")
def changes_page():
    today = date.today()
    window = read_window(request.args, today)
    filters = ItemFilters.from_args(request.args)
    changes, error = None, None
    try:
        changes = changes_between(window.start, window.end, filters, current_user, today)
    except Invalid as exc:
        error = exc  # a start after the end: the form again, with the days as given
    return render_template(
        "changes/index.html",
        changes=changes,
        error=error,
        window=window,
        filters=filters,
        problems=[*window.problems, *filters.problems],
        options=filter_options(),
        presets={key: (label, *preset_range(key, today)) for key, label in PRESETS.items()},
        sections=SECTIONS,
        rows_shown=SHOWN,
        today=today,
    ), 422 if error else 200


@bp.route("/changes.csv")
@requires(can_export)
def changes_download():
    """The page's changes as CSV, one row per change; arguments that make no sense are refused (400)."""
    today = date.today()
    window = read_window(request.args, today)
    filters = ItemFilters.from_args(request.args)
    problems = [*window.problems, *filters.problems]
    if problems:
        abort(400, description="; ".join(problems))
    changes = changes_between(window.start, window.end, filters, current_user, today)
    # As every export's filters are recorded: the query's arguments, as given.
    description = f"start={window.start.isoformat()}, end={window.end.isoformat()}, {describe_filters(filters)}"
    filename = f"changes-{window.start.isoformat()}-to-{window.end.isoformat()}.csv"
    return csv_response(changes_csv(changes, description), filename)
