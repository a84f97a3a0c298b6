"""Reminder rules: which open items each agency is reminded of today, and the coordinators' weekly summary.

An open item is reminded of under one rule at most: overdue (weekly), else due soon (once per due
date), else stale (once a quarter). Closed and overdue are the model's own definitions.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..auth.permissions import decides_reports
from ..display import format_date, locale
from ..enums import ReminderRule, ReportStage, ReportStep, Role, UpdateOrigin
from ..extensions import db
from ..i18n import page_digits
from ..indicators.periods import open_period
from ..models import (
    ActionItem,
    Agency,
    Indicator,
    IndicatorValue,
    ItemAgency,
    ReminderSettings,
    Report,
    Update,
    User,
    as_utc,
)
from ..verification.services import awaiting_decision

RULE_TITLES = {
    ReminderRule.OVERDUE: _l("Overdue"),
    ReminderRule.DUE_SOON: _l("Due soon"),
    ReminderRule.STALE: _l("No update for a long time"),
    ReminderRule.VALUES_OVERDUE: _l("Indicator values overdue"),
    ReminderRule.REPORT_WAITING: _l("Reports awaiting your decision"),
}
# Each rule's short name, as the reminder log and the preview list them.
RULE_NAMES = {
    ReminderRule.DUE_SOON: _l("due soon"),
    ReminderRule.OVERDUE: _l("overdue"),
    ReminderRule.STALE: _l("stale"),
    ReminderRule.SUMMARY: _l("summary"),
    ReminderRule.VALUES_OVERDUE: _l("values overdue"),
    ReminderRule.REPORT_WAITING: _l("report waiting"),
}


# What each reminder says of its item. A digest is planned once and rendered in each recipient's language, so
# these are written when read (flask_babel's LazyString calls them then), not when planned.
def _detail(write, *args) -> LazyString:
    """What `write(*args)` says, written when read, in the reader's language and digits."""
    return LazyString(lambda: _written(write, args, str(locale()), page_digits()))


# A run writes thousands of details (each twice: text and HTML) that share a few hundred distinct wordings
# (due dates and days repeat across items and recipients): each wording is written once per language.
@lru_cache(maxsize=4096)
def _written(write, args: tuple, language: str, digits: str) -> str:
    return write(*args)


def _overdue(due: date, days: int) -> str:
    return ngettext("due %(date)s, %(num)d day ago", "due %(date)s, %(num)d days ago", days, date=format_date(due))


def _due_soon(due: date, days: int) -> str:
    return ngettext("due %(date)s, in %(num)d day", "due %(date)s, in %(num)d days", days, date=format_date(due))


def _stale(last: date) -> str:
    return _("no update since %(date)s", date=format_date(last))


def _values_overdue(period: str, due: date, days: int) -> str:
    return ngettext("%(period)s values were due %(date)s, %(num)d day ago",
                    "%(period)s values were due %(date)s, %(num)d days ago", days, period=period,
                    date=format_date(due))


def _report_waiting(agency: str, submitted: datetime, days: int) -> str:
    return ngettext("%(agency)s's report of %(date)s, waiting %(num)d day",
                    "%(agency)s's report of %(date)s, waiting %(num)d days", days, agency=agency,
                    date=format_date(submitted))


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


SETTING_FIELDS = ("enabled", "weekdays", "hour", "minute", "timezone", "due_soon_days", "stale_days",
                  "report_wait_days")


def save_settings(values: dict, user: User | None = None) -> ReminderSettings:
    """An admin's change of the schedule and thresholds (the scheduler reads them within five minutes)."""
    settings = get_settings()
    for name in SETTING_FIELDS:
        setattr(settings, name, values[name])
    settings.saved_at, settings.saved_by = datetime.now(UTC), user
    db.session.commit()
    return settings


def week_period(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_period(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class AssignedItem:
    """An open item as an agency is reminded of it: the few values a reminder needs, read in one lean query
    rather than as whole items (a run at national scale reads ten thousand of them)."""

    agency_id: int
    id: int
    ref: str
    title: str
    due_date: date | None
    position: int
    last_update_at: datetime | None
    assigned_at: datetime | None
    last_report_at: datetime | None  # the agency's last report on the item


@dataclass
class Due:
    """A reminder to be given: its rule, item and the period it covers."""

    rule: ReminderRule
    item: AssignedItem | ActionItem | None  # None for an indicator's report
    period: str
    detail: str  # a LazyString, written in the language of whoever reads it
    report: Report | None = None  # for a report awaiting the recipient's decision
    indicator: Indicator | None = None  # for an indicator whose period's values are overdue

    @property
    def ref(self) -> str:
        if self.indicator is not None:
            return self.indicator.code
        return self.report.subject if self.report is not None else self.item.ref

    @property
    def title(self) -> str:
        if self.indicator is not None:
            return self.indicator.name
        return self.report.subject_title if self.report is not None else self.item.title

    @property
    def path(self) -> str:
        """Where it is, from the site's root (e-mails prefix the tracker's address)."""
        if self.indicator is not None:
            return f"/indicators/{self.indicator.code}/values"
        if self.report is None:
            return f"/items/{self.item.ref}"
        if self.report.item is not None:
            return f"/items/{self.report.item.ref}#report-{self.report.id}"
        return f"/indicators/{self.report.indicator.code}#report-{self.report.id}"

    @property
    def key(self) -> str:
        """What it is about, for the log's unique key: an indicator, a report, or an item."""
        if self.indicator is not None:
            return f"indicator:{self.indicator.id}"
        return f"report:{self.report.id}" if self.report is not None else f"item:{self.item.id}"


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


def _last_activity(item: AssignedItem) -> date | None:
    """The item's last official update, the agency's assignment to it or its last report, whichever is latest:
    an agency whose report waits for a decision has not gone quiet."""
    moments = [m for m in (item.last_update_at, item.assigned_at, item.last_report_at) if m is not None]
    return max(as_utc(m) for m in moments).date() if moments else None


def agency_reminders(open_items: list[AssignedItem], today: date, settings: ReminderSettings) -> list[Due]:
    """Each open item of an agency under one rule at most: overdue, else due soon, else stale."""
    reminders = []
    for item in open_items:
        if item.due_date and item.due_date < today:
            days = (today - item.due_date).days
            reminders.append(Due(ReminderRule.OVERDUE, item, week_period(today),
                                 _detail(_overdue, item.due_date, days)))
        elif item.due_date and item.due_date <= today + timedelta(days=settings.due_soon_days):
            days = (item.due_date - today).days
            reminders.append(Due(ReminderRule.DUE_SOON, item, f"due-{item.due_date.isoformat()}",
                                 _detail(_due_soon, item.due_date, days)))
        else:
            last = _last_activity(item)
            if last is not None and (today - last).days >= settings.stale_days:
                reminders.append(Due(ReminderRule.STALE, item, quarter_period(today), _detail(_stale, last)))
    order = {ReminderRule.OVERDUE: 0, ReminderRule.DUE_SOON: 1, ReminderRule.STALE: 2}
    return sorted(reminders, key=lambda d: (order[d.rule], d.item.due_date or date.max, d.item.position))


def open_assigned_items(agency_ids: set[int]) -> dict[int, list[AssignedItem]]:
    """Per agency, its open items with what the rules read of them, in one query (no item loaded whole)."""
    found: dict[int, list[AssignedItem]] = defaultdict(list)
    if not agency_ids:
        return found
    last_report = (
        sa.select(Report.item_id, Report.agency_id, sa.func.max(Report.submitted_at).label("at"))
        .where(Report.item_id.is_not(None), Report.agency_id.in_(agency_ids))
        .group_by(Report.item_id, Report.agency_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ItemAgency.agency_id, ActionItem.id, ActionItem.ref, ActionItem.title, ActionItem.due_date,
                  ActionItem.position, ActionItem.last_update_at, ItemAgency.created_at, last_report.c.at)
        .join(ActionItem, ActionItem.id == ItemAgency.item_id)
        .outerjoin(last_report, sa.and_(last_report.c.item_id == ItemAgency.item_id,
                                        last_report.c.agency_id == ItemAgency.agency_id))
        .where(ItemAgency.agency_id.in_(agency_ids), ActionItem.is_open)
        .order_by(ItemAgency.id)
    ).tuples()
    for row in rows:
        found[row[0]].append(AssignedItem(*row))
    return found


def plan_digests(today: date, settings: ReminderSettings | None = None) -> list[Digest]:
    """Every digest a run on `today` would give, before checking what the log already holds."""
    settings = settings or get_settings()
    users = list(
        db.session.scalars(
            sa.select(User).where(User.active.is_(True)).options(joinedload(User.agency)).order_by(User.email)
        )
    )
    agency_ids = {u.agency_id for u in users if u.role == Role.AGENCY and u.agency_id}
    per_agency = {agency_id: agency_reminders(items, today, settings)
                  for agency_id, items in open_assigned_items(agency_ids).items()}
    waiting = waiting_reports(today, settings)
    values_due = overdue_values(agency_ids, today)
    digests = []
    for user in users:
        if user.role != Role.AGENCY:
            continue
        dues = per_agency.get(user.agency_id, []) + values_due.get(user.agency_id, []) + waiting(user)
        if dues:
            digests.append(Digest(user, user.agency, dues))
    coordinators = [u for u in users if u.role == Role.COORDINATOR]
    if coordinators:
        summary = weekly_summary(today)
        for user in coordinators:
            digests.append(Digest(user, None, waiting(user), summary))
    return digests


def overdue_values(agency_ids: set[int], today: date) -> dict[int, list[Due]]:
    """Per agency, its indicators whose last ended period is past its due date with nothing sent: reminded
    weekly until a report comes (or a coordinator enters the values)."""
    found: dict[int, list[Due]] = defaultdict(list)
    if not agency_ids:
        return found
    indicators = db.session.scalars(
        sa.select(Indicator).where(Indicator.retired_at.is_(None), Indicator.agency_id.in_(agency_ids))
        .order_by(Indicator.code)
    ).all()
    owed = {indicator.id: open_period(indicator.frequency, today) for indicator in indicators}
    owed = {indicator_id: period for indicator_id, period in owed.items() if today > period.due}
    if not owed:
        return found
    # What was sent, for every owed period at once (a report not withdrawn, or values that count).
    codes = {period.code for period in owed.values()}
    sent = set(db.session.execute(
        sa.select(Report.indicator_id, Report.period)
        .where(Report.indicator_id.in_(owed), Report.period.in_(codes), Report.stage != ReportStage.WITHDRAWN)
        .union(sa.select(IndicatorValue.indicator_id, IndicatorValue.period)
               .where(IndicatorValue.indicator_id.in_(owed), IndicatorValue.period.in_(codes),
                      IndicatorValue.origin == UpdateOrigin.USER))
    ).tuples())
    for indicator in indicators:
        period = owed.get(indicator.id)
        if period is None or (indicator.id, period.code) in sent:
            continue
        days = (today - period.due).days
        found[indicator.agency_id].append(Due(
            ReminderRule.VALUES_OVERDUE, None, f"{period.code}/{week_period(today)}",
            _detail(_values_overdue, period.code, period.due, days), indicator=indicator))
    return found


def waiting_reports(today: date, settings: ReminderSettings):
    """For a user, the reports that have awaited their decision (a validator's or a coordinator's) longer
    than the settings allow: one reminder of each a week while it waits."""
    cutoff = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(days=settings.report_wait_days)

    # Every coordinator decides the same queue, and each agency's validators theirs (the queue depends only on
    # the role, the validator flag and the agency): each queue is read once, not once per person.
    queues: dict[tuple, list[Report]] = {}

    def for_user(user: User) -> list[Due]:
        if not decides_reports(user):
            return []
        queue = (user.role, user.validator, user.agency_id)
        if queue not in queues:
            queues[queue] = awaiting_decision(user)
        return [
            Due(ReminderRule.REPORT_WAITING, report.item, week_period(today),
                _detail(_report_waiting, report.agency.label, as_utc(report.submitted_at),
                           (today - as_utc(report.stage_since).date()).days), report=report)
            for report in queues[queue]
            if as_utc(report.stage_since) <= cutoff
        ]

    return for_user


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
        Update.step == ReportStep.SUBMITTED,
        Update.agency_id.is_not(None),
        Update.created_at >= datetime.combine(quarter_start(today), datetime.min.time(), tzinfo=UTC),
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
