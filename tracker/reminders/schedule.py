"""When the reminders run, as an admin sets it — days of the week, a time, a time zone — and the one
conversion of that into the scheduler's trigger.

The settings hold the days as "mon,wed,fri" (in the week's order), the hour and minute, and a time
zone name of the IANA database (`zoneinfo`); no one types cron syntax.
"""
from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from functools import cache

from apscheduler.triggers.cron import CronTrigger
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import ReminderSettings

# The week as APScheduler names its days (Monday first, as in Pakistan and ISO 8601), with the names shown.
WEEKDAYS = {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
            "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday")}
# The time zone offered first: the tracker's users are in Pakistan.
HOME_TIMEZONE = "Asia/Karachi"
# The areas of the IANA database whose zones name a place (leaving out old aliases such as "US/Eastern"
# and the "Etc/GMT+5" zones, whose sign is the reverse of what people expect).
_REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
            "Indian/", "Pacific/")


def weekday_list(weekdays: str) -> list[str]:
    """The days a settings row holds, in the week's order (unknown words dropped)."""
    chosen = {day.strip().lower() for day in weekdays.split(",")}
    return [day for day in WEEKDAYS if day in chosen]


def weekdays_text(days: list[str]) -> str:
    """Days as the settings row holds them: "mon,wed,fri"."""
    return ",".join(weekday_list(",".join(days)))


def reminder_trigger(settings: ReminderSettings) -> CronTrigger:
    """The scheduler's trigger for these settings: the one place they become APScheduler's terms."""
    days = weekday_list(settings.weekdays) or list(WEEKDAYS)
    return CronTrigger(day_of_week=",".join(days), hour=settings.hour, minute=settings.minute,
                       timezone=settings.timezone)


def describe_days(days: list[str]) -> str:
    """"every day", "Monday to Friday", "Saturday and Sunday", "Monday, Wednesday and Friday"."""
    order = list(WEEKDAYS)
    if len(days) == 7:
        return _("every day")
    positions = [order.index(day) for day in days]
    if len(days) > 2 and positions == list(range(positions[0], positions[0] + len(days))):
        return _("%(first)s to %(last)s", first=WEEKDAYS[days[0]], last=WEEKDAYS[days[-1]])
    # Babel joins a list as the language does ("Monday, Wednesday and Friday"; Urdu's "، … اور").
    language = str(get_locale() or "en")
    return format_list([str(WEEKDAYS[day]) for day in days], locale="en_GB" if language == "en" else language)


def describe_schedule(settings: ReminderSettings) -> str:
    """When they go out, to end a sentence: "every day at 08:00, Asia/Karachi time", "Monday to Friday at …"."""
    days = weekday_list(settings.weekdays) or list(WEEKDAYS)
    return _("%(days)s at %(time)s, %(zone)s time", days=describe_days(days),
             time=f"{settings.hour:02d}:{settings.minute:02d}", zone=settings.timezone)


def next_run(settings: ReminderSettings, now: datetime | None = None) -> datetime | None:
    """When the scheduler runs the reminders next (in the settings' time zone), or None when they are off."""
    if not settings.enabled:
        return None
    trigger = reminder_trigger(settings)
    now = (now or datetime.now(UTC)).astimezone(trigger.timezone)
    return trigger.get_next_fire_time(None, now)


@cache
def _zone_names() -> tuple[str, ...]:
    names = sorted(name for name in zoneinfo.available_timezones() if name.startswith(_REGIONS))
    return (HOME_TIMEZONE, "UTC", *(name for name in names if name != HOME_TIMEZONE))


def timezone_choices(current: str | None = None, now: datetime | None = None) -> list[tuple[str, str]]:
    """The time zones to choose from, Asia/Karachi first and then UTC, each with its offset from UTC now."""
    now = now or datetime.now(UTC)
    names = list(_zone_names())
    if current and current not in names:
        names.insert(2, current)  # a zone saved before the list was what it is stays choosable
    return [(name, _zone_label(name, now)) for name in names]


def _zone_label(name: str, now: datetime) -> str:
    try:
        offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name
    sign, hours, minutes = offset[0], offset[1:3], offset[3:5]
    where = name.replace("_", " ")
    return f"{where} (UTC)" if name == "UTC" else f"{where} (UTC{sign}{hours}:{minutes})"
