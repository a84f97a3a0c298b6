"""Downloads of the items and of the indicators' values, honouring the filters of the page they come from."""
from collections.abc import Iterator
from datetime import date

from flask import Response, abort, request, stream_with_context
from flask_babel import gettext as _

from ..auth.permissions import can_export, requires
from ..contract import csv_response
from ..dashboard.services import include_pending, read_as_of
from ..indicators.filters import read_listing
from ..items.filters import ItemFilters
from . import bp
from .services import CSV_FORMATS, INDICATOR_VALUES, ITEM_FORMATS, MIMETYPES, export_filename, render_export


def download(export_format: str, content: bytes | Iterator[str], today: date) -> Response:
    if export_format in CSV_FORMATS:
        if not isinstance(content, bytes):
            # Sent as it is read, with the request's database session. Should reading fail half-way, the error
            # propagates and the server ends the response without its last chunk: the browser reports a failed
            # download rather than saving a file that looks whole. No error text is written into the CSV,
            # where it would read as a row.
            content = stream_with_context(content)
        return csv_response(content, export_filename(export_format, today))
    return Response(
        content,
        mimetype=MIMETYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="{export_filename(export_format, today)}"'},
    )


@bp.route("/exports/items.<export_format>")
@requires(can_export)
def export_items(export_format: str):
    if export_format not in ITEM_FORMATS:
        abort(404, description=_("There is no %(format)s export; choose CSV, XLSX or HTML.", format=export_format))
    filters = ItemFilters.from_args(request.args)
    today = date.today()
    as_of, problems = None, list(filters.problems)
    if export_format == "html":
        as_of, as_of_problems = read_as_of(request.args, today)
        problems += as_of_problems
    elif "as_of" in request.args:
        problems.append(_("as_of: the CSV and Excel exports hold the items as they are now; only the HTML report "
                          "stands as of a past day"))
    if problems:
        abort(400, description="; ".join(problems))
    content, _count = render_export(export_format, filters, today, include_pending(request.args), as_of=as_of)
    return download(export_format, content, today)


@bp.route("/exports/indicator-values.csv")
@requires(can_export)
def export_indicator_values():
    """The values of the indicators the list shows with these filters, one row per value."""
    filters = read_listing(request.args).filters
    if filters.problems:
        abort(400, description="; ".join(filters.problems))
    today = date.today()
    content, _count = render_export(INDICATOR_VALUES, filters, today)
    return download(INDICATOR_VALUES, content, today)
