"""Whether e-mail goes out: every attempt to send writes its outcome here, and the admin's overview reads it.

One row (id 1), changed by single UPDATE statements (made by the first outcome, with INSERT … ON CONFLICT) so
that the web workers and the scheduler process can report at the same time: the first failure of a run of
failures stays `failing_since`, a message the server accepts ends the run.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from ..extensions import db, insert_on_conflict
from ..models import MailStatus, as_utc
from .smtp import RecipientRefused

ROW_ID = 1


def record_outcome(error: Exception | None) -> None:
    """Note how a send went (None: the server accepted it); the caller commits.

    One UPDATE once the row is there: a reminder run notes an outcome after every e-mail. (An UPDATE is compiled
    once for all of them; SQLAlchemy 2.0 compiles an INSERT … ON CONFLICT again at every use.)
    """
    if isinstance(error, RecipientRefused):
        return  # one address is wrong; the server answered, so mail itself works
    now = datetime.now(UTC)
    if error is None:
        first = {"failures": 0, "last_error": "", "last_success_at": now}
        then = {"failing_since": None, "failures": 0, "last_success_at": now}
    else:
        first = {"failing_since": now, "failures": 1, "last_failure_at": now, "last_error": str(error)[:500]}
        then = {"failing_since": sa.func.coalesce(MailStatus.failing_since, now), "failures": MailStatus.failures + 1,
                "last_failure_at": now, "last_error": str(error)[:500]}
    updated = db.session.execute(sa.update(MailStatus).where(MailStatus.id == ROW_ID).values(**then)
                                 .execution_options(synchronize_session=False)).rowcount
    if not updated:  # the first outcome ever noted, perhaps by two processes at once
        db.session.execute(insert_on_conflict(MailStatus.__table__).values(id=ROW_ID, **first)
                           .on_conflict_do_update(index_elements=["id"], set_=then))


@dataclass(frozen=True)
class MailFailing:
    """E-mail is failing: since when (the first failure of this run of failures), how often, the last error."""

    since: datetime
    failures: int
    last_error: str
    last_success_at: datetime | None


def mail_failing() -> MailFailing | None:
    """What the admin's overview warns of, or None while mail goes out (or was never tried)."""
    row = db.session.get(MailStatus, ROW_ID)
    if row is None or row.failing_since is None:
        return None
    return MailFailing(as_utc(row.failing_since), row.failures, row.last_error,
                       as_utc(row.last_success_at) if row.last_success_at else None)
