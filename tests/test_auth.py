"""Logging in: every page needs it, credentials are checked, forms carry CSRF tokens."""
from datetime import UTC

import pytest

from conftest import PASSWORD, csrf_token, log_in
from tracker.extensions import db
from tracker.models import User

PAGES = ["/", "/items", "/items/PAPER-a", "/agencies", "/agencies/1", "/pillars", "/pillars/prevention"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(seeded, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_page_is_public_and_has_a_csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert csrf_token(response.get_data(as_text=True))


def test_login_then_see_items_then_log_out(seeded, client, make_user):
    make_user("rapporteur")
    response = log_in(client, "Rapporteur@Example.org ")
    assert response.status_code == 302
    assert client.get("/items").status_code == 200
    page = client.get("/items").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert client.get("/items").status_code == 302


def test_wrong_password_is_refused_and_keeps_the_email(app, client, make_user):
    make_user("coordinator")
    response = log_in(client, "coordinator@example.org", "not the password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "do not match an active account" in html
    assert 'value="coordinator@example.org"' in html
    assert client.get("/items").status_code == 302


def test_deactivated_user_cannot_log_in(app, client, make_user):
    user = make_user("coordinator")
    user.active = False
    db.session.commit()
    response = log_in(client, "coordinator@example.org")
    assert response.status_code == 200
    assert client.get("/items").status_code == 302


def test_login_without_csrf_token_is_refused(app, client, make_user):
    make_user("coordinator")
    response = client.post("/login", data={"email": "coordinator@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/items").status_code == 302


def test_logout_requires_post_with_csrf(seeded, client, make_user):
    make_user("coordinator")
    log_in(client, "coordinator@example.org")
    assert client.post("/logout").status_code == 400
    assert client.get("/items").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_never_redirects_off_site(app, client, make_user, target):
    make_user("coordinator")
    page = client.get("/login")
    response = client.post(
        f"/login?next={target}",
        data={"email": "coordinator@example.org", "password": PASSWORD,
              "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(app, client, make_user):
    make_user("coordinator")
    page = client.get("/login")
    response = client.post(
        "/login?next=/pillars",
        data={"email": "coordinator@example.org", "password": PASSWORD,
              "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.headers["Location"] == "/pillars"


def test_passwords_are_hashed(app, make_user):
    make_user("coordinator")
    user = db.session.scalar(db.select(User))
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)


def test_repeated_wrong_passwords_lock_the_account_for_a_while(app, client, make_user):
    from datetime import datetime, timedelta

    user = make_user("coordinator")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert log_in(client, "coordinator@example.org", "wrong password").status_code == 200
    locked = log_in(client, "coordinator@example.org")  # the right password, but too late
    assert "locked" in locked.get_data(as_text=True)
    assert client.get("/items").status_code == 302
    db.session.refresh(user)
    user.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # the lock has run out
    db.session.commit()
    assert log_in(client, "coordinator@example.org").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_right_password_resets_the_count(app, client, make_user):
    user = make_user("coordinator")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        log_in(client, "coordinator@example.org", "wrong password")
    assert log_in(client, "coordinator@example.org").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0
