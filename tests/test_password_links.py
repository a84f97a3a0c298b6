"""Setting a password without anyone handing one over: signed, expiring, single-use links by e-mail, the
login page's "Forgot your password?", and one-time passwords that lead to choosing one's own."""
import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from conftest import MAIL_BASE, PASSWORD, body, csrf_token, log_in
from tracker.auth.passwords import LinkPurpose, password_fingerprint, password_token
from tracker.enums import AuditEventKind
from tracker.extensions import db
from tracker.models import AuditEvent, User, UserSession

NEW = "a brand new passphrase"


def link_in(message) -> str:
    """The path of the set-password link an e-mail carries (the same in its plain and HTML parts)."""
    url = re.search(r"https?://\S+/password/set/[\w.-]+", body(message)).group(0)
    assert f'href="{url}"' in body(message, "html")
    return url.removeprefix(MAIL_BASE)


def choose(client, path: str, password: str = NEW, confirm: str | None = None):
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "password": password,
                                   "confirm": password if confirm is None else confirm})


def fetch(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def audit(kind: AuditEventKind) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == kind).order_by(AuditEvent.id)).all()


def ask_for_link(client, email: str):
    page = client.get("/password/forgot").get_data(as_text=True)
    # Followed to the login page, so the test client closes the answer: the e-mail goes out after it.
    return client.post("/password/forgot", data={"csrf_token": csrf_token(page), "email": email},
                       follow_redirects=True)


def test_a_link_works_once_and_its_use_ends_every_login(app, make_user, client):
    user = make_user("coordinator")
    elsewhere = app.test_client()
    assert log_in(elsewhere, "coordinator@example.org").status_code == 302
    path = f"/password/set/{password_token(user, LinkPurpose.RESET)}"
    page = client.get(path).get_data(as_text=True)
    assert "Choose a new password" in page and "coordinator@example.org" in page
    mismatch = choose(client, path, NEW, "another passphrase")
    assert mismatch.status_code == 422 and "The two passwords differ." in mismatch.get_data(as_text=True)
    done = choose(client, path)
    assert done.status_code == 302 and done.location.endswith("/login")
    assert fetch("coordinator@example.org").check_password(NEW)
    assert elsewhere.get("/items").status_code == 302  # the login made with the old password is over
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.ended_at.is_(None))) == 0
    again = client.get(path)
    assert again.status_code == 400 and "used already" in again.get_data(as_text=True)
    assert log_in(app.test_client(), "coordinator@example.org", PASSWORD).status_code == 200  # the old one is gone
    assert log_in(app.test_client(), "coordinator@example.org", NEW).status_code == 302
    (event,) = audit(AuditEventKind.PASSWORD_SET)
    assert event.subject == f"user:{user.id}" and "with a reset link; 1 login(s) ended" in event.detail


def test_a_link_dies_when_the_password_changes_some_other_way(app, make_user, runner, client):
    user = make_user("coordinator")
    path = f"/password/set/{password_token(user, LinkPurpose.WELCOME)}"
    assert runner.invoke(args=["users", "reset-password", user.email, "--password", NEW]).exit_code == 0
    response = client.get(path)
    assert response.status_code == 400 and "password was changed since" in response.get_data(as_text=True)


def test_links_expire(app, make_user, client, monkeypatch):
    user = make_user("coordinator")
    now = time.time()
    for purpose, age in ((LinkPurpose.RESET, 2 * 3600 + 60), (LinkPurpose.WELCOME, 7 * 86400 + 60)):
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self, age=age: int(now - age))
        old = password_token(user, purpose)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self, age=age: int(now - age + 120))
        fresh = password_token(user, purpose)
        monkeypatch.undo()
        response = client.get(f"/password/set/{old}")
        assert response.status_code == 400 and "This link has expired." in response.get_data(as_text=True)
        assert client.get(f"/password/set/{fresh}").status_code == 200


@pytest.mark.parametrize("forge", ["altered", "other salt", "cut short", "deactivated"])
def test_a_link_that_is_not_ours_or_whose_account_is_closed_is_refused(app, make_user, client, forge):
    user = make_user("coordinator")
    token = password_token(user, LinkPurpose.RESET)
    if forge == "altered":  # signed with another key
        token = URLSafeTimedSerializer("not our key", salt="set-password/reset").dumps(
            {"user": user.id, "password": password_fingerprint(user)})
    elif forge == "other salt":  # signed with our key for another purpose
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something else").dumps(
            {"user": user.id, "password": password_fingerprint(user)})
    elif forge == "cut short":
        token = token[:-6]
    else:
        user.active = False
        db.session.commit()
    page = client.get(f"/password/set/{token}")
    assert page.status_code == 400 and "Forgot your password?" in page.get_data(as_text=True)
    response = client.post(f"/password/set/{token}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert fetch(user.email).check_password(PASSWORD)


def test_forgot_password_never_says_whether_an_account_has_the_address(app, make_user, smtp):
    make_user("coordinator")
    answers = {}
    for email in ("coordinator@example.org", "nobody@example.org"):
        response = ask_for_link(app.test_client(), email)
        # The page as it reads, leaving out the form's CSRF token (each browser's own).
        answers[email] = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "",
                                response.get_data(as_text=True).replace(email, "EMAIL"))
        assert response.status_code == 200 and response.request.path == "/login"
        assert "If an active account has the address EMAIL, a link to set a new password is on its way" in \
            answers[email]
    assert answers["coordinator@example.org"] == answers["nobody@example.org"]
    assert smtp.to("nobody@example.org") == []
    (message,) = smtp.to("coordinator@example.org")
    assert "Someone, probably you, asked to set a new password" in body(message)
    # Until the link is used, the old password still works.
    assert log_in(app.test_client(), "coordinator@example.org").status_code == 302
    client = app.test_client()
    assert choose(client, link_in(message)).status_code == 302
    assert log_in(app.test_client(), "coordinator@example.org", NEW).status_code == 302
    details = [event.detail for event in audit(AuditEventKind.PASSWORD_LINK_SENT)]
    assert any("reset link, asked for on the login page; e-mailed" in d for d in details)
    assert any("none sent, no account has this e-mail" in d for d in details)


def test_the_login_page_offers_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page


@pytest.mark.parametrize("email", ["coordinator@example.org", "nobody@example.org"])
def test_asking_for_links_is_throttled_like_logging_in(app, make_user, smtp, email):
    make_user("coordinator")
    app.config.update(LOGIN_FREE_ATTEMPTS=3)
    client = app.test_client()
    statuses = [ask_for_link(client, email).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = ask_for_link(client, email)
    assert refused.status_code == 429 and "Too many requests: wait" in refused.get_data(as_text=True)
    assert len(smtp.to(email)) == (3 if email.startswith("coordinator") else 0)
    # Logging in counts apart: the requests did not use up the account's free login attempts.
    assert log_in(app.test_client(), "coordinator@example.org").status_code == 302


def test_a_one_time_password_logs_in_once_to_choose_ones_own(app, runner, monkeypatch):
    monkeypatch.delenv("TRACKER_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("TRACKER_ADMIN_PASSWORD", raising=False)
    output = runner.invoke(args=["users", "ensure-admin"]).output
    one_time = output.split("shown only this once: ")[1].strip()
    client = app.test_client()
    response = log_in(client, "admin@example.org", one_time)
    assert response.status_code == 302 and "/password/set/" in response.location
    assert client.get("/").status_code == 302  # no session was opened with it
    page = client.get(response.location).get_data(as_text=True)
    assert "That password works only once: choose your own now." in page
    assert choose(client, response.location).status_code == 302
    admin = fetch("admin@example.org")
    assert admin.check_password(NEW) and not admin.temporary_password
    assert log_in(app.test_client(), "admin@example.org", NEW).status_code == 302
    assert log_in(app.test_client(), "admin@example.org", one_time).status_code == 200


def test_the_reset_command_recovers_a_lost_admin_password(app, runner, make_user):
    make_user("admin")
    logged_in = app.test_client()
    assert log_in(logged_in, "admin@example.org").status_code == 302
    result = runner.invoke(args=["users", "reset-password", "Admin@Example.org"])
    assert result.exit_code == 0, result.output
    generated = result.output.strip().splitlines()[-1]
    assert "shown only this once" in result.output and len(generated) >= 16
    assert logged_in.get("/items").status_code == 302  # its logins ended
    response = log_in(app.test_client(), "admin@example.org", generated)
    assert "/password/set/" in response.location  # one-time: it leads to choosing one's own
    chosen = runner.invoke(args=["users", "reset-password", "admin@example.org", "--password", NEW])
    assert chosen.exit_code == 0 and "Password of admin@example.org changed." in chosen.output
    assert log_in(app.test_client(), "admin@example.org", NEW).status_code == 302
    missing = runner.invoke(args=["users", "reset-password", "nobody@example.org"])
    assert missing.exit_code != 0 and "no user with e-mail nobody@example.org" in missing.output
    resets = audit(AuditEventKind.PASSWORD_RESET)
    assert [("command line" in e.actor, e.detail.split(";")[0]) for e in resets] == [
        (True, "admin@example.org: on the command line, a one-time password generated"),
        (True, "admin@example.org: on the command line, a password given")]


def test_when_the_welcome_email_fails_the_admin_gets_the_link_to_pass_on(as_role, app):
    admin = as_role("admin")  # no mail server listens (conftest points SMTP at a closed port)
    page = admin.get("/admin/users").get_data(as_text=True)
    html = admin.post("/admin/users", data={"csrf_token": csrf_token(page), "email": "r@example.org",
                                            "role": "rapporteur"}, follow_redirects=True).get_data(as_text=True)
    assert "Account r@example.org created. The e-mail with the link to set a password could not be sent" in html
    link = re.search(r"(/password/set/[\w.-]+)", html).group(1)
    assert choose(app.test_client(), link).status_code == 302
    assert log_in(app.test_client(), "r@example.org", NEW).status_code == 302


def test_of_two_uses_of_one_link_at_once_only_the_first_sets_a_password(app, make_user):
    from tracker.auth.passwords import LinkRefused, set_password

    user = make_user("coordinator")
    made_for = user.password_hash
    # The second use read the link while the first was setting a password: the hash is no longer the one
    # the link was made for, and the second is refused rather than setting a password of its own.
    with pytest.raises(LinkRefused, match="used already"):
        set_password(user, NEW, replacing=made_for + "-no-longer")
    db.session.rollback()
    assert fetch(user.email).password_hash == made_for
    set_password(user, NEW, replacing=made_for)
    db.session.commit()
    assert fetch(user.email).check_password(NEW)
