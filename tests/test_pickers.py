"""Every agency picker, through HTTP: each is marked for the browser's search and each option carries the agency's
short name and other names; Tom Select's files are served from node_modules (installed by npm from the lockfile),
never from the repository; the options cost a fixed number of queries whatever the number of agencies.

The searching itself, the keyboard, axe-core and the page without JavaScript: tests/test_browser_pickers.py."""
from html.parser import HTMLParser
from pathlib import Path

import pytest

from factories import AgencyFactory
from test_admin import token
from test_dashboard import count_queries
from tracker.catalogue.services import find_agency
from tracker.extensions import db
from tracker.models import AgencyAlias, User, name_key

ROOT = Path(__file__).resolve().parent.parent


class Selects(HTMLParser):
    """The <select> elements of a page: their attributes and their options' attributes and text, by id."""

    def __init__(self, html: str):
        super().__init__()
        self.selects: dict[str, dict] = {}
        self._select = self._option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = self.selects.setdefault(attrs.get("id"), {"attrs": attrs, "options": []})
        elif tag == "option" and self._select is not None:
            self._option = {"attrs": attrs, "text": ""}
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select":
            self._select = None


def picker(html: str, select_id: str) -> dict:
    select = Selects(html).selects.get(select_id)
    assert select is not None, f"no select #{select_id}"
    return select


def fia_option(select: dict) -> dict:
    return next(option for option in select["options"] if option["text"] == "Federal Investigation Agency (FIA)")


# Every agency picker: (who, the page, the select's id).
PICKERS = [
    ("coordinator", "/items/PAPER-g/agencies", "lead"),
    ("coordinator", "/items/PAPER-g/agencies", "supporting"),
    ("coordinator", "/items", "agency"),  # the filters
    ("coordinator", "/items", "bulk-agency"),  # the change to the items ticked
    ("coordinator", "/dashboard", "agency"),
    ("coordinator", "/changes", "agency"),
    ("agency", "/assessments", "agency"),
    ("agency", "/indicators", "agency"),
    ("coordinator", "/indicators/new", "agency"),
    ("coordinator", "/indicators/PROS-PSMA-CONVICTIONS/edit", "agency"),
    ("admin", "/admin/users", "agency"),  # the new account's
    ("admin", "/admin/users", "find-agency"),  # the search's
    ("admin", "/admin/users/{user}", "agency"),
    ("admin", "/admin/agencies", "parent"),
    ("admin", "/admin/agencies/{agency}", "agency-parent"),
    ("admin", "/admin/agencies/{agency}", "merge-target"),
]


@pytest.mark.parametrize(("role", "path", "select_id"), PICKERS, ids=[f"{p}#{s}" for _, p, s in PICKERS])
def test_every_agency_picker_is_searchable_by_short_name_and_other_names(as_role, make_user, role, path, select_id):
    focal = make_user("agency", email="focal@fia.example", agency="FIA")  # an account of the FIA, for the users' filter
    client = as_role(role, agency="NADRA" if role == "agency" else None)
    page = client.get(path.format(user=focal.id, agency=find_agency("NADRA").id))
    assert page.status_code == 200
    select = picker(page.get_data(as_text=True), select_id)
    assert select["attrs"].get("data-picker") == "agency"
    fia = fia_option(select)["attrs"]
    assert fia["data-short"] == "FIA"
    aliases = fia["data-aliases"].split(" · ")
    assert {"DG FIA", "Director General, FIA", "Federal Investigation Agency (FIA)"} <= set(aliases)


def test_a_multiple_picker_without_javascript_is_a_list_long_enough_to_scan(as_role):
    select = picker(as_role("coordinator").get("/items/PAPER-g/agencies").get_data(as_text=True), "supporting")
    assert "multiple" in select["attrs"] and select["attrs"]["size"] == "12"
    assert len(select["options"]) == 120  # every agency, none left out (Tom Select would show 50 unless told)


def test_the_bulk_change_picker_has_an_id_of_its_own(as_role):
    html = as_role("coordinator").get("/items").get_data(as_text=True)
    assert html.count('id="agency"') == 1  # the filter's; the bulk change's is "bulk-agency"
    assert '<label class="form-label small mb-0" for="bulk-agency">Agency</label>' in html


def test_the_lists_filter_offers_agencies_with_items_and_its_bulk_change_every_agency_as_they_are_now(as_role):
    """The list reads its agencies once for both selects; their options are remembered by what they show, so an
    agency renamed, or given another name, through the admin pages shows so on the next page."""
    admin, coordinator = as_role("admin"), as_role("coordinator")

    def options(select_id: str) -> dict[str, dict]:
        select = picker(coordinator.get("/items").get_data(as_text=True), select_id)
        return {option["text"]: option["attrs"] for option in select["options"]}

    assert options("agency") == options("agency")  # the second page from what was remembered, the same
    response = admin.post("/admin/agencies", data={"csrf_token": token(admin, "/admin/agencies"),
                                                   "name": "Bureau without items", "short_name": "",
                                                   "kind": "federal_agency", "province": "", "parent": ""})
    assert response.status_code == 302
    assert "Bureau without items" in options("bulk-agency") and "Bureau without items" not in options("agency")
    fia = find_agency("FIA")
    path = f"/admin/agencies/{fia.id}"
    admin.post(path, data={"agency-csrf_token": token(admin, path), "agency-name": "Federal Investigation Bureau",
                           "agency-short_name": "FIA", "agency-kind": "federal_agency", "agency-province": "",
                           "agency-parent": ""})
    admin.post(f"{path}/aliases", data={"alias-csrf_token": token(admin, path), "alias-alias": "F.I.A. HQ"})
    for select_id in ("agency", "bulk-agency"):
        shown = options(select_id)
        assert "Federal Investigation Agency (FIA)" not in shown
        assert "F.I.A. HQ" in shown["Federal Investigation Bureau (FIA)"]["data-aliases"].split(" · ")


def test_the_pickers_options_cost_the_same_queries_whatever_the_number_of_agencies(as_role):
    client = as_role("coordinator")
    path = "/items/PAPER-g/agencies"
    before = count_queries(client, path)
    for agency in AgencyFactory.create_batch(30):
        agency.aliases.append(AgencyAlias(alias=f"Also {agency.name}", key=name_key(f"Also {agency.name}")))
    db.session.commit()
    assert count_queries(client, path) == before


def test_tom_select_is_served_from_node_modules_and_cached(as_role, app):
    client = as_role("agency", agency="NADRA")
    script = client.get("/vendor/tom-select/js/tom-select.complete.min.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert b"TomSelect" in script.data
    assert script.headers["Cache-Control"] == "public, max-age=86400"
    style = client.get("/vendor/tom-select/css/tom-select.bootstrap5.min.css")
    assert style.status_code == 200 and style.mimetype == "text/css"
    assert client.get("/vendor/tom-select/../package.json").status_code == 404
    assert client.get("/vendor/tom-select/js/nothing.js").status_code == 404
    page = client.get("/items").get_data(as_text=True)
    assert '<script src="/vendor/tom-select/js/tom-select.complete.min.js"></script>' in page
    assert '<script src="/static/js/pickers.js"></script>' in page
    assert 'href="/vendor/tom-select/css/tom-select.bootstrap5.min.css"' in page
    assert Path(app.config["NODE_MODULES_DIR"]) == ROOT / "node_modules"


def test_the_login_page_loads_no_picker(client):
    page = client.get("/login").get_data(as_text=True)
    assert "tom-select" not in page and "pickers.js" not in page


def test_no_copy_of_tom_select_is_kept_in_the_repository():
    """Its files come from the npm registry at install time, pinned by the lockfile; node_modules is ignored."""
    assert "node_modules/" in (ROOT / ".gitignore").read_text().splitlines()
    assert '"node_modules/tom-select"' in (ROOT / "package-lock.json").read_text()
    skipped = {".git", ".venv", "node_modules", "build", ".pytest_cache"}
    copies = [path for path in ROOT.rglob("*tom-select*") if not skipped & set(path.relative_to(ROOT).parts)]
    assert copies == []


def test_the_users_agency_filter_offers_the_agencies_that_have_accounts(as_role, make_user):
    make_user("agency", email="focal@fia.example", agency="FIA")
    select = picker(as_role("admin").get("/admin/users").get_data(as_text=True), "find-agency")
    named = [option["text"] for option in select["options"]]
    assert named == ["All agencies", "Federal Investigation Agency (FIA)"]
    assert db.session.query(User).count() == 2


def test_a_form_pickers_options_are_written_as_wtforms_writes_them(app):
    """The picker's own option writer gives, byte for byte, what WTForms' select gives: values, a chosen one, an
    empty choice, and names whose quotes, ampersands and angle brackets must be escaped."""
    from flask_wtf import FlaskForm
    from wtforms import SelectField, SelectMultipleField
    from wtforms.widgets import Select

    from tracker.forms import agency_picker, optional_int

    with app.app_context():
        fbi = AgencyFactory(name='Bureau "A" & <Sons>', short_name="B&S")
        AgencyFactory(name="Plain agency", short_name="")
        db.session.add(AgencyAlias(agency=fbi, alias="The <B> & \"co\"", key=name_key("The <B> & co")))
        db.session.commit()

        class PickerForm(FlaskForm):
            one = SelectField("One", coerce=optional_int, validate_choice=False)
            many = SelectMultipleField("Many", coerce=int, validate_choice=False)

        with app.test_request_context():
            form = PickerForm(meta={"csrf": False}, data={"one": fbi.id, "many": [fbi.id]})
            agency_picker(form.one, "Choose")
            agency_picker(form.many)
            for field, plain in ((form.one, Select()), (form.many, Select(multiple=True))):
                written = str(field())
                assert 'selected' in written and "&amp;" in written and "&lt;B&gt;" in written
                assert written == str(plain(field, **field.render_kw))
