"""Fixtures: an app on a database of its own (SQLite by default, PostgreSQL via TEST_DATABASE_URL).

The schema and the catalogue are built once per session (see template_databases.py); each test starts from a copy.
"""
from __future__ import annotations

import email
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import jinja2
import pytest
import sqlalchemy as sa
from flask import g

from factories import PASSWORD, PASSWORD_HASH_METHOD
from template_databases import CATALOGUE, SCHEMA, PostgresTemplates, SqliteTemplates, worker_database_url
from tracker import create_app
from tracker.auth.services import create_user
from tracker.extensions import db
from tracker.seeding.loader import seed_catalogue

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"
GIVEN_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Under pytest-xdist (`-n 2`), each worker's own database beside the given one.
TEST_DATABASE_URL = GIVEN_DATABASE_URL and worker_database_url(
    GIVEN_DATABASE_URL, os.environ.get("PYTEST_XDIST_WORKER")
)

class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the session: every test builds its own app, and compiling each
    template again per app was a sixth of a second a test. Jinja checks each entry against the
    template's source, so an edited template is compiled afresh."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SharedBytecodeCache()


def database_url(tmp_path: Path) -> str:
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.db'}"


def make_app(tmp_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
        "SEED_DIR": str(SEED_DIR),
        # No test's e-mail leaves the machine: nothing listens on port 1, so sending fails at once unless a
        # test starts its own SMTP server (the `smtp` fixture).
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 1,
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


def clean_request_globals() -> None:
    """Requests share the test's app context, so `g` outlives a request: start each with a clean `g`
    (Flask-Login keeps the user there, Flask-WTF the CSRF token)."""
    for name in list(g):
        g.pop(name, None)


@pytest.fixture(scope="session")
def template_databases(tmp_path_factory):
    """The template databases: the schema, and the schema with the catalogue, built once."""
    folder = tmp_path_factory.mktemp("templates")
    if TEST_DATABASE_URL:
        templates = PostgresTemplates(TEST_DATABASE_URL, GIVEN_DATABASE_URL)
    else:
        templates = SqliteTemplates(folder)
    templates.build(lambda **config: make_app(folder, **config), lambda: seed_catalogue(str(SEED_DIR)))
    yield templates
    templates.close()


@pytest.fixture
def app(request, tmp_path, template_databases):
    """The app on a database of its own: the catalogue loaded if the test asks for `seeded`
    (directly or through another fixture), else the empty schema."""
    template = CATALOGUE if "seeded" in request.fixturenames else SCHEMA
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=template_databases.url(tmp_path),
                   UPLOAD_DIR=str(tmp_path / "uploads"), REPORT_DIR=str(tmp_path / "reports"))
    app.before_request_funcs.setdefault(None, []).insert(0, clean_request_globals)
    app.config["TEST_DATABASE_TEMPLATE"] = template
    with app.app_context():
        template_databases.reset(template)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded(app):
    """The app with the catalogue of seed/ loaded (copied from the session's template)."""
    # `app` chose the catalogue because this fixture was among the test's; asked for later, it comes too late.
    assert app.config["TEST_DATABASE_TEMPLATE"] == CATALOGUE, "request `seeded` as a fixture, not at run time"
    return app


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A copy of seed/ to edit: a test breaks or changes a file and loads the copy."""
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


@pytest.fixture
def blank_database_url(tmp_path, template_databases):
    """A database with no tables at all, for tests that build the schema their own way (migrations)."""
    yield template_databases.blank_url(tmp_path)
    template_databases.drop_blank()


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((envelope.rcpt_tos[0], message))
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.messages if rcpt == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MAIL_BASE = "https://tracker.example.gov.pk"  # the tracker's address in the e-mails of tests


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback, to which the app sends; its Inbox."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), server_hostname="localhost")
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="tracker@example.org",
                      TRACKER_BASE_URL=MAIL_BASE)
    yield inbox
    controller.stop()


def body(message, subtype="plain") -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return part.get_payload(decode=True).decode()
    raise AssertionError(f"no text/{subtype} part")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


@pytest.fixture
def make_user(app):
    def make(role: str = "coordinator", email: str | None = None, agency: str | None = None, password: str = PASSWORD):
        return create_user(email or f"{role}@example.org", role, password, name=role.title(), agency_name=agency)

    return make


@pytest.fixture
def coordinator_client(seeded, client, make_user):
    make_user("coordinator")
    response = log_in(client, "coordinator@example.org")
    assert response.status_code == 302
    return client


def fresh_item(ref: str):
    """The item as the database holds it now (requests share the test's session)."""
    from tracker.models import ActionItem

    db.session.expire_all()
    return db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == ref))


@pytest.fixture
def as_role(seeded, app, make_user):
    """A logged-in test client for a role (agency users belong to the agency given)."""

    def login(role: str, agency: str | None = None, email: str | None = None):
        email = email or f"{role}-{(agency or 'x').replace(' ', '').lower()}@example.org"
        make_user(role, email=email, agency=agency)
        client = app.test_client()
        assert log_in(client, email).status_code == 302
        return client

    return login
