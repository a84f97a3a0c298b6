"""No input yields a 500: hostile values at every query parameter, form field and id of every route;
strict JSON out; timestamps with their offset; nothing of a user's is cached."""
import json
import math

import pytest
import sqlalchemy as sa

from conftest import csrf_token
from test_access import IDS, ROUTES, world  # noqa: F401 (the fixture)
from tracker.assessments.filters import AssessmentListArgsSchema
from tracker.audit.forms import AuditFilterForm
from tracker.changes.window import WindowSchema
from tracker.coverage.filters import CoverageArgsSchema
from tracker.dashboard.services import AsOfSchema
from tracker.extensions import db
from tracker.indicators.filters import IndicatorListArgsSchema
from tracker.items.filters import ItemListArgsSchema
from tracker.models import Evidence

# What a probe throws at every field: a NUL byte, integers no column holds, a megabyte, bytes that are
# not UTF-8, and numbers JSON cannot carry.
PAYLOADS = {
    "nul": "a\x00b",
    "huge": "9223372036854775807999",
    "int64": "9223372036854775807",
    "megabyte": "x" * 1_000_000,
    "not-utf8": b"\xff\xfe\xfa".decode("latin-1"),
    "infinity": "1e400",
    "nan": "nan",
}
# Every query parameter any page or the API reads, plus one nobody reads.
QUERY_PARAMETERS = [*dict.fromkeys([*ItemListArgsSchema().fields, *IndicatorListArgsSchema().fields,
                                     *WindowSchema().fields, *AsOfSchema().fields,
                                     *AssessmentListArgsSchema().fields, *CoverageArgsSchema().fields]),
                    *(field.name for field in AuditFilterForm()), "unknown"]
# The admin last: resetting the agency user's password (one of the routes) ends that login. The rapporteur
# alone gets past the assessment form's guard.
FUZZ_ROLES = ("agency_responsible", "coordinator", "rapporteur", "admin")


def _fields(route) -> list[str]:
    fields = list(route.post.data) if route.post else []
    return [*fields, "note", "name", "email", "q", "comment", "figure_value", "progress", "status", "version",
            "action", "reason"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_no_hostile_value_anywhere_gives_a_server_error(world, payload):  # noqa: F811
    value = PAYLOADS[payload]
    failures = []
    # A megabyte goes into one parameter and one field of each request, by one role: enough to find a
    # column it overflows, without sending hundreds of megabytes.
    huge_text = payload == "megabyte"
    for role in FUZZ_ROLES[1:2] if huge_text else FUZZ_ROLES:
        client = world["clients"][role]
        token = csrf_token(client.get("/items").get_data(as_text=True))
        for endpoint, route in ROUTES.items():
            if endpoint in ("auth.logout", "auth.logout_everywhere"):
                continue  # would end the login the rest of the loop runs under
            path = route.path.format(**world["ids"])
            query = {"q": value} if huge_text else {name: value for name in QUERY_PARAMETERS}
            if route.get:
                response = client.get(path, query_string=query)
                if response.status_code >= 500:
                    failures.append(f"{role} GET {path} → {response.status_code}")
            if route.post:
                fields = _fields(route)[:1] if huge_text else _fields(route)
                data = {name: value for name in fields}
                if route.post.json:
                    response = client.post(path, json=data, headers={"X-CSRFToken": token})
                else:
                    prefixed = {f"{p}-{name}": value for p in ("agency", "alias", "merge") for name in data}
                    response = client.post(path, query_string=query,
                                           data={**data, **prefixed, "csrf_token": token,
                                                 **{f"{p}-csrf_token": token for p in ("agency", "alias", "merge")}})
                if response.status_code >= 500:
                    failures.append(f"{role} POST {path} → {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_an_id_no_column_holds_is_a_404(world, number):  # noqa: F811
    client = world["clients"]["admin"]
    for route in ROUTES.values():
        if not route.get or "{" not in route.path:
            continue
        path = route.path.format(**dict.fromkeys(IDS, number))
        assert client.get(path).status_code == 404, path


def test_a_nul_byte_is_refused_with_a_clear_message(as_role):
    client = as_role("coordinator")
    page = client.get("/items?q=shel%00ter")
    assert page.status_code == 400 and "NUL character" in page.get_data(as_text=True)
    api = client.get("/api/v1/items?q=a%00")
    assert api.status_code == 400 and api.get_json()["error"] == "bad_request"


def test_a_huge_page_number_shows_a_page_not_an_error(as_role):
    client = as_role("coordinator")
    assert client.get("/items?page=9223372036854775807").status_code == 200
    assert client.get("/notifications?page=9223372036854775807").status_code == 200


@pytest.mark.parametrize("figure", ["inf", "nan", "1e400", "-Infinity"])
def test_the_form_refuses_a_figure_that_is_no_number_as_the_api_does(as_role, figure):
    client = as_role("agency", "NADRA")
    page = client.get("/items/PAPER-g/update").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = client.post("/items/PAPER-g/update", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "version": version, "status": "in_progress", "progress": "10",
        "note": "Counted.", "figure_value": figure, "figure_unit": "people", "figure_as_of": ""})
    assert response.status_code == 422
    assert "The figure&#39;s value must be a number." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(Evidence.value.is_not(None))) \
        == db.session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(Evidence.value.is_not(None),
                                                                                  Evidence.origin == "source"))
    body = '{"status": "in_progress", "progress": 10, "note": "Counted.", "figure": {"value": 1e400, "unit": "x"}}'
    api = client.post("/api/v1/items/PAPER-g/updates", data=body, content_type="application/json",
                      headers={"X-CSRFToken": csrf_token(page)})
    assert api.status_code == 422 and "figure" in api.get_json()["errors"]


def test_api_answers_are_strict_json_with_utc_offsets(as_role):
    client = as_role("coordinator")
    body = client.get("/api/v1/items/NAP05-PROS-c-iv").get_data(as_text=True)
    json.loads(body, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
    history = json.loads(body)["history"]
    assert history, "the item's source says it is done: its first history entry"
    for entry in history:
        assert entry["created_at"].endswith("+00:00"), entry["created_at"]
    with pytest.raises(ValueError):
        client.application.json.dumps({"value": math.inf})


def test_nothing_of_a_users_is_cached_but_shared_files_are(as_role):
    client = as_role("coordinator")
    for path in ("/items", "/api/v1/items", "/exports/items.csv", "/login"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.get("/vendor/plotly.min.js").headers.get("Cache-Control") != "no-store"
