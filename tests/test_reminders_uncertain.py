"""Reminders exactly once when the SMTP server is slow: an answer that never came is not a failure."""
import asyncio
import email

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from conftest import csrf_token
from test_reminders import BASE, TODAY, Inbox, free_port, log_rows, scenario  # noqa: F401 — fixture
from tracker.enums import DeliveryState
from tracker.extensions import db
from tracker.models import User
from tracker.reminders.delivery import run_reminders

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


def test_the_smtp_timeout_is_a_setting(app):
    from tracker.reminders.mail import SmtpSettings

    assert SmtpSettings.from_config({**app.config, "SMTP_TIMEOUT": None}).timeout == 20
    assert SmtpSettings.from_config({**app.config, "SMTP_TIMEOUT": "3"}).timeout == 3
