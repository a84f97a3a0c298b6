"""The API's documentation page: Swagger UI on the generated document, served from the installed
swagger-ui-bundle package (never a CDN), for anyone logged in."""
import os

from flask import Blueprint, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

SWAGGER_UI_DIR = os.fspath(swagger_ui_path)
# Versions of the API that have a documentation page.
VERSIONS = ("v1",)

bp = Blueprint("api_docs", __name__)


# The page is a web page beside the API rather than one of its operations: it logs in like the other
# pages (require_login) instead of answering 401, and the version is a part of its rule, so that the
# rules under /api/v1/ stay exactly the operations the OpenAPI document lists.
@bp.route(f"/api/<any({', '.join(VERSIONS)}):version>/docs")
def docs(version: str):
    return render_template("api/docs.html", spec_url=url_for("api.openapi"), version=version)


@bp.route("/vendor/swagger-ui/<path:filename>")
def swagger_ui(filename: str):
    """Swagger UI's files from the swagger-ui-bundle wheel."""
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=86400)
