"""The National Rapporteur's assessments: only the rapporteur writes them, everyone reads them, a later one of the
same year stands and the earlier stays readable, the official status is never touched, and disagreements with
it are found by one rule."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from tracker.assessments.services import disagrees
from tracker.enums import AssessmentRating, AuditEventKind, Status
from tracker.extensions import db
from tracker.models import Assessment, AuditEvent, Update

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


def test_the_rule_in_python_is_the_table_written_by_hand():
    for status in Status:
        for rating in AssessmentRating:
            assert disagrees(status, rating) == (rating.value in DISAGREEING[status.value]), (status, rating)
