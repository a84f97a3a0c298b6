"""The National Rapporteur's assessments: only the rapporteur writes them, everyone reads them, a later one of the
same year stands and the earlier stays readable, the official status is never touched, and disagreements with
it are found by one rule."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from factories import ActionItemFactory, FrameworkFactory
from tracker.assessments.services import disagrees
from tracker.enums import AssessmentRating, AuditEventKind, Status
from tracker.extensions import db
from tracker.models import Assessment, AuditEvent, Update, User

THIS_YEAR = date.today().year
ITEM = "PAPER-g"  # not started officially; prosecution; NADRA leads, FIA and the provincial police support


def token_of(client, path: str = "/items") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def post_assessment(client, ref: str = ITEM, token: str | None = None, **fields):
    data = {"year": str(THIS_YEAR), "rating": "limited", "reason": "Only Punjab has begun.", **fields}
    return client.post(f"/items/{ref}/assessments", data={**data, "csrf_token": token or token_of(client)})


def assessments() -> list[Assessment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Assessment).order_by(Assessment.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def listed_refs(client, query: str = "") -> list[str]:
    """The refs of the rows of /assessments, in order (the page's item links)."""
    page = client.get(f"/assessments?{query}")
    assert page.status_code == 200
    return re.findall(r'<a href="/items/([^"#]+)#assessment">', text(page))


@pytest.fixture
def rapporteur(as_role):
    return as_role("rapporteur")


# Who writes


@pytest.mark.parametrize("role, agency", [("coordinator", None), ("agency", "NADRA"), ("admin", None)])
def test_only_the_rapporteur_records_an_assessment(as_role, role, agency):
    client = as_role(role, agency)
    response = post_assessment(client)
    assert response.status_code == 403
    assert "Only the National Rapporteur records assessments" in text(response)
    assert assessments() == []
    page = text(client.get(f"/items/{ITEM}"))
    assert "Rapporteur's assessment" in page and 'action="/items/PAPER-g/assessments"' not in page


def test_the_rapporteur_records_one_and_everyone_sees_it(rapporteur, as_role):
    response = post_assessment(rapporteur, rating="limited", reason="Only Punjab has begun.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/items/PAPER-g#assessment")
    (saved,) = assessments()
    assert (saved.item.ref, saved.year, saved.rating, saved.reason) == (ITEM, THIS_YEAR, AssessmentRating.LIMITED,
                                                                      "Only Punjab has begun.")
    assert saved.author.email == "rapporteur-x@example.org"
    for role, agency in [("agency", "Ministry of Foreign Affairs"), ("coordinator", None), ("admin", None)]:
        page = text(as_role(role, agency).get(f"/items/{ITEM}"))
        section = page.split('id="assessment"', 1)[1].split("</section>", 1)[0]
        assert f"<strong>{THIS_YEAR}</strong>" in section and "Limited" in section
        assert "Only Punjab has begun." in section
        assert re.search(r"Rapporteur, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}", section)  # who, and when
    # The rapporteur's form offers the current year.
    form = text(rapporteur.get(f"/items/{ITEM}"))
    assert re.search(rf'<input[^>]*id="year"[^>]*value="{THIS_YEAR}"', form)


def test_the_service_refuses_anyone_but_the_rapporteur(seeded, make_user):
    """Behind the pages' and the API's guards, the rule itself: a command or a job calling it is refused too."""
    from tracker.assessments.services import assess
    from tracker.errors import NotAllowed

    coordinator = make_user("coordinator")
    with pytest.raises(NotAllowed):
        assess(coordinator, fresh_item(ITEM), THIS_YEAR, AssessmentRating.LIMITED, "A draft.")
    assert assessments() == []


# Append-only: a later assessment of the same year stands, the earlier stays readable


def test_a_second_assessment_of_the_year_supersedes_the_first_which_stays_visible(rapporteur):
    token = token_of(rapporteur)
    post_assessment(rapporteur, token=token, year=str(THIS_YEAR - 1), rating="not_started", reason="Nothing yet.")
    post_assessment(rapporteur, token=token, rating="limited", reason="First look: a draft only.")
    post_assessment(rapporteur, token=token, rating="substantial", reason="Second look: rules notified.")
    first, second = [a for a in assessments() if a.year == THIS_YEAR]
    page = text(rapporteur.get(f"/items/{ITEM}"))
    standing = page.split(f'id="assessment-{second.id}"', 1)[1]
    current, folded = standing.split("<details", 1)
    assert "Substantial" in current and "Second look: rules notified." in current
    assert "superseded (1)" in folded and f'id="assessment-{first.id}"' in folded
    assert "First look: a draft only." in folded.split("</details>", 1)[0]
    # The year before stands on its own.
    assert "Nothing yet." in page and f"<strong>{THIS_YEAR - 1}</strong>" in page
    # Both rows are still in the database: nothing was edited.
    assert [(a.year, a.rating.value) for a in assessments()] == [
        (THIS_YEAR - 1, "not_started"), (THIS_YEAR, "limited"), (THIS_YEAR, "substantial")]
    # The list shows the standing assessment of each year once.
    listed = text(rapporteur.get("/assessments"))
    assert listed.count('href="/items/PAPER-g#assessment"') == 2
    assert "Second look" in listed and "First look" not in listed


def test_an_assessment_never_changes_the_official_state(rapporteur):
    before = fresh_item(ITEM)
    state = (before.status, before.progress, before.version, before.verified_at, before.last_update_at)
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(Update))
    assert post_assessment(rapporteur, rating="complete", reason="Done, whatever the report says.").status_code == 302
    after = fresh_item(ITEM)
    assert (after.status, after.progress, after.version, after.verified_at, after.last_update_at) == state
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Update)) == entries
    assert after.status == Status.NOT_STARTED


def test_an_assessment_is_never_edited_or_deleted(rapporteur):
    post_assessment(rapporteur)
    (saved,) = assessments()
    saved.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(assessments()[0])
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


# What is refused, and what the form keeps


@pytest.mark.parametrize("fields, field, message", [
    ({"reason": "   "}, "reason", "Say why, in a sentence or two"),
    ({"reason": "x" * 1001}, "reason", "Keep the reason to 1000 characters"),
    ({"year": "2004"}, "year", f"An assessment is of a year from 2005 to {THIS_YEAR + 1}."),
    ({"year": str(THIS_YEAR + 2)}, "year", f"An assessment is of a year from 2005 to {THIS_YEAR + 1}."),
    ({"year": "twenty"}, "year", "Not a valid integer value."),
    ({"rating": "excellent"}, "rating", "Not a valid choice."),
])
def test_a_refused_assessment_names_the_field_and_keeps_what_was_typed(rapporteur, fields, field, message):
    typed = {"year": str(THIS_YEAR - 1), "rating": "substantial", "reason": "Typed with care.", **fields}
    response = post_assessment(rapporteur, **typed)
    assert response.status_code == 422
    page = text(response)
    errors = re.search(rf'id="{field}-errors"[^>]*>(.*?)</div>', page, re.S)
    assert errors and message in errors.group(1).replace("&#39;", "'")
    if field != "year":
        assert re.search(rf'<input[^>]*id="year"[^>]*value="{typed["year"]}"', page)
    if field != "rating":
        assert re.search(r'<option selected value="substantial">', page)
    if field != "reason":
        assert "Typed with care.</textarea>" in page
    assert assessments() == []


def test_each_assessment_is_in_the_audit_log(rapporteur):
    post_assessment(rapporteur, rating="complete", reason="Rules notified in 2025.")
    (saved,) = assessments()
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == AuditEventKind.ASSESSMENT))
    assert (event.actor, event.subject) == ("rapporteur-x@example.org", f"assessment:{saved.id}")
    assert event.detail == (f"PAPER-g {THIS_YEAR}: complete, disagrees with the official status not started: "
                            "“Rules notified in 2025.”")
    # A refused one leaves none.
    post_assessment(rapporteur, reason="")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.event == AuditEventKind.ASSESSMENT)) == 1


@pytest.mark.parametrize("field", ["year", "reason"])
def test_hostile_values_with_a_valid_rating_are_no_server_error(rapporteur, field):
    """The edge fuzz puts one value in every field, so the rating's choice refuses it first; here the rating is
    valid and the value reaches the assessment's own checks: a year no column holds is refused, a reason is
    kept exactly as sent when it fits, and nothing is a 5xx."""
    from test_edges import PAYLOADS

    token = token_of(rapporteur)
    for name, value in PAYLOADS.items():
        response = post_assessment(rapporteur, token=token, **{field: value})
        assert response.status_code < 500, (name, response.status_code)
    kept = [value for value in PAYLOADS.values() if "\x00" not in value and len(value) <= 1000]
    assert [a.reason for a in assessments()] == (kept if field == "reason" else [])


# The rule of disagreement, case by case

# Written out by hand, apart from the code's table: the ratings that disagree with each official status.
DISAGREEING = {
    "not_started": {"substantial", "complete"},
    "in_progress": {"not_started", "complete"},
    "completed": {"not_started", "limited", "substantial"},
    "blocked": {"complete"},
    "superseded": set(),
}


@pytest.fixture
def every_case(seeded, rapporteur):
    """An item of each official status assessed with each rating (refs RULE-<status>-<rating>)."""
    framework = FrameworkFactory(code="RULES", name="Rules")
    for status in Status:
        for rating in AssessmentRating:
            ActionItemFactory(ref=f"RULE-{status.value}-{rating.value}".replace("_", ""), framework=framework,
                              status=status, progress=100 if status == Status.COMPLETED else 0)
    db.session.commit()
    token = token_of(rapporteur)
    for status in Status:
        for rating in AssessmentRating:
            ref = f"RULE-{status.value}-{rating.value}".replace("_", "")
            assert post_assessment(rapporteur, ref=ref, token=token, rating=rating.value,
                                   reason=f"{rating.label} work seen.").status_code == 302
    return rapporteur


def case_ref(status: str, rating: str) -> str:
    return f"RULE-{status}-{rating}".replace("_", "")


def test_the_rule_in_python_is_the_table_written_by_hand():
    for status in Status:
        for rating in AssessmentRating:
            assert disagrees(status, rating) == (rating.value in DISAGREEING[status.value]), (status, rating)


def test_the_list_shows_each_disagreement_and_its_filter_finds_exactly_those(every_case):
    expected = {case_ref(status, rating) for status, ratings in DISAGREEING.items() for rating in ratings}
    # The filter runs the rule in SQL.
    assert set(listed_refs(every_case, "disagreements=1&per_page=200")) == expected
    # Every row shows the rule's verdict (in Python) in words.
    page = text(every_case.get("/assessments?per_page=200"))
    shown = set(re.findall(r"Government: ([A-Za-z ]+) · Rapporteur: ([A-Za-z ]+)</div>", page))
    assert shown == {(Status(status).label, AssessmentRating(rating).label)
                     for status, ratings in DISAGREEING.items() for rating in ratings}
    assert "Government: Completed · Rapporteur: Limited" in page
    assert f"<strong>{len(expected)}</strong> disagree with the official status" in page
    # And on the item's own page.
    item_page = text(every_case.get(f"/items/{case_ref('completed', 'limited')}"))
    assert "Government: Completed · Rapporteur: Limited" in item_page
    assert "Government:" not in text(every_case.get(f"/items/{case_ref('completed', 'not_assessable')}")).split(
        'id="assessment"', 1)[1]


# The list: filters in the URL, pages, the empty state, the download


@pytest.fixture
def assessed(rapporteur):
    """Four items assessed: PAPER-g this year twice (standing: limited) and last year, PAPER-a (prevention,
    FIA supports) this year complete, STEP-17 (prosecution, in progress) this year not assessable,
    NAP05-PROS-c-iv (completed, FIA leads) last year substantial. Listed newest year first, then in the plans'
    order (NAP 2005, the 2005 steps, the paper)."""
    token = token_of(rapporteur)
    for ref, year, rating in [("PAPER-g", THIS_YEAR, "complete"), ("PAPER-g", THIS_YEAR, "limited"),
                              ("PAPER-g", THIS_YEAR - 1, "not_started"), ("PAPER-a", THIS_YEAR, "complete"),
                              ("STEP-17", THIS_YEAR, "not_assessable"),
                              ("NAP05-PROS-c-iv", THIS_YEAR - 1, "substantial")]:
        assert post_assessment(rapporteur, ref=ref, token=token, year=str(year), rating=rating,
                               reason=f"{ref} in {year}.").status_code == 302
    return rapporteur


@pytest.mark.parametrize("query, refs", [
    ("", ["STEP-17", "PAPER-a", "PAPER-g", "NAP05-PROS-c-iv", "PAPER-g"]),
    (f"year={THIS_YEAR}", ["STEP-17", "PAPER-a", "PAPER-g"]),
    ("pillar=prevention", ["PAPER-a"]),
    ("rating=limited", ["PAPER-g"]),
    ("rating=complete", ["PAPER-a"]),  # PAPER-g's "complete" was superseded
    ("disagreements=1", ["PAPER-a", "NAP05-PROS-c-iv"]),
    (f"disagreements=1&year={THIS_YEAR - 1}", ["NAP05-PROS-c-iv"]),
])
def test_the_list_filters_standing_assessments(assessed, query, refs):
    assert listed_refs(assessed, query) == refs


def test_the_agency_filter_takes_items_it_leads_or_supports(assessed):
    from tracker.catalogue.services import find_agency

    fia, nadra = find_agency("FIA").id, find_agency("NADRA").id
    assert listed_refs(assessed, f"agency={fia}") == ["STEP-17", "PAPER-a", "PAPER-g", "NAP05-PROS-c-iv",
                                                      "PAPER-g"]
    assert listed_refs(assessed, f"agency={nadra}&year={THIS_YEAR}") == ["PAPER-g"]


def test_the_filters_live_in_the_url_and_a_bad_one_is_named(assessed):
    page = text(assessed.get(f"/assessments?year={THIS_YEAR}&rating=excellent&disagreements=1"))
    assert "Ignored: unknown rating &#39;excellent&#39;." in page
    assert f'<option value="{THIS_YEAR}" selected>' in page
    assert 'id="disagreements" name="disagreements" value="1" checked' in page
    assert f"/assessments.csv?year={THIS_YEAR}&amp;disagreements=1" in page


def test_the_list_pages_through_keeping_its_filters(assessed):
    first = text(assessed.get("/assessments?per_page=2"))
    assert "<strong>5</strong> assessments" in first
    assert 'href="/assessments?per_page=2&amp;page=2" rel="next"' in first
    pages = [listed_refs(assessed, f"per_page=2&page={number}") for number in (1, 2, 3)]
    assert pages == [["STEP-17", "PAPER-a"], ["PAPER-g", "NAP05-PROS-c-iv"], ["PAPER-g"]]
    filtered = text(assessed.get("/assessments?pillar=prosecution&per_page=1"))
    assert 'href="/assessments?pillar=prosecution&amp;per_page=1&amp;page=2" rel="next"' in filtered
    assert listed_refs(assessed, "per_page=2&page=99") == []


def test_an_empty_list_says_why(as_role, rapporteur):
    reader = as_role("agency", "NADRA")
    assert "The rapporteur has not assessed any item yet." in text(reader.get("/assessments"))
    assert "Assess an item from its page" in text(rapporteur.get("/assessments"))
    post_assessment(rapporteur)
    page = text(reader.get("/assessments?rating=complete"))
    assert "No assessment matches these filters." in page and 'href="/assessments">Show all' in page


def test_the_download_holds_every_filtered_row_and_is_audited(assessed, as_role):
    response = assessed.get(f"/assessments.csv?year={THIS_YEAR}&per_page=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert [row["item"] for row in rows] == ["STEP-17", "PAPER-a", "PAPER-g"]  # every page, not one
    assert list(rows[0]) == ["item", "title", "framework", "pillar", "lead_agency", "year", "rating",
                             "official_status", "disagrees", "reason", "assessed_by", "assessed_at"]
    assert {k: rows[2][k] for k in ("year", "rating", "official_status", "disagrees", "reason")} == {
        "year": str(THIS_YEAR), "rating": "limited", "official_status": "not_started", "disagrees": "no",
        "reason": f"PAPER-g in {THIS_YEAR}."}
    assert rows[1]["disagrees"] == "yes" and rows[1]["lead_agency"] == "Ministry of Information and Broadcasting"
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject == "export:assessments-csv"))
    assert event.detail == f"year={THIS_YEAR}; 3 assessments"
    # Only those who download the items download this; a filter that makes no sense is refused, not ignored.
    assert as_role("agency", "NADRA").get("/assessments.csv").status_code == 403
    assert assessed.get("/assessments.csv?rating=excellent").status_code == 400


def test_the_download_makes_formulas_inert(rapporteur):
    post_assessment(rapporteur, reason="=HYPERLINK(\"http://example.org\")")
    rows = list(csv.DictReader(io.StringIO(text(rapporteur.get("/assessments.csv")))))
    assert rows[0]["reason"].startswith("'=")


# The API


@pytest.fixture
def bearer(seeded, make_user):
    """Headers with a new API token of a new user of a role (agency users belong to the agency given)."""
    from tracker.api.tokens import issue_token

    def make(role: str, agency: str | None = None) -> dict:
        email = f"api-{role}@example.org"
        user = db.session.scalar(sa.select(User).where(User.email == email)) or make_user(role, email=email,
                                                                                         agency=agency)
        _, secret = issue_token(user, "tests")
        return {"Authorization": f"Bearer {secret}"}

    return make


def api_assess(client, headers: dict, ref: str = ITEM, **fields):
    body = {"year": THIS_YEAR, "rating": "limited", "reason": "Only Punjab has begun.", **fields}
    return client.post(f"/api/v1/items/{ref}/assessments", json=body, headers=headers)


@pytest.mark.parametrize("role, agency", [("coordinator", None), ("agency", "NADRA"), ("admin", None)])
def test_only_the_rapporteur_assesses_through_the_api(client, bearer, role, agency):
    response = api_assess(client, bearer(role, agency))
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert response.json["message"] == "Only the National Rapporteur records assessments; everyone may read them."
    # Refused before the body is read: a body that makes no sense is still a 403.
    assert client.post(f"/api/v1/items/{ITEM}/assessments", json={"year": "x"},
                       headers=bearer(role, agency)).status_code == 403
    assert assessments() == []


def test_the_rapporteur_assesses_through_the_api(client, bearer):
    before = fresh_item(ITEM)
    state = (before.status, before.progress, before.version)
    response = api_assess(client, bearer("rapporteur"), rating="complete", reason="Notified in the Gazette.")
    assert response.status_code == 201 and response.headers["Location"] == f"/api/v1/items/{ITEM}"
    (saved,) = assessments()
    assert response.json == {
        "id": saved.id, "item": ITEM, "year": THIS_YEAR, "rating": "complete", "reason": "Notified in the Gazette.",
        "author": "Rapporteur", "created_at": saved.when.isoformat(), "official_status": "not_started",
        "disagrees": True, "url": f"/api/v1/items/{ITEM}"}
    after = fresh_item(ITEM)
    assert (after.status, after.progress, after.version) == state
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.event == AuditEventKind.ASSESSMENT)) == 1


def test_a_session_needs_the_csrf_header_to_assess(rapporteur):
    assert api_assess(rapporteur, {}).status_code == 400
    assert api_assess(rapporteur, {"X-CSRFToken": token_of(rapporteur)}).status_code == 201


@pytest.mark.parametrize("fields, field", [
    ({"year": 2004}, "year"), ({"year": THIS_YEAR + 2}, "year"), ({"year": "2026"}, "year"),
    ({"year": 10**30}, "year"), ({"rating": "excellent"}, "rating"), ({"reason": "  "}, "reason"),
    ({"reason": "x" * 1001}, "reason"), ({"reason": None}, "reason"),
])
def test_the_api_refuses_what_the_form_refuses_by_field(client, bearer, fields, field):
    response = api_assess(client, bearer("rapporteur"), **fields)
    assert response.status_code == 422 and set(response.json["errors"]) == {field}, response.json
    assert assessments() == []


def test_the_api_answers_404_for_an_unknown_item_and_400_for_no_json(client, bearer):
    auth = bearer("rapporteur")
    assert api_assess(client, auth, ref="NOPE-1").status_code == 404
    assert client.post(f"/api/v1/items/{ITEM}/assessments", data="year=2026", headers=auth).status_code == 400


def test_the_item_in_the_api_carries_its_assessments_by_year(client, bearer):
    auth = bearer("rapporteur")
    for year, rating, reason in [(THIS_YEAR - 1, "not_started", "Nothing yet."), (THIS_YEAR, "limited", "A draft."),
                                 (THIS_YEAR, "substantial", "Rules notified.")]:
        assert api_assess(client, auth, year=year, rating=rating, reason=reason).status_code == 201
    body = client.get(f"/api/v1/items/{ITEM}", headers=bearer("agency", "Ministry of Foreign Affairs")).json
    assert body["status"] == "not_started"
    years = body["assessments"]
    assert [(y["year"], y["standing"]["rating"], [e["rating"] for e in y["earlier"]]) for y in years] == [
        (THIS_YEAR, "substantial", ["limited"]), (THIS_YEAR - 1, "not_started", [])]
    assert years[0]["standing"]["disagrees"] is True and years[1]["standing"]["disagrees"] is False
    assert years[0]["earlier"][0]["reason"] == "A draft."


def test_the_api_lists_standing_assessments_with_the_pages_filters(client, bearer):
    auth = bearer("rapporteur")
    for ref, year, rating in [("PAPER-g", THIS_YEAR, "complete"), ("PAPER-g", THIS_YEAR, "limited"),
                              ("PAPER-a", THIS_YEAR, "complete"), ("NAP05-PROS-c-iv", THIS_YEAR - 1, "substantial")]:
        assert api_assess(client, auth, ref=ref, year=year, rating=rating).status_code == 201
    reader = bearer("agency", "NADRA")
    body = client.get("/api/v1/assessments?per_page=2", headers=reader).json
    assert {k: body[k] for k in ("page", "per_page", "pages", "total")} == {"page": 1, "per_page": 2, "pages": 2,
                                                                            "total": 3}
    assert [(row["item"], row["rating"]) for row in body["assessments"]] == [("PAPER-a", "complete"),
                                                                             ("PAPER-g", "limited")]
    second = client.get("/api/v1/assessments?per_page=2&page=2", headers=reader).json["assessments"]
    assert [(row["item"], row["year"]) for row in second] == [("NAP05-PROS-c-iv", THIS_YEAR - 1)]

    def items(query: str) -> list[str]:
        response = client.get(f"/api/v1/assessments?{query}", headers=reader)
        assert response.status_code == 200, response.json
        return [row["item"] for row in response.json["assessments"]]

    assert items(f"year={THIS_YEAR}") == ["PAPER-a", "PAPER-g"]
    assert items("disagreements=1") == ["PAPER-a", "NAP05-PROS-c-iv"]
    assert items(f"disagreements=true&year={THIS_YEAR - 1}") == ["NAP05-PROS-c-iv"]
    refused = client.get("/api/v1/assessments?year=last&disagreements=maybe&rating=excellent", headers=reader)
    assert refused.status_code == 422
    assert " | ".join(refused.json["problems"]).count("'") == 6  # each of the three named with its value


def test_the_api_flags_and_filters_disagreements_by_the_rule(every_case, client, bearer):
    reader = bearer("coordinator")
    rows = client.get("/api/v1/assessments?per_page=200", headers=reader).json["assessments"]
    flagged = {row["item"] for row in rows if row["disagrees"]}
    expected = {case_ref(status, rating) for status, ratings in DISAGREEING.items() for rating in ratings}
    assert len(rows) == 25 and flagged == expected
    filtered = client.get("/api/v1/assessments?disagreements=1&per_page=200", headers=reader).json["assessments"]
    assert {row["item"] for row in filtered} == expected


def test_hostile_values_reach_the_api_and_are_no_server_error(client, bearer):
    from test_edges import PAYLOADS

    auth = bearer("rapporteur")
    for name, value in PAYLOADS.items():
        response = api_assess(client, auth, reason=value)
        assert response.status_code < 500, (name, response.status_code)
    for year in (2**31, 2**63, 10**22, -1, 0, 10**400):
        assert api_assess(client, auth, year=year).status_code == 422, year
    kept = [value for value in PAYLOADS.values() if "\x00" not in value and len(value) <= 1000]
    assert [a.reason for a in assessments()] == kept
