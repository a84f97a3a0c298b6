"""The JSON API: shapes, filters, stats, progress reports, authentication, errors and its OpenAPI document."""
import hashlib
import math
import re
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item, make_app
from tracker.api.services import item_stats
from tracker.api.tokens import issue_token, revoke_tokens
from tracker.catalogue.services import find_agency
from tracker.contract import CSV_COLUMNS, item_row
from tracker.extensions import db
from tracker.items.services import ItemFilters
from tracker.models import ActionItem, ApiToken, Pillar, Status, Update, UpdateOrigin, User

ITEM = "PAPER-g"  # NADRA leads, FIA and Police support
REPORT = {"status": "in_progress", "progress": 30, "note": "Records link agreed with NADRA."}
ITEM_KEYS = set(CSV_COLUMNS) | {"overdue", "version", "url"}


@pytest.fixture
def token(seeded, make_user):
    """Headers with a new bearer token of a new user of a role (agency users belong to the agency given)."""

    def make(role: str = "coordinator", agency: str | None = None) -> dict:
        email = f"api-{role}-{(agency or 'x').replace(' ', '').lower()}@example.org"
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user = user or make_user(role, email=email, agency=agency)
        _, secret = issue_token(user, "tests")
        return {"Authorization": f"Bearer {secret}"}

    return make


def all_items() -> list[ActionItem]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ActionItem)))


def user_updates(ref: str = ITEM) -> list[Update]:
    return [u for u in fresh_item(ref).updates if u.origin == UpdateOrigin.USER]


def post_report(client, headers: dict | None = None, ref: str = ITEM, **changes):
    return client.post(f"/api/v1/items/{ref}/updates", json={**REPORT, **changes}, headers=headers or {})


def refs(client, headers, query: str) -> list[str]:
    response = client.get(f"/api/v1/items?per_page=200&{query}", headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["total"] == len(response.json["items"])
    return [row["ref"] for row in response.json["items"]]


# Lists


def test_list_is_paginated_with_the_contract_columns(client, token):
    auth = token()
    total = len(all_items())
    first = client.get("/api/v1/items?per_page=7", headers=auth)
    assert first.status_code == 200 and first.is_json
    body = first.json
    assert set(body) == {"items", "page", "per_page", "pages", "total"}
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 7, total, math.ceil(total / 7))
    assert len(body["items"]) == 7
    for row in body["items"]:
        assert set(row) == ITEM_KEYS
        item = fresh_item(row["ref"])
        assert {k: row[k] for k in CSV_COLUMNS} == item_row(item)
        assert (row["version"], row["overdue"], row["url"]) == (item.version, False, f"/api/v1/items/{item.ref}")
    second = client.get("/api/v1/items?per_page=7&page=2", headers=auth).json
    fourteen = client.get("/api/v1/items?per_page=14", headers=auth).json
    assert [r["ref"] for r in body["items"] + second["items"]] == [r["ref"] for r in fourteen["items"]]
    last = client.get(f"/api/v1/items?per_page=7&page={body['pages']}", headers=auth).json
    assert len(last["items"]) == total - 7 * (body["pages"] - 1)
    beyond = client.get(f"/api/v1/items?per_page=7&page={body['pages'] + 1}", headers=auth)
    assert beyond.status_code == 200 and beyond.json["items"] == []
    default = client.get("/api/v1/items", headers=auth).json
    assert default["per_page"] == 50 and len(default["items"]) == min(50, total)
    capped = client.get("/api/v1/items?per_page=1000", headers=auth).json
    assert capped["per_page"] == 200 and len(capped["items"]) == min(200, total)


def test_list_filters_match_the_database(client, token):
    auth = token()
    items = all_items()
    nadra = find_agency("NADRA")
    cases = {
        "pillar=prevention": lambda i: i.pillar.code == "prevention",
        "framework=PAPER": lambda i: i.framework.code == "PAPER",
        "province=BA": lambda i: i.province is not None and i.province.code == "BA",
        "status=completed": lambda i: i.status == Status.COMPLETED,
        f"agency={nadra.id}": lambda i: any(a.agency_id == nadra.id for a in i.assignments),
        "overdue=1": lambda i: i.is_overdue(),
        "pillar=prevention&status=completed": lambda i: i.pillar.code == "prevention" and i.status == Status.COMPLETED,
        "due_from=2006-01-01&due_to=2006-03-31": lambda i: i.due_date is not None and
        date(2006, 1, 1) <= i.due_date <= date(2006, 3, 31),
    }
    for query, keep in cases.items():
        expected = {i.ref for i in items if keep(i)}
        assert expected, query  # a filter that matches nothing proves nothing
        assert set(refs(client, auth, query)) == expected, query
    # A search is full text (tests/test_search.py): it finds at least every item whose own words hold both, and
    # each item it finds has them somewhere it searches (its agencies' names among them), stemmed.
    searched = set(refs(client, auth, "q=nadra+records"))
    assert {i.ref for i in items if all(w in f"{i.ref} {i.title} {i.text}".lower() for w in ("nadra", "records"))} \
        <= searched
    said = {i.ref: " ".join([i.title, i.text, *(u.note for u in i.updates)]) for i in items}
    assert searched and all(re.search(r"\brecord", said[ref], re.IGNORECASE) for ref in searched)
    overdue = client.get("/api/v1/items?overdue=true", headers=auth).json["items"]
    assert overdue and all(row["overdue"] for row in overdue)
    by_due = client.get("/api/v1/items?sort=due&per_page=3", headers=auth).json["items"]
    assert [row["due_date"] for row in by_due] == sorted(str(i.due_date) for i in items if i.due_date)[:3]


def test_unknown_filter_values_are_a_422_naming_them(client, token):
    auth = token()
    query = ("due_from=soon&status=done&pillar=peace&agency=abc&framework=NOPE&province=XX&sort=size"
             "&page=0&per_page=-1&overdue=maybe")
    response = client.get(f"/api/v1/items?{query}", headers=auth)
    assert response.status_code == 422 and response.json["error"] == "invalid"
    problems = " | ".join(response.json["problems"])
    for named in ("'soon'", "'done'", "'peace'", "'abc'", "'NOPE'", "'XX'", "'size'", "page '0'", "per_page '-1'",
                  "'maybe'"):
        assert named in problems
    assert client.get("/api/v1/items?agency=99999", headers=auth).json["problems"] == ["unknown agency 99999"]
    assert client.get("/api/v1/items?agency=²", headers=auth).status_code == 422
    assert client.get("/api/v1/stats?status=done", headers=auth).status_code == 422
    assert client.get("/api/v1/items?overdue=TRUE", headers=auth).status_code == 422  # not silently "false"
    assert client.get(f"/api/v1/items?page={10**20}", headers=auth).status_code == 422


# One item


def test_item_detail_has_agencies_related_items_and_history(client, token):
    nadra = token("agency", "NADRA")
    assert post_report(client, nadra, links=["https://example.org/minutes"]).status_code == 201
    response = client.get(f"/api/v1/items/{ITEM}", headers=token("rapporteur"))
    assert response.status_code == 200
    body = response.json
    item = fresh_item(ITEM)
    assert set(body) == ITEM_KEYS | {"agencies", "related", "history", "source_evidence", "verified_by", "pending",
                                     "assessments", "repeats", "repeated_by", "recurring_since"}
    assert body["assessments"] == []  # the rapporteur's: see test_assessments.py
    # A recommendation's repeats: see test_recommendation_cycles.py
    assert (body["repeats"], body["repeated_by"], body["recurring_since"]) == ([], [], None)
    # The official state is unchanged; the report is pending beside it.
    assert (body["ref"], body["version"], body["status"], body["progress"]) == (ITEM, item.version, "not_started", 0)
    assert (body["pending_status"], body["pending_progress"], body["verified_at"], body["verified_by"]) == (
        "in_progress", 30, None, None)
    (pending,) = body["pending"]
    assert (pending["status"], pending["progress"], pending["stage"], pending["agency"]) == (
        "in_progress", 30, "coordination", "National Database and Registration Authority")
    assert [(a["id"], a["role"], a["basis"]) for a in body["agencies"]] == [
        (a.agency_id, a.role.value, a.basis.value) for a in item.assignments]
    assert body["agencies"][0]["short_name"] == "NADRA" and body["agencies"][0]["role"] == "lead"
    assert body["related"] == sorted(r.ref for r in item.related) and body["related"]
    (entry,) = body["history"]
    assert entry["author"] == "Agency" and entry["agency"] == "National Database and Registration Authority"
    assert (entry["status_before"], entry["status_after"], entry["progress_before"], entry["progress_after"]) == (
        "not_started", "not_started", 0, 0)
    assert entry["note"] == REPORT["note"] and entry["kind"] == "report" and entry["origin"] == "user"
    assert entry["step"] == "submitted" and entry["report"] == pending["id"] and entry["item_version"] == item.version
    assert [e["url"] for e in entry["evidence"]] == ["https://example.org/minutes"]
    assert date.fromisoformat(entry["created_at"][:10]) == date.today()


def test_source_derived_history_has_no_author_and_source_evidence_shows(client, token):
    auth = token("agency", "FIA")
    history = client.get("/api/v1/items/NAP05-PREV-a", headers=auth).json["history"]
    assert history and all(e["origin"] == "source" and e["author"] is None and e["step"] is None for e in history)
    evidence = client.get("/api/v1/items/NAP05-PROS-a-i", headers=auth).json["source_evidence"]
    assert any(e["figure"] and e["figure"]["value"] == 650 for e in evidence)


def test_confidential_evidence_is_shown_only_to_coordinators_and_the_owner(client, token):
    nadra = token("agency", "NADRA")
    sent = post_report(client, nadra, links=["https://example.org/case-file"], confidential=True)
    assert sent.status_code == 201 and sent.json["update"]["evidence"][0]["confidential"] is True
    for headers, visible in [(nadra, True), (token("coordinator"), True), (token("agency", "FIA"), False),
                             (token("rapporteur"), False)]:
        (entry,) = client.get(f"/api/v1/items/{ITEM}", headers=headers).json["history"]
        assert bool(entry["evidence"]) is visible
        assert ("case-file" in client.get(f"/api/v1/items/{ITEM}", headers=headers).get_data(as_text=True)) is visible


def test_unknown_refs_paths_and_methods_are_json_errors(client, token):
    auth = token()
    missing = client.get("/api/v1/items/NOPE-1", headers=auth)
    assert missing.status_code == 404 and missing.json["error"] == "not_found" and "NOPE-1" in missing.json["message"]
    assert post_report(client, auth, ref="NOPE-1").status_code == 404
    nowhere = client.get("/api/v1/nothing-here", headers=auth)
    assert nowhere.status_code == 404 and nowhere.is_json
    wrong_method = client.delete("/api/v1/items", headers=auth)
    assert wrong_method.status_code == 405 and wrong_method.json["error"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    # The web pages keep their HTML error pages.
    assert "text/html" in client.get("/no-such-page", headers=auth).content_type


# Stats


def test_stats_equal_hand_counts(client, token):
    auth = token()
    post_report(client, token("agency", "NADRA"))  # one item moves to in_progress
    items = all_items()
    body = client.get("/api/v1/stats", headers=auth).json
    assert body["statuses"] == [s.value for s in Status]
    assert body["total"] == len(items) and body["overdue"] == sum(i.is_overdue() for i in items) > 0
    by_pillar = Counter((i.pillar.code, i.status.value) for i in items)
    assert [row["pillar"] for row in body["by_pillar"]] == list(
        db.session.scalars(sa.select(Pillar.code).order_by(Pillar.position)))
    for row in body["by_pillar"]:
        assert row["counts"] == {s.value: by_pillar[(row["pillar"], s.value)] for s in Status}
        assert row["total"] == sum(row["counts"].values())
    by_agency = Counter((a.agency_id, i.status.value) for i in items for a in i.assignments)
    rows = {row["id"]: row for row in body["by_agency"]}
    assert set(rows) == {agency_id for agency_id, _ in by_agency}
    for agency_id, row in rows.items():
        assert row["counts"] == {s.value: by_agency[(agency_id, s.value)] for s in Status}
    assert rows[find_agency("NADRA").id]["counts"]["in_progress"] >= 1
    paper = client.get("/api/v1/stats?framework=PAPER", headers=auth).json
    assert paper["total"] == sum(i.framework.code == "PAPER" for i in items)


def test_stats_take_a_fixed_number_of_queries(seeded):
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        stats = item_stats(ItemFilters())
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(stats["by_agency"]) > 10  # one query per agency would show here
    assert len(statements) == 4, statements


# Reporting progress


def test_responsible_agency_reports_by_token(client, token):
    auth = token("agency", "NADRA")
    version = fresh_item(ITEM).version
    response = post_report(client, auth, expected_version=version, links=["https://example.org/minutes"],
                           figure={"value": 12, "unit": "records linked", "as_of": "2026-10-01"})
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith(f"/api/v1/items/{ITEM}")
    assert "Set-Cookie" not in response.headers  # a token never turns into a session
    body = response.json
    assert set(body["item"]) == ITEM_KEYS
    # A pending report: the item's official state waits for a coordinator's verification.
    assert (body["item"]["status"], body["item"]["progress"], body["item"]["version"]) == ("not_started", 0, version)
    assert (body["item"]["pending_status"], body["item"]["pending_progress"]) == ("in_progress", 30)
    assert body["stage"] == "coordination" and body["update"]["author"] == "Agency"
    item = fresh_item(ITEM)
    assert (item.status, item.progress, item.version) == (Status.NOT_STARTED, 0, version)
    (update,) = user_updates()
    assert update.report.id == body["id"] and update.agency.short_name == "NADRA" and update.note == REPORT["note"]
    assert sorted((e.url, e.value, e.unit) for e in update.evidence) == [
        ("", 12.0, "records linked"), ("https://example.org/minutes", None, "")]
    # A supporting agency may report too.
    assert post_report(client, token("agency", "FIA"), progress=40).status_code == 201


@pytest.mark.parametrize("role, agency", [("agency", "Ministry of Foreign Affairs"), ("rapporteur", None),
                                          ("admin", None)])
def test_others_may_not_report(client, token, role, agency):
    auth = token(role, agency)
    response = post_report(client, auth)
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    # Who may is checked before what was sent, as the form does.
    assert post_report(client, auth, status="done").status_code == 403
    assert user_updates() == [] and fresh_item(ITEM).status == Status.NOT_STARTED


def test_stale_expected_version_is_a_409_with_the_changes(client, token):
    nadra, coordinator = token("agency", "NADRA"), token("coordinator")
    version = fresh_item(ITEM).version
    assert post_report(client, coordinator, expected_version=version, note="First: letter sent.").status_code == 201
    stale = post_report(client, nadra, expected_version=version, note="Second: my note.")
    assert stale.status_code == 409 and stale.json["error"] == "conflict"
    assert stale.json["version"] == version + 1
    assert [c["note"] for c in stale.json["changes"]] == ["First: letter sent."]
    assert [u.note for u in user_updates()] == ["First: letter sent."]
    again = post_report(client, nadra, expected_version=stale.json["version"], note="Second: my note.")
    assert again.status_code == 201
    assert [u.note for u in user_updates()] == ["Second: my note.", "First: letter sent."]


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"status": "done"}, {"status"}),
        ({"status": None}, {"status"}),
        ({"progress": "30"}, {"progress"}),
        ({"progress": 30.5}, {"progress"}),
        ({"progress": True}, {"progress"}),
        ({"progress": 130}, {"progress"}),
        ({"note": None}, {"note"}),
        ({"note": "   "}, {"note"}),
        ({"note": "x" * 5001}, {"note"}),
        ({"status": "completed", "progress": 40}, {"progress"}),
        ({"status": "not_started", "progress": 10}, {"progress"}),
        ({"links": ["ftp://example.org/x"]}, {"links"}),
        ({"links": "https://example.org"}, {"links"}),
        ({"figure": {"value": 3}}, {"figure"}),
        ({"figure": {"value": "3", "unit": "cases"}}, {"figure"}),
        ({"figure": {"value": 10**400, "unit": "cases"}}, {"figure"}),
        ({"figure": {"value": 3, "unit": "cases", "as_of": "last week"}}, {"figure"}),
        ({"expected_version": "1"}, {"expected_version"}),
        ({"expected_version": 10**20}, {"expected_version"}),
        ({"confidential": "yes"}, {"confidential"}),
        ({"progres": 30}, {"progres"}),
        ({"": 30}, {""}),  # a key with no name is still a field, as the documented 422 says (the fuzzer found it)
        ({"status": "done", "progress": "a lot"}, {"status", "progress"}),
    ],
)
def test_bad_values_are_a_422_with_field_errors(client, token, changes, fields):
    payload = {**REPORT, **changes}
    payload = {k: v for k, v in payload.items() if not (k == "note" and v is None)}
    response = client.post(f"/api/v1/items/{ITEM}/updates", json=payload, headers=token("agency", "NADRA"))
    assert response.status_code == 422, response.json
    assert response.json["error"] == "invalid" and set(response.json["errors"]) == fields
    assert all(isinstance(message, str) and message for message in response.json["errors"].values())
    assert user_updates() == []


def test_body_must_be_a_json_object(client, token):
    auth = token("agency", "NADRA")
    url = f"/api/v1/items/{ITEM}/updates"
    for kwargs in (
        {},
        {"data": "status=in_progress&progress=30&note=x", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": [REPORT]},
    ):
        response = client.post(url, headers=auth, **kwargs)
        assert response.status_code == 400 and response.json["error"] == "bad_request", kwargs
    assert user_updates() == []


def test_too_large_body_is_a_json_413(app, client, token):
    auth = token("agency", "NADRA")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = post_report(client, auth, note="x" * 4000)
    assert response.status_code == 413 and response.json["error"] == "payload_too_large"
    assert user_updates() == []


# Authentication


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/items"), ("get", f"/api/v1/items/{ITEM}"), ("get", "/api/v1/stats"),
    ("get", "/api/v1/openapi.json"), ("post", f"/api/v1/items/{ITEM}/updates"),
])
def test_no_credentials_is_a_json_401_never_a_redirect(seeded, client, method, path):
    response = getattr(client, method)(path, json=REPORT if method == "post" else None)
    assert response.status_code == 401 and response.is_json
    assert response.json["error"] == "unauthorized" and "Bearer" in response.json["message"]
    assert "Location" not in response.headers
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert user_updates() == []


def test_refused_tokens_are_json_401s(client, token, make_user):
    user = make_user("agency", email="focal@nadra.example", agency="NADRA")
    _, revoked = issue_token(user)
    revoke_tokens(user)
    _, live = issue_token(user)
    deactivated_user = make_user("agency", email="gone@nadra.example", agency="NADRA")
    _, of_deactivated = issue_token(deactivated_user)
    deactivated_user.active = False
    db.session.commit()
    refused = {
        "unknown": f"Bearer trk_{'x' * 43}",
        "altered": f"Bearer {live[:-1]}{'A' if live[-1] != 'A' else 'B'}",
        "revoked": f"Bearer {revoked}",
        "deactivated user": f"Bearer {of_deactivated}",
        "not bearer": "Basic Zm9jYWxAbmFkcmEuZXhhbXBsZTpwdw==",
        "empty": "Bearer ",
    }
    for name, header in refused.items():
        for response in (client.get("/api/v1/items", headers={"Authorization": header}),
                         post_report(client, {"Authorization": header})):
            assert response.status_code == 401 and response.json["error"] == "unauthorized", name
            assert 'error="invalid_token"' in response.headers["WWW-Authenticate"], name
    assert user_updates() == []
    assert client.get("/api/v1/items", headers={"Authorization": f"bearer {live}"}).status_code == 200


def test_a_wrong_token_is_refused_even_beside_a_live_session(as_role):
    client = as_role("coordinator")
    assert client.get("/api/v1/items", headers={"Authorization": "Bearer trk_nope"}).status_code == 401


def test_a_token_does_not_open_the_web_pages(client, token):
    response = client.get("/items", headers=token())
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_login_works_for_reads(as_role):
    client = as_role("rapporteur")
    for path in ("/api/v1/items", f"/api/v1/items/{ITEM}", "/api/v1/stats", "/api/v1/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_session_post_needs_the_csrf_header(as_role):
    client = as_role("agency", "NADRA")
    missing = post_report(client)
    assert missing.status_code == 400 and missing.is_json and "CSRF" in missing.json["message"]
    forged = post_report(client, {"X-CSRFToken": "forged"})
    assert forged.status_code == 400 and forged.is_json
    assert user_updates() == []
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert post_report(client, {"X-CSRFToken": token}).status_code == 201
    assert len(user_updates()) == 1


def test_deactivated_session_user_gets_a_401(as_role):
    client = as_role("rapporteur")
    user = db.session.scalar(sa.select(User).where(User.email.like("rapporteur-%")))
    user.active = False
    db.session.commit()
    response = client.get("/api/v1/items")
    assert response.status_code == 401 and response.is_json


# Token commands


def test_token_command_prints_a_token_that_works_and_is_stored_hashed(client, runner, make_user, seeded):
    make_user("agency", email="focal@nadra.example", agency="NADRA")
    result = runner.invoke(args=["users", "token", "FOCAL@nadra.example", "--name", "reporting script"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("trk_") and len(secret) > 40 and "shown only this once" in result.output
    (stored,) = db.session.scalars(sa.select(ApiToken)).all()
    assert stored.name == "reporting script" and stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    # The secret is nowhere in the database.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            assert not any(secret in str(value) for value in row), table.name
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/items", headers=auth).status_code == 200
    assert post_report(client, auth).status_code == 201
    db.session.expire_all()
    assert stored.last_used_at is not None
    listed = runner.invoke(args=["users", "tokens", "focal@nadra.example"]).output
    assert "reporting script" in listed and "live" in listed and "last used" in listed and secret not in listed
    revoked = runner.invoke(args=["users", "revoke-token", "focal@nadra.example", "--id", str(stored.id)])
    assert revoked.exit_code == 0 and "Revoked 1 token" in revoked.output
    assert client.get("/api/v1/items", headers=auth).status_code == 401
    assert "revoked" in runner.invoke(args=["users", "tokens", "focal@nadra.example"]).output


def test_token_commands_refuse_unknown_and_deactivated_users(runner, make_user, seeded):
    unknown = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no user" in unknown.output
    user = make_user("rapporteur", email="gone@example.org")
    user.active = False
    db.session.commit()
    deactivated = runner.invoke(args=["users", "token", "gone@example.org"])
    assert deactivated.exit_code != 0 and "deactivated" in deactivated.output
    no_such_token = runner.invoke(args=["users", "revoke-token", "gone@example.org", "--id", "42"])
    assert no_such_token.exit_code != 0 and "no live token" in no_such_token.output
    assert db.session.scalars(sa.select(ApiToken)).all() == []


def test_revoking_without_an_id_revokes_all_the_users_tokens(client, runner, make_user, seeded):
    user = make_user("coordinator")
    secrets = [issue_token(user)[1] for _ in range(2)]
    result = runner.invoke(args=["users", "revoke-token", user.email])
    assert result.exit_code == 0 and "Revoked 2 token(s)" in result.output
    for secret in secrets:
        assert client.get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


# The OpenAPI document and errors


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_openapi_document_matches_the_routes(app, client, token):
    response = client.get("/api/v1/openapi.json", headers=token())
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.") and document["servers"] == [{"url": "/api/v1"}]
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations
                  if method in HTTP_METHODS}
    assert routes == documented and len(routes) == 12
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            path_parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert path_parameters == set(re.findall(r"{(\w+)}", path)), (path, method)
            assert "401" in operation["responses"]
    list_parameters = {p["name"] for p in document["paths"]["/items"]["get"]["parameters"]}
    filter_names = set(ItemFilters.__dataclass_fields__) - {"problems"}
    assert filter_names | {"page", "per_page"} == list_parameters
    assert filter_names - {"sort"} == {p["name"] for p in document["paths"]["/stats"]["get"]["parameters"]}
    # Every reference resolves.
    schemas = document["components"]["schemas"]
    references = re.findall(r'"\$ref":\s*"#/components/schemas/(\w+)"', response.get_data(as_text=True))
    assert references and set(references) <= set(schemas)
    assert set(schemas["Item"]["required"]) == ITEM_KEYS
    assert set(document["components"]["securitySchemes"]) == {"bearerToken", "sessionCookie"}


def test_api_500_is_json_without_internals(tmp_path):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.route("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.before_request_funcs.clear()  # reach the route without credentials
    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500 and response.is_json
    assert response.json["error"] == "server_error"
    assert "secret internals" not in response.get_data(as_text=True)
