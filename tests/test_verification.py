"""The reporting cycle: an agency's report counts only once a coordinator verifies it, after the
agency's validator (if it has one) forwards it; every step is a history entry; refusals change nothing."""
from __future__ import annotations

import csv
import html
import io
import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item, make_app
from downloads import csv_text
from test_progress import PDF, form_data, post_update
from tracker.api.tokens import issue_token
from tracker.catalogue.services import find_agency
from tracker.enums import Decision, ReportStage, ReportStep, Status, UpdateKind
from tracker.errors import Stale
from tracker.extensions import db
from tracker.models import Report, Update, User
from tracker.verification.services import decide

ITEM = "PAPER-g"  # NADRA leads, FIA and Police support
FOCAL = "agency-nadra@example.org"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def reports() -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


def steps(ref: str = ITEM) -> list[tuple]:
    """The reporting cycle's history entries, oldest first: (step, author, status before → after)."""
    entries = [u for u in reversed(fresh_item(ref).updates) if u.step]
    return [(u.step.value, u.author.email, u.status_before.value, u.status_after.value) for u in entries]


def report(client, ref: str = ITEM, **fields):
    response = post_update(client, form_data(client, ref=ref, **fields), ref=ref)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return reports()[-1]


def decide_on(client, report_id: int, action: str, comment: str = "", **extra):
    token = csrf_token(client.get(f"/items/{ITEM}").get_data(as_text=True))
    return client.post(f"/reports/{report_id}/decision",
                       data={"csrf_token": token, action: action.title(), "comment": comment, **extra})


@pytest.fixture
def people(as_role):
    return {
        "focal": as_role("agency", "NADRA"),
        "coordinator": as_role("coordinator"),
    }


def appoint_validator(as_role, agency: str = "NADRA", email: str = "validator-nadra@example.org"):
    """A user of the agency, made its validator by an admin through the user page."""
    client = as_role("agency", agency, email=email)
    admin = as_role("admin", email=f"admin-{email}")
    target = user(email)
    page = admin.get(f"/admin/users/{target.id}").get_data(as_text=True)
    response = admin.post(f"/admin/users/{target.id}", data={
        "csrf_token": csrf_token(page), "name": "Joint Secretary", "role": "agency",
        "agency": str(target.agency_id), "active": "y", "validator": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()
    assert user(email).validator
    return client


def export_row(client, ref: str = ITEM) -> dict:
    response = client.get(f"/exports/items.csv?q={ref}")
    assert response.status_code == 200
    text = csv_text(response.get_data(as_text=True))
    return next(row for row in csv.DictReader(io.StringIO(text)) if row["ref"] == ref)


def test_a_report_counts_only_once_a_coordinator_verifies_it(people, as_role):
    focal, coordinator = people["focal"], people["coordinator"]
    rapporteur = as_role("rapporteur")
    before = fresh_item(ITEM)
    version = before.version
    pending = report(focal, status="completed", progress="100", note="All records linked.")
    assert pending.stage == ReportStage.COORDINATION  # NADRA has no validator: straight to the coordinators
    # Nothing official changed: the item, the stats, the export.
    item = fresh_item(ITEM)
    assert (item.status, item.progress, item.version, item.verified_at) == (Status.NOT_STARTED, 0, version, None)
    stats = rapporteur.get("/api/v1/stats").json
    assert stats["by_pillar"] == rapporteur.get("/api/v1/stats").json["by_pillar"]
    row = export_row(rapporteur)
    assert (row["status"], row["progress"], row["verified_at"], row["pending_status"], row["pending_progress"]) == (
        "not_started", "0", "", "completed", "100")
    completed_before = stats["by_pillar"]
    # The coordinator's queue and overview have it; the decision makes it official.
    assert f"#report-{pending.id}" in coordinator.get("/").get_data(as_text=True)
    assert "All records linked." in coordinator.get("/queue").get_data(as_text=True)
    response = decide_on(coordinator, pending.id, "verify", "Checked against NADRA's letter.")
    assert response.status_code == 302
    item = fresh_item(ITEM)
    assert (item.status, item.progress, item.verified_by.email) == (Status.COMPLETED, 100, "coordinator-x@example.org")
    assert item.verified_at.date() == datetime.now(UTC).date() and item.version == version + 1
    assert reports()[-1].stage == ReportStage.VERIFIED
    assert steps() == [("submitted", FOCAL, "not_started", "not_started"),
                       ("verified", "coordinator-x@example.org", "not_started", "completed")]
    assert rapporteur.get("/api/v1/stats").json["by_pillar"] != completed_before
    row = export_row(rapporteur)
    assert (row["status"], row["verified_at"], row["pending_status"]) == ("completed", date.today().isoformat(), "")
    assert "Nothing awaits your decision" in coordinator.get("/queue").get_data(as_text=True)


def test_a_returned_report_leaves_the_official_state_and_comes_back_to_correct(people):
    focal, coordinator = people["focal"], people["coordinator"]
    item = fresh_item(ITEM)
    item.due_date = date.today() - timedelta(days=30)
    db.session.commit()
    data = form_data(focal, status="completed", progress="100", note="Done, trust us.")
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    assert post_update(focal, data).status_code == 302
    first = reports()[-1]
    # Without a comment, a return is refused and changes nothing.
    refused = decide_on(coordinator, first.id, "send_back")
    # The form comes back on a page of its own, the problem beside the comment.
    assert refused.status_code == 422
    assert re.search(r'id="comment-errors"[^>]*>Say why the report is returned', refused.get_data(as_text=True))
    assert reports()[-1].stage == ReportStage.COORDINATION
    assert decide_on(coordinator, first.id, "send_back", "No evidence of linking: attach NADRA's letter.",
                     ).status_code == 302
    item = fresh_item(ITEM)
    assert item.status == Status.NOT_STARTED and item.is_overdue()  # still overdue, still reminded of
    home = focal.get("/").get_data(as_text=True)
    assert "No evidence of linking: attach NADRA&#39;s letter." in home and "Correct and submit again" in home
    form = focal.get(f"/items/{ITEM}/update").get_data(as_text=True)
    assert "was returned" in form and "Done, trust us." in form and 'value="100"' in form
    # The correction replaces it and takes its evidence over.
    second = report(focal, status="in_progress", progress="60", note="Linking 60% done; letter attached.")
    assert second.corrects_id == first.id and [e.original_name for e in second.evidence] == ["minutes.pdf"]
    assert "Reports returned to you" not in focal.get("/").get_data(as_text=True)
    assert decide_on(coordinator, second.id, "verify").status_code == 302
    assert (fresh_item(ITEM).status, fresh_item(ITEM).progress) == (Status.IN_PROGRESS, 60)
    assert [s[0] for s in steps()] == ["submitted", "returned", "submitted", "verified"]
    returned = next(u for u in fresh_item(ITEM).updates if u.step == ReportStep.RETURNED)
    assert returned.note == "No evidence of linking: attach NADRA's letter." and returned.kind == UpdateKind.REPORT


def test_two_level_sign_off_validator_forwards_then_a_coordinator_verifies(people, as_role):
    focal, coordinator = people["focal"], people["coordinator"]
    validator = appoint_validator(as_role)
    pending = report(focal, progress="40")
    assert pending.stage == ReportStage.VALIDATION
    assert "Nothing awaits your decision" in coordinator.get("/queue").get_data(as_text=True)
    # The coordinator cannot skip the validator; the validator cannot verify.
    assert decide_on(coordinator, pending.id, "verify").status_code == 403
    assert decide_on(validator, pending.id, "verify").status_code == 403
    assert reports()[-1].stage == ReportStage.VALIDATION and reports()[-1].version == pending.version
    queue = validator.get("/queue").get_data(as_text=True)
    assert f'id="report-{pending.id}"' in queue and "waiting 0 days" in queue
    assert decide_on(validator, pending.id, "forward", "Seen and sound.").status_code == 302
    assert reports()[-1].stage == ReportStage.COORDINATION
    # A second forward (another tab) is told who decided first, and changes nothing.
    again = decide_on(validator, pending.id, "forward", version=str(pending.version))
    assert again.status_code == 302
    assert "already forwarded by Joint Secretary" in validator.get(again.headers["Location"]).get_data(as_text=True)
    assert f'id="report-{pending.id}"' in coordinator.get("/queue").get_data(as_text=True)
    assert decide_on(coordinator, pending.id, "verify").status_code == 302
    assert fresh_item(ITEM).progress == 40
    assert [s[:2] for s in steps()] == [("submitted", FOCAL), ("forwarded", "validator-nadra@example.org"),
                                        ("verified", "coordinator-x@example.org")]
    history = coordinator.get(f"/items/{ITEM}").get_data(as_text=True)
    assert "forwarded to the coordinators" in history and "verified: now the official state" in history


def test_a_validators_own_report_goes_straight_to_the_coordinators(people, as_role):
    validator = appoint_validator(as_role)
    assert report(validator).stage == ReportStage.COORDINATION


def test_who_may_not_decide_is_refused_and_nothing_changes(people, as_role):
    focal = people["focal"]
    appoint_validator(as_role)
    fia_validator = appoint_validator(as_role, "FIA", "validator-fia@example.org")
    pending = report(focal)
    before = (reports(), len(fresh_item(ITEM).updates), fresh_item(ITEM).version)
    for client in (focal, fia_validator, as_role("rapporteur"), as_role("admin"), as_role("agency", "FIA")):
        assert decide_on(client, pending.id, "forward", "x").status_code == 403
    assert (reports(), len(fresh_item(ITEM).updates), fresh_item(ITEM).version) == before
    assert [r.version for r in reports()] == [pending.version]


def test_reopening_a_completed_item_needs_a_reason(people):
    focal, coordinator = people["focal"], people["coordinator"]
    post_update(coordinator, form_data(coordinator, status="completed", progress="100", note="Closed."))
    assert fresh_item(ITEM).status == Status.COMPLETED
    assert steps()[-1][0] == "official"
    form = focal.get(f"/items/{ITEM}/update").get_data(as_text=True)
    assert "reopens it" in form
    refused = post_update(focal, form_data(focal, status="in_progress", progress="80", note="More to do."))
    assert refused.status_code == 422 and "needs a reason" in refused.get_data(as_text=True)
    assert "More to do." in refused.get_data(as_text=True) and reports() == []
    pending = report(focal, status="in_progress", progress="80", note="More to do.",
                     reason="Two districts were left out of the linking.")
    assert decide_on(coordinator, pending.id, "verify").status_code == 302
    verified = fresh_item(ITEM).updates[0]
    assert (verified.step, verified.status_before, verified.status_after) == (
        ReportStep.VERIFIED, Status.COMPLETED, Status.IN_PROGRESS)
    assert verified.reason == "Two districts were left out of the linking."
    assert "Reopened because:" in coordinator.get(f"/items/{ITEM}").get_data(as_text=True)


def test_a_new_report_replaces_the_one_pending_and_the_old_one_cannot_be_decided(people):
    focal, coordinator = people["focal"], people["coordinator"]
    first = report(focal, progress="20")
    second = report(focal, progress="25")
    assert [(r.id, r.stage) for r in reports()] == [(first.id, ReportStage.WITHDRAWN),
                                                    (second.id, ReportStage.COORDINATION)]
    assert second.corrects_id == first.id and fresh_item(ITEM).pending_reports == [reports()[-1]]
    response = decide_on(coordinator, first.id, "verify")
    assert "replaced this report with a later one" in coordinator.get(response.headers["Location"]).get_data(
        as_text=True)
    assert fresh_item(ITEM).progress == 0


# The API


def bearer(make_user, role: str, agency: str | None = None, email: str | None = None) -> dict:
    email = email or f"api-{role}-{(agency or 'x').lower()}@example.org"
    found = user(email) or make_user(role, email=email, agency=agency)
    return {"Authorization": f"Bearer {issue_token(found, 'tests')[1]}"}


def test_the_api_reports_and_decides_by_the_same_rules(seeded, client, make_user):
    focal = bearer(make_user, "agency", "NADRA")
    validator_headers = bearer(make_user, "agency", "NADRA", email="api-validator@example.org")
    user("api-validator@example.org").validator = True
    db.session.commit()
    coordinator = bearer(make_user, "coordinator")
    created = client.post(f"/api/v1/items/{ITEM}/updates", headers=focal,
                          json={"status": "in_progress", "progress": 30, "note": "Linked."})
    assert created.status_code == 201 and created.json["stage"] == "validation"
    report_id = created.json["id"]
    item = client.get(f"/api/v1/items/{ITEM}", headers=coordinator).json
    assert (item["status"], [p["id"] for p in item["pending"]]) == ("not_started", [report_id])
    url = f"/api/v1/reports/{report_id}/decisions"
    assert client.post(url, headers=focal, json={"decision": "forward"}).status_code == 403
    assert client.post(url, headers=coordinator, json={"decision": "verify"}).status_code == 403
    assert client.post(url, headers=validator_headers, json={"decision": "verify"}).status_code == 403
    bad = client.post(url, headers=validator_headers, json={"decision": "approve"})
    assert bad.status_code == 422 and "decision" in bad.json["errors"]
    assert client.post("/api/v1/reports/999999/decisions", headers=coordinator,
                       json={"decision": "verify"}).status_code == 404
    forwarded = client.post(url, headers=validator_headers, json={"decision": "forward", "comment": "Sound."})
    assert forwarded.status_code == 200, forwarded.json
    assert forwarded.json["report"]["stage"] == "coordination" and forwarded.json["update"]["step"] == "forwarded"
    verified = client.post(url, headers=coordinator, json={"decision": "verify"})
    assert verified.status_code == 200 and verified.json["item"]["status"] == "in_progress"
    again = client.post(url, headers=coordinator, json={"decision": "return", "comment": "Late."})
    assert again.status_code == 409 and "already verified by" in again.json["message"]
    # A coordinator's own update is official at once.
    official = client.post(f"/api/v1/items/{ITEM}/updates", headers=coordinator,
                           json={"status": "in_progress", "progress": 50, "note": "Site visit.",
                                 "expected_version": verified.json["item"]["version"]})
    assert official.status_code == 201 and (official.json["id"], official.json["stage"]) == (None, "official")
    assert official.json["item"]["progress"] == 50 and official.json["update"]["step"] == "official"


# Two decisions at once


def test_a_decision_made_on_a_stale_copy_loses_to_the_one_saved_first(seeded, make_user, people):
    """The database's version check, not the page: the copy in this session still looks pending."""
    pending = report(people["focal"])
    stale_copy = db.session.get(Report, pending.id)
    assert stale_copy.is_pending
    other = make_app_context_decision(pending.id, "coordinator-x@example.org")
    assert other == "verified"
    second = make_user("coordinator", email="second@example.org")
    with pytest.raises(Stale, match="already verified by"):
        decide(second, stale_copy, Decision.RETURN, "Too late.")
    assert [r.stage for r in reports()] == [ReportStage.VERIFIED]
    assert [s[0] for s in steps()] == ["submitted", "verified"]


def make_app_context_decision(report_id: int, email: str) -> str:
    """Verify the report from another thread: its own app context, session and connection."""
    from flask import current_app

    app = current_app._get_current_object()
    outcome = {}

    def run():
        with app.app_context():
            decided = decide(user(email), db.session.get(Report, report_id), Decision.VERIFY, "")
            outcome["stage"] = decided.report.stage.value
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome["stage"]


def test_two_coordinators_deciding_at_once_one_wins_the_other_is_told(seeded, app, make_user, people):
    report_id = report(people["focal"]).id  # read here: the threads must not touch this session's objects
    tokens = [bearer(make_user, "coordinator", email=f"racer{n}@example.org") for n in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def race(headers, decision):
        with app.app_context():  # each thread its own context, session and connection
            client = app.test_client()
            barrier.wait()
            response = client.post(f"/api/v1/reports/{report_id}/decisions", headers=headers,
                                   json={"decision": decision, "comment": "Racing."})
            results.append((response.status_code, response.json.get("message", "")))
            db.session.remove()

    threads = [threading.Thread(target=race, args=(headers, decision))
               for headers, decision in zip(tokens, ("verify", "return"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], results
    assert "already" in next(message for code, message in results if code == 409)
    decided = [s for s in steps() if s[0] in ("verified", "returned")]
    assert len(decided) == 1 and reports()[0].stage.value == decided[0][0]


def test_migration_makes_todays_state_official_and_unreviewed_reports_pending(tmp_path, blank_database_url):
    """Data made before the cycle existed: an applied, unreviewed agency report waits at the coordinators."""
    from flask_migrate import upgrade

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url)
    with app.app_context():
        upgrade(revision="7c3d9e1f4a26")
        now = datetime(2026, 10, 1, tzinfo=UTC)
        with db.engine.begin() as connection:
            run = connection.execute
            run(sa.text("INSERT INTO frameworks (id, code, name, title, source_document, description, position) "
                        "VALUES (1, 'F', 'F', 'F', '', '', 0)"))
            run(sa.text("INSERT INTO pillars (id, code, name, description, position) VALUES (1, 'p', 'P', '', 0)"))
            run(sa.text("INSERT INTO agencies (id, name, short_name, kind, note) VALUES (1, 'A', 'A', 'ngo', '')"))
            run(sa.text("INSERT INTO users (id, email, name, password_hash, role, agency_id, active, created_at, "
                        "email_reminders) VALUES (1, 'a@x', 'A', 'h', 'agency', 1, true, :now, true), "
                        "(2, 'c@x', 'C', 'h', 'coordinator', NULL, true, :now, true)"), {"now": now})
            for item_id in (1, 2):
                run(sa.text("INSERT INTO action_items (id, ref, framework_id, pillar_id, pillar_basis, position, "
                            "label, section, title, text, locator, responsibility_text, status, status_derived, "
                            "progress, due_derived, due_note, created_at, version) VALUES (:id, :ref, 1, 1, "
                            "'assigned', 0, '', '', 't', 't', '', '', 'in_progress', false, 30, false, '', :now, 2)"),
                    {"id": item_id, "ref": f"I-{item_id}", "now": now})
                run(sa.text("INSERT INTO updates (item_id, author_id, origin, created_at, status_before, "
                            "status_after, progress_before, progress_after, note, source_document, kind, agency_id, "
                            "item_version) VALUES (:id, 1, 'user', :now, 'not_started', 'in_progress', 0, 30, "
                            "'r', '', 'progress', 1, 2)"), {"id": item_id, "now": now})
            run(sa.text("INSERT INTO reviews (update_id, reviewer_id, decision, comment, created_at) "
                        "SELECT id, 2, 'returned', 'Why?', :later FROM updates WHERE item_id = 2"),
                {"later": now + timedelta(days=1)})
        upgrade()
        rows = db.session.execute(sa.select(Report.item_id, Report.stage, Report.status, Report.comment)
                                  .order_by(Report.item_id)).all()
        assert rows == [(1, ReportStage.COORDINATION, Status.IN_PROGRESS, ""),
                        (2, ReportStage.RETURNED, Status.IN_PROGRESS, "Why?")]
        entries = db.session.execute(sa.select(Update.item_id, Update.step, Update.author_id, Update.note)
                                     .order_by(Update.item_id, Update.created_at)).all()
        assert entries == [(1, ReportStep.SUBMITTED, 1, "r"), (2, ReportStep.SUBMITTED, 1, "r"),
                           (2, ReportStep.RETURNED, 2, "Why?")]
        items = db.session.execute(sa.text("SELECT status, progress, verified_by_id FROM action_items "
                                           "ORDER BY id")).all()
        assert [tuple(row) for row in items] == [("in_progress", 30, None), ("in_progress", 30, None)]
        db.session.remove()
        db.engine.dispose()


def test_the_agency_of_a_report_sees_who_decides_next(people, as_role):
    appoint_validator(as_role)
    page = people["focal"].get(f"/items/{ITEM}/update").get_data(as_text=True)
    assert "your agency's validator, then to a coordinator" in html.unescape(page)
    assert find_agency("NADRA").id == user(FOCAL).agency_id


def test_the_dashboard_and_report_show_pending_reports_only_apart_and_only_when_asked(people, as_role):
    from tracker.dashboard.services import build_dashboard
    from tracker.items.filters import ItemFilters

    rapporteur = as_role("rapporteur")
    pillar = fresh_item(ITEM).pillar.code
    official = {row.key: dict(row.counts) for row in build_dashboard(ItemFilters()).pillars}
    report(people["focal"], status="completed", progress="100", note="Done.")
    # Official figures by default: nothing moved, and the page says one report is not counted.
    page = rapporteur.get("/dashboard").get_data(as_text=True)
    assert "Official figures only" in page and "1 item has a report awaiting verification, not counted" in page
    assert "awaiting verification" not in page.split('id="pillar-status-data"')[1].split("</script>")[0]
    assert {row.key: row.counts for row in build_dashboard(ItemFilters()).pillars} == official
    # Asked for, the item moves out of its official bucket into a hatched segment of its own.
    rows = {row.key: row for row in build_dashboard(ItemFilters(), with_pending=True).pillars}
    assert rows[pillar].counts["not_started"] == official[pillar]["not_started"] - 1
    assert rows[pillar].pending == {**Status.zero_counts(), "completed": 1}
    assert rows[pillar].counts["completed"] == official[pillar]["completed"]
    page = rapporteur.get("/dashboard?pending=1").get_data(as_text=True)
    assert "Includes reports awaiting verification" in page and 'name="pending" value="1" checked' in page
    assert "reported, awaiting verification" in page.split('id="pillar-status-data"')[1].split("</script>")[0]
    assert "/exports/items.html?pending=1" in page
    html = rapporteur.get("/exports/items.html?pending=1").get_data(as_text=True)
    assert "Includes reports awaiting verification" in html and "Awaiting verification (reported status)" in html
    assert "Official figures only" in rapporteur.get("/exports/items.html").get_data(as_text=True)


def test_reports_waiting_too_long_are_reminded_once_a_week_to_whoever_decides(people, as_role, smtp):  # noqa: F811
    from test_reminders import body
    from tracker.reminders.delivery import run_reminders

    validator = appoint_validator(as_role)
    pending = report(people["focal"], progress="40")
    waited = datetime.now(UTC) - timedelta(days=10)
    db.session.get(Report, pending.id).stage_since = waited
    db.session.commit()
    today = date.today()
    run_reminders(today)
    (message,) = smtp.to("validator-nadra@example.org")
    text = body(message)
    assert "Reports awaiting your decision" in text and f"{ITEM}:" in text and "waiting 10 days" in text
    assert f"/items/{ITEM}#report-{pending.id}" in text and "/queue" in text
    # The coordinators' summary does not name it: it is the validator's to decide first.
    assert all("Reports awaiting your decision" not in body(m) for m in smtp.to("coordinator-x@example.org"))
    run_reminders(today)  # the same week: given once
    assert len(smtp.to("validator-nadra@example.org")) == 1
    # Forwarded, it waits for the coordinators; eight days on, they hear of it.
    assert decide_on(validator, pending.id, "forward").status_code == 302
    db.session.get(Report, pending.id).stage_since = datetime.now(UTC) - timedelta(days=8)
    db.session.commit()
    run_reminders(today)
    latest = body(smtp.to("coordinator-x@example.org")[-1])
    assert "These reports await your decision" in latest and "waiting 8 days" in latest


def test_appointments_and_decisions_are_in_the_audit_log(people, as_role):
    from tracker.enums import AuditEventKind
    from tracker.models import AuditEvent

    validator = appoint_validator(as_role)
    pending = report(people["focal"])
    assert decide_on(validator, pending.id, "forward").status_code == 302
    assert decide_on(people["coordinator"], pending.id, "verify").status_code == 302
    decide_on(people["coordinator"], pending.id, "verify")  # too late: refused, and not an event
    db.session.expire_all()
    events = db.session.execute(sa.select(AuditEvent.event, AuditEvent.actor, AuditEvent.subject, AuditEvent.detail)
                                .where(AuditEvent.event.in_([AuditEventKind.VALIDATOR_CHANGED,
                                                             AuditEventKind.REPORT_DECISION]))
                                .order_by(AuditEvent.id)).all()
    appointed = user("validator-nadra@example.org").id
    assert [(e.event, e.actor, e.subject) for e in events] == [
        (AuditEventKind.VALIDATOR_CHANGED, "admin-validator-nadra@example.org", f"user:{appointed}"),
        (AuditEventKind.REPORT_DECISION, "validator-nadra@example.org", f"report:{pending.id}"),
        (AuditEventKind.REPORT_DECISION, "coordinator-x@example.org", f"report:{pending.id}"),
    ]
    assert "appointed validator of NADRA" in events[0].detail
    assert events[1].detail.startswith(f"{ITEM}: forward the report of NADRA")
    assert events[2].detail.startswith(f"{ITEM}: verify the report of NADRA")
