"""Delivering reminders exactly once: a log row is claimed before any mail goes out.

A reminder is one (rule, item, recipient, period). Its log row is *claimed* in its own committed
transaction before any mail goes out, so overlapping runs cannot both send it; it is marked sent
only once the SMTP server accepted the message. A failed or abandoned claim is picked up again by
a later run; a sent one never is.

Every attempt at one digest carries the same Message-ID, derived from its log rows, so that mail
systems can drop a copy. When the server's answer to a message that went out in full never comes,
nobody knows whether it was delivered: its rows become *uncertain*, which runs treat like sent, and
an admin decides (`decide_uncertain`): confirmed (sent) or resend (failed, for the next run).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import joinedload

from ..auth.permissions import is_admin
from ..enums import DeliveryState, ReminderRule
from ..errors import Invalid, NotAllowed, NotFound, Unavailable
from ..extensions import db, insert_on_conflict
from ..i18n import DEFAULT
from ..mail.smtp import DeliveryUncertain, Mailer, SmtpSettings, build_message
from ..mail.status import record_outcome
from ..models import ReminderLog, ReminderSettings, User
from .notifications import notify
from .rules import RULE_TITLES, Digest, Due, get_settings, plan_digests, week_period

# A claim older than this belongs to a run that died: a later run may take it over.
CLAIM_LEASE = timedelta(minutes=30)
# Rows retaken by one UPDATE: well under the bound parameters SQLite takes in one statement.
CLAIM_BATCH = 500
# What no run gives again: delivered, shown in the app, or perhaps delivered (an admin decides).
GIVEN = (DeliveryState.SENT, DeliveryState.IN_APP, DeliveryState.UNCERTAIN)
DECISIONS = {"confirmed": DeliveryState.SENT, "resend": DeliveryState.FAILED}
# Each state as the reminder log shows it.
STATE_LABELS = {
    DeliveryState.CLAIMED: _l("claimed"),
    DeliveryState.SENT: _l("sent"),
    DeliveryState.IN_APP: _l("in app"),
    DeliveryState.FAILED: _l("failed"),
    DeliveryState.UNCERTAIN: _l("uncertain"),
}


def _subject_key(due: Due | None) -> str:
    if due is None:
        return "summary"
    return due.key


@dataclass(frozen=True)
class ClaimKey:
    """Plain values naming one reminder, read before the claiming transaction starts."""

    rule: ReminderRule
    subject_key: str
    period: str
    recipient_id: int
    agency_id: int | None
    item_id: int | None


class Claimed(NamedTuple):
    """A log row a run took: its id, and whether its in-app copy was shown by an earlier attempt."""

    row_id: int
    shown: bool


# What each claimed row gives of its reminder; the other columns of a new claim are the same for every row.
CLAIM_COLUMNS = ("rule", "subject_key", "period", "recipient_id", "agency_id", "item_id")


# The log's unique key: what names one reminder.
NAME_COLUMNS = ("rule", "subject_key", "recipient_id", "period")
NAMED = tuple(ReminderLog.__table__.c[column] for column in NAME_COLUMNS)


def _name(key: ClaimKey) -> tuple:
    """A reminder's values of the log's unique key, as a returned row's first columns hold them."""
    return tuple(getattr(key, column) for column in NAME_COLUMNS)


def _as_rows(keys: list[ClaimKey], names: tuple[str, ...]) -> sa.TableValuedAlias:
    """PostgreSQL: these keys' values of these log columns as rows, from one array parameter per column."""
    table = ReminderLog.__table__
    return sa.func.unnest(*(
        sa.bindparam(name, [getattr(key, name) for key in keys], type_=postgresql.ARRAY(table.c[name].type))
        for name in names
    )).table_valued(*names).render_derived(name="keys")


def _named(keys: list[ClaimKey]) -> sa.ColumnElement[bool]:
    """The log rows of these reminders, by their unique key."""
    name = sa.tuple_(*NAMED)
    if db.engine.dialect.name == "postgresql":
        # As the claim's INSERT: one short statement whatever the number of keys (see _insert_claims).
        return name.in_(sa.select(*_as_rows(keys, NAME_COLUMNS).c))
    return name.in_([_name(key) for key in keys])


def _insert_claims(keys: list[ClaimKey], now: datetime) -> tuple[sa.Insert, list[dict] | None]:
    """The INSERT adding the log rows of these reminders that are not there yet, returning each added row's
    name and id, and its parameters."""
    table = ReminderLog.__table__
    fixed = {"state": DeliveryState.CLAIMED, "claimed_at": now, "attempts": 1, "error": "", "message_id": "",
             "decision": ""}
    insert = insert_on_conflict(table)
    if db.engine.dialect.name == "postgresql":
        # psycopg rewrites the placeholders of every statement in Python and keeps the result only for short
        # statements: a multi-row INSERT (twelve placeholders a row, its text new at every size) spent more there
        # than the database spent inserting. One array per column keeps the statement short and the same whatever
        # the number of rows.
        claims = _as_rows(keys, CLAIM_COLUMNS)
        insert = insert.from_select([*CLAIM_COLUMNS, *fixed],
                                    sa.select(*claims.c, *(sa.literal(value, table.c[name].type)
                                                           for name, value in fixed.items())))
        parameters = None
    else:
        # SQLite: sent as few multi-row INSERTs by SQLAlchemy's "insertmanyvalues".
        parameters = [{name: getattr(key, name) for name in CLAIM_COLUMNS} | fixed for key in keys]
    return (insert.on_conflict_do_nothing(index_elements=list(NAME_COLUMNS)).returning(*NAMED, table.c.id),
            parameters)


def _claim(keys: list[ClaimKey], now: datetime) -> dict[ClaimKey, Claimed]:
    """Take the log rows of these reminders at once: those taken, each with its row and whether its in-app copy
    was shown already.

    A reminder is taken when its row is new, or failed, or claimed by a run that died (its lease ran out);
    not when it was given or a live run holds it. Two statements, whatever the number of keys: one INSERT
    that skips the rows that exist, and only if some did, one compare-and-set UPDATE of those, so that of
    two runs retrying the same row only one wins. The caller commits.
    """
    taken: dict[ClaimKey, Claimed] = {}
    by_name = {_name(key): key for key in keys}
    rows = db.session.execute(*_insert_claims(keys, now)).tuples()  # the rows there already return nothing
    taken.update((by_name[tuple(row[:-1])], Claimed(row[-1], False)) for row in rows)
    existing = [key for key in keys if key not in taken]
    for start in range(0, len(existing), CLAIM_BATCH):
        batch = existing[start:start + CLAIM_BATCH]
        retry = sa.or_(ReminderLog.state == DeliveryState.FAILED,
                       sa.and_(ReminderLog.state == DeliveryState.CLAIMED, ReminderLog.claimed_at <= now - CLAIM_LEASE))
        rows = db.session.execute(
            sa.update(ReminderLog)
            .where(_named(batch), retry)
            .values(state=DeliveryState.CLAIMED, claimed_at=now, attempts=ReminderLog.attempts + 1, error="")
            .returning(*NAMED, ReminderLog.id, ReminderLog.notified_at.is_not(None))
            .execution_options(synchronize_session=False)
        ).tuples()
        taken.update((by_name[tuple(row[:-2])], Claimed(row[-2], bool(row[-1]))) for row in rows)
    return taken


@dataclass
class RunReport:
    today: date
    dry_run: bool
    digests: list[Digest] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # agency (or "coordinators") -> messages
    in_app: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    uncertain: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # agency -> rule -> what was reminded of, by key (an item counts once however many people heard of it)
    items: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the command prints: per agency, its items by rule and what was delivered."""
        names = sorted(set(self.items) | set(self.sent) | set(self.in_app) | set(self.failed) | set(self.uncertain))
        if not names:
            return [f"{self.today.isoformat()}: nothing to remind anyone of."]
        verb = "would send" if self.dry_run else "sent"
        lines = []
        for name in names:
            rules = ", ".join(f"{len(ids)} {rule}" for rule, ids in sorted(self.items[name].items())) or "summary"
            parts = [f"{verb} {self.sent[name]}"]
            if self.in_app[name]:
                parts.append(f"in the app only {self.in_app[name]}")
            if self.failed[name]:
                parts.append(f"failed {self.failed[name]}")
            if self.uncertain[name]:
                parts.append(f"uncertain {self.uncertain[name]} (see the reminder log)")
            lines.append(f"{name}: {rules} — {', '.join(parts)}")
        return lines + [f"error: {error}" for error in self.errors]


def _label(digest: Digest) -> str:
    return digest.agency.name if digest.agency else "Coordinators (weekly summary)"


def _render(digest: Digest, base_url: str) -> tuple[str, str, str]:
    """The digest's subject, text and HTML, in its recipient's language (the in-app copy keeps them so)."""
    context = {"digest": digest, "base_url": base_url.rstrip("/"), "rule_titles": RULE_TITLES}
    with force_locale(digest.user.language or DEFAULT):
        if digest.summary is not None:
            overdue, waiting = len(digest.summary["overdue"]), len(digest.reminders)
            if waiting:
                subject = ngettext("Weekly summary %(week)s: %(overdue)s agencies with overdue items; %(num)d report "
                                   "awaiting your decision",
                                   "Weekly summary %(week)s: %(overdue)s agencies with overdue items; %(num)d reports "
                                   "awaiting your decision", waiting, week=digest.summary["week"], overdue=overdue)
            else:
                subject = _("Weekly summary %(week)s: %(overdue)s agencies with overdue items",
                            week=digest.summary["week"], overdue=overdue)
        else:
            subject = ngettext("%(num)d item needs your attention", "%(num)d items need your attention",
                               len(digest.reminders))
        return (subject, render_template("reminders/email.txt", **context),
                render_template("reminders/email.html", **context))


def message_id(row_ids: list[int], base_url: str) -> str:
    """The Message-ID of the e-mail delivering these log rows: the same on every attempt."""
    host = urlsplit(base_url).hostname or "tracker.invalid"
    return f"<reminder-{min(row_ids)}-{len(row_ids)}@{host}>"


def run_reminders(today: date | None = None, dry_run: bool = False) -> RunReport:
    """Give every reminder due on `today` that was not given before; one SMTP connection for the run."""
    today = today or date.today()
    settings = get_settings()
    report = RunReport(today=today, dry_run=dry_run)
    session = db.session()
    # What the run read is kept as read: expiring it at each commit would read every item and user back one
    # SELECT at a time. Nothing here changes those objects; the run only writes the log and notifications.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        pending = _pending(today, settings)
        if dry_run:
            for digest, keys in pending:
                report.sent[_label(digest)] += 1
                for _key, due in keys:
                    if due is not None:
                        report.items[_label(digest)][due.rule.value].add(due.key)
            return report
        # Each transaction below begins with a write, never a read turned into a write: SQLite refuses
        # such an upgrade when another run wrote meanwhile. (A commit, not a rollback, ends the reading:
        # a rollback would expire everything read.)
        session.commit()
        if pending:
            _send_all(pending, report)
        return report
    finally:
        session.expire_on_commit = expire_on_commit


def _send_all(pending: list[tuple[Digest, list[tuple[ClaimKey, Due | None]]]], report: RunReport) -> None:
    """Claim and deliver each digest in turn, over one SMTP connection.

    One commit a digest: it makes the digest's claims visible to other runs before its mail goes out, and
    keeps, with them, the outcome of the digest before (recorded right after the server answered it).
    """
    base_url = current_app.config["TRACKER_BASE_URL"]
    now = datetime.now(UTC)
    with Mailer(SmtpSettings.from_config(current_app.config)) as mailer:
        for digest, keys in pending:
            taken = _claim([key for key, _due in keys], now)
            db.session.commit()  # the claims are visible to other runs before any mail goes out
            claimed = [(key, due) for key, due in keys if key in taken]
            if not claimed:
                continue
            name = _label(digest)
            digest.reminders = [due for _key, due in claimed if due is not None]
            if digest.summary is not None and all(due is not None for _key, due in claimed):
                digest.summary = None  # the summary was given already; only items remain
            for due in digest.reminders:
                report.items[name][due.rule.value].add(due.key)
            _deliver(digest, [taken[key] for key, _due in claimed], mailer, base_url, report, name)
            report.digests.append(digest)
        db.session.commit()


def _claim_keys(digest: Digest, today: date) -> list[tuple[ClaimKey, Due | None]]:
    user_id = digest.user.id
    agency_id = digest.agency.id if digest.agency else None
    keys = []
    if digest.summary is not None:
        keys.append((ClaimKey(ReminderRule.SUMMARY, "summary", week_period(today), user_id, None, None), None))
    for due in digest.reminders:
        keys.append((ClaimKey(due.rule, _subject_key(due), due.period, user_id, agency_id,
                              due.item.id if due.item else None), due))
    return keys


def _deliver(digest: Digest, rows: list[Claimed], mailer: Mailer, base_url: str, report: RunReport,
             name: str) -> None:
    """Send (or, for users who turned e-mail off, only show) a claimed digest; record the outcome (the caller
    commits).

    The in-app copy is shown whatever became of the e-mail, once: a failed e-mail is retried by the
    next run, and its rows remember that the copy is there already.
    """
    subject, text, html = _render(digest, base_url)
    row_ids = [row.row_id for row in rows]
    user_id, address, by_email = digest.user.id, digest.user.email, digest.user.email_reminders
    link = digest.reminders[0].path if len(digest.reminders) == 1 and not digest.summary \
        else "/notifications"
    state, error, msgid, failure = DeliveryState.IN_APP, "", "", None
    if by_email:
        msgid = message_id(row_ids, base_url)
        try:
            mailer.send(build_message(current_app.config["MAIL_FROM"], address, subject, text, html, msgid))
            state = DeliveryState.SENT
        except DeliveryUncertain as exc:
            state, error, failure = DeliveryState.UNCERTAIN, str(exc)[:500], exc
        except Unavailable as exc:
            state, error, failure = DeliveryState.FAILED, str(exc)[:500], exc
    now = datetime.now(UTC)
    values = {"state": state, "error": error, "message_id": msgid}
    if state != DeliveryState.FAILED:
        values["sent_at"] = now
    notify_now = not all(row.shown for row in rows)
    if notify_now:
        values["notified_at"] = now
    db.session.execute(sa.update(ReminderLog).where(ReminderLog.id.in_(row_ids)).values(**values)
                       .execution_options(synchronize_session=False))
    if by_email:
        record_outcome(failure)
    if state == DeliveryState.FAILED:
        report.failed[name] += 1
        if error not in report.errors:
            report.errors.append(error)
    elif state == DeliveryState.UNCERTAIN:
        report.uncertain[name] += 1
        report.errors.append(error)
    else:
        (report.sent if state == DeliveryState.SENT else report.in_app)[name] += 1
    if notify_now:
        notify(user_id, subject, text, link)


def _pending(today: date, settings: ReminderSettings) -> list[tuple[Digest, list[tuple[ClaimKey, Due | None]]]]:
    """Each digest of today with the reminders the log does not show as given (None: the weekly summary).

    The log is read once for all of them, so that a run with nothing left to give stops here, having written
    nothing; what is left is still claimed one digest at a time before it goes out.
    """
    planned = [(digest, _claim_keys(digest, today)) for digest in plan_digests(today, settings)]
    periods = {key.period for _digest, keys in planned for key, _due in keys}
    given = set(
        db.session.execute(
            sa.select(*NAMED).where(ReminderLog.period.in_(periods), ReminderLog.state.in_(GIVEN))
        ).tuples()
    ) if periods else set()
    pending = []
    for digest, keys in planned:
        left = [(key, due) for key, due in keys if _name(key) not in given]
        if left:
            pending.append((digest, left))
    return pending


def pending_digests(today: date, settings: ReminderSettings | None = None) -> list[tuple[Digest, list[Due], bool]]:
    """Who would receive what on a run today, leaving out what the log shows as given: the preview."""
    result = []
    for digest, keys in _pending(today, settings or get_settings()):
        dues = [due for _key, due in keys if due is not None]
        result.append((digest, dues, any(due is None for _key, due in keys)))
    return result


def reminder_log(page: int, state: DeliveryState | None = None, per_page: int = 50):
    """A page of the log, newest first, of one state if given."""
    query = (
        sa.select(ReminderLog)
        .options(joinedload(ReminderLog.recipient), joinedload(ReminderLog.item), joinedload(ReminderLog.agency),
                 joinedload(ReminderLog.decided_by))
        .order_by(ReminderLog.id.desc())
    )
    if state is not None:
        query = query.where(ReminderLog.state == state)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def uncertain_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ReminderLog).where(ReminderLog.state == DeliveryState.UNCERTAIN)
    ) or 0


def decide_uncertain(log_id: int, user: User, decision: str) -> int:
    """An admin's word on an uncertain e-mail, for every reminder that message carried; how many rows changed.

    "confirmed": it arrived, the rows are sent. "resend": the rows are failed again, so the next run
    sends them (with the same Message-ID if the same reminders go out together), under its claims.
    """
    if not is_admin(user):
        raise NotAllowed(_("Only admins decide on uncertain deliveries."))
    if decision not in DECISIONS:
        raise Invalid(_("Not a decision: %(decision)s.", decision=decision))
    row = db.session.get(ReminderLog, log_id)
    if row is None:
        raise NotFound(_("There is no such reminder in the log."))
    if row.state != DeliveryState.UNCERTAIN:
        raise Invalid(_("This reminder is not uncertain any more (it is %(state)s).", state=STATE_LABELS[row.state]))
    same_message = ReminderLog.message_id == row.message_id if row.message_id else ReminderLog.id == row.id
    values = {"state": DECISIONS[decision], "decision": decision, "decided_by_id": user.id,
              "decided_at": datetime.now(UTC)}
    if decision == "resend":
        values["sent_at"] = None
    # Compare-and-set: of two admins deciding at once, only the first one's word counts.
    changed = db.session.execute(
        sa.update(ReminderLog).where(same_message, ReminderLog.state == DeliveryState.UNCERTAIN).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Invalid(_("Someone decided on this reminder meanwhile."))
    db.session.commit()
    return changed
