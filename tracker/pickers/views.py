"""Tom Select's files, served from node_modules, where `make install` puts them with `npm ci` from the committed
lockfile: never copied into the repository, never fetched from a CDN."""
import os

from flask import current_app, send_from_directory

from . import bp


@bp.route("/vendor/tom-select/<path:filename>")
def tom_select(filename: str):
    """A file of the tom-select package's dist folder (its script and its Bootstrap 5 style sheet)."""
    folder = os.path.join(current_app.config["NODE_MODULES_DIR"], "tom-select", "dist")
    return send_from_directory(folder, filename, max_age=86400)
