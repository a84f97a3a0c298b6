"""Downloads of the items, honouring the filters of the page they come from."""
from datetime import date

from flask import Response, abort, request

from ..auth.permissions import can_export, requires
from ..dashboard.services import include_pending
from ..items.filters import ItemFilters
from . import bp
from .services import EXPORT_FORMATS, MIMETYPES, export_filename, render_export


@bp.route("/exports/items.<export_format>")
@requires(can_export)
def export_items(export_format: str):
    if export_format not in EXPORT_FORMATS:
        abort(404, description=f"There is no {export_format} export; choose CSV, XLSX or HTML.")
    filters = ItemFilters.from_args(request.args)
    if filters.problems:
        abort(400, description="; ".join(filters.problems))
    today = date.today()
    content, _count = render_export(export_format, filters, today, include_pending(request.args))
    return Response(
        content,
        mimetype=MIMETYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="{export_filename(export_format, today)}"'},
    )
