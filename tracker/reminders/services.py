"""Reminders: who is told about which items, and a log that makes sure nobody is told twice.

A reminder is one (rule, item, recipient, period). Its log row is *claimed* in its own committed
transaction before any mail goes out, so overlapping runs cannot both send it; it is marked sent
only once the SMTP server accepted the message. A failed or abandoned claim is picked up again by
a later run; a sent one never is.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..enums import DeliveryState, ReminderRule, Role, Status, UpdateKind, UpdateOrigin
from ..models import ActionItem, Agency, ItemAgency, Notification, ReminderLog, ReminderSettings, Update, User
from .mail import Mailer, MailError, SmtpSettings, build_message

# A claim older than this belongs to a run that died: a later run may take it over.
CLAIM_LEASE = timedelta(minutes=30)
RULE_TITLES = {
    ReminderRule.OVERDUE: "Overdue",
    ReminderRule.DUE_SOON: "Due soon",
    ReminderRule.STALE: "No update for a long time",
}


def get_settings() -> ReminderSettings:
    """The one settings row, created with the defaults on first use."""
    settings = db.session.get(ReminderSettings, 1)
    if settings is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReminderSettings(id=1))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another process created it first
        settings = db.session.get(ReminderSettings, 1)
    return settings


def week_period(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_period(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class Due:
    """A reminder to be given: its rule, item and the period it covers."""

    rule: ReminderRule
    item: ActionItem
    period: str
    detail: str


@dataclass
class Digest:
    """What one user hears in one run: one message listing their agency's items by rule."""

    user: User
    agency: Agency | None
    reminders: list[Due]
    summary: dict | None = None

    @property
    def by_rule(self) -> dict[ReminderRule, list[Due]]:
        grouped: dict[ReminderRule, list[Due]] = defaultdict(list)
        for due in self.reminders:
            grouped[due.rule].append(due)
        return {rule: grouped[rule] for rule in RULE_TITLES if grouped[rule]}


def _last_activity(item: ActionItem, assigned_at: datetime | None) -> date | None:
    moments = [m for m in (item.last_update_at, assigned_at) if m is not None]
    return max(moments).date() if moments else None


def agency_reminders(agency_items: list[ItemAgency], today: date, settings: ReminderSettings) -> list[Due]:
    """Each open item of an agency under one rule at most: overdue, else due soon, else stale."""
    reminders = []
    for assignment in agency_items:
        item = assignment.item
        if not item.is_open:
            continue
        if item.due_date and item.due_date < today:
            days = (today - item.due_date).days
            reminders.append(Due(ReminderRule.OVERDUE, item, week_period(today),
                                 f"due {item.due_date.isoformat()}, {days} day{'s' if days != 1 else ''} ago"))
        elif item.due_date and item.due_date <= today + timedelta(days=settings.due_soon_days):
            days = (item.due_date - today).days
            reminders.append(Due(ReminderRule.DUE_SOON, item, f"due-{item.due_date.isoformat()}",
                                 f"due {item.due_date.isoformat()}, in {days} day{'s' if days != 1 else ''}"))
        else:
            last = _last_activity(item, assignment.created_at)
            if last is not None and (today - last).days >= settings.stale_days:
                reminders.append(Due(ReminderRule.STALE, item, quarter_period(today),
                                     f"no update since {last.isoformat()}"))
    order = {ReminderRule.OVERDUE: 0, ReminderRule.DUE_SOON: 1, ReminderRule.STALE: 2}
    return sorted(reminders, key=lambda d: (order[d.rule], d.item.due_date or date.max, d.item.position))


def plan_digests(today: date, settings: ReminderSettings | None = None) -> list[Digest]:
    """Every digest a run on `today` would give, before checking what the log already holds."""
    settings = settings or get_settings()
    users = list(
        db.session.scalars(
            sa.select(User).where(User.active.is_(True)).options(joinedload(User.agency)).order_by(User.email)
        )
    )
    agency_ids = {u.agency_id for u in users if u.role == Role.AGENCY and u.agency_id}
    assignments: dict[int, list[ItemAgency]] = defaultdict(list)
    if agency_ids:
        for assignment in db.session.scalars(
            sa.select(ItemAgency)
            .where(ItemAgency.agency_id.in_(agency_ids))
            .options(joinedload(ItemAgency.item))
            .order_by(ItemAgency.id)
        ):
            assignments[assignment.agency_id].append(assignment)
    per_agency = {agency_id: agency_reminders(rows, today, settings) for agency_id, rows in assignments.items()}
    digests = [
        Digest(user, user.agency, per_agency[user.agency_id])
        for user in users
        if user.role == Role.AGENCY and per_agency.get(user.agency_id)
    ]
    coordinators = [u for u in users if u.role == Role.COORDINATOR]
    if coordinators:
        summary = weekly_summary(today)
        for user in coordinators:
            digests.append(Digest(user, None, [], summary))
    return digests


def weekly_summary(today: date) -> dict:
    """For coordinators: overdue items per agency, and agencies silent this quarter."""
    overdue = db.session.execute(
        sa.select(Agency, sa.func.count(sa.distinct(ActionItem.id)))
        .join(ItemAgency, ItemAgency.agency_id == Agency.id)
        .join(ActionItem, ActionItem.id == ItemAgency.item_id)
        .where(ActionItem.is_overdue(today))
        .group_by(Agency.id)
        .order_by(sa.func.count(sa.distinct(ActionItem.id)).desc(), Agency.name)
    ).all()
    reported = sa.select(Update.agency_id).where(
        Update.origin == UpdateOrigin.USER,
        Update.kind == UpdateKind.PROGRESS,
        Update.agency_id.is_not(None),
        Update.created_at >= datetime.combine(quarter_start(today), datetime.min.time(), tzinfo=timezone.utc),
    )
    with_open_items = sa.select(ItemAgency.agency_id).join(ActionItem).where(ActionItem.is_open)
    silent = list(
        db.session.scalars(
            sa.select(Agency)
            .where(Agency.id.in_(with_open_items), Agency.id.not_in(reported))
            .order_by(Agency.name)
        )
    )
    return {"overdue": overdue, "silent": silent, "quarter": quarter_period(today), "week": week_period(today)}


def _subject_key(due: Due | None) -> str:
    return f"item:{due.item.id}" if due is not None else "summary"


@dataclass(frozen=True)
class ClaimKey:
    """Plain values naming one reminder, read before the claiming transaction starts."""

    rule: ReminderRule
    subject_key: str
    period: str
    recipient_id: int
    agency_id: int | None
    item_id: int | None


def _claim(key: ClaimKey, now: datetime) -> int | None:
    """Take the log row for this reminder; its id, or None if it was given or a live run holds it."""
    try:
        with db.session.begin_nested():
            row_id = db.session.execute(
                sa.insert(ReminderLog).values(
                    rule=key.rule, subject_key=key.subject_key, period=key.period, recipient_id=key.recipient_id,
                    agency_id=key.agency_id, item_id=key.item_id, state=DeliveryState.CLAIMED, claimed_at=now,
                    attempts=1, error="",
                )
            ).inserted_primary_key[0]
        return row_id
    except IntegrityError:
        pass
    existing = db.session.execute(
        sa.select(ReminderLog.id, ReminderLog.state, ReminderLog.attempts, ReminderLog.claimed_at).where(
            ReminderLog.rule == key.rule, ReminderLog.subject_key == key.subject_key,
            ReminderLog.recipient_id == key.recipient_id, ReminderLog.period == key.period,
        )
    ).one_or_none()
    if existing is None or existing.state in (DeliveryState.SENT, DeliveryState.IN_APP):
        return None
    if existing.state == DeliveryState.CLAIMED and existing.claimed_at and \
            _aware(existing.claimed_at) > now - CLAIM_LEASE:
        return None  # a run is sending it right now
    # Compare-and-set, so that of two runs retrying the same row only one wins.
    taken = db.session.execute(
        sa.update(ReminderLog)
        .where(ReminderLog.id == existing.id, ReminderLog.state == existing.state,
               ReminderLog.attempts == existing.attempts)
        .values(state=DeliveryState.CLAIMED, claimed_at=now, attempts=existing.attempts + 1, error="")
        .execution_options(synchronize_session=False)
    ).rowcount
    return existing.id if taken == 1 else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class RunReport:
    today: date
    dry_run: bool
    digests: list[Digest] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # agency (or "coordinators") -> messages
    in_app: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # agency -> rule -> the items reminded of (an item counts once however many people heard of it)
    items: dict[str, dict[str, set[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the command prints: per agency, its items by rule and what was delivered."""
        names = sorted(set(self.items) | set(self.sent) | set(self.in_app) | set(self.failed))
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
            lines.append(f"{name}: {rules} — {', '.join(parts)}")
        return lines + [f"error: {error}" for error in self.errors]


def _label(digest: Digest) -> str:
    return digest.agency.name if digest.agency else "Coordinators (weekly summary)"


def _render(digest: Digest, base_url: str) -> tuple[str, str, str]:
    context = {"digest": digest, "base_url": base_url.rstrip("/"), "rule_titles": RULE_TITLES}
    if digest.summary is not None:
        subject = f"Weekly summary {digest.summary['week']}: {len(digest.summary['overdue'])} agencies with overdue items"
    else:
        subject = f"{len(digest.reminders)} item{'s' if len(digest.reminders) != 1 else ''} need your attention"
    return (subject, render_template("reminders/email.txt", **context),
            render_template("reminders/email.html", **context))


def run_reminders(today: date | None = None, dry_run: bool = False) -> RunReport:
    """Give every reminder due on `today` that was not given before; one SMTP connection for the run."""
    today = today or date.today()
    settings = get_settings()
    report = RunReport(today=today, dry_run=dry_run)
    if dry_run:
        for digest, dues, _summary in pending_digests(today, settings):
            report.sent[_label(digest)] += 1
            for due in dues:
                report.items[_label(digest)][due.rule.value].add(due.item.id)
        return report
    digests = plan_digests(today, settings)
    planned = [(digest, _claim_keys(digest, today)) for digest in digests]
    base_url = current_app.config["TRACKER_BASE_URL"]
    now = datetime.now(timezone.utc)
    # Each transaction below begins with a write, never a read turned into a write: SQLite refuses
    # such an upgrade when another run wrote meanwhile.
    db.session.rollback()
    with Mailer(SmtpSettings.from_config(current_app.config)) as mailer:
        for digest, keys in planned:
            claimed = {}
            for key, due in keys:
                row_id = _claim(key, now)
                if row_id is not None:
                    claimed[row_id] = due
            db.session.commit()  # the claims are visible to other runs before any mail goes out
            if not claimed:
                continue
            name = _label(digest)
            digest.reminders = [due for due in claimed.values() if due is not None]
            if digest.summary is not None and None not in claimed.values():
                digest.summary = None  # the summary was given already; only items remain
            for due in digest.reminders:
                report.items[name][due.rule.value].add(due.item.id)
            _deliver(digest, list(claimed), mailer, base_url, report, name)
            report.digests.append(digest)
    return report


def _claim_keys(digest: Digest, today: date) -> list[tuple[ClaimKey, Due | None]]:
    user_id = digest.user.id
    agency_id = digest.agency.id if digest.agency else None
    keys = []
    if digest.summary is not None:
        keys.append((ClaimKey(ReminderRule.SUMMARY, "summary", week_period(today), user_id, None, None), None))
    for due in digest.reminders:
        keys.append((ClaimKey(due.rule, _subject_key(due), due.period, user_id, agency_id, due.item.id), due))
    return keys


def _deliver(digest: Digest, row_ids: list[int], mailer: Mailer, base_url: str, report: RunReport,
             name: str) -> None:
    """Send (or, for users who turned e-mail off, only show) a claimed digest; record the outcome."""
    subject, text, html = _render(digest, base_url)
    user_id, address, by_email = digest.user.id, digest.user.email, digest.user.email_reminders
    link = f"/items/{digest.reminders[0].item.ref}" if len(digest.reminders) == 1 and not digest.summary \
        else "/notifications"
    db.session.rollback()  # end the reading; what follows starts by writing
    state, error = DeliveryState.IN_APP, ""
    if by_email:
        try:
            mailer.send(build_message(current_app.config["MAIL_FROM"], address, subject, text, html))
            state = DeliveryState.SENT
        except MailError as exc:
            state, error = DeliveryState.FAILED, str(exc)[:500]
    values = {"state": state, "error": error}
    if state != DeliveryState.FAILED:
        values["sent_at"] = datetime.now(timezone.utc)
    db.session.execute(sa.update(ReminderLog).where(ReminderLog.id.in_(row_ids)).values(**values)
                       .execution_options(synchronize_session=False))
    if state == DeliveryState.FAILED:
        report.failed[name] += 1
        if error not in report.errors:
            report.errors.append(error)
    else:
        (report.sent if state == DeliveryState.SENT else report.in_app)[name] += 1
        db.session.add(Notification(user_id=user_id, title=subject, body=text, link=link))
    db.session.commit()


def pending_digests(today: date, settings: ReminderSettings | None = None) -> list[tuple[Digest, list[Due], bool]]:
    """Who would receive what on a run today, leaving out what the log shows as given: the dry run."""
    planned = [(digest, _claim_keys(digest, today)) for digest in plan_digests(today, settings)]
    periods = {key.period for _digest, keys in planned for key, _due in keys}
    # What was given already, read in one query rather than one per reminder.
    given = set(
        db.session.execute(
            sa.select(ReminderLog.rule, ReminderLog.subject_key, ReminderLog.recipient_id, ReminderLog.period)
            .where(ReminderLog.period.in_(periods),
                   ReminderLog.state.in_([DeliveryState.SENT, DeliveryState.IN_APP]))
        ).tuples()
    ) if periods else set()
    result = []
    for digest, keys in planned:
        pending = [(key, due) for key, due in keys
                   if (key.rule, key.subject_key, key.recipient_id, key.period) not in given]
        dues = [due for _key, due in pending if due is not None]
        summary = any(due is None for _key, due in pending)
        if dues or summary:
            result.append((digest, dues, summary))
    return result


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_for(user: User, page: int, per_page: int = 20):
    return db.paginate(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


def mark_all_read(user: User) -> int:
    count = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(timezone.utc))
    ).rowcount
    db.session.commit()
    return count


def reminder_log(page: int, per_page: int = 50):
    return db.paginate(
        sa.select(ReminderLog)
        .options(joinedload(ReminderLog.recipient), joinedload(ReminderLog.item), joinedload(ReminderLog.agency))
        .order_by(ReminderLog.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


