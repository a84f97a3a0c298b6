"""The audit log: each security-relevant event recorded where it happens, through the real HTTP paths;
nothing ever changes or removes an event; the admins' page and its CSV."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

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
