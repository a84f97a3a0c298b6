"""The audit log: each security-relevant event recorded where it happens, through the real HTTP paths;
nothing ever changes or removes an event; the admins' page and its CSV."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import csrf_token, log_in
from tracker.audit.services import record
from tracker.enums import AuditEventKind
from tracker.extensions import db
from tracker.models import AuditEvent

Kind = AuditEventKind


def events(kind: AuditEventKind | None = None) -> list[AuditEvent]:
    """The recorded events (of one kind), oldest first, as the database holds them now."""
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if kind is not None:
        query = query.where(AuditEvent.event == kind)
    return list(db.session.scalars(query))


def only(kind: AuditEventKind) -> AuditEvent:
    found = events(kind)
    assert len(found) == 1, [(e.event, e.detail) for e in found]
    return found[0]


def page_token(client, path: str = "/notifications") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def test_an_event_is_saved_by_the_commit_of_its_change_and_never_changed(app):
    record(Kind.EXPORT, subject="export:csv", detail="rolled back with its change")
    db.session.rollback()
    assert events() == []
    record(Kind.EXPORT, subject="export:csv", detail="no filters; 3 items")
    db.session.commit()
    (event,) = events()
    assert (event.subject, event.detail, event.user_id) == ("export:csv", "no filters; 3 items", None)
    assert event.actor.startswith("command line (")
    event.detail = "edited"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert [e.detail for e in events()] == ["no filters; 3 items"]


def test_a_login_and_a_logout_are_recorded_with_who_and_from_where(app, client, make_user):
    user = make_user("coordinator")
    assert log_in(client, "coordinator@example.org").status_code == 302
    login = only(Kind.LOGIN)
    assert (login.user_id, login.actor, login.address, login.subject) == (
        user.id, "coordinator@example.org", "127.0.0.1", f"user:{user.id}")
    assert login.when.tzinfo is not None
    client.post("/logout", data={"csrf_token": page_token(client)})
    assert log_in(client, "coordinator@example.org").status_code == 302
    client.post("/logout/everywhere", data={"csrf_token": page_token(client)})
    here, everywhere = events(Kind.LOGOUT)
    assert (here.user_id, here.actor, here.address, here.detail) == (user.id, user.email, "127.0.0.1", "this login")
    assert (everywhere.user_id, everywhere.detail) == (user.id, "everywhere: 1 login(s) ended")


def test_a_failed_login_records_the_email_tried_and_why(app, client, make_user):
    user = make_user("coordinator")
    assert log_in(client, "Coordinator@Example.org", "wrong password").status_code == 200
    assert log_in(client, "stranger@example.org").status_code == 200
    user.active = False
    db.session.commit()
    assert log_in(client, "coordinator@example.org").status_code == 200
    wrong, unknown, deactivated = events(Kind.LOGIN_FAILED)
    assert [(e.actor, e.subject, e.detail) for e in (wrong, unknown, deactivated)] == [
        ("Coordinator@Example.org", f"user:{user.id}", "wrong password"),
        ("stranger@example.org", "", "no account has this e-mail"),
        ("coordinator@example.org", f"user:{user.id}", "the account is deactivated"),
    ]
    assert {(e.user_id, e.address) for e in (wrong, unknown, deactivated)} == {(None, "127.0.0.1")}
    assert events(Kind.LOGIN) == []


def test_a_login_refused_by_throttling_is_a_lockout_from_the_clients_address(app, client, make_user):
    app.config["LOGIN_FREE_ATTEMPTS"] = 1
    make_user("coordinator")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    log_in(client, "coordinator@example.org", "wrong password")
    page = log_in(client, "coordinator@example.org").get_data(as_text=True)
    assert "Too many attempts" in page
    lockout = only(Kind.LOCKOUT)
    assert (lockout.actor, lockout.address, lockout.user_id) == ("coordinator@example.org", "203.0.113.9", None)
    assert "refused unchecked" in lockout.detail
    assert only(Kind.LOGIN_FAILED).address == "203.0.113.9" and events(Kind.LOGIN) == []
