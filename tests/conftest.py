"""Fixtures: an app on a fresh database (SQLite by default, PostgreSQL via TEST_DATABASE_URL)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from tracker import create_app
from tracker.auth.services import create_user
from tracker.extensions import db
from tracker.seeding.loader import seed_catalogue

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"
PASSWORD = "correct horse battery"


def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


def make_app(tmp_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SEED_DIR": str(SEED_DIR),
    }
    config.update(overrides)
    return create_app(config)


def clean_request_globals() -> None:
    """Requests share the test's app context, so `g` outlives a request: start each with a clean `g`
    (Flask-Login keeps the user there, Flask-WTF the CSRF token)."""
    for name in list(g):
        g.pop(name, None)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, UPLOAD_DIR=str(tmp_path / "uploads"))
    app.before_request_funcs.setdefault(None, []).insert(0, clean_request_globals)
    with app.app_context():
        _fresh_schema()
        yield app
        db.session.remove()
        db.drop_all()


def _fresh_schema() -> None:
    """Drop whatever a previous run left (PostgreSQL keeps it) and create the models' schema."""
    db.session.remove()
    with db.engine.begin() as connection:
        inspector = sa.inspect(connection)
        existing = inspector.get_table_names()
        if existing:
            meta = sa.MetaData()
            meta.reflect(bind=connection)
            meta.drop_all(bind=connection)
    db.create_all()


@pytest.fixture
def seeded(app):
    seed_catalogue(str(SEED_DIR))
    return app


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
