"""The reminder schedule as a non-technical admin sets it: days to tick, a time, a time zone from a list —
turned into the scheduler's trigger by one function, and read from the cron days saved before."""
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conftest import csrf_token, make_app
from tracker.extensions import db
from tracker.models import ReminderSettings, User
from tracker.reminders.rules import get_settings
from tracker.reminders.schedule import describe_days, next_run, reminder_trigger

EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"


def form_data(page: str, **changes) -> dict:
    data = {"csrf_token": csrf_token(page), "enabled": "y", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "send_time": "08:00", "timezone": "Asia/Karachi", "due_soon_days": "14", "stale_days": "90",
            "report_wait_days": "7"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def saved() -> ReminderSettings:
    db.session.expire_all()
    return get_settings()


def test_the_form_speaks_of_days_a_time_and_a_time_zone(as_role):
    page = as_role("admin").get("/admin/reminders").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="weekdays"[^>]*>', page)
    assert len(boxes) == 7 and all('type="checkbox"' in box and "checked" in box for box in boxes)  # every day
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert f">{day}</label>" in page
    assert re.search(r'<input[^>]*type="time"[^>]*value="08:00"', page)
    options = re.findall(r'<option[^>]*value="([^"]+)"', page[page.index('name="timezone"'):])
    assert options[:2] == ["Asia/Karachi", "UTC"] and "Europe/London" in options and len(options) > 300
    assert "Asia/Karachi (UTC+05:00)" in page
    assert "Cron" not in page and "day_of_week" not in page
    assert "Reminders go out <strong>every day at 08:00, Asia/Karachi time</strong>; next on" in page


def test_an_admin_sets_days_time_and_zone(as_role):
    admin = as_role("admin")
    page = admin.get("/admin/reminders").get_data(as_text=True)
    response = admin.post("/admin/reminders", data=form_data(page, weekdays=["fri", "mon", "wed"], send_time="07:15",
                                                             timezone="Europe/London"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert ("Reminder settings saved: reminders go out Monday, Wednesday and Friday at 07:15, Europe/London time."
            in html)
    settings = saved()
    assert (settings.weekdays, settings.hour, settings.minute, settings.timezone) == ("mon,wed,fri", 7, 15,
                                                                                       "Europe/London")
    admin_user = db.session.scalar(sa.select(User).where(User.role == "admin"))
    assert settings.saved_by_id == admin_user.id and settings.saved_at is not None
    boxes = re.findall(r'<input([^>]*)name="weekdays"[^>]*value="(\w+)"', html)
    assert len(boxes) == 7 and {value for attrs, value in boxes if "checked" in attrs} == {"mon", "wed", "fri"}


@pytest.mark.parametrize("changes, problem", [
    ({"weekdays": None}, "Tick at least one day."),
    ({"weekdays": ["mon", "funday"]}, "not a valid choice"),
    ({"send_time": "25:00"}, "Not a valid time value."),
    ({"send_time": ""}, "Give the time as hours and minutes"),
    ({"timezone": "Mars/Base"}, "Choose a time zone from the list"),
    ({"timezone": "Etc/GMT+5"}, "Choose a time zone from the list"),
])
def test_a_bad_schedule_is_refused_beside_its_field_and_nothing_is_saved(as_role, changes, problem):
    admin = as_role("admin")
    page = admin.get("/admin/reminders").get_data(as_text=True)
    response = admin.post("/admin/reminders", data=form_data(page, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and problem in html
    settings = saved()
    assert (settings.weekdays, settings.hour, settings.timezone, settings.saved_at) == (EVERY_DAY, 8, "Asia/Karachi",
                                                                                         None)


def test_one_function_turns_the_settings_into_the_trigger(app):
    settings = ReminderSettings(weekdays="mon,wed,fri", hour=7, minute=15, timezone="Europe/London", enabled=True)
    trigger = reminder_trigger(settings)
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon,wed,fri", "7", "15")
    assert str(trigger.timezone) == "Europe/London"
    tuesday_noon = datetime(2026, 6, 2, 11, 0, tzinfo=UTC)  # 12:00 in London (summer time)
    assert next_run(settings, tuesday_noon).isoformat() == "2026-06-03T07:15:00+01:00"
    settings.enabled = False
    assert next_run(settings, tuesday_noon) is None


@pytest.mark.parametrize("days, said", [
    (["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "every day"),
    (["mon", "tue", "wed", "thu", "fri"], "Monday to Friday"),
    (["sat", "sun"], "Saturday and Sunday"),
    (["mon", "wed", "fri"], "Monday, Wednesday and Friday"),
    (["thu"], "Thursday"),
])
def test_the_days_in_words(days, said):
    assert describe_days(days) == said


def test_the_scheduler_runs_on_the_days_saved(as_role, app):
    from tracker.reminders.scheduler import JOB_ID, build_scheduler

    admin = as_role("admin")
    page = admin.get("/admin/reminders").get_data(as_text=True)
    admin.post("/admin/reminders", data=form_data(page, weekdays=["sat", "sun"], send_time="18:45"))
    app.config["TESTING"] = False
    try:
        scheduler = build_scheduler(app)
    finally:
        app.config["TESTING"] = True
    fields = {f.name: str(f) for f in scheduler.get_job(JOB_ID).trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("sat,sun", "18", "45")


@pytest.mark.parametrize("cron_days, weekdays", [
    ("*", EVERY_DAY), ("mon-fri", "mon,tue,wed,thu,fri"), ("sat,sun", "sat,sun"), ("0-4", "mon,tue,wed,thu,fri"),
    ("x", EVERY_DAY),
])
def test_the_migration_reads_the_cron_days_saved_before(tmp_path, blank_database_url, cron_days, weekdays):
    from flask_migrate import upgrade

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url)
    with app.app_context():
        upgrade(revision="51cef3b50eab")
        now = datetime(2026, 10, 1, tzinfo=UTC)
        with db.engine.begin() as connection:
            run = connection.execute
            run(sa.text("INSERT INTO reminder_settings (id, enabled, hour, minute, day_of_week, timezone, "
                        "due_soon_days, stale_days, report_wait_days) VALUES (1, true, 9, 30, :days, 'Asia/Karachi', "
                        "14, 90, 7)"), {"days": cron_days})
            run(sa.text("INSERT INTO users (id, email, name, password_hash, role, active, created_at, "
                        "email_reminders, validator) VALUES (1, 'a@x', 'A', 'h', 'coordinator', true, :now, true, "
                        "false)"), {"now": now})
            for number, state in enumerate(("sent", "failed", "in_app")):
                run(sa.text("INSERT INTO reminder_log (rule, subject_key, recipient_id, period, state, attempts, "
                            "claimed_at, sent_at, error, message_id, decision) VALUES ('summary', :key, 1, '2026-W40', "
                            ":state, 1, :now, :sent, '', '', '')"),
                    {"key": f"summary-{number}", "state": state, "now": now,
                     "sent": None if state == "failed" else now})
        upgrade()
        settings = db.session.get(ReminderSettings, 1)
        assert (settings.weekdays, settings.hour, settings.minute) == (weekdays, 9, 30)
        shown = db.session.execute(sa.text("SELECT state, notified_at IS NOT NULL FROM reminder_log ORDER BY id")).all()
        assert [tuple(row) for row in shown] == [("sent", True), ("failed", False), ("in_app", True)]
        assert db.session.scalar(sa.text("SELECT temporary_password FROM users")) in (False, 0)
        db.session.remove()
        db.engine.dispose()
