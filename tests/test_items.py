"""The item list (filters, search, sorting, pagination), item pages, agency and pillar pages."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.enums import Status
from tracker.extensions import db
from tracker.models import ActionItem, Agency, Province


def refs_on(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<td class="text-nowrap"><a href="/items/([^"]+)">', html)


def total_on(response) -> int:
    match = re.search(r"<strong>(\d+)</strong> item", response.get_data(as_text=True))
    return int(match.group(1))


def count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem).where(*where))


def test_list_shows_50_a_page_in_document_order(coordinator_client):
    response = coordinator_client.get("/items")
    assert response.status_code == 200
    refs = refs_on(response)
    assert len(refs) == 50
    assert total_on(response) == count()
    second = refs_on(coordinator_client.get("/items?page=2"))
    assert len(second) == 50 and not set(refs) & set(second)
    last_page = (count() + 49) // 50
    assert 0 < len(refs_on(coordinator_client.get(f"/items?page={last_page}"))) <= 50
    assert refs_on(coordinator_client.get(f"/items?page={last_page + 5}")) == []


@pytest.mark.parametrize(
    "query, where",
    [
        ("framework=PAPER", [ActionItem.framework.has(code="PAPER")]),
        ("pillar=partnership", [ActionItem.pillar.has(code="partnership")]),
        ("status=completed", [ActionItem.status == Status.COMPLETED]),
        (
            "framework=NAP05&pillar=prosecution",
            [ActionItem.framework.has(code="NAP05"), ActionItem.pillar.has(code="prosecution")],
        ),
    ],
)
def test_filters_match_the_database(coordinator_client, query, where):
    response = coordinator_client.get(f"/items?{query}")
    expected = count(*where)
    assert expected > 0
    assert total_on(response) == expected


def test_agency_filter_counts_lead_and_supporting(coordinator_client):
    nadra = db.session.scalar(sa.select(Agency).where(Agency.short_name == "NADRA"))
    response = coordinator_client.get(f"/items?agency={nadra.id}")
    assert total_on(response) == len({a.item_id for a in nadra.assignments})
    assert "PAPER-g" in refs_on(response)


def test_province_and_overdue_filters(coordinator_client):
    punjab = db.session.scalar(sa.select(Province).where(Province.code == "PB"))
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-b"))
    item.province = punjab
    item.due_date = date.today() - timedelta(days=3)
    done = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-c"))
    done.due_date, done.status = date.today() - timedelta(days=3), Status.COMPLETED
    db.session.commit()
    assert "PAPER-b" in refs_on(coordinator_client.get("/items?province=PB"))
    overdue = coordinator_client.get("/items?overdue=1&framework=PAPER")
    assert refs_on(overdue) == ["PAPER-b"]
    assert "overdue" in overdue.get_data(as_text=True)


def test_search_covers_ref_title_and_text(coordinator_client):
    assert "PAPER-g" in refs_on(coordinator_client.get("/items?q=criminal+records"))
    assert refs_on(coordinator_client.get("/items?q=STEP-15")) == ["STEP-15"]
    response = coordinator_client.get("/items?q=zzzz-nothing-matches")
    assert refs_on(response) == []
    assert "No item matches these filters" in response.get_data(as_text=True)


def test_search_treats_wildcards_literally(coordinator_client):
    # Unescaped, "%" and "_" would match every item; no item text holds them.
    assert refs_on(coordinator_client.get("/items?q=%25")) == []
    assert refs_on(coordinator_client.get("/items?q=_")) == []


def test_filters_and_page_survive_in_links(coordinator_client):
    html = coordinator_client.get("/items?pillar=prosecution&page=1").get_data(as_text=True)
    assert re.search(r'href="/items\?pillar=prosecution&amp;page=2"', html)
    assert 'value="prosecution" selected' in html


def filters_button(html: str) -> str:
    """The text of the button the filters fold behind on a phone."""
    button = re.search(r'<button class="btn[^"]*filters-toggle[^>]*>(.*?)</button>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", button).split())


def test_the_filters_button_counts_the_filters_set(coordinator_client):
    assert filters_button(coordinator_client.get("/items").get_data(as_text=True)) == "Filters"
    html = coordinator_client.get("/items?pillar=prevention&overdue=1&q=shelter&sort=-due&page=1").get_data(
        as_text=True)
    assert filters_button(html) == "Filters 3 set"  # sorting and paging are not filters
    assert 'aria-expanded="false"' in html and 'class="filters row g-2 align-items-end mb-3 collapse d-md-flex' in html
    # An unknown value is dropped, so it is not counted: the page names it above the list.
    assert filters_button(coordinator_client.get("/items?status=finished").get_data(as_text=True)) == "Filters"


def test_sort_by_due_date_puts_dated_items_first(coordinator_client):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-x"))
    item.due_date = date(2030, 1, 1)
    db.session.commit()
    assert refs_on(coordinator_client.get("/items?sort=due&framework=PAPER"))[0] == "PAPER-x"
    assert refs_on(coordinator_client.get("/items?sort=-due&framework=PAPER"))[0] == "PAPER-x"


def test_sort_by_status_and_last_update(coordinator_client):
    by_status = refs_on(coordinator_client.get("/items?sort=-status"))
    statuses = dict(db.session.execute(sa.select(ActionItem.ref, ActionItem.status)).all())
    assert statuses[by_status[0]] == Status.SUPERSEDED
    by_update = refs_on(coordinator_client.get("/items?sort=updated"))
    assert db.session.scalar(sa.select(ActionItem.last_update_at).where(ActionItem.ref == by_update[0])) is not None


def test_unknown_filter_values_are_named_not_fatal(coordinator_client):
    response = coordinator_client.get("/items?status=finished&sort=colour&agency=abc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "unknown status" in html and "unknown sort" in html
    assert total_on(response) == count()


def test_item_page_shows_text_source_agencies_and_history(coordinator_client):
    item = db.session.scalar(
        sa.select(ActionItem).where(ActionItem.status == Status.COMPLETED, ActionItem.framework.has(code="STEPS05"))
    )
    html = coordinator_client.get(f"/items/{item.ref}").get_data(as_text=True)
    assert item.text[:60].replace("'", "&#39;").replace('"', "&#34;") in html
    assert item.locator.replace("'", "&#39;") in html
    assert item.pillar.name in html
    assert item.lead.agency.name[:20] in html or (item.lead.agency.short_name or "") in html
    assert "derived from the source" in html
    assert item.updates[0].note[:40].replace("'", "&#39;").replace('"', "&#34;") in html
    assert 'role="progressbar"' in html


def test_item_page_marks_stated_and_assigned_agencies(coordinator_client):
    stated = coordinator_client.get("/items/PAPER-g").get_data(as_text=True)
    assert "stated in the source" in stated
    assigned = coordinator_client.get("/items/PAPER-a").get_data(as_text=True)
    assert "assigned" in assigned


def test_item_page_links_related_items(coordinator_client):
    html = coordinator_client.get("/items/PAPER-e").get_data(as_text=True)
    assert "Related items" in html
    assert 'href="/items/PAPER-a"' in html


def test_overdue_is_shown_plainly_on_the_item(coordinator_client):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-d"))
    item.due_date = date.today() - timedelta(days=1)
    db.session.commit()
    assert "overdue" in coordinator_client.get("/items/PAPER-d").get_data(as_text=True)


def test_unknown_ref_is_a_proper_404(coordinator_client):
    response = coordinator_client.get("/items/NO-SUCH-REF")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "NO-SUCH-REF" in html
    assert "Traceback" not in html


def test_agency_page_groups_items_by_pillar(coordinator_client):
    fia = db.session.scalar(sa.select(Agency).where(Agency.short_name == "FIA"))
    response = coordinator_client.get(f"/agencies/{fia.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Federal Investigation Agency" in html
    assert 'id="pillar-prosecution"' in html
    assert coordinator_client.get("/agencies/999999").status_code == 404
    assert "Federal Investigation Agency" in coordinator_client.get("/agencies").get_data(as_text=True)


def test_pillar_page_groups_items_by_status(coordinator_client):
    response = coordinator_client.get("/pillars/prevention")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="status-not_started"' in html
    assert coordinator_client.get("/pillars/nothing").status_code == 404
    assert "Partnership" in coordinator_client.get("/pillars").get_data(as_text=True)


def test_item_page_links_to_agency_and_pillar_pages(coordinator_client):
    html = coordinator_client.get("/items/PAPER-g").get_data(as_text=True)
    assert re.search(r'href="/agencies/\d+"', html)
    assert 'href="/pillars/prosecution"' in html


def test_pages_load_nothing_from_other_hosts(coordinator_client):
    html = coordinator_client.get("/items").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert coordinator_client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200
