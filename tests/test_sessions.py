"""Sessions that end: a copy of the cookies is worthless after logout, a reset, a role change or a
deactivation; logins time out when idle and at the end of their lifetime; remember-me is short-lived."""
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from conftest import PASSWORD, csrf_token, log_in
from tracker.extensions import db
from tracker.models import User, UserSession

PAGE = "/items"


def copy_cookies(app, client):
    """A second browser holding copies of the first one's cookies (what a thief would replay)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def logged_in(app, make_user, role="coordinator", remember=False):
    make_user(role, email=f"{role}@example.org")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    data = {"email": f"{role}@example.org", "password": PASSWORD, "csrf_token": csrf_token(page)}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    assert client.get(PAGE).status_code == 200
    return client


def post(client, path, **data):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def user(email="coordinator@example.org") -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.mark.parametrize("remember", [False, True], ids=["session", "remember-me"])
def test_a_copied_cookie_dies_with_logout(app, make_user, remember):
    client = logged_in(app, make_user, remember=remember)
    thief = copy_cookies(app, client)
    assert thief.get(PAGE).status_code == 200  # the copy works while the login lives
    assert post(client, "/logout").status_code == 302
    assert thief.get(PAGE).status_code == 302 and client.get(PAGE).status_code == 302


def test_log_out_everywhere_ends_every_login(app, make_user):
    first = logged_in(app, make_user, remember=True)
    second = app.test_client()
    assert log_in(second, "coordinator@example.org").status_code == 302
    thief = copy_cookies(app, first)
    response = post(second, "/logout/everywhere")
    assert response.status_code == 302
    assert [c.get(PAGE).status_code for c in (first, second, thief)] == [302, 302, 302]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.ended_at.is_(None))) == 0


@pytest.mark.parametrize("change", ["reset", "role", "deactivate"])
def test_an_admins_change_ends_the_users_logins(app, make_user, change):
    victim = logged_in(app, make_user, role="rapporteur", remember=True)
    thief = copy_cookies(app, victim)
    admin = logged_in(app, make_user, role="admin")
    target = user("rapporteur@example.org")
    if change == "reset":
        response = post(admin, f"/admin/users/{target.id}/password")
    else:
        page = admin.get(f"/admin/users/{target.id}").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "name": "Rapporteur", "agency": "",
                "role": "coordinator" if change == "role" else "rapporteur"}
        if change == "role":
            data["active"] = "y"
        response = admin.post(f"/admin/users/{target.id}", data=data)
    assert response.status_code == 302
    assert victim.get(PAGE).status_code == 302 and thief.get(PAGE).status_code == 302
    assert admin.get(PAGE).status_code == 200  # the admin's own login is untouched


def test_an_admin_login_ends_after_30_idle_minutes_others_after_8_hours(app, make_user):
    admin = logged_in(app, make_user, role="admin")
    agency_like = logged_in(app, make_user, role="rapporteur")
    for email, minutes in (("admin@example.org", 31), ("rapporteur@example.org", 7 * 60)):
        db.session.execute(sa.update(UserSession).where(UserSession.user_id == user(email).id)
                           .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=minutes)))
    db.session.commit()
    assert admin.get(PAGE).status_code == 302
    assert agency_like.get(PAGE).status_code == 200  # 7 idle hours are within the 8
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user("rapporteur@example.org").id)
                       .values(last_seen_at=datetime.now(UTC) - timedelta(hours=9)))
    db.session.commit()
    assert agency_like.get(PAGE).status_code == 302


def test_a_login_ends_at_the_end_of_its_lifetime_even_when_used(app, make_user):
    client = logged_in(app, make_user, remember=True)
    db.session.execute(sa.update(UserSession).values(created_at=datetime.now(UTC) - timedelta(days=15)))
    db.session.commit()
    assert client.get(PAGE).status_code == 302


def test_a_session_cookie_signed_longer_ago_than_the_lifetime_is_refused(app, make_user, monkeypatch):
    client = logged_in(app, make_user)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    later = time.time() + 13 * 3600  # past the 12 hours a login lasts
    monkeypatch.setattr(time, "time", lambda: later)
    assert thief.get(PAGE).status_code == 302


def test_the_remember_me_cookie_is_short_lived_lax_and_http_only(app, make_user):
    make_user("coordinator")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "coordinator@example.org", "password": PASSWORD,
                                           "remember": "y", "csrf_token": csrf_token(page)})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    assert expires.replace(tzinfo=UTC) <= datetime.now(UTC) + timedelta(days=14, minutes=1)
