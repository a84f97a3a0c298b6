"""The one scheduler process: `flask --app app scheduler` runs the reminder job on its schedule, and writes
the Rapporteur's reports asked for on the report page.

Web workers never schedule anything (N gunicorn workers would send N copies); this process is the
only scheduler, and the reminder log's unique claims make even an accidental second one harmless.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from ..extensions import db
from ..rapporteur.services import run_queued_reports
from .delivery import run_reminders
from .rules import get_settings
from .schedule import reminder_trigger

JOB_ID = "reminders"
REPORTS_ID = "rapporteur-reports"
REPORT_POLL_SECONDS = 5  # how long a report asked for waits, at most, before it is started
RELOAD_ID = "reload-reminder-settings"
log = logging.getLogger(__name__)


def _schedule_key(settings) -> tuple:
    return (settings.enabled, settings.hour, settings.minute, settings.weekdays, settings.timezone)


def reminder_job(app: Flask) -> None:
    """Run the reminders in a fresh app context, as a scheduled job must."""
    with app.app_context():
        if not get_settings().enabled:
            log.info("reminders are switched off; skipping this run")
            return
        report = run_reminders()
        for line in report.lines():
            log.info(line)
        db.session.remove()


def report_job(app: Flask) -> None:
    """Write the Rapporteur's reports asked for since the last look."""
    with app.app_context():
        written = run_queued_reports()
        if written:
            log.info("wrote %d Rapporteur's report(s)", written)
        db.session.remove()


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler with the reminder job and a job that follows changes to its settings."""
    if app.config.get("TESTING"):
        raise RuntimeError("the scheduler never starts under tests")
    with app.app_context():
        settings = get_settings()
        key = _schedule_key(settings)
        trigger = reminder_trigger(settings)
        db.session.remove()
    scheduler = BlockingScheduler(timezone=trigger.timezone)
    scheduler.add_job(reminder_job, trigger, args=[app], id=JOB_ID, coalesce=True, max_instances=1,
                      misfire_grace_time=3600, replace_existing=True)
    state = {"key": key}

    def reload_settings() -> None:
        with app.app_context():
            current = get_settings()
            new_key = _schedule_key(current)
            new_trigger = reminder_trigger(current)
            db.session.remove()
        if new_key != state["key"]:
            scheduler.reschedule_job(JOB_ID, trigger=new_trigger)
            state["key"] = new_key
            log.info("reminder schedule changed: %s", new_key)

    scheduler.add_job(reload_settings, "interval", minutes=5, id=RELOAD_ID, coalesce=True, max_instances=1)
    scheduler.add_job(report_job, "interval", seconds=REPORT_POLL_SECONDS, args=[app], id=REPORTS_ID, coalesce=True,
                      max_instances=1)
    return scheduler
