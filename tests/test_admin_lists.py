"""The admin's lists of agencies and accounts, through HTTP: searched by name, short name and other names (accounts
by name, e-mail, role and agency), filtered, paged, with the filters in the URL and a word when nothing matches."""
import html as markup
import re

import pytest
import sqlalchemy as sa

from conftest import csrf_token
from factories import AgencyFactory
from test_dashboard import count_queries
from tracker.auth.services import create_user
from tracker.catalogue.services import find_agency
from tracker.extensions import db
from tracker.models import Agency, AgencyAlias, Province, name_key


def rows(html: str) -> list[str]:
    """The first cell's text of each row of the page's table."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    if body is None:
        return []
    return [markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip())
            for cell in re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>", body.group(1), re.S)]


def page_links(html: str, label: str) -> list[str]:
    nav = re.search(rf'<nav aria-label="{label}">(.*?)</nav>', html, re.S)
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', nav.group(1))] if nav else []


@pytest.fixture
def admin(as_role):
    return as_role("admin")


def agencies(admin, **args) -> str:
    response = admin.get("/admin/agencies", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("q", "found"), [
    ("investigation", "Federal Investigation Agency (FIA)"),  # a word of its name, any case
    ("fia", "Federal Investigation Agency (FIA)"),  # its short name
    ("DG FIA", "Federal Investigation Agency (FIA) also called “DG FIA”"),  # another name: said why it is there
    ("director general fia", "Federal Investigation Agency (FIA) also called “Director General FIA”"),
    ("national rapporteur", "Federal Investigation Agency (FIA) also called “National Rapporteur”"),
    ("nadra", "National Database and Registration Authority (NADRA)"),
])
def test_agencies_are_found_by_name_short_name_and_other_names(admin, q, found):
    assert found in rows(agencies(admin, q=q))


def test_every_word_must_match_and_nothing_else_comes(admin):
    assert rows(agencies(admin, q="FIA circles")) == ["FIA Anti-Human Trafficking Circles (FIA AHTC)",
                                                      "FIA Passport Cells and Circles (FIA Passport Circles)"]
    html = agencies(admin, q="100%_")  # LIKE's wildcards are letters here
    assert rows(html) == []
    assert "No agency matches these filters." in html and 'href="/admin/agencies">Show all agencies</a>' in html


def test_agencies_are_filtered_by_kind_and_province_and_a_bad_value_is_named(admin):
    html = agencies(admin, kind="provincial_body", province="PB")
    punjab = db.session.scalars(sa.select(Agency).join(Province).where(
        Agency.kind == "provincial_body", Province.code == "PB").order_by(Agency.name)).all()
    assert len(punjab) > 1 and rows(html) == [agency.display_name for agency in punjab]
    assert "Punjab Police (PB Police)" in rows(html)
    assert '<option value="provincial_body" selected>' in html and '<option value="PB" selected>' in html
    html = agencies(admin, kind="ministry of magic", q="police")
    assert "Ignored: unknown kind &#39;ministry of magic&#39;." in html
    assert {"Punjab Police (PB Police)", "Sindh Police (SD Police)"} <= set(rows(html))  # the rest still apply


def test_the_agencies_are_paged_and_the_pages_keep_the_filters(admin):
    total = db.session.query(Agency).count()
    assert total == 120
    first = agencies(admin)
    assert len(rows(first)) == 50 and "<strong>120</strong> agencies · page 1 of 3" in first
    last = agencies(admin, page=3)
    assert len(rows(last)) == 20
    every = rows(first) + rows(agencies(admin, page=2)) + rows(last)
    assert len(set(every)) == 120  # each once, none left out
    assert len(rows(agencies(admin, per_page=500))) == 120  # capped at 200, not refused
    police = agencies(admin, q="police", per_page=3)
    assert "/admin/agencies?q=police&per_page=3&page=2" in page_links(police, "Pages of agencies")
    beyond = agencies(admin, page=9)
    assert rows(beyond) == [] and "There is no page 9" in beyond


def test_a_new_agency_can_still_be_added_from_a_searched_list(admin):
    path = "/admin/agencies?q=nothing-matches"
    response = admin.post(path, data={"csrf_token": csrf_token(agencies(admin)), "name": "Gilgit-Baltistan Police",
                                      "short_name": "GB Police", "kind": "law_enforcement", "province": "",
                                      "parent": ""})
    assert response.status_code == 302
    assert rows(agencies(admin, q="GB Police")) == ["Gilgit-Baltistan Police (GB Police)"]


@pytest.fixture
def accounts(admin):
    for email, role, name, agency in (
            ("focal@fia.example", "agency", "Ayesha Khan", "FIA"),
            ("ahtc@fia.example", "agency", "Bilal Ahmed", "FIA Anti-Human Trafficking Circles"),
            ("focal@nadra.example", "agency", "Sana Malik", "NADRA"),
            ("joint.secretary@interior.example", "coordinator", "Joint Secretary", None),
            ("monitoring@example.org", "rapporteur", "Monitoring Cell", None)):
        create_user(email, role, "a long enough password", name=name, agency_name=agency)
    return admin


def users(admin, **args) -> str:
    response = admin.get("/admin/users", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("args", "found"), [
    ({"q": "focal"}, ["focal@fia.example", "focal@nadra.example"]),  # a part of the e-mail
    ({"q": "malik"}, ["focal@nadra.example"]),  # the name, any case
    ({"q": "rapporteur"}, ["focal@fia.example", "monitoring@example.org"]),  # the FIA, "National Rapporteur"; the role
    ({"q": "coordinator"}, ["joint.secretary@interior.example"]),  # the role alone
    ({"q": "DG FIA"}, ["focal@fia.example"]),  # another name of the user's agency
    ({"q": "investigation"}, ["focal@fia.example"]),
    ({"q": "circles"}, ["ahtc@fia.example"]),
    ({"q": "FIA"}, ["ahtc@fia.example", "focal@fia.example"]),  # the e-mail, the short names
    ({"q": "ayesha khan"}, ["focal@fia.example"]),  # every word
    ({"role": "agency", "q": "nadra"}, ["focal@nadra.example"]),
    ({"role": "rapporteur"}, ["monitoring@example.org"]),
])
def test_accounts_are_found_by_name_e_mail_role_and_agency(accounts, args, found):
    assert rows(users(accounts, **args)) == found


def test_accounts_are_filtered_by_agency_and_state(accounts, make_user):
    fia = find_agency("FIA")
    assert rows(users(accounts, agency=fia.id)) == ["focal@fia.example"]
    gone = make_user("agency", email="gone@fia.example", agency="FIA")
    gone.active = False
    db.session.commit()
    assert rows(users(accounts, agency=fia.id, state="deactivated")) == ["gone@fia.example"]
    assert rows(users(accounts, agency=fia.id, state="active")) == ["focal@fia.example"]
    html = users(accounts, agency="999999", state="asleep")
    assert "Ignored: unknown agency 999999; unknown state &#39;asleep&#39;." in html
    assert len(rows(html)) == 7  # every account: the filters that made no sense were dropped


def test_accounts_are_paged_and_the_pages_keep_the_filters(accounts):
    first = users(accounts, role="agency", per_page=2)
    assert rows(first) == ["ahtc@fia.example", "focal@fia.example"]
    assert "<strong>3</strong> accounts match · page 1 of 2" in first
    assert "/admin/users?role=agency&per_page=2&page=2" in page_links(first, "Pages of accounts")
    assert rows(users(accounts, role="agency", per_page=2, page=2)) == ["focal@nadra.example"]


def test_no_account_matching_says_so(accounts):
    html = users(accounts, q="nobody@nowhere")
    assert rows(html) == []
    assert "No account matches these filters." in html and 'href="/admin/users">Show all accounts</a>' in html


def test_both_lists_cost_the_same_queries_whatever_their_size(accounts):
    pages = ("/admin/agencies?q=a", "/admin/users?q=a")
    before = [count_queries(accounts, path) for path in pages]
    for agency in AgencyFactory.create_batch(30):
        agency.aliases.append(AgencyAlias(alias=f"Also {agency.name}", key=name_key(f"Also {agency.name}")))
        create_user(f"focal{agency.id}@example.org", "agency", "a long enough password", agency_name=agency.name)
    db.session.commit()
    assert [count_queries(accounts, path) for path in pages] == before
