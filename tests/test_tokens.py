"""The account's API tokens page: make one (its secret shown once), list, revoke; who may."""
import re

import pytest
import sqlalchemy as sa

from conftest import csrf_token
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.tokens.services import issue_token

SECRET = re.compile(r"trk_[A-Za-z0-9_-]{40,}")


def make_token(client, name: str = "monthly report script"):
    page = client.get("/account/tokens").get_data(as_text=True)
    return client.post("/account/tokens", data={"name": name, "csrf_token": csrf_token(page)})


def api_status(app, secret: str) -> int:
    """What the API answers this token, from a client with no session."""
    return app.test_client().get("/api/v1/items", headers={"Authorization": f"Bearer {secret}"}).status_code


def tokens_of(email_start: str) -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ApiToken).join(ApiToken.user).where(
        sa.literal_column("users.email").like(f"{email_start}%"))))


def test_a_new_token_is_shown_once_and_works(app, as_role):
    client = as_role("coordinator")
    empty = client.get("/account/tokens")
    assert empty.status_code == 200 and "no tokens yet" in empty.get_data(as_text=True)
    made = make_token(client)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    (secret,) = set(SECRET.findall(html))
    assert "shown only this once" in html and "monthly report script" in html
    assert api_status(app, secret) == 200
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "monthly report script" in listed and "Live" in listed
    assert secret not in listed and not SECRET.search(listed)
    (stored,) = tokens_of("coordinator-")
    assert stored.name == "monthly report script" and stored.last_used_at is not None
    assert secret not in stored.token_hash


def test_revoking_stops_the_token_at_once(app, as_role):
    client = as_role("admin")
    secret = SECRET.search(make_token(client, "nightly sync").get_data(as_text=True)).group(0)
    (token,) = tokens_of("admin-")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert f'action="/account/tokens/{token.id}/revoke"' in page
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/tokens")
    (token,) = tokens_of("admin-")
    assert token.revoked
    assert api_status(app, secret) == 401
    after = client.get("/account/tokens").get_data(as_text=True)
    assert "nightly sync" in after and "Revoked" in after and f"/account/tokens/{token.id}/revoke" not in after


def test_one_may_revoke_only_ones_own_live_tokens(app, as_role, make_user):
    client = as_role("coordinator")
    other = make_user("coordinator", email="other@example.org")
    token, secret = issue_token(other, "theirs")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "theirs" not in page
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert api_status(app, secret) == 200


@pytest.mark.parametrize("name, message", [("", "Name the token"), ("x" * 81, "the limit is 80")])
def test_a_token_needs_a_short_name(as_role, name, message):
    client = as_role("coordinator")
    response = make_token(client, name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert not SECRET.search(response.get_data(as_text=True)) and tokens_of("coordinator-") == []


def test_changes_need_the_csrf_token(app, as_role):
    client = as_role("coordinator")
    assert client.post("/account/tokens", data={"name": "no csrf"}).status_code == 400
    assert tokens_of("coordinator-") == []
    secret = SECRET.search(make_token(client).get_data(as_text=True)).group(0)
    (token,) = tokens_of("coordinator-")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": "forged"}).status_code == 400
    assert not tokens_of("coordinator-")[0].revoked and api_status(app, secret) == 200


@pytest.mark.parametrize("role, agency", [("agency", "NADRA"), ("rapporteur", None)])
def test_other_roles_get_a_403(app, as_role, make_user, role, agency):
    client = as_role(role, agency)
    assert client.get("/account/tokens").status_code == 403
    page = client.get("/items").get_data(as_text=True)
    assert "/account/tokens" not in page  # no menu link either
    assert client.post("/account/tokens", data={"name": "x", "csrf_token": csrf_token(page)}).status_code == 403
    assert tokens_of(f"{role}-") == []


def test_anonymous_is_sent_to_log_in(seeded, client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_menu_links_the_page_for_coordinators_and_admins(as_role):
    for role in ("coordinator", "admin"):
        assert 'href="/account/tokens"' in as_role(role).get("/").get_data(as_text=True)
