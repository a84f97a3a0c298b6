"""The item list at national scale: each page reads its rows from an index in the list's order (never every item),
document order kept on the items as frameworks and items change, and the pages of the list in that order."""
import re

import pytest
import sqlalchemy as sa

from factories import ActionItemFactory
from tracker.extensions import db
from tracker.models import ActionItem, Framework


def page_statement(client, path: str) -> tuple[str, object]:
    """The statement (and its parameters) that reads the page's items, as the list runs it."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"SELECT action_items\.id, action_items\.ref", statement) and "LIMIT" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1, seen
    return seen[0]


def _descendants(node: dict):
    for child in node.get("Plans", ()):
        yield child
        yield from _descendants(child)


def whole_table_reads(statement: str, parameters) -> list[str]:
    """What in the statement's plan reads every item: a full scan of action_items anywhere, or a sort in the part
    that chooses the page's rows (the subquery with LIMIT; the 50 rows it chose may then be sorted).

    PostgreSQL may rightly prefer a sequential scan and a sort of a small test table, so both are priced out for the
    check: what is left tells whether an index *can* serve the statement."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            found = [detail for _id, _parent, _, detail in rows if re.fullmatch(r"SCAN action_items", detail)]
            chooser = {row_id for row_id, _parent, _, detail in rows if detail.startswith("LIST SUBQUERY")}
            for row_id, parent, _, detail in rows:  # rows come parents first
                if parent in chooser:
                    chooser.add(row_id)
                    if "TEMP B-TREE" in detail:
                        found.append(detail)
            return found
        with connection.begin():
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
            plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()[0]["Plan"]
        nodes = [plan, *_descendants(plan)]
        found = [f"Seq Scan on {node['Relation Name']}" for node in nodes
                 if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "action_items"]
        for limit in (node for node in nodes if node["Node Type"] == "Limit"):
            found += [node["Node Type"] for node in _descendants(limit) if "Sort" in node["Node Type"]]
        return found


@pytest.mark.parametrize("path", ["/items", "/items?page=2", "/items?sort=-ref", "/items?sort=due",
                                  "/items?sort=updated", "/api/v1/items?per_page=20"])
def test_a_page_of_the_list_reads_an_index_in_its_order(coordinator_client, path):
    assert whole_table_reads(*page_statement(coordinator_client, path)) == []


def test_the_check_sees_a_full_scan_once_the_index_is_gone(coordinator_client):
    statement = page_statement(coordinator_client, "/items")
    db.session.execute(sa.text("DROP INDEX ix_action_items_document_order"))
    db.session.commit()
    assert whole_table_reads(*statement)


def documents_order() -> list[str]:
    return list(db.session.scalars(sa.select(ActionItem.ref).join(ActionItem.framework)
                                   .order_by(Framework.position, ActionItem.position, ActionItem.id)))


def listed(client, per_page: int = 40) -> list[str]:
    refs, page = [], 1
    while True:
        body = client.get(f"/api/v1/items?per_page={per_page}&page={page}").json
        refs += [item["ref"] for item in body["items"]]
        if page >= body["pages"]:
            assert body["total"] == len(refs)
            return refs
        page += 1


def test_pages_follow_document_order_across_frameworks(coordinator_client):
    expected = documents_order()
    assert listed(coordinator_client) == expected
    assert len({ref.split("-")[0] for ref in expected}) > 1  # the pages cross from one framework to the next
    reverse = coordinator_client.get("/api/v1/items?per_page=5&sort=-ref&page=1").json["items"]
    assert [item["ref"] for item in reverse] == expected[::-1][:5]


def test_document_order_follows_a_framework_moved_and_items_added(coordinator_client):
    frameworks = db.session.scalars(sa.select(Framework).where(Framework.items.any())
                                    .order_by(Framework.position)).all()
    first, last = frameworks[0], frameworks[-1]
    first.position = last.position + 1  # the first plan now comes last
    db.session.commit()
    added = ActionItemFactory(framework=last, position=-1, ref="ADDED-1")  # first of its framework
    moved = db.session.scalar(sa.select(ActionItem).where(ActionItem.framework_id == last.id)
                              .order_by(ActionItem.position.desc()).limit(1))
    moved.framework_id = first.id  # only the id given: its position is read from the database
    db.session.commit()
    db.session.expire_all()
    assert added.framework_position == last.position and moved.framework_position == first.position
    expected = documents_order()
    assert listed(coordinator_client) == expected
    assert expected.index("ADDED-1") < expected.index(moved.ref)


def history_on(response) -> list[str]:
    return re.findall(r'id="update-(\d+)"', response.get_data(as_text=True))


def test_the_item_page_shows_the_newest_entries_and_older_ones_on_asking(coordinator_client):
    from datetime import UTC, datetime, timedelta

    from factories import UpdateFactory
    from test_dashboard import count_queries
    from tracker.items.services import HISTORY_SHOWN

    item = ActionItemFactory(ref="LONG-1")
    few = ActionItemFactory(ref="SHORT-1")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    entries = [UpdateFactory(item=item, created_at=start + timedelta(days=n)) for n in range(HISTORY_SHOWN + 10)]
    for n in range(3):
        UpdateFactory(item=few, created_at=start + timedelta(days=n))
    db.session.commit()
    newest_first = [str(entry.id) for entry in reversed(entries)]

    page = coordinator_client.get("/items/LONG-1")
    assert history_on(page) == newest_first[:HISTORY_SHOWN]
    assert f'href="/items/LONG-1?history=all#update-{newest_first[HISTORY_SHOWN - 1]}">Show older entries' in \
        page.get_data(as_text=True)
    assert history_on(coordinator_client.get("/items/LONG-1?history=all")) == newest_first
    short = coordinator_client.get("/items/SHORT-1")
    assert len(history_on(short)) == 3 and "Show older entries" not in short.get_data(as_text=True)
    # However long the history, the page asks the same number of questions.
    assert count_queries(coordinator_client, "/items/LONG-1") == count_queries(coordinator_client, "/items/SHORT-1")
    assert count_queries(coordinator_client, "/items/LONG-1?history=all") == \
        count_queries(coordinator_client, "/items/SHORT-1")
    assert len(coordinator_client.get("/api/v1/items/LONG-1").json["history"]) == HISTORY_SHOWN + 10
