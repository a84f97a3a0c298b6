"""The API's OpenAPI 3 description, written by hand beside the views it describes (a test keeps them in step)."""
from __future__ import annotations

from ..contract import CSV_COLUMNS
from ..enums import Status
from ..items.services import SORTS

STATUS_ORDER = Status.codes()
from .services import PER_PAGE_DEFAULT, PER_PAGE_MAX


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
INTEGER = {"type": "integer"}
STATUS = {"type": "string", "enum": STATUS_ORDER}
COUNTS = {"type": "object", "properties": {s: INTEGER for s in STATUS_ORDER}, "required": STATUS_ORDER}

FILTER_PARAMETERS = [
    _query("framework", "Framework code, e.g. NAP05.", STRING),
    _query("pillar", "Pillar code: prevention, prosecution, protection or partnership.", STRING),
    _query("agency", "Agency id: items where it is lead or supporting.", {"type": "integer", "minimum": 1}),
    _query("province", "Province code, e.g. PB.", STRING),
    _query("status", "Status code.", STATUS),
    _query("overdue", "Only overdue items (a past due date, neither completed nor superseded).",
           {"type": "string", "enum": ["1", "true", "yes", "on", "0", "false", "no", "off"]}),
    _query("q", "Words that must all appear in the ref, title or text.", STRING),
    _query("due_from", "Only items due on or after this date.", {"type": "string", "format": "date"}),
    _query("due_to", "Only items due on or before this date.", {"type": "string", "format": "date"}),
]
LIST_PARAMETERS = [
    *FILTER_PARAMETERS,
    _query("sort", "Order: " + ", ".join(SORTS) + "; a leading - reverses it.",
           {"type": "string", "enum": [s for key in SORTS for s in (key, "-" + key)], "default": "ref"}),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    _query("per_page", f"Items a page; larger values are capped at {PER_PAGE_MAX}.",
           {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX, "default": PER_PAGE_DEFAULT}),
]
REF_PARAMETER = {"name": "ref", "in": "path", "required": True, "description": "The item's reference, e.g. PAPER-g.",
                 "schema": STRING}

UNAUTHORIZED = {
    "description": "No valid credentials: no session or token, or a token unknown, revoked or of a deactivated user.",
    "headers": {"WWW-Authenticate": {"schema": STRING, "description": "Bearer challenge."}},
    "content": {"application/json": {"schema": _ref("Error")}},
}
QUERY_PROBLEMS = _json("A query parameter matches nothing; each is named in problems.", _ref("QueryError"))

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code: bad_request, unauthorized, forbidden, "
                      "not_found, method_not_allowed, conflict, payload_too_large, invalid, server_error."},
            "message": STRING,
        },
    },
    "QueryError": {
        "allOf": [_ref("Error"), {"type": "object", "required": ["problems"],
                                  "properties": {"problems": {"type": "array", "items": STRING}}}],
    },
    "FieldErrors": {
        "allOf": [_ref("Error"), {"type": "object", "required": ["errors"], "properties": {
            "errors": {"type": "object", "additionalProperties": STRING,
                       "description": "A message for each bad field."},
        }}],
    },
    "Conflict": {
        "allOf": [_ref("Error"), {"type": "object", "required": ["version", "changes"], "properties": {
            "version": {"type": "integer", "description": "The item's current version."},
            "changes": {"type": "array", "items": _ref("Update"), "description": "What was saved since your version."},
        }}],
    },
    "Item": {
        "type": "object",
        "description": "The CSV export's columns (the export's item_row), plus overdue, version and url.",
        "required": [*CSV_COLUMNS, "overdue", "version", "url"],
        "properties": {
            **{column: STRING for column in CSV_COLUMNS},
            "status": STATUS,
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "due_date": {"type": "string", "nullable": True, "description": "YYYY-MM-DD; null or empty if unknown."},
            "last_update": {"type": "string", "nullable": True, "description": "YYYY-MM-DD; null or empty if none."},
            "supporting_agencies": {"type": "string", "description": "Names separated by “; ”."},
            "overdue": {"type": "boolean"},
            "version": {"type": "integer", "description": "Send it back as expected_version when reporting."},
            "url": {"type": "string", "description": "This item in the API."},
        },
    },
    "ItemDetail": {
        "allOf": [_ref("Item"), {"type": "object", "required": ["agencies", "related", "history", "source_evidence"],
                                 "properties": {
            "agencies": {"type": "array", "items": {"type": "object", "properties": {
                "id": INTEGER, "name": STRING, "short_name": STRING,
                "role": {"type": "string", "enum": ["lead", "supporting"]},
                "basis": {"type": "string", "enum": ["stated", "group", "assigned"]},
            }}},
            "related": {"type": "array", "items": STRING, "description": "Refs of related items."},
            "history": {"type": "array", "items": _ref("Update"), "description": "Newest first."},
            "source_evidence": {"type": "array", "items": _ref("Evidence")},
        }}],
    },
    "ItemPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "pages", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref("Item")},
            "page": INTEGER, "per_page": INTEGER, "pages": INTEGER, "total": INTEGER,
        },
    },
    "Update": {
        "type": "object",
        "properties": {
            "id": INTEGER,
            "created_at": {"type": "string", "format": "date-time"},
            "origin": {"type": "string", "enum": ["source", "user"]},
            "kind": {"type": "string", "enum": ["progress", "assignment", "planning"]},
            "author": {**NULLABLE_STRING, "description": "Null for entries derived from a source document."},
            "agency": {**NULLABLE_STRING, "description": "The agency the author reported for."},
            "status_before": STATUS, "status_after": STATUS,
            "progress_before": INTEGER, "progress_after": INTEGER,
            "note": STRING, "source_document": STRING,
            "item_version": {"type": "integer", "nullable": True},
            "review": {"type": "object", "nullable": True, "description": "Agencies' reports only.", "properties": {
                "state": {"type": "string", "enum": ["awaiting_verification", "verified", "returned"]},
                "comment": STRING, "reviewer": NULLABLE_STRING,
                "reviewed_at": {"type": "string", "format": "date-time", "nullable": True},
            }},
            "evidence": {"type": "array", "items": _ref("Evidence"),
                         "description": "Confidential evidence only for coordinators and the owning agency."},
        },
    },
    "Evidence": {
        "type": "object",
        "properties": {
            "id": INTEGER, "origin": {"type": "string", "enum": ["source", "user"]}, "note": STRING,
            "url": NULLABLE_STRING,
            "figure": {"type": "object", "nullable": True, "properties": {
                "value": {"type": "number"}, "unit": STRING, "as_of": {**NULLABLE_STRING, "format": "date"}}},
            "file": {"type": "object", "nullable": True, "properties": {
                "name": STRING, "content_type": STRING, "size": INTEGER, "sha256": STRING, "download_url": STRING}},
            "source_document": STRING, "locator": STRING, "confidential": {"type": "boolean"},
        },
    },
    "ProgressReport": {
        "type": "object",
        "required": ["status", "progress", "note"],
        "additionalProperties": False,
        "properties": {
            "status": STATUS,
            "progress": {"type": "integer", "minimum": 0, "maximum": 100,
                         "description": "100 when completed; 0 when not started."},
            "note": {"type": "string", "minLength": 1, "maxLength": 5000},
            "expected_version": {"type": "integer", "nullable": True,
                                 "description": "The version you read; a later one makes the report a 409."},
            "links": {"type": "array", "items": {"type": "string", "format": "uri"}, "maxItems": 20},
            "figure": {"type": "object", "nullable": True, "required": ["value", "unit"],
                       "additionalProperties": False, "properties": {
                "value": {"type": "number"}, "unit": {"type": "string", "maxLength": 120},
                "as_of": {**NULLABLE_STRING, "format": "date"}}},
            "confidential": {"type": "boolean", "default": False,
                             "description": "The evidence is for coordinators and your agency only."},
        },
    },
    "ReportCreated": {
        "type": "object",
        "required": ["update", "item"],
        "properties": {"update": _ref("Update"), "item": _ref("Item")},
    },
    "Stats": {
        "type": "object",
        "required": ["statuses", "total", "overdue", "by_pillar", "by_agency"],
        "properties": {
            "statuses": {"type": "array", "items": STATUS},
            "total": INTEGER,
            "overdue": INTEGER,
            "by_pillar": {"type": "array", "items": {"type": "object", "properties": {
                "pillar": STRING, "name": STRING, "counts": COUNTS, "total": INTEGER}}},
            "by_agency": {"type": "array",
                          "description": "An item counts for each agency responsible, lead or supporting.",
                          "items": {"type": "object", "properties": {
                "id": INTEGER, "name": STRING, "short_name": STRING, "counts": COUNTS, "total": INTEGER}}},
        },
    },
}


def openapi_document() -> dict:
    """The OpenAPI 3.0 document of /api/v1."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Anti-trafficking action-plan tracker API",
            "version": "1",
            "description": "Items of Pakistan's anti-trafficking plans, their history and progress reports. "
                           "Authenticate with a bearer token (`flask --app app users token EMAIL`) or a browser "
                           "session; session calls that change something send the X-CSRFToken header.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
        "paths": {
            "/items": {"get": {
                "summary": "List items, filtered and paginated.",
                "operationId": "listItems",
                "parameters": LIST_PARAMETERS,
                "responses": {"200": _json("One page of items.", _ref("ItemPage")), "401": UNAUTHORIZED,
                              "422": QUERY_PROBLEMS},
            }},
            "/items/{ref}": {"get": {
                "summary": "One item with its agencies, related items, history and evidence.",
                "operationId": "getItem",
                "parameters": [REF_PARAMETER],
                "responses": {"200": _json("The item.", _ref("ItemDetail")), "401": UNAUTHORIZED,
                              "404": _error("No item has this ref.")},
            }},
            "/items/{ref}/updates": {"post": {
                "summary": "Report progress on an item, by the same rules as the update form.",
                "operationId": "reportProgress",
                "parameters": [REF_PARAMETER],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("ProgressReport")}}},
                "responses": {
                    "201": _json("Saved; the item's history has a new entry.", _ref("ReportCreated"),
                                 headers={"Location": {"schema": STRING, "description": "The item in the API."}}),
                    "400": _error("The body is not a JSON object, or a session call lacks its CSRF token."),
                    "401": UNAUTHORIZED,
                    "403": _error("Only the item's responsible agencies and coordinators may update it."),
                    "404": _error("No item has this ref."),
                    "409": _json("The item changed since expected_version.", _ref("Conflict")),
                    "413": _error("The body is too large."),
                    "422": _json("Values of the wrong type or that break a rule, by field.", _ref("FieldErrors")),
                },
            }},
            "/stats": {"get": {
                "summary": "Counts of items by pillar × status and by agency × status.",
                "operationId": "getStats",
                "parameters": FILTER_PARAMETERS,
                "responses": {"200": _json("The counts.", _ref("Stats")), "401": UNAUTHORIZED,
                              "422": QUERY_PROBLEMS},
            }},
            "/openapi.json": {"get": {
                "summary": "This document.",
                "operationId": "getOpenApi",
                "responses": {"200": _json("The OpenAPI document.", {"type": "object"}), "401": UNAUTHORIZED},
            }},
        },
        "components": {
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer",
                                "description": "A token from `flask --app app users token EMAIL`."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                  "description": "The browser session after logging in at /login."},
            },
            "schemas": SCHEMAS,
        },
    }
