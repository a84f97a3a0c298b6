"""The item list's lines, which each process writes once and keeps by what they show (tracker/items/lines.py):
whatever changes an item, its agency or the way a page is written, the next page shows it as it is now."""
import html
import re

from test_admin import token
from test_progress import form_data, post_update
from tracker.catalogue.services import find_agency

ITEM = "PAPER-g"  # NADRA leads, FIA and Police support
LIST = "/items?framework=PAPER"  # one page, PAPER-g on it


def line(client, path: str = LIST, ref: str = ITEM) -> str:
    """The item's <tr> on the page, unescaped."""
    page = client.get(path)
    assert page.status_code == 200
    rows = re.findall(r"<tr>.*?</tr>", page.get_data(as_text=True), flags=re.S)
    (row,) = [row for row in rows if f'href="/items/{ref}"' in row]
    return html.unescape(row)


def test_a_line_shows_its_item_as_it_is_now(as_role):
    coordinator, admin, nadra = as_role("coordinator"), as_role("admin"), as_role("agency", "NADRA")
    first = line(coordinator)
    assert line(coordinator) == first  # the second time from what the process kept, the same
    assert "Not started" in first and ">NADRA</a>" in first and "+2 supporting" in first
    assert "report pending" not in first

    # A report awaiting a decision is marked, with what it claims.
    assert post_update(nadra, form_data(nadra, status="in_progress", progress="30")).status_code == 302
    reported = line(coordinator)
    assert "report pending" in reported and "Reported: In progress, 30%" in reported

    # The lead agency renamed through the admin pages.
    agency = find_agency("NADRA")
    path = f"/admin/agencies/{agency.id}"
    response = admin.post(path, data={"agency-csrf_token": token(admin, path), "agency-name": agency.name,
                                      "agency-short_name": "NADRA-HQ", "agency-kind": agency.kind.value,
                                      "agency-province": "", "agency-parent": ""})
    assert response.status_code == 302
    renamed = line(coordinator)
    assert ">NADRA-HQ</a>" in renamed and ">NADRA</a>" not in renamed

    # A due date set by the bulk change, past: the line says it is overdue.
    bulk = coordinator.get(LIST).get_data(as_text=True)
    response = coordinator.post("/items/bulk", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', bulk).group(1),
        "next": LIST, "refs": [ITEM], "action": "due_date", "due_date": "2020-01-31", "priority": "", "agency": ""})
    assert response.status_code == 302
    assert "31 Jan 2020 · overdue" in line(coordinator)


def test_a_line_is_written_in_the_page_s_language_and_for_its_reader(as_role):
    coordinator, rapporteur = as_role("coordinator"), as_role("rapporteur")
    english = line(coordinator)
    urdu = line(coordinator, LIST + "&lang=ur")
    assert "Not started" in english and "Select PAPER-g" in english
    assert "شروع نہیں ہوا" in urdu and "Not started" not in urdu and "Select PAPER-g" not in urdu
    assert urdu != english and line(coordinator, LIST + "&lang=en") == english
    # Only a coordinator's lines have the bulk change's tick box; the rapporteur's are the same lines without.
    assert f'value="{ITEM}" form="bulk-form"' in english
    assert 'form="bulk-form"' not in line(rapporteur)
