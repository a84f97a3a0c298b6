"""The users commands and the first admin account; the password policy on every path that sets one."""
import pytest
import sqlalchemy as sa

from conftest import csrf_token
from tracker.enums import Role
from tracker.extensions import db
from tracker.models import User


def test_create_and_list_users(seeded, runner):
    result = runner.invoke(args=["users", "create", "focal@nadra.example", "--role", "agency", "--agency", "NADRA",
                                 "--name", "Focal Person", "--password", "long passphrase"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "focal@nadra.example"))
    assert user.role == Role.AGENCY and user.agency.short_name == "NADRA" and user.check_password("long passphrase")
    listed = runner.invoke(args=["users", "list"]).output
    assert "focal@nadra.example" in listed and "National Database" in listed


def test_password_is_prompted_when_omitted(seeded, runner):
    result = runner.invoke(args=["users", "create", "coord@example.org", "--role", "coordinator"],
                           input="s3cret-phrase\ns3cret-phrase\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "coord@example.org")).check_password("s3cret-phrase")


def test_unknown_role_and_agency_are_clear_errors(seeded, runner):
    role = runner.invoke(args=["users", "create", "a@example.org", "--role", "boss", "--password", "xkcd-936-horse"])
    assert role.exit_code != 0 and "boss" in role.output
    agency = runner.invoke(args=["users", "create", "a@example.org", "--role", "agency", "--agency", "Nowhere Dept",
                                 "--password", "xkcd-936-horse"])
    assert agency.exit_code != 0 and "unknown agency 'Nowhere Dept'" in agency.output
    missing = runner.invoke(args=["users", "create", "a@example.org", "--role", "agency",
                                  "--password", "xkcd-936-horse"])
    assert missing.exit_code != 0 and "needs an agency" in missing.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_duplicate_email_is_refused(seeded, runner):
    args = ["users", "create", "a@example.org", "--role", "rapporteur", "--password", "xkcd-936-horse"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output


def test_ensure_admin_generates_a_one_time_password_once(app, runner, monkeypatch):
    monkeypatch.delenv("TRACKER_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("TRACKER_ADMIN_PASSWORD", raising=False)
    first = runner.invoke(args=["users", "ensure-admin"])
    assert first.exit_code == 0, first.output
    password = first.output.split("shown only this once: ")[1].strip()
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    assert admin.check_password(password) and admin.temporary_password
    second = runner.invoke(args=["users", "ensure-admin"])
    assert "shown only this once" not in second.output and admin.email in second.output


def test_ensure_admin_takes_credentials_from_the_environment(app, runner, monkeypatch):
    monkeypatch.setenv("TRACKER_ADMIN_EMAIL", "root@tracker.example")
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "from-the-env-123")
    result = runner.invoke(args=["users", "ensure-admin"])
    assert "shown only this once" not in result.output
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    assert admin.email == "root@tracker.example" and admin.check_password("from-the-env-123")
    assert not admin.temporary_password  # chosen by whoever set the environment: not a one-time password


@pytest.mark.parametrize("password, problem", [("short-one", "at least 12 characters"),
                                               ("qwerty123456", "among the most common"),
                                               ("LeaveMeAlone", "among the most common")])
def test_every_path_that_sets_a_password_applies_the_policy(seeded, runner, make_user, app, password, problem):
    from tracker.auth.passwords import LinkPurpose, password_token

    result = runner.invoke(args=["users", "create", "p@example.org", "--role", "rapporteur", "--password", password])
    assert result.exit_code != 0 and problem in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "p@example.org")) is None
    user = make_user("coordinator", email="c@example.org")
    before = user.password_hash
    reset = runner.invoke(args=["users", "reset-password", "c@example.org", "--password", password])
    assert reset.exit_code != 0 and problem in reset.output
    # The page a welcome or reset link opens.
    path = f"/password/set/{password_token(user, LinkPurpose.WELCOME)}"
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(page), "password": password, "confirm": password})
    assert response.status_code == 422 and problem in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.password_hash == before
