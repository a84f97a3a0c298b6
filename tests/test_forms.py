"""Honest forms: a text over its limit is refused with both counts and kept, never cut; a figure has a unit
and a count is never negative; every problem of a form shows at once, beside its field; the admin's account
form keeps the role chosen and speaks of its own fields."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from html_tree import field_container, field_error, parse
from test_api import token  # noqa: F401 (the fixture)
from test_indicators import post_form
from test_progress import PDF, form_data, post_update
from tracker.enums import ReportStage, Status
from tracker.extensions import db
from tracker.models import Evidence, Report, User

ITEM = "PAPER-g"  # NADRA leads
LONG_NOTE = "x" * 5123


def reports() -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


# --- Texts over their limit -------------------------------------------------------------------------------


def test_a_note_over_the_limit_is_refused_with_its_count_and_kept(as_role):
    focal = as_role("agency", "NADRA")
    response = post_update(focal, form_data(focal, note=LONG_NOTE))
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "note") == "The note is 5,123 characters; the limit is 5,000."
    textarea = page.by_id("note")
    assert textarea.text() == LONG_NOTE  # kept whole, to shorten
    assert "maxlength" not in textarea.attrs  # a browser would cut a paste short without a word
    assert reports() == []


def test_a_line_break_counts_as_one_character_as_the_person_typed_it(as_role):
    focal = as_role("agency", "NADRA")
    # Browsers send each line break as CR LF: 2,500 lines of "a" are 4,999 characters as typed, 7,499 as sent.
    response = post_update(focal, form_data(focal, note="a\r\n" * 2500))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert reports()[-1].note == "a\n" * 2499 + "a"


def test_the_api_refuses_a_long_note_with_its_count_and_cuts_nothing(client, token):  # noqa: F811
    response = client.post(f"/api/v1/items/{ITEM}/updates", headers=token("agency", "NADRA"),
                           json={"status": "in_progress", "progress": 30, "note": LONG_NOTE})
    assert response.status_code == 422
    assert response.json["errors"] == {"note": "The note is 5,123 characters; the limit is 5,000."}
    assert reports() == []


def test_a_long_decision_comment_comes_back_with_its_count_and_the_text(as_role):
    focal, coordinator = as_role("agency", "NADRA"), as_role("coordinator")
    assert post_update(focal, form_data(focal)).status_code == 302
    report = reports()[-1]
    item_page = coordinator.get(f"/items/{ITEM}").get_data(as_text=True)
    assert f'id="comment-{report.id}"' in item_page and "maxlength" not in item_page
    comment = "Attach NADRA's letter. " * 100  # 2,300 characters
    response = coordinator.post(f"/reports/{report.id}/decision",
                                data={"csrf_token": csrf_token(item_page), "comment": comment, "send_back": "Return"})
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "comment") == "The comment is 2,299 characters; the limit is 2,000."
    assert page.by_id("comment").text() == comment.strip()
    assert reports()[-1].stage == ReportStage.COORDINATION


@pytest.mark.parametrize("path, role", [
    (f"/items/{ITEM}/update", "coordinator"),
    (f"/items/{ITEM}", "coordinator"),  # the decision forms
    (f"/items/{ITEM}", "rapporteur"),  # the assessment form
    ("/admin/users", "admin"),
    ("/admin/agencies", "admin"),
    ("/indicators/new", "coordinator"),
    ("/account/tokens", "coordinator"),
    ("/admin/reminders", "admin"),
])
def test_no_form_lets_the_browser_cut_what_is_typed(as_role, path, role):
    client = as_role(role)
    if path.endswith(ITEM):  # a report awaiting a decision, for its form
        focal = as_role("agency", "NADRA")
        assert post_update(focal, form_data(focal)).status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "<form" in html and "maxlength" not in html


# --- Figures -----------------------------------------------------------------------------------------------


def figures() -> list[tuple[float, str]]:
    db.session.expire_all()
    return [(e.value, e.unit) for e in db.session.scalars(sa.select(Evidence).where(Evidence.value.is_not(None),
                                                                                   Evidence.uploaded_by_id.is_not(None)))]


def test_a_figure_without_a_unit_is_refused_beside_the_unit(as_role):
    focal = as_role("agency", "NADRA")
    response = post_update(focal, form_data(focal, figure_value="650"))
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "figure_unit") == "Say what the figure counts (e.g. “labourers rescued”)."
    assert page.by_id("figure_value").attrs["value"] == "650"
    assert figures() == [] and reports() == []


def test_a_negative_count_is_refused_and_a_change_may_be_negative(as_role):
    focal = as_role("agency", "NADRA")
    response = post_update(focal, form_data(focal, figure_value="-12", figure_unit="victims identified"))
    assert response.status_code == 422
    message = field_error(parse(response.get_data(as_text=True)), "figure_value")
    assert message.startswith("-12 victims identified: a count is never below zero.")
    assert figures() == []
    signed = post_update(focal, form_data(focal, figure_value="-12", figure_unit="change in cases registered"))
    assert signed.status_code == 302
    assert figures() == [(-12.0, "change in cases registered")]


@pytest.mark.parametrize("figure, status", [
    ({"value": -3, "unit": "labourers rescued"}, 422),
    ({"value": 3, "unit": "  "}, 422),
    ({"value": -3, "unit": "net change in shelters"}, 201),
    ({"value": 0, "unit": "convictions"}, 201),
])
def test_the_api_holds_figures_to_the_same_rule(client, token, figure, status):  # noqa: F811
    response = client.post(f"/api/v1/items/{ITEM}/updates", headers=token("agency", "NADRA"),
                           json={"status": "in_progress", "progress": 30, "note": "Figures.", "figure": figure})
    assert response.status_code == status, response.json
    if status == 422:
        assert set(response.json["errors"]) == {"figure"}
        assert figures() == []
    else:
        assert figures() == [(float(figure["value"]), figure["unit"])]


# --- Every problem at once, beside its field -----------------------------------------------------------------


def test_every_problem_of_the_update_form_shows_at_once_beside_its_field(as_role):
    focal = as_role("agency", "NADRA")
    response = post_update(focal, form_data(focal, status="completed", progress="40", note=LONG_NOTE,
                                            links="https://example.org/ok\nftp://example.org/minutes",
                                            figure_value="-5", figure_unit="cases registered"))
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "progress") == "A completed item is 100% done: set progress to 100."
    assert field_error(page, "note") == "The note is 5,123 characters; the limit is 5,000."
    assert "“ftp://example.org/minutes” is not a web address" in field_error(page, "links")
    assert "a count is never below zero" in field_error(page, "figure_value")
    assert reports() == []


def test_reopening_without_a_reason_shows_with_the_other_problems(as_role):
    item = fresh_item(ITEM)
    item.status, item.progress = Status.COMPLETED, 100
    db.session.commit()
    coordinator = as_role("coordinator")
    response = post_update(coordinator, form_data(coordinator, status="in_progress", progress="90", note=""))
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "reason").startswith("Reopening a completed or superseded item needs a reason")
    assert field_error(page, "note") == "Say what happened."


# --- The admin's account form --------------------------------------------------------------------------------


def test_a_new_account_form_offers_the_least_privileged_role(as_role):
    admin = as_role("admin")
    html = admin.get("/admin/users").get_data(as_text=True)
    assert re.search(r'<option selected value="agency">Agency</option>', html)
    help_text = parse(html).by_id("role-help").text()
    assert "Agency field" in help_text and "command line" not in html


def test_every_problem_of_a_new_account_shows_beside_its_field_and_the_role_is_kept(as_role):
    admin = as_role("admin")  # admin-x@example.org
    html = admin.get("/admin/users").get_data(as_text=True)
    response = admin.post("/admin/users", data={"csrf_token": csrf_token(html), "email": "admin-x@example.org",
                                                "name": "Twice", "role": "agency", "agency": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    page = parse(html)
    assert field_error(page, "email") == "An account with the e-mail admin-x@example.org already exists."
    assert field_error(page, "agency") == "An agency user needs an agency: choose the one this person reports for."
    assert page.by_id("password") is None  # its holder sets one from the welcome e-mail
    assert "command line" not in html and "alert-danger" not in html  # nothing flashed above the form
    assert re.search(r'<option selected value="agency">', html)
    # Another role chosen is kept as well.
    response = admin.post("/admin/users", data={"csrf_token": csrf_token(html), "email": "admin-x@example.org",
                                                "role": "rapporteur", "agency": ""})
    assert response.status_code == 422
    assert re.search(r'<option selected value="rapporteur">', response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_command_line_names_its_own_options(seeded, runner):
    missing = runner.invoke(args=["users", "create", "a@example.org", "--role", "agency",
                                  "--password", "xkcd-936-horse"])
    assert missing.exit_code != 0 and "--agency: An agency user needs an agency" in missing.output


def test_the_users_own_page_puts_a_missing_agency_beside_the_agency(as_role, make_user):
    admin = as_role("admin")
    user = make_user("rapporteur", email="r@example.org")
    path = f"/admin/users/{user.id}"
    html = admin.get(path).get_data(as_text=True)
    response = admin.post(path, data={"csrf_token": csrf_token(html), "name": "R", "role": "agency", "agency": "",
                                      "active": "y"})
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "agency") == "An agency user needs an agency: choose the one this person reports for."
    assert field_container(page, "role") is not None


def test_every_problem_of_the_indicator_form_shows_at_once_beside_its_field(as_role):
    coordinator = as_role("coordinator")
    response = post_form(coordinator, code="bad code", name="", items="PAPER-t, NOPE-1", kind="percentage",
                         baseline_value="140", baseline_period="", baseline_source="", targets="next year: lots")
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "code").startswith("A code is upper-case letters")  # the service's rule
    assert field_error(page, "name") == "Name what is measured."  # the form's own check
    assert field_error(page, "items") == "No item has the ref NOPE-1."
    assert field_error(page, "targets") == "“next year: lots” is not “period = value” (e.g. 2025 = 120)."
    assert field_error(page, "baseline_value") == "A percentage is from 0 to 100."
    assert field_error(page, "baseline_source").startswith("Say where the baseline comes from")


def test_every_problem_of_the_agency_form_shows_beside_its_field(as_role):
    admin = as_role("admin")
    html = admin.get("/admin/agencies").get_data(as_text=True)
    response = admin.post("/admin/agencies", data={"csrf_token": csrf_token(html), "name": "DG FIA",
                                                   "short_name": "NADRA", "kind": "provincial_body", "province": "",
                                                   "parent": ""})
    assert response.status_code == 422
    page = parse(response.get_data(as_text=True))
    assert field_error(page, "name") == "“DG FIA” already names Federal Investigation Agency."
    assert field_error(page, "short_name").startswith("“NADRA” already names National Database")
    assert field_error(page, "province") == "A provincial body needs its province."


# --- Names the tracker keeps for reference -------------------------------------------------------------------


def test_a_file_name_too_long_to_keep_is_shortened_visibly_keeping_its_end(as_role):
    focal = as_role("agency", "NADRA")
    name = "minutes-of-the-provincial-task-force-" * 8 + "final.pdf"  # 301 characters
    data = form_data(focal)
    data["files"] = [(io.BytesIO(PDF), name)]
    assert post_update(focal, data).status_code == 302
    (kept,) = [e.original_name for e in reports()[-1].evidence if e.stored_name]
    assert len(kept) == 255 and "…" in kept and kept.endswith("final.pdf") and kept.startswith(name[:200])
