"""The first day: `make run` ends its setup with the admin's login in a box, and the admin's overview lists
what is left to set up until it is done."""
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest
import sqlalchemy as sa

from conftest import ROOT, csrf_token, free_port, make_app
from tracker.extensions import db
from tracker.models import SetupStep, User

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# What the web server and the scheduler print as they start: their own lines, which come after the box.
SERVER_LINE = re.compile(r"^( \* |WARNING: This is a development server|Press CTRL\+C|Scheduler running|"
                         r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )")


def make_run(tmp_path, port: int, timeout: float = 300) -> list[str]:
    """`make run` on a database of its own, read until the web server says it is listening; then stopped."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("TRACKER_ADMIN_EMAIL", "TRACKER_ADMIN_PASSWORD", "MAKEFLAGS", "MFLAGS")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}", SECRET_KEY="make-run-test", PYTHONUNBUFFERED="1",
               TRACKER_UPLOAD_DIR=str(tmp_path / "uploads"), TRACKER_REPORT_DIR=str(tmp_path / "reports"))
    process = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    read, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                line = ANSI.sub("", lines.get(timeout=1)).rstrip("\n")
            except queue.Empty:
                assert process.poll() is None, "make run stopped:\n" + "\n".join(read)
                continue
            read.append(line)
            if f"Running on http://127.0.0.1:{port}" in line:
                return read
        raise AssertionError("the server did not start in time:\n" + "\n".join(read))
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # make, the script, the server and the scheduler
        process.wait(timeout=30)


def the_box(lines: list[str]) -> tuple[int, int]:
    """Where the box starts and ends among the lines."""
    edges = [number for number, line in enumerate(lines) if re.fullmatch(r"\+-+\+", line)]
    assert len(edges) == 2, "\n".join(lines)
    return edges[0], edges[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_prints_the_admins_login_last_before_the_servers_lines(tmp_path):
    port = free_port()
    lines = make_run(tmp_path, port)
    start, end = the_box(lines)
    before, box, after = lines[:start], lines[start:end + 1], lines[end + 1:]
    # Every line of setup comes before it: the schema, the catalogue …
    assert any("Running upgrade" in line for line in before) and any("Seeded from" in line for line in before)
    # … and after it only the server's and the scheduler's own lines.
    assert after and all(SERVER_LINE.match(line) for line in after), "\n".join(after)
    text = "\n".join(box)
    assert f"http://127.0.0.1:{port}/login" in text and "admin@example.org" in text
    password = re.search(r"One-time password:\s+(\S+)", text).group(1)
    assert "Shown only this once" in text
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'run.db'}")
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        assert admin.check_password(password) and admin.temporary_password
        db.session.remove()
        db.engine.dispose()

    # The next run has no password to show: it says how to get a new one.
    lines = make_run(tmp_path, port)
    start, end = the_box(lines)
    text = "\n".join(lines[start:end + 1])
    assert "One-time password" not in text and password not in "\n".join(lines)
    assert "Lost it?" in text and ".venv/bin/flask --app app users reset-password admin@example.org" in text
    assert all(SERVER_LINE.match(line) for line in lines[end + 1:])


def test_the_box_names_the_password_the_environment_gave(app, runner, monkeypatch):
    monkeypatch.setenv("TRACKER_ADMIN_EMAIL", "root@tracker.example")
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "from-the-env-123")
    result = runner.invoke(args=["users", "ensure-admin", "--login-box", "--url", "http://tracker.example"])
    assert "root@tracker.example" in result.output and "the one in TRACKER_ADMIN_PASSWORD" in result.output
    assert "from-the-env-123" not in result.output and "http://tracker.example/login" in result.output


def checklist_steps(client) -> dict[str, str] | None:
    """The overview's checklist as step → done ("yes"/"no"), or None when it is not shown."""
    page = client.get("/").get_data(as_text=True)
    if "First steps" not in page:
        return None
    return dict(re.findall(r'id="step-(\w+)" data-done="(\w+)"', page))


def tick(client, key: str, **kwargs):
    page = client.get("/").get_data(as_text=True)
    return client.post(f"/admin/checklist/{key}/done", data={"csrf_token": csrf_token(page)}, **kwargs)


def test_the_first_run_checklist_stays_until_every_step_is_done(as_role, make_user):
    admin = as_role("admin")
    page = admin.get("/").get_data(as_text=True)
    for link in ('href="/admin/users#new-user"', 'href="/admin/agencies"', 'href="/admin/reminders"'):
        assert link in page
    assert checklist_steps(admin) == {"coordinators": "no", "agency_users": "no", "rapporteur": "no",
                                      "agencies_checked": "no", "reminder_schedule": "no"}
    make_user("coordinator", email="nc@example.org")
    make_user("agency", email="focal@nadra.example", agency="NADRA")
    rapporteur = make_user("rapporteur", email="nr@example.org")
    rapporteur.active = False  # a deactivated account is not the rapporteur's account
    db.session.commit()
    assert checklist_steps(admin) == {"coordinators": "yes", "agency_users": "yes", "rapporteur": "no",
                                      "agencies_checked": "no", "reminder_schedule": "no"}
    make_user("rapporteur", email="rapporteur@example.org")
    # Nothing in the data says the agencies were looked over: the admin says so.
    assert "Mark as checked" in admin.get("/").get_data(as_text=True)
    response = tick(admin, "agencies_checked")
    assert response.status_code == 302 and response.location.endswith("/#first-run")
    assert tick(admin, "agencies_checked").status_code == 302  # a second tick changes nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SetupStep)) == 1
    # A step the data shows cannot be ticked, and there is no other step.
    refused = tick(admin, "reminder_schedule", follow_redirects=True)
    assert "is done once it is: nothing to tick" in refused.get_data(as_text=True)
    assert tick(admin, "anything").status_code == 404
    assert checklist_steps(admin)["reminder_schedule"] == "no"
    page = admin.get("/admin/reminders").get_data(as_text=True)
    admin.post("/admin/reminders", data={"csrf_token": csrf_token(page), "enabled": "y", "weekdays": ["mon", "thu"],
                                         "send_time": "09:00", "timezone": "Asia/Karachi", "due_soon_days": "14",
                                         "stale_days": "90", "report_wait_days": "7"})
    assert checklist_steps(admin) is None  # all done: the overview shows it no more
    assert checklist_steps(as_role("coordinator")) is None


def test_only_admins_tick(as_role):
    for role in ("coordinator", "rapporteur"):
        client = as_role(role)
        assert tick(client, "agencies_checked").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SetupStep)) == 0
