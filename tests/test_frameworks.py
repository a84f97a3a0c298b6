"""The frameworks' pages, the NAP 2021–2025 shown for what it is (the source of the pillars, its aim quoted, a call
to import its items), the template plan file, and no empty framework offered as a filter."""
import csv
import io
import re

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item, replace_in
from factories import ActionItemFactory
from test_import import snapshot
from tracker.contract import IMPORTED_COLUMNS
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import ActionItem, Framework
from tracker.seeding.loader import seed_catalogue

AIM = ("The 4P's framework, that is, 1) Protection, 2) Prevention, 3) Prosecution and 4) Partnership, has formed "
       "the basis of the said five-year plan with the aim to strengthen key institutions through capacity-building, "
       "awareness raising, coordination and international cooperation.")


def framework(code: str) -> Framework:
    db.session.expire_all()
    return db.session.scalar(sa.select(Framework).where(Framework.code == code))


def test_the_frameworks_page_lists_each_with_kind_source_year_and_items(as_role):
    client = as_role("agency", "FIA")
    html = client.get("/frameworks").get_data(as_text=True)
    rows = dict(re.findall(r'<tr id="framework-(\w+)">(.*?)</tr>', html, re.S))
    assert list(rows) == ["NAP05", "STEPS05", "PAPER", "NAP21"]
    paper_items = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem).join(ActionItem.framework)
                                    .where(Framework.code == "PAPER"))
    assert paper_items == 24
    assert "<td>Recommendations</td>" in rows["PAPER"] and '<a href="/items?framework=PAPER">24</a>' in rows["PAPER"]
    assert "Advancements in Countering Human Trafficking" in rows["PAPER"]
    assert '<td class="text-end">2024</td>' in rows["PAPER"]
    assert "<td>Plan</td>" in rows["NAP21"] and "none yet" in rows["NAP21"] and "/items?framework=NAP21" not in html
    assert "the source of the four pillars" in rows["NAP21"]
    # The nav's Catalogue menu leads there.
    home = client.get("/").get_data(as_text=True)
    assert '<a class="dropdown-item" href="/frameworks">Frameworks</a>' in home


def test_nap21_is_shown_as_the_source_of_the_pillars_with_its_aim_quoted(as_role):
    html = as_role("rapporteur").get("/frameworks/NAP21").get_data(as_text=True)
    quote = re.search(r'<figure id="framework-aim">(.*?)</figure>', html, re.S).group(1)
    assert AIM.replace("'", "&#39;") in quote
    assert "V. Domestic legal and policy framework, A. Special Anti-Trafficking and Anti-Smuggling Laws, " \
           "line 40" in quote and "Advancements in Countering Human Trafficking" in quote
    assert "002_6602401ef7528d48.txt" not in html.replace('href="/sources#002_6602401ef7528d48.txt"', "")
    pillars = re.search(r'<section [^>]*id="source-of-pillars">(.*?)</section>', html, re.S).group(1)
    assert re.findall(r'href="/pillars/(\w+)"', pillars) == ["prevention", "prosecution", "protection", "partnership"]
    assert 'id="no-items"' in html and "the documents give only its name, its framework and its aim" in html
    assert "/items?framework=NAP21" not in html
    # The pillars page names its source.
    pillars_page = as_role("coordinator").get("/pillars").get_data(as_text=True)
    assert re.search(r'id="pillars-source">[^<]*<a href="/frameworks/NAP21">NAP 2021–2025</a>', pillars_page)
    # A framework with items shows them, and no call to import.
    paper = as_role("admin").get("/frameworks/PAPER").get_data(as_text=True)
    assert '<a href="/items?framework=PAPER">24 items</a>' in paper and 'id="import-call"' not in paper
    assert 'id="recommendation-summary"' in paper and "not recorded 24" in paper
    assert 'id="source-of-pillars"' not in paper and 'id="framework-aim"' not in paper


def test_only_an_admin_is_called_to_import_its_items(as_role):
    admin = as_role("admin").get("/frameworks/NAP21").get_data(as_text=True)
    call = re.search(r'<div class="card border-primary" id="import-call">(.*?)</div>\s*</div>', admin, re.S).group(1)
    assert '<a class="btn btn-primary" href="/admin/import?framework=NAP21">Import its items</a>' in call
    assert 'href="/admin/import/template.csv?framework=NAP21"' in call
    for role, agency in (("agency", "FIA"), ("coordinator", None), ("rapporteur", None)):
        page = as_role(role, agency).get("/frameworks/NAP21").get_data(as_text=True)
        assert 'id="import-call"' not in page and "/admin/import" not in page
        assert "An administrator can import them." in page


def test_an_unknown_framework_is_a_404(as_role):
    response = as_role("coordinator").get("/frameworks/NOPE")
    assert response.status_code == 404 and "no framework with the code" in response.get_data(as_text=True)


def template_rows(client, query: str = "") -> list[dict]:
    response = client.get(f"/admin/import/template.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads it as UTF-8
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(IMPORTED_COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


def upload(client, rows: list[dict], **fields):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=IMPORTED_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    token = csrf_token(client.get("/admin/import").get_data(as_text=True))
    return client.post("/admin/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(buffer.getvalue().encode("utf-8")), "nap21.csv"), **fields})


def test_the_template_for_nap21_fills_in_and_imports_back_cleanly(as_role):
    admin = as_role("admin")
    page = admin.get("/admin/import?framework=NAP21").get_data(as_text=True)
    assert re.search(r'id="import-for-framework">Importing the items of\s*<a href="/frameworks/NAP21">', page)
    assert 'href="/admin/import/template.csv?framework=NAP21"' in page
    response = admin.get("/admin/import/template.csv?framework=NAP21")
    assert 'filename="plan-template-NAP21.csv"' in response.headers["Content-Disposition"]
    [example] = template_rows(admin, "?framework=NAP21")
    assert (example["ref"], example["framework"], example["status"], example["progress"]) == (
        "NAP21-1", "NAP 2021–2025", "not_started", "0")
    assert (example["response"], example["cycle"]) == ("", "")  # a plan's item
    # The example row filled in, and a second one after it.
    filled = {**example, "section": "Prevention", "title": "Awareness in source districts",
              "text": "Run awareness campaigns in the districts people are trafficked from.", "source": "Prevention, 1"}
    second = {**filled, "ref": "NAP21-2", "pillar": "protection", "title": "Shelters", "text": "Open shelters."}
    imported = upload(admin, [filled, second])
    assert imported.status_code == 200 and "The plan is imported." in imported.get_data(as_text=True)
    item = fresh_item("NAP21-1")
    assert item.framework.code == "NAP21" and item.title == "Awareness in source districts"
    assert item.lead.agency.name == example["lead_agency"] and item.locator == "Prevention, 1"
    # Now it holds items: offered in the item list's filter, with the link from its page.
    assert '<option value="NAP21"' in admin.get("/items").get_data(as_text=True)
    nap21 = admin.get("/frameworks/NAP21").get_data(as_text=True)
    assert '<a href="/items?framework=NAP21">2 items</a>' in nap21 and 'id="import-call"' not in nap21
    # The next template names the next free ref.
    assert template_rows(admin, "?framework=NAP21")[0]["ref"] == "NAP21-3"


def test_the_template_for_a_set_of_recommendations_and_for_a_new_plan(as_role):
    admin = as_role("admin")
    [paper] = template_rows(admin, "?framework=PAPER")
    assert (paper["ref"], paper["response"], paper["cycle"]) == ("PAPER-1", "accepted", "2024")
    [new] = template_rows(admin)
    assert (new["ref"], new["framework"]) == ("NEWPLAN-1", "New plan")
    before = snapshot()
    refused = upload(admin, [new])
    assert refused.status_code == 422 and "unknown framework &#39;New plan&#39;" in refused.get_data(as_text=True)
    assert snapshot() == before
    assert upload(admin, [new], create_frameworks="y").status_code == 200
    assert fresh_item("NEWPLAN-1").framework.name == "New plan"
    assert template_rows(admin, "?framework=NOPE")[0]["framework"] == "New plan"  # an unknown code: a new plan


def framework_options(html: str) -> list[str]:
    select = re.search(r'<select class="form-select" id="framework" name="framework">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="(\w+)"', select.group(1))


def test_an_empty_framework_is_offered_in_no_filter(as_role):
    client = as_role("coordinator")
    with_items = ["NAP05", "STEPS05", "PAPER"]
    for path in ("/items", "/dashboard", "/changes"):
        assert framework_options(client.get(path).get_data(as_text=True)) == with_items, path
    builder = client.get("/rapporteur/reports").get_data(as_text=True)
    assert re.findall(r'name="frameworks" type="checkbox" value="(\w+)"', builder) == with_items
    # Refused as a choice of the report builder, as any framework not offered.
    token = csrf_token(builder)
    refused = client.post("/rapporteur/reports", data={"csrf_token": token, "year": "2025", "frameworks": "NAP21"})
    assert refused.status_code == 422
    # Once it has an item, it is offered everywhere.
    ActionItemFactory(framework=framework("NAP21"))
    db.session.commit()
    for path in ("/items", "/dashboard", "/changes"):
        assert framework_options(client.get(path).get_data(as_text=True)) == [*with_items, "NAP21"], path
    builder = client.get("/rapporteur/reports").get_data(as_text=True)
    assert "NAP21" in re.findall(r'name="frameworks" type="checkbox" value="(\w+)"', builder)


def test_the_seed_loads_the_aim_and_the_source_of_the_pillars(seeded):
    nap21, paper = framework("NAP21"), framework("PAPER")
    assert (nap21.aim, nap21.source_of_pillars) == (AIM, True)
    assert nap21.aim_locator == "V. Domestic legal and policy framework, A. Special Anti-Trafficking and " \
                                "Anti-Smuggling Laws, line 40"
    assert (paper.aim, paper.aim_locator, paper.source_of_pillars) == ("", "", False)


@pytest.mark.parametrize("old, new, message", [
    ('source_of_pillars = true ', 'source_of_pillars = "yes" ', "source_of_pillars 'yes' must be true or false"),
    ('aim_locator = "V. Domestic', 'aim_note = "V. Domestic', "aim_locator is required"),
    ('code = "PAPER"\n', 'code = "PAPER"\nsource_of_pillars = true\n',
     "source_of_pillars: the pillars already come from framework PAPER"),
    ('code = "PAPER"\n', 'code = "PAPER"\naim_locator = "page 2"\n', "aim_locator is given without the aim"),
])
def test_a_bad_aim_or_pillars_source_is_named_and_nothing_is_written(app, seed_copy, old, new, message):
    replace_in(seed_copy / "catalogue.toml", old, new)
    with pytest.raises(Invalid) as raised:
        seed_catalogue(str(seed_copy))
    assert "catalogue.toml: framework" in str(raised.value) and message in str(raised.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 0
