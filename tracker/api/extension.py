"""flask-smorest, set up to answer as the rest of the tracker does.

- Errors: the app's handlers (tracker/errors.py) answer once for the whole app, pages and API alike;
  flask-smorest's own handler would answer HTML pages' 404s in JSON.
- Arguments: webargs' complaints become the domain's Invalid, so a bad query or body reads like
  any other refused request; a body that is not a JSON object is a 400.
- The document: paths relative to its server (/api/v1), each operation listing its path parameters.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_smorest import Api, Blueprint
from flask_smorest.spec.plugins import FlaskPlugin
from webargs.flaskparser import FlaskParser

from .errors import invalid_arguments
from .schemas import ErrorSchema

JSON_OBJECT_NEEDED = _l("Send a JSON object (Content-Type: application/json) with status, progress and note.")


class ArgumentsParser(FlaskParser):
    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if not isinstance(data, dict):  # no body, another content type, or JSON that is not an object
            abort(400, description=str(JSON_OBJECT_NEEDED))
        return data

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, description=str(JSON_OBJECT_NEEDED))

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs files the messages under the location they came from: {"query": {...}} or {"json": {...}}.
        ((location, messages),) = error.messages.items()
        raise invalid_arguments(location, messages)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ArgumentsParser()


class ApiPaths(FlaskPlugin):
    """Paths as the document's server sees them (/items, not /api/v1/items); path parameters in each operation."""

    def __init__(self, root: str):
        super().__init__()
        self.root = root

    def path_helper(self, rule, operations, parameters, **kwargs):
        path = super().path_helper(rule=rule, operations=operations, parameters=parameters, **kwargs)
        in_path = [p for p in parameters if isinstance(p, Mapping) and p.get("in") == "path"]
        for operation in operations.values():
            operation["parameters"] = [*in_path, *operation.get("parameters", [])]
        parameters[:] = [p for p in parameters if p not in in_path]
        return path[len(self.root):] if path.startswith(self.root + "/") else path


class TrackerApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # No catch-all "default" response: each operation lists the statuses it gives, so a status the
    # document does not name is a mistake that the schema tests (tests/test_api_schema.py) catch.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error):
        """The app's one handler, wherever flask-smorest registered this one (it answers for the whole app)."""
        from ..errors import handle_http_error

        return handle_http_error(error)
