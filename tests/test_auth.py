"""Logging in: every page needs it, credentials are checked, forms carry CSRF tokens."""

import threading

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, csrf_token, log_in
from tracker.extensions import db
from tracker.models import LoginThrottle, User

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


def _attempts(client, email, password, n):
    return [log_in(client, email, password).get_data(as_text=True) for _ in range(n)]


TOO_MANY = "Too many attempts: wait"
NO_MATCH = "That e-mail and password do not match an active account."


def test_wrong_passwords_make_the_next_attempt_wait_known_and_unknown_alike(app, client, make_user):
    make_user("admin", email="admin@example.org")
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for email in ("admin@example.org", "nobody@example.org"):
        pages = _attempts(client, email, "wrong password", free + 1)
        assert all(NO_MATCH in page for page in pages[:free]), email
        assert TOO_MANY in pages[free] and "locked" not in pages[free], email  # the same words for both
    # Even the right password waits its turn: a guesser learns nothing from it.
    assert TOO_MANY in log_in(client, "admin@example.org").get_data(as_text=True)


def test_the_wait_doubles_and_ends_so_a_stranger_cannot_keep_a_user_out(app, client, make_user):
    make_user("coordinator")
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    _attempts(client, "coordinator@example.org", "wrong password", free)
    waits = []
    for _ in range(3):
        page = log_in(client, "coordinator@example.org", "wrong password").get_data(as_text=True)
        if TOO_MANY not in page:  # the wait had passed: that attempt counted, and set a longer one
            continue
        waits.append(int(page.split(TOO_MANY)[1].split()[0]))
        db.session.execute(sa.update(LoginThrottle).values(next_allowed_at=0.0))
        db.session.commit()
    assert waits == sorted(waits) and waits[-1] > waits[0]  # exponential, not a fixed lock
    db.session.execute(sa.update(LoginThrottle).values(next_allowed_at=0.0))
    db.session.commit()
    assert log_in(client, "coordinator@example.org").status_code == 302  # the user gets in after the wait
    assert db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == "email:coordinator@example.org")) \
        is None  # and the count starts again


def test_parallel_guesses_never_get_past_the_limit(app, make_user):
    make_user("coordinator")
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    token_client = app.test_client()
    token = csrf_token(token_client.get("/login").get_data(as_text=True))
    results = []

    def guess():
        client = app.test_client()
        client.set_cookie("session", token_client.get_cookie("session").value)
        page = client.post("/login", data={"email": "coordinator@example.org", "password": "wrong password",
                                           "csrf_token": token}).get_data(as_text=True)
        results.append("checked" if NO_MATCH in page else "waited" if TOO_MANY in page else page[:200])

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("checked") == free and results.count("waited") == 20 - free, results


def test_one_address_trying_many_accounts_is_slowed_down(app, client):
    per_address = app.config["LOGIN_FREE_ATTEMPTS_PER_ADDRESS"]
    pages = [log_in(client, f"user{n}@example.org", "wrong password").get_data(as_text=True)
             for n in range(per_address + 1)]
    assert all(NO_MATCH in page for page in pages[:per_address]) and TOO_MANY in pages[per_address]




def test_behind_a_trusted_proxy_the_clients_address_is_counted(tmp_path):
    from conftest import make_app

    # Its own SQLite file whatever the suite runs on: the app is built here with the proxy setting.
    app = make_app(tmp_path, PROXY_COUNT=1, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'proxy.db'}")
    with app.app_context():
        db.create_all()
        client = app.test_client()
        forwarded = {"headers": {"X-Forwarded-For": "203.0.113.9"}, "environ_base": {"REMOTE_ADDR": "10.0.0.1"}}
        page = client.get("/login", **forwarded).get_data(as_text=True)
        client.post("/login", data={"email": "x@example.org", "password": "wrong password",
                                    "csrf_token": csrf_token(page)}, **forwarded)
        keys = set(db.session.scalars(sa.select(LoginThrottle.key)))
        assert keys == {"email:x@example.org", "ip:203.0.113.9"}
        db.session.remove()
