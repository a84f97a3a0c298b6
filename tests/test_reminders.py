"""Reminders against a real SMTP server on loopback: the right people, once, whatever happens."""
import asyncio
import email
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from conftest import MAIL_BASE as BASE
from conftest import Inbox, body, csrf_token, free_port, fresh_item, log_in
from tracker.catalogue.services import find_agency
from tracker.enums import DeliveryState
from tracker.extensions import db
from tracker.models import ItemAgency, Notification, ReminderLog, User
from tracker.reminders.delivery import run_reminders

TODAY = date.today()


@pytest.fixture
def scenario(seeded, make_user):
    """NADRA: one item due soon, one overdue, one stale; two focal persons, one without e-mail."""
    nadra = find_agency("NADRA")
    soon, late, stale = fresh_item("PAPER-g"), fresh_item("PAPER-a"), fresh_item("NAP05-PREV-d-ii")
    soon.due_date = TODAY + timedelta(days=5)  # NADRA leads
    late.due_date = TODAY - timedelta(days=10)
    late.assignments.append(ItemAgency(agency=nadra, role="supporting", basis="assigned"))
    for assignment in stale.assignments:
        assignment.created_at = datetime.now(UTC) - timedelta(days=200)
    db.session.commit()
    make_user("agency", email="focal@nadra.example", agency="NADRA")
    quiet = make_user("agency", email="quiet@nadra.example", agency="NADRA")
    quiet.email_reminders = False
    make_user("agency", email="focal@sahil.example", agency="Sahil")
    make_user("coordinator", email="nc@interior.example")
    db.session.commit()
    return {"soon": soon.ref, "late": late.ref, "stale": stale.ref}


def log_rows():
    db.session.expire_all()
    return db.session.scalars(sa.select(ReminderLog)).all()


def test_agencies_receive_their_items_by_rule_with_links(scenario, smtp):
    report = run_reminders(TODAY)
    (message,) = smtp.to("focal@nadra.example")
    text = body(message)
    assert "Due soon" in text and "Overdue" in text and "No update for a long time" in text
    for ref in scenario.values():
        assert f"{BASE}/items/{ref}" in text
    assert f'href="{BASE}/items/{scenario["soon"]}"' in body(message, "html")
    assert message["From"] == "tracker@example.org" and "need your attention" in message["Subject"]
    # Nothing for the partner with nothing due; the coordinator gets the weekly summary.
    assert smtp.to("focal@sahil.example") == []
    (summary,) = smtp.to("nc@interior.example")
    assert "Weekly summary" in summary["Subject"] and "Federal Investigation Agency" in body(summary)
    assert any("National Database" in line for line in report.lines())


def test_opted_out_user_gets_the_reminder_in_the_app_only(scenario, smtp, client):
    run_reminders(TODAY)
    assert smtp.to("quiet@nadra.example") == []
    quiet = db.session.scalar(sa.select(User).where(User.email == "quiet@nadra.example"))
    (note,) = db.session.scalars(sa.select(Notification).where(Notification.user_id == quiet.id)).all()
    assert scenario["soon"] in note.body
    states = {row.state for row in log_rows() if row.recipient_id == quiet.id}
    assert states == {DeliveryState.IN_APP}
    log_in(client, "quiet@nadra.example")
    assert "1<span class=\"visually-hidden\"> unread" in client.get("/").get_data(as_text=True)


def test_a_second_run_the_same_day_sends_nothing(scenario, smtp):
    run_reminders(TODAY)
    first = len(smtp.messages)
    rows = len(log_rows())
    report = run_reminders(TODAY)
    assert len(smtp.messages) == first and len(log_rows()) == rows
    assert report.lines() == [f"{TODAY.isoformat()}: nothing to remind anyone of."]
    # The preview and the dry run read the same log: nothing is left to give today.
    assert run_reminders(TODAY, dry_run=True).lines() == report.lines()


def test_overdue_repeats_weekly_but_due_soon_does_not(scenario, smtp):
    run_reminders(TODAY)
    smtp.messages.clear()
    run_reminders(TODAY + timedelta(days=1))  # still due soon: its reminder was given
    assert not any(scenario["soon"] in body(m) for m in smtp.to("focal@nadra.example"))
    smtp.messages.clear()
    run_reminders(TODAY + timedelta(days=14))  # another week: the overdue item is reminded again
    (message,) = smtp.to("focal@nadra.example")
    assert f"/items/{scenario['late']}" in body(message)


def test_overlapping_runs_send_each_reminder_once(scenario, smtp, app):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                run_reminders(TODAY)
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    seen = {}
    for rcpt, message in smtp.messages:
        for ref in scenario.values():
            if f"/items/{ref}" in body(message):
                seen[(rcpt, ref)] = seen.get((rcpt, ref), 0) + 1
    assert seen and all(count == 1 for count in seen.values()), seen
    assert len([m for r, m in smtp.messages if r == "nc@interior.example"]) == 1


def test_smtp_down_marks_nothing_sent_and_the_next_run_delivers(scenario, smtp, app):
    working_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    report = run_reminders(TODAY)
    assert smtp.messages == [] and report.errors
    rows = log_rows()
    assert rows and not any(row.state == DeliveryState.SENT for row in rows)
    assert {row.state for row in rows} == {DeliveryState.FAILED, DeliveryState.IN_APP}
    app.config["SMTP_PORT"] = working_port
    run_reminders(TODAY)
    assert len(smtp.to("focal@nadra.example")) == 1
    rows = [row for row in log_rows() if row.recipient.email == "focal@nadra.example"]
    assert {row.state for row in rows} == {DeliveryState.SENT} and {row.attempts for row in rows} == {2}


def test_a_run_that_died_half_way_is_finished_by_the_next(scenario, smtp):
    nadra_focal = db.session.scalar(sa.select(User).where(User.email == "focal@nadra.example"))
    item = fresh_item(scenario["late"])
    week = f"{TODAY.isocalendar()[0]}-W{TODAY.isocalendar()[1]:02d}"
    # A claim taken an hour ago by a run that never finished, and one taken just now by a live run.
    db.session.add(ReminderLog(rule="overdue", subject_key=f"item:{item.id}", item_id=item.id, period=week,
                               recipient=nadra_focal, state=DeliveryState.CLAIMED, attempts=1,
                               claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    soon = fresh_item(scenario["soon"])
    db.session.add(ReminderLog(rule="due_soon", subject_key=f"item:{soon.id}", item_id=soon.id,
                               period=f"due-{soon.due_date.isoformat()}", recipient=nadra_focal,
                               state=DeliveryState.CLAIMED, attempts=1, claimed_at=datetime.now(UTC)))
    db.session.commit()
    run_reminders(TODAY)
    text = body(smtp.to("focal@nadra.example")[0])
    assert scenario["late"] in text  # the abandoned claim was taken over
    assert scenario["soon"] not in text  # the live claim was left to its run


def test_dry_run_sends_and_records_nothing(scenario, smtp, runner):
    result = runner.invoke(args=["reminders", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    expected = "National Database and Registration Authority: 1 due_soon, 1 overdue, 1 stale — would send 2"
    assert expected in result.output
    assert smtp.messages == [] and log_rows() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_cli_run_prints_per_agency_and_accepts_a_date(scenario, smtp, runner):
    result = runner.invoke(args=["reminders", "run", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    expected = ("National Database and Registration Authority: 1 due_soon, 1 overdue, 1 stale — "
                "sent 1, in the app only 1")
    assert expected in result.output
    bad = runner.invoke(args=["reminders", "run", "--today", "someday"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_settings_page_preview_and_log(scenario, smtp, as_role):
    admin = as_role("admin")
    page = admin.get("/admin/reminders").get_data(as_text=True)
    assert "focal@nadra.example" in page and scenario["soon"] in page and "app only" in page
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    response = admin.post("/admin/reminders", data={"csrf_token": csrf_token(page), "enabled": "y",
                                                    "weekdays": weekdays, "send_time": "09:30",
                                                    "timezone": "Mars/Base", "due_soon_days": "7", "stale_days": "60",
                                                    "report_wait_days": "7"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a time zone from the list" in html and 'value="09:30"' in html
    admin.post("/admin/reminders", data={"csrf_token": csrf_token(page), "enabled": "y", "weekdays": weekdays,
                                         "send_time": "09:30", "timezone": "Asia/Karachi", "due_soon_days": "3",
                                         "stale_days": "60", "report_wait_days": "7"})
    run_reminders(TODAY)
    text = body(smtp.to("focal@nadra.example")[0])
    assert scenario["soon"] not in text  # due in 5 days: outside a 3-day window now
    log_page = admin.get("/admin/reminders/log").get_data(as_text=True)
    assert "focal@nadra.example" in log_page and "sent" in log_page
    for role in ("coordinator", "rapporteur"):
        assert as_role(role).get("/admin/reminders").status_code == 403


def test_users_turn_email_off_and_read_notifications(scenario, smtp, app):
    client = app.test_client()
    log_in(client, "focal@nadra.example")
    page = client.get("/notifications").get_data(as_text=True)
    client.post("/notifications/email", data={"csrf_token": csrf_token(page), "email_reminders": "0"})
    run_reminders(TODAY)
    assert smtp.to("focal@nadra.example") == []
    page = client.get("/notifications").get_data(as_text=True)
    assert scenario["stale"] in page and "Mark all as read" in page
    client.post("/notifications/read", data={"csrf_token": csrf_token(page)})
    assert "unread" not in client.get("/notifications").get_data(as_text=True)


def test_scheduler_never_starts_under_tests_and_follows_the_settings(app):
    from tracker.reminders.scheduler import JOB_ID, build_scheduler

    with pytest.raises(RuntimeError, match="never starts under tests"):
        build_scheduler(app)
    app.config["TESTING"] = False
    try:
        scheduler = build_scheduler(app)
    finally:
        app.config["TESTING"] = True
    trigger = scheduler.get_job(JOB_ID).trigger
    fields = {f.name: str(f) for f in trigger.fields}
    assert fields["hour"] == "8" and fields["minute"] == "0" and str(trigger.timezone) == "Asia/Karachi"
    job = scheduler.get_job(JOB_ID)
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 3600


# Exactly once when the SMTP server is slow: an answer that never came is not a failure.

FOCAL = "focal@nadra.example"


class SlowInbox(Inbox):
    """Stores every message, then answers the final "." of those to `slow_for` only after `stall` seconds."""

    def __init__(self, stall: float):
        super().__init__()
        self.stall = stall
        self.slow_for = {FOCAL}

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos[0], email.message_from_bytes(envelope.content)))
        if envelope.rcpt_tos[0] in self.slow_for:
            await asyncio.sleep(self.stall)
        return "250 OK"


class RefusingInbox(Inbox):
    """Refuses one recipient at RCPT, before any data is sent."""

    def __init__(self):
        super().__init__()
        self.refused = {FOCAL}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def serve(app):
    controllers = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
        controller.start()
        controllers.append(controller)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="tracker@example.org",
                          TRACKER_BASE_URL=BASE, SMTP_TIMEOUT=0.5)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def focal_rows():
    return [row for row in log_rows() if row.recipient.email == FOCAL]


def test_an_answer_lost_after_the_data_is_uncertain_and_never_resent_by_a_run(scenario, serve, as_role):
    inbox = serve(SlowInbox(stall=1.5))
    report = run_reminders(TODAY)
    (message,) = inbox.to(FOCAL)  # the server stored it; only its answer was late
    message_id = message["Message-ID"]
    rows = focal_rows()
    assert message_id == f"<reminder-{min(r.id for r in rows)}-{len(rows)}@tracker.example.gov.pk>"
    assert {r.state for r in rows} == {DeliveryState.UNCERTAIN} and {r.message_id for r in rows} == {message_id}
    assert all("may have been delivered" in r.error for r in rows)
    assert any("uncertain 1" in line for line in report.lines())
    assert len(inbox.to("nc@interior.example")) == 1  # other messages of the run go on

    inbox.stall = 0
    run_reminders(TODAY)  # a later run leaves it to the admin
    assert len(inbox.messages) == 2 and {r.state for r in focal_rows()} == {DeliveryState.UNCERTAIN}
    assert run_reminders(TODAY, dry_run=True).lines() == [f"{TODAY.isoformat()}: nothing to remind anyone of."]

    admin = as_role("admin")
    page = admin.get("/admin/reminders/log").get_data(as_text=True)
    assert f"{len(rows)} reminders may or may not have been delivered" in page
    listed = admin.get("/admin/reminders/log?state=uncertain").get_data(as_text=True)
    assert listed.count("Confirm delivered") == len(rows) and "nc@interior.example" not in listed
    assert "Message-ID" in listed and "tracker.example.gov.pk" in listed

    # Confirming one reminder confirms the message it came in: all its rows are sent.
    response = admin.post(f"/admin/reminders/log/{rows[0].id}/confirm?state=uncertain",
                          data={"csrf_token": csrf_token(listed)})
    assert response.status_code == 302 and "state=uncertain" in response.location
    admin_id = db.session.scalar(sa.select(User.id).where(User.role == "admin"))
    rows = focal_rows()
    assert {r.state for r in rows} == {DeliveryState.SENT}
    assert {(r.decision, r.decided_by_id) for r in rows} == {("confirmed", admin_id)} and rows[0].decided_at
    page = admin.get("/admin/reminders/log").get_data(as_text=True)
    assert "Confirmed delivered by" in page and "may or may not" not in page
    # A second word on it changes nothing.
    admin.post(f"/admin/reminders/log/{rows[0].id}/resend", data={"csrf_token": csrf_token(listed)})
    assert {r.state for r in focal_rows()} == {DeliveryState.SENT}
    run_reminders(TODAY)
    assert len(inbox.messages) == 2


def test_resend_gives_it_to_the_next_run_with_the_same_message_id(scenario, serve, as_role):
    inbox = serve(SlowInbox(stall=1.5))
    run_reminders(TODAY)
    (first,) = inbox.to(FOCAL)
    rows = focal_rows()
    admin = as_role("admin")
    page = admin.get("/admin/reminders/log?state=uncertain").get_data(as_text=True)
    # Without the CSRF token nothing happens.
    admin.post(f"/admin/reminders/log/{rows[0].id}/resend", data={})
    assert {r.state for r in focal_rows()} == {DeliveryState.UNCERTAIN}
    admin.post(f"/admin/reminders/log/{rows[0].id}/resend", data={"csrf_token": csrf_token(page)})
    assert {(r.state, r.decision) for r in focal_rows()} == {(DeliveryState.FAILED, "resend")}
    inbox.stall = 0
    run_reminders(TODAY)
    assert len(inbox.to(FOCAL)) == 2 and len(inbox.messages) == 3  # exactly one more message
    assert inbox.to(FOCAL)[1]["Message-ID"] == first["Message-ID"]
    assert {(r.state, r.attempts) for r in focal_rows()} == {(DeliveryState.SENT, 2)}
    assert "Resend asked by" in admin.get("/admin/reminders/log").get_data(as_text=True)


def test_a_refusal_before_the_data_is_a_plain_failure_retried_next_run(scenario, serve, app):
    inbox = serve(RefusingInbox())
    report = run_reminders(TODAY)
    assert inbox.to(FOCAL) == [] and report.errors and "550" in report.errors[0]
    assert {r.state for r in focal_rows()} == {DeliveryState.FAILED}
    inbox.refused = set()
    run_reminders(TODAY)
    (message,) = inbox.to(FOCAL)
    rows = focal_rows()
    assert {(r.state, r.attempts) for r in rows} == {(DeliveryState.SENT, 2)}
    assert message["Message-ID"] == rows[0].message_id


def test_the_smtp_timeout_is_a_setting(app, monkeypatch, tmp_path):
    from tracker.config import settings_from_environment
    from tracker.mail.smtp import SmtpSettings

    assert settings_from_environment(str(tmp_path), need_secret=False)["SMTP_TIMEOUT"] == 20
    monkeypatch.setenv("SMTP_TIMEOUT", "3")
    config = settings_from_environment(str(tmp_path), need_secret=False)
    assert SmtpSettings.from_config({**app.config, **config}).timeout == 3


# When mail cannot be sent: the reminder is in the app all the same, and the admin's overview says so.

def notes_of(email):
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).join(User).where(User.email == email)).all()


def test_when_mail_fails_the_reminder_is_in_the_app_and_the_overview_says_since_when(scenario, smtp, app, as_role):
    from zoneinfo import ZoneInfo

    from tracker.mail.status import mail_failing

    working_port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    run_reminders(TODAY)
    (note,) = notes_of("focal@nadra.example")  # the e-mail failed; the reminder is in the app
    assert scenario["late"] in note.body and note.read_at is None
    assert len(notes_of("nc@interior.example")) == 1
    assert {r.state for r in log_rows() if r.recipient.email == "focal@nadra.example"} == {DeliveryState.FAILED}
    failing = mail_failing()
    assert failing and failing.failures == 2 and "cannot reach the SMTP server" in failing.last_error
    admin = as_role("admin")
    page = admin.get("/").get_data(as_text=True)
    since = failing.since.astimezone(ZoneInfo("Asia/Karachi"))
    assert "E-mail delivery is failing" in page and f"{since:%H:%M} (Asia/Karachi)" in page
    assert "cannot reach the SMTP server" in page
    assert "E-mail delivery is failing" not in as_role("coordinator").get("/").get_data(as_text=True)

    run_reminders(TODAY)  # still down: the failures go on from the same moment, and nobody is told twice
    again = mail_failing()
    assert again.since == failing.since and again.failures > failing.failures
    assert len(notes_of("focal@nadra.example")) == 1

    app.config["SMTP_PORT"] = working_port
    run_reminders(TODAY)  # the retry delivers the e-mails; the in-app copies are there already
    assert len(smtp.to("focal@nadra.example")) == 1 and len(notes_of("focal@nadra.example")) == 1
    assert mail_failing() is None
    assert "E-mail delivery is failing" not in admin.get("/").get_data(as_text=True)


def test_one_refused_address_is_not_mail_failing(scenario, serve):
    from tracker.mail.status import mail_failing

    serve(RefusingInbox())
    run_reminders(TODAY)
    assert {r.state for r in focal_rows()} == {DeliveryState.FAILED}
    assert len(notes_of(FOCAL)) == 1  # shown in the app all the same
    assert mail_failing() is None  # the server answered: it is that one address


# At scale: the statements of a run grow with the e-mails it sends, never with the items they list.

# Claiming a digest's reminders, recording its outcome, its in-app copy, and whether mail goes out.
STATEMENTS_PER_DIGEST = 4


def add_agencies(count: int, items: int) -> None:
    """`count` agencies, each with a focal person and `items` open items: overdue, due soon and stale in turn."""
    from factories import ActionItemFactory, AgencyFactory, UserFactory
    from tracker.enums import Role

    long_ago = datetime.now(UTC) - timedelta(days=200)
    for _ in range(count):
        agency = AgencyFactory()
        UserFactory(role=Role.AGENCY, agency=agency)
        for n in range(items):
            due = (TODAY - timedelta(days=30 + n), TODAY + timedelta(days=5), None)[n % 3]
            item = ActionItemFactory(lead__agency=agency, due_date=due, last_update_at=long_ago)
            item.lead.created_at = long_ago
    db.session.commit()


def counted_run(day: date) -> tuple[int, int]:
    """The statements a run on `day` sent to the database, and the digests it gave."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        report = run_reminders(day)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements), len(report.digests)


def test_a_runs_statements_grow_per_digest_not_per_item_and_nothing_to_send_is_cheap(app, smtp):
    from factories import UserFactory
    from tracker.enums import Role
    from tracker.mail.status import record_outcome
    from tracker.reminders.rules import get_settings

    get_settings()  # made on first use: not a statement of any run below
    record_outcome(None)  # the mail status row, made by the first outcome ever noted: nor is this
    db.session.commit()
    UserFactory(role=Role.COORDINATOR)
    add_agencies(2, items=3)
    small, small_digests = counted_run(TODAY)
    assert small_digests == 3 and len(smtp.messages) == 3  # two agencies' focal persons and the coordinator
    idle_small, none = counted_run(TODAY)
    assert none == 0 and len(smtp.messages) == 3

    add_agencies(8, items=30)  # five times the agencies, ten times the items each
    next_week = TODAY + timedelta(days=7)  # overdue items and the summary are given again
    large, large_digests = counted_run(next_week)
    assert large_digests == 11 and len(smtp.messages) == 3 + 11
    reminded = db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)
                                 .where(ReminderLog.period == f"{next_week.isocalendar()[0]}-W"
                                                              f"{next_week.isocalendar()[1]:02d}"))
    assert reminded > 8 * 20  # the large run listed hundreds of items ...
    # ... in the statements of the small one, plus a fixed number per digest.
    assert large - STATEMENTS_PER_DIGEST * large_digests == small - STATEMENTS_PER_DIGEST * small_digests, \
        (small, small_digests, large, large_digests)
    idle_large, none = counted_run(next_week)
    assert none == 0 and len(smtp.messages) == 14
    # A run with nothing left to give reads the plan and the log, writes nothing, whatever the size.
    assert idle_small == idle_large <= 10, (idle_small, idle_large)


def test_a_run_that_breaks_keeps_the_outcome_of_what_it_sent(scenario, smtp, monkeypatch):
    from tracker.reminders import delivery

    render, calls = delivery._render, []

    def render_then_break(digest, base_url):
        calls.append(digest.user.email)
        if len(calls) == 2:
            raise RuntimeError("a template broke")
        return render(digest, base_url)

    monkeypatch.setattr(delivery, "_render", render_then_break)
    with pytest.raises(RuntimeError):
        run_reminders(TODAY)
    db.session.rollback()  # as the scheduler's job ends: what the run did not commit is gone
    (first, second) = calls
    assert [rcpt for rcpt, _message in smtp.messages] == [first]
    states = {}
    for row in log_rows():
        states.setdefault(row.recipient.email, set()).add(row.state)
    # The e-mail that went out is recorded as sent, committed with the next digest's claims (a later run leaves
    # it); the digest that broke stays claimed until its lease runs out.
    assert states[first] == {DeliveryState.SENT} and states[second] == {DeliveryState.CLAIMED}
