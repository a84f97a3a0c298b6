"""The first day in a real browser (Debian's Chromium): the admin's checklist, an account whose holder sets
the password from the welcome e-mail, "Forgot your password?", the reminder schedule as days, a time and a
zone, and the overview's warning when e-mail fails. Screenshots are saved as artefacts
(build/artifacts/first-day/, or under $TRACKER_ARTIFACTS)."""
import os
import re
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from werkzeug.serving import make_server

from conftest import PASSWORD, SEED_DIR, Inbox, body, free_port, make_app
from test_browser import CHROMIUM, axe_violations, browser  # noqa: F401 (the browser is a fixture shared with it)
from tracker.auth.services import create_user
from tracker.catalogue.services import find_agency
from tracker.extensions import db
from tracker.models import ReminderSettings
from tracker.seeding.loader import seed_catalogue

ADMIN = "admin@example.org"
NEW = "a long and new passphrase"
ARTIFACTS = Path(os.environ.get("TRACKER_ARTIFACTS") or Path(__file__).resolve().parent.parent / "build" / "artifacts")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
)


@pytest.fixture(scope="module")
def inbox():
    """A real SMTP server on loopback for the live server's e-mails."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, inbox):
    """The app on a seeded database with one admin and nobody else yet: a tracker on its first day."""
    tmp = tmp_path_factory.mktemp("first-day")
    app = make_app(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'first-day.db'}", UPLOAD_DIR=str(tmp / "uploads"),
                   TESTING=False, SMTP_HOST="127.0.0.1", SMTP_PORT=inbox.port, MAIL_FROM="tracker@example.org")
    with app.app_context():
        db.create_all()
        seed_catalogue(str(SEED_DIR))
        create_user(ADMIN, "admin", PASSWORD)
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    app.config["TRACKER_BASE_URL"] = url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, url
    http.shutdown()


@pytest.fixture
def new_page(browser, server):  # noqa: F811 (the browser fixture, imported)
    """A fresh page in a context of its own (nobody logged in); none may reach out of the machine."""
    _app, url = server
    contexts, external = [], []

    def open_page():
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: external.append(request.url)
                if not request.url.startswith((url, "data:", "blob:")) else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert external == [], f"the page reached out of the machine: {external}"


def screenshot(page, name: str) -> None:
    folder = ARTIFACTS / "first-day"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def log_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def mail_to(inbox, address, count=1, wait=30.0):
    """The messages sent to an address once there are `count` (a reset link goes out after the answer; on a
    loaded machine the SMTP exchange may take seconds, so the wait is generous: it ends as soon as they are in)."""
    deadline = time.monotonic() + wait
    while len(inbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(inbox.to(address)) == count, inbox.to(address)
    return inbox.to(address)[-1]


def link_path(message, url) -> str:
    return re.search(r"https?://\S+/password/set/[\w.-]+", body(message)).group(0).removeprefix(url)


def choose_password(page, path):
    page.goto(path)
    page.get_by_label("New password").fill(NEW)
    page.get_by_label("The same password again").fill(NEW)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("Your password is set: log in with it.").is_visible()


def test_the_admins_first_day_checklist_and_a_welcome_email(new_page, server, inbox):
    _app, url = server
    admin = new_page()
    log_in(admin, ADMIN)
    admin.wait_for_url("**/")
    checklist = admin.get_by_role("region", name="First steps")
    assert checklist.is_visible()
    steps = checklist.get_by_role("listitem")
    assert steps.count() == 5 and checklist.get_by_text("Done", exact=True).count() == 0
    serious = axe_violations(admin)
    screenshot(admin, "overview-first-steps")

    checklist.get_by_role("link", name="Create the coordinators' accounts").click()
    admin.wait_for_url("**/admin/users#new-user")
    assert admin.get_by_label("Password").count() == 0  # the admin never types a password
    new_account = admin.get_by_role("region", name="New account")  # (the list's search has its own fields)
    new_account.get_by_label("E-mail", exact=True).fill("nc@interior.example")
    new_account.get_by_label("Name").fill("Joint Secretary")
    new_account.get_by_label("Role").select_option("coordinator")
    admin.get_by_role("button", name="Create account").click()
    expect(admin.get_by_text("An e-mail with a link to set a password went to nc@interior.example")).to_be_visible()
    screenshot(admin, "account-created-welcome-sent")
    admin.goto("/")
    assert admin.locator("#step-coordinators").get_by_text("Done", exact=True).is_visible()

    # The coordinator, in a browser of their own, follows the link in the e-mail.
    message = mail_to(inbox, "nc@interior.example")
    assert message["Subject"] == "Your account on the anti-trafficking action-plan tracker"
    holder = new_page()
    holder.goto(link_path(message, url))
    assert holder.get_by_role("heading", name="Welcome: choose your password").is_visible()
    serious += axe_violations(holder)
    screenshot(holder, "welcome-choose-password")
    choose_password(holder, link_path(message, url))
    log_in(holder, "nc@interior.example", NEW)
    holder.wait_for_url("**/")
    assert holder.get_by_role("heading", name="Overview").is_visible()
    # The link worked once.
    holder.goto(link_path(message, url))
    assert holder.get_by_text("This link was used already").is_visible()
    screenshot(holder, "link-used-already")
    assert serious == [], "\n".join(serious)


def test_forgot_your_password_from_the_login_page(new_page, server, inbox):
    app, url = server
    with app.app_context():
        create_user("rapporteur@example.org", "rapporteur", PASSWORD)
        db.session.remove()
    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/password/forgot")
    serious = axe_violations(page)
    page.get_by_label("E-mail", exact=True).fill("rapporteur@example.org")
    page.get_by_role("button", name="E-mail me a link").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("If an active account has the address rapporteur@example.org").is_visible()
    screenshot(page, "forgot-password-asked")
    message = mail_to(inbox, "rapporteur@example.org")
    choose_password(page, link_path(message, url))
    log_in(page, "rapporteur@example.org", NEW)
    page.wait_for_url("**/")
    assert serious == [], "\n".join(serious)


def test_the_reminder_schedule_is_days_a_time_and_a_zone(new_page, server):
    app, _url = server
    page = new_page()
    log_in(page, ADMIN)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Set the reminder schedule").click()
    page.wait_for_url("**/admin/reminders")
    for day in ("Saturday", "Sunday"):
        page.get_by_label(day, exact=True).uncheck()
    page.get_by_label("Time", exact=True).fill("07:30")
    assert page.get_by_label("Time", exact=True).get_attribute("type") == "time"
    zone = page.get_by_label("Time zone")
    assert zone.locator("option").first.inner_text() == "Asia/Karachi (UTC+05:00)"
    zone.select_option("Asia/Dubai")
    serious = axe_violations(page)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Reminder settings saved: reminders go out Monday to Friday at 07:30, Asia/Dubai time.")
           ).to_be_visible()
    assert page.locator("#schedule-now").inner_text().startswith(
        "Reminders go out Monday to Friday at 07:30, Asia/Dubai time; next on")
    screenshot(page, "reminder-schedule")
    with app.app_context():
        settings = db.session.scalar(sa.select(ReminderSettings))
        assert (settings.weekdays, settings.hour, settings.minute, settings.timezone) == (
            "mon,tue,wed,thu,fri", 7, 30, "Asia/Dubai")
        db.session.remove()
    assert serious == [], "\n".join(serious)


def test_the_overview_says_when_email_is_failing(new_page, server, inbox):
    app, _url = server
    with app.app_context():
        nadra_id = find_agency("NADRA").id
        db.session.remove()
    working = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # the mail server goes away
    try:
        page = new_page()
        log_in(page, ADMIN)
        page.wait_for_url("**/")
        page.goto("/admin/users")
        new_account = page.get_by_role("region", name="New account")
        new_account.get_by_label("E-mail", exact=True).fill("focal@nadra.example")
        new_account.get_by_label("Role").select_option("agency")
        new_account.locator("select#agency").select_option(str(nadra_id), force=True)  # under its search box
        page.get_by_role("button", name="Create account").click()
        warning = page.get_by_text("The e-mail with the link to set a password could not be sent")
        expect(warning).to_be_visible()
        link = re.search(r"/password/set/[\w.-]+", warning.inner_text()).group(0)
        screenshot(page, "welcome-not-sent-link-to-pass-on")
        page.goto("/")
        alert = page.get_by_role("alert").filter(has_text="E-mail delivery is failing")
        # Since when, in the reminders' time zone.
        assert alert.is_visible() and re.search(r"\d\d:\d\d \([A-Za-z_]+/[A-Za-z_]+\)", alert.inner_text())
        serious = axe_violations(page)
        screenshot(page, "overview-mail-failing")
    finally:
        app.config["SMTP_PORT"] = working
    # The link the admin passed on works; and once mail goes out again, the warning goes.
    holder = new_page()
    choose_password(holder, link)
    page.goto("/admin/users")
    page.get_by_role("link", name="focal@nadra.example").click()
    page.get_by_role("button", name="Reset password by e-mail").click()
    expect(page.get_by_text("An e-mail with a link to set a password went to focal@nadra.example")).to_be_visible()
    mail_to(inbox, "focal@nadra.example")
    page.goto("/")
    assert page.get_by_text("E-mail delivery is failing").count() == 0
    assert serious == [], "\n".join(serious)
