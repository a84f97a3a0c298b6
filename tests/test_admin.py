"""Admins manage accounts and agencies in the browser."""
import re

import sqlalchemy as sa

from conftest import MAIL_BASE, PASSWORD, body, csrf_token, fresh_item, log_in
from tracker.catalogue.services import find_agency
from tracker.enums import AssignmentRole, Role
from tracker.extensions import db
from tracker.models import Agency, User


def token(client, path):
    return csrf_token(client.get(path).get_data(as_text=True))


def test_admin_creates_an_agency_user_who_sets_the_password_from_the_welcome_email(as_role, app, smtp):
    admin = as_role("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'name="password"' not in page  # the admin never types nor sees a password
    nadra = find_agency("NADRA")
    response = admin.post("/admin/users", data={"csrf_token": csrf_token(page), "email": "focal@nadra.example",
                                                "name": "Focal", "role": "agency", "agency": str(nadra.id)},
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Account focal@nadra.example created. An e-mail with a link to set a password went to" in html
    user = db.session.scalar(sa.select(User).where(User.email == "focal@nadra.example"))
    assert user.agency is nadra and not user.check_password(PASSWORD)
    (message,) = smtp.to("focal@nadra.example")
    link = re.search(r"https://\S+/password/set/\S+", body(message)).group(0)
    assert "National Database" in body(message) and link not in html
    path = link.removeprefix(MAIL_BASE)
    client = app.test_client()
    form = client.get(path).get_data(as_text=True)
    assert "Welcome: choose your password" in form and "focal@nadra.example" in form
    done = client.post(path, data={"csrf_token": csrf_token(form), "password": "a long new passphrase",
                                   "confirm": "a long new passphrase"})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert log_in(app.test_client(), "focal@nadra.example", "a long new passphrase").status_code == 302


def test_rejected_account_form_keeps_input(as_role):
    admin = as_role("admin")
    response = admin.post("/admin/users", data={"csrf_token": token(admin, "/admin/users"), "email": "new@example.org",
                                                "name": "Keep Me", "role": "agency", "agency": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "An agency user needs an agency" in html
    assert 'value="new@example.org"' in html and 'value="Keep Me"' in html
    assert db.session.scalar(sa.select(User).where(User.email == "new@example.org")) is None


def test_deactivate_change_role_and_reset_password(as_role, app, make_user, smtp):
    admin = as_role("admin")
    user = make_user("coordinator", email="c@example.org")
    path = f"/admin/users/{user.id}"
    response = admin.post(path, data={"csrf_token": token(admin, path), "name": "Now Rapporteur", "role": "rapporteur",
                                      "agency": ""})  # "active" unticked
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.role, user.active, user.name) == (Role.RAPPORTEUR, False, "Now Rapporteur")
    assert log_in(app.test_client(), "c@example.org").status_code == 200  # refused: deactivated
    # A deactivated account gets no link (it could not use one): nothing changes.
    html = admin.post(f"{path}/password", data={"csrf_token": token(admin, path)},
                      follow_redirects=True).get_data(as_text=True)
    assert "This account is deactivated" in html and smtp.messages == []
    db.session.expire_all()
    assert user.check_password(PASSWORD)
    admin.post(path, data={"csrf_token": token(admin, path), "name": "Now Rapporteur", "role": "rapporteur",
                           "agency": "", "active": "y"})
    html = admin.post(f"{path}/password", data={"csrf_token": token(admin, path)},
                      follow_redirects=True).get_data(as_text=True)
    assert "The password of c@example.org no longer works" in html and "An e-mail with a link" in html
    db.session.expire_all()
    assert not user.check_password(PASSWORD)
    (message,) = smtp.to("c@example.org")
    assert "/password/set/" in body(message)


def test_the_last_admin_cannot_be_demoted(as_role):
    admin = as_role("admin")
    me = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    path = f"/admin/users/{me.id}"
    response = admin.post(path, data={"csrf_token": token(admin, path), "role": "coordinator", "agency": "",
                                      "active": "y"})
    assert response.status_code == 422 and "last active admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert me.role == Role.ADMIN


def test_add_rename_alias_and_merge_agencies(as_role):
    admin = as_role("admin")
    response = admin.post("/admin/agencies", data={"csrf_token": token(admin, "/admin/agencies"),
                                                   "name": "Federal Investigation Agency (duplicate)", "short_name": "",
                                                   "kind": "federal_agency", "province": "", "parent": ""})
    assert response.status_code == 302
    duplicate = find_agency("Federal Investigation Agency (duplicate)")
    path = f"/admin/agencies/{duplicate.id}"
    admin.post(f"{path}/aliases", data={"alias-csrf_token": token(admin, path), "alias-alias": "F.I.A. HQ"})
    assert find_agency("f.i.a. hq") is duplicate
    clash = admin.post(f"{path}/aliases", data={"alias-csrf_token": token(admin, path), "alias-alias": "DG FIA"},
                       follow_redirects=True)
    assert "already names Federal Investigation Agency" in clash.get_data(as_text=True)
    # Rename keeps the old name as an alias.
    admin.post(path, data={"agency-csrf_token": token(admin, path), "agency-name": "FIA duplicate",
                           "agency-kind": "federal_agency", "agency-province": "", "agency-parent": ""})
    assert find_agency("Federal Investigation Agency (duplicate)") is duplicate
    # Merge moves assignments and names.
    item = fresh_item("PAPER-c")
    item.assignments[0].agency = duplicate
    db.session.commit()
    fia = find_agency("FIA")
    admin.post(f"{path}/merge", data={"merge-csrf_token": token(admin, path), "merge-target": str(fia.id)})
    db.session.expire_all()
    assert db.session.get(Agency, duplicate.id) is None
    assert find_agency("F.I.A. HQ") is fia and find_agency("FIA duplicate") is fia
    assert fia in [a.agency for a in fresh_item("PAPER-c").assignments]
    roles = [a.role for a in fresh_item("PAPER-c").assignments if a.agency is fia]
    assert roles == [AssignmentRole.LEAD] or roles == [AssignmentRole.SUPPORTING]


def test_admin_pages_are_for_admins_only(as_role):
    for role in ("coordinator", "rapporteur"):
        client = as_role(role)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/agencies").status_code == 403
        assert client.post("/admin/agencies", data={"csrf_token": token(client, "/items"), "name": "X",
                                                    "kind": "ngo"}).status_code == 403
    assert find_agency("X") is None
