"""One date format for people (30 Nov 2026) on every page; ISO 8601 stays where machines read: exports, the API,
`datetime` attributes, form fields and query strings."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import csrf_token, fresh_item
from html_tree import Element, parse
from test_progress import form_data, post_update
from tracker.display import format_date, format_moment
from tracker.extensions import db
from tracker.reminders.delivery import run_reminders

ISO_DAY = re.compile(r"(?<![=\w])\d{4}-\d{2}-\d{2}(?!\w)")
# Text a person does not read as prose: scripts, styles, code a user copies, and what a form field holds.
MACHINE_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "select", "template"}
TODAY = date.today()
ITEM = "PAPER-g"  # NADRA leads


def visible_text(element: Element) -> list[str]:
    """The page's text as shown, piece by piece (attributes such as `datetime` and `value` are not text)."""
    if element.tag in MACHINE_TAGS:
        return []
    pieces = []
    for child in element.children:
        pieces.extend(visible_text(child) if isinstance(child, Element) else [child])
    return pieces


def iso_days(html: str) -> list[str]:
    text = " ".join(visible_text(parse(html)))
    return [text[max(0, m.start() - 40):m.end() + 20].strip() for m in ISO_DAY.finditer(text)]


@pytest.fixture
def plan_with_dates(as_role, smtp):
    """Every kind of date a page shows: due dates and their changes, reports and decisions, a figure's as-of
    day, an assessment, reminders, audit events, a dashboard as of a past day."""
    clients = {role: as_role(role, "NADRA" if role == "agency" else None)
               for role in ("coordinator", "agency", "rapporteur", "admin")}
    coordinator, focal = clients["coordinator"], clients["agency"]
    html = coordinator.get(f"/items/{ITEM}/plan").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    overdue = TODAY - timedelta(days=10)
    assert coordinator.post(f"/items/{ITEM}/plan", data={"csrf_token": csrf_token(html), "version": version,
                                                         "due_date": overdue.isoformat()}).status_code == 302
    assert post_update(focal, form_data(focal, figure_value="650", figure_unit="labourers rescued",
                                        figure_as_of="2026-10-01")).status_code == 302
    report_id = fresh_item(ITEM).pending_reports[0].id
    page = coordinator.get(f"/items/{ITEM}").get_data(as_text=True)
    assert coordinator.post(f"/reports/{report_id}/decision", data={
        "csrf_token": csrf_token(page), "comment": "Attach the letter.", "send_back": "Return"}).status_code == 302
    # The report came back returned; its agency reports again, awaiting a decision.
    assert post_update(focal, form_data(focal, note="Letter attached.")).status_code == 302
    rapporteur = clients["rapporteur"]
    page = rapporteur.get(f"/items/{ITEM}").get_data(as_text=True)
    assert rapporteur.post(f"/items/{ITEM}/assessments", data={
        "csrf_token": csrf_token(page), "year": TODAY.year, "rating": "limited", "reason": "Slow."}).status_code == 302
    coordinator.get(f"/exports/items.csv?due_from={overdue.isoformat()}")  # audited, with its query
    coordinator.get("/changes.csv?preset=year")
    run_reminders(TODAY)
    db.session.commit()
    return clients


PAGES = {
    "coordinator": ["/", "/items", f"/items/{ITEM}", "/queue", "/dashboard",
                    f"/dashboard?as_of={(TODAY - timedelta(days=1)).isoformat()}", "/changes", "/changes?preset=year",
                    "/assessments", "/indicators", "/indicators/PREV-BONDED-CNIC", "/indicators/rates",
                    "/agencies", "/frameworks", "/frameworks/PAPER", "/pillars/prevention", "/sources",
                    "/notifications", "/account/tokens", "/rapporteur/reports",
                    f"/exports/items.html?as_of={(TODAY - timedelta(days=1)).isoformat()}"],
    "agency": ["/", f"/items/{ITEM}", f"/items/{ITEM}/update", "/notifications"],
    "rapporteur": ["/", "/assessments", f"/items/{ITEM}"],
    "admin": ["/admin/users", "/admin/audit", "/admin/reminders", "/admin/reminders/log", "/admin/import",
              "/admin/agencies"],
}


@pytest.mark.parametrize("role, path", [(role, path) for role, paths in PAGES.items() for path in paths])
def test_pages_show_dates_as_people_read_them(plan_with_dates, role, path):
    response = plan_with_dates[role].get(path)
    assert response.status_code == 200, path
    found = iso_days(response.get_data(as_text=True))
    assert found == [], "\n".join(found)


def test_the_scan_sees_an_iso_day_in_prose_and_not_in_machine_places():
    html = ('<p>Due 2026-11-30.</p><p><time datetime="2026-11-30">30 Nov 2026</time></p>'
            '<input type="date" value="2026-11-30"><code>?as_of=2026-11-30</code><p>due_from=2026-01-01</p>')
    (found,) = iso_days(html)
    assert found.startswith("Due 2026-11-30.")


def test_the_format():
    assert format_date(date(2026, 11, 30)) == "30 Nov 2026"
    assert format_date(date(2026, 1, 5)) == "5 Jan 2026"
    assert format_moment(datetime(2026, 11, 30, 14, 5, 9, tzinfo=UTC)) == "30 Nov 2026 14:05:09"


def test_exports_and_the_api_keep_iso_8601(plan_with_dates):
    coordinator = plan_with_dates["coordinator"]
    csv_text = coordinator.get("/exports/items.csv").get_data(as_text=True)
    assert f",{(TODAY - timedelta(days=10)).isoformat()}," in csv_text
    changes = coordinator.get("/changes.csv").get_data(as_text=True)
    assert "as of 2026-10-01" in changes and f"due {(TODAY - timedelta(days=10)).isoformat()}" in changes
    item = coordinator.get(f"/api/v1/items/{ITEM}").json
    assert item["due_date"] == (TODAY - timedelta(days=10)).isoformat()


def test_messages_name_days_as_people_read_them(plan_with_dates):
    coordinator = plan_with_dates["coordinator"]
    pages = [coordinator.get(f"/dashboard?as_of={TODAY.isoformat()}"),  # a day not ended: named and ignored
             coordinator.get(f"/changes?start={TODAY.isoformat()}&end={(TODAY - timedelta(days=9)).isoformat()}")]
    assert "that day has not ended yet" in pages[0].get_data(as_text=True)
    assert pages[1].status_code == 422 and "is after the end" in pages[1].get_data(as_text=True)
    # A decision on a report decided already: the page it came from says who decided, and when.
    returned = fresh_item(ITEM).reports[0]
    page = coordinator.get(f"/items/{ITEM}").get_data(as_text=True)
    refused = coordinator.post(f"/reports/{returned.id}/decision", data={"csrf_token": csrf_token(page),
                                                                         "verify": "Verify"}, follow_redirects=True)
    pages.append(refused)
    assert f"already returned by Coordinator on {format_date(TODAY)}" in refused.get_data(as_text=True)
    for response in pages:
        found = iso_days(response.get_data(as_text=True))
        assert found == [], "\n".join(found)
