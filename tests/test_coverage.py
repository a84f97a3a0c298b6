"""Coverage: which plans' actions address each recommendation. The seed file's checks and its reloading, the page
with its gaps and counts, the CSV, the Excel sheet, the command line, the API, and the coordinators' links."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from conftest import SEED_DIR, csrf_token, replace_in
from factories import ActionItemFactory, CoverageLinkFactory, FrameworkFactory
from test_dashboard import count_queries
from tracker.coverage.services import CSV_COLUMNS
from tracker.enums import AuditEventKind, FrameworkKind, Status, UpdateOrigin
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import ActionItem, AuditEvent, CoverageLink, User
from tracker.seeding.loader import seed_catalogue
from tracker.seeding.validate import read_catalogue

FILE = "coverage.toml"
HEADER = "recommendation,framework,title,addressed_by,status"
# Recommendations of the paper no 2005 action addresses, as seed/coverage.toml curates them.
GAPS = ["PAPER-b", "PAPER-e", "PAPER-g", "PAPER-i", "PAPER-p", "PAPER-q", "PAPER-r", "PAPER-s", "PAPER-t", "PAPER-v"]
SHELTERS = ["NAP05-PROT-SH-i", "NAP05-PROT-SH-ii", "NAP05-PROT-SH-iv", "NAP05-PROT-i", "NAP05-PROT-m"]


def text(response) -> str:
    return response.get_data().decode("utf-8-sig")  # a CSV begins with a byte-order mark (contract.csv_response)


def links(*, active_only: bool = True) -> dict[tuple[str, str], CoverageLink]:
    """Every coverage link by (recommendation ref, action ref), as the database holds them now."""
    db.session.expire_all()
    query = sa.select(CoverageLink)
    if active_only:
        query = query.where(CoverageLink.active)
    return {(link.recommendation.ref, link.action.ref): link for link in db.session.scalars(query)}


def audit(event: AuditEventKind = AuditEventKind.COVERAGE) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))


# --- The seed file's checks: one test per kind of mistake ---------------------------------------------------

W_BLOCK = '''[[coverage]]
recommendation = "PAPER-w"

[[coverage.addressed_by]]
action = "STEP-8"
'''


def problems(seed_dir) -> list[str]:
    with pytest.raises(Invalid) as refused:
        read_catalogue(seed_dir)
    return [str(problem) for problem in refused.value.problems]


def assert_refused(seed_dir, record: str, message: str) -> None:
    """The catalogue is refused with this problem, naming coverage.toml and the record."""
    found = problems(seed_dir)
    assert f"{FILE}: {record}: {message}" in found, found


def test_an_unknown_recommendation_is_refused(seed_copy):
    replace_in(seed_copy / FILE, 'recommendation = "PAPER-w"', 'recommendation = "PAPER-z"')
    assert_refused(seed_copy, "coverage PAPER-z", "unknown item 'PAPER-z'")


def test_an_unknown_action_is_refused(seed_copy):
    replace_in(seed_copy / FILE, 'action = "STEP-8"', 'action = "STEP-99"')
    assert_refused(seed_copy, "coverage PAPER-w, STEP-99", "unknown item 'STEP-99'")


def test_a_link_from_an_item_that_is_no_recommendation_is_refused(seed_copy):
    replace_in(seed_copy / FILE, 'recommendation = "PAPER-w"', 'recommendation = "NAP05-PROS-c-i"')
    assert_refused(seed_copy, "coverage NAP05-PROS-c-i, STEP-8",
                   "NAP05-PROS-c-i is not a recommendation (its framework is a plan): coverage links go from a "
                   "recommendation to the actions that address it")


def test_a_link_to_an_item_that_is_no_plans_action_is_refused(seed_copy):
    replace_in(seed_copy / FILE, 'action = "STEP-8"', 'action = "PAPER-v"')
    assert_refused(seed_copy, "coverage PAPER-w, PAPER-v",
                   "PAPER-v is not a plan's action (its framework is a set of recommendations): only a plan's "
                   "actions address a recommendation")


def test_a_link_to_itself_is_refused(seed_copy):
    replace_in(seed_copy / FILE, 'action = "STEP-8"', 'action = "PAPER-w"')
    assert_refused(seed_copy, "coverage PAPER-w, PAPER-w", "PAPER-w cannot address itself: link it to a plan's action")


def test_the_same_pair_twice_is_refused_in_one_block_or_two(seed_copy):
    path = seed_copy / FILE
    path.write_text(path.read_text() + "\n" + W_BLOCK + 'reason = "Again, in a block of its own."\n')
    assert_refused(seed_copy, "coverage PAPER-w, STEP-8",
                   "links PAPER-w and STEP-8 a second time (first in [[coverage]] #13)")
    path.write_text((SEED_DIR / FILE).read_text().replace(
        '[[coverage.addressed_by]]\naction = "NAP05-PROS-c-vii"',
        '[[coverage.addressed_by]]\naction = "NAP05-PROS-c-iii"\nreason = "Twice."\n\n'
        '[[coverage.addressed_by]]\naction = "NAP05-PROS-c-vii"'))
    assert_refused(seed_copy, "coverage PAPER-x, NAP05-PROS-c-iii",
                   "links PAPER-x and NAP05-PROS-c-iii a second time (first in [[coverage]] #14)")


@pytest.mark.parametrize("reason", ['""', '"   "', None], ids=["empty", "spaces", "missing"])
def test_an_empty_reason_is_refused(seed_copy, reason):
    old = 'action = "STEP-8"\nreason = "A panel of standing counsels'
    new = 'action = "STEP-8"\n' + (f"reason = {reason}\n" if reason else "") + 'note = "A panel of standing counsels'
    replace_in(seed_copy / FILE, old, new)
    assert_refused(seed_copy, "coverage PAPER-w, STEP-8",
                   "reason is required: say in one line how the action addresses the recommendation")


def test_an_over_long_reason_is_refused(seed_copy):
    replace_in(seed_copy / FILE, 'action = "STEP-8"\nreason = "', 'action = "STEP-8"\nreason = "' + "x" * 300)
    assert_refused(seed_copy, "coverage PAPER-w, STEP-8", "reason is longer than 300 characters: keep it to one line")


def test_a_reason_written_over_lines_is_read_as_one(seed_copy):
    replace_in(seed_copy / FILE, 'reason = "A panel of standing counsels attached to the FIA to speed up prosecution: '
                                 'prosecutors working beside the investigators."',
               'reason = """A panel of standing counsels\n    attached to the FIA."""')
    (link,) = [r for r in read_catalogue(seed_copy).coverage if r.recommendation == "PAPER-w"]
    assert link.reason == "A panel of standing counsels attached to the FIA."


@pytest.mark.parametrize("old, new, record, field", [
    ('recommendation = "PAPER-w"', 'recommendation = "PAPER-w"\nnote = "x"', "coverage PAPER-w", "note"),
    ('action = "STEP-8"\nreason', 'action = "STEP-8"\nreasons = "x"\nreason', "coverage PAPER-w, STEP-8", "reasons"),
    ("[[coverage]]\nrecommendation = \"PAPER-a\"", "gaps = [\"PAPER-b\"]\n\n[[coverage]]\nrecommendation = \"PAPER-a\"",
     "file", "gaps"),
], ids=["recommendation", "link", "file"])
def test_an_unknown_field_is_refused(seed_copy, old, new, record, field):
    replace_in(seed_copy / FILE, old, new)
    assert_refused(seed_copy, record, f"unknown field {field!r}")


def test_a_recommendation_with_no_action_is_refused_and_every_problem_is_named_at_once(seed_copy):
    path = seed_copy / FILE
    path.write_text(path.read_text() + '\n[[coverage]]\nrecommendation = "PAPER-b"\n')
    replace_in(path, 'action = "STEP-ADM-viii"', 'action = "STEP-ADM-xx"')
    found = problems(seed_copy)
    assert f"{FILE}: coverage PAPER-b: addressed_by: name at least one action; a recommendation no action " \
           "addresses is a gap, left out of this file" in found
    assert f"{FILE}: coverage PAPER-a, STEP-ADM-xx: unknown item 'STEP-ADM-xx'" in found


def test_the_file_may_be_absent(seed_copy):
    (seed_copy / FILE).unlink()
    assert read_catalogue(seed_copy).coverage == []


def test_a_bad_file_writes_nothing(seeded, seed_copy):
    replace_in(seed_copy / FILE, 'action = "STEP-8"\nreason = "A', 'action = "STEP-8"\nreason = "Changed. A')
    replace_in(seed_copy / FILE, 'action = "STEP-33"', 'action = "PAPER-b"')
    before = {pair: link.reason for pair, link in links().items()}
    with pytest.raises(Invalid):
        seed_catalogue(str(seed_copy))
    assert {pair: link.reason for pair, link in links().items()} == before


# --- Loading -------------------------------------------------------------------------------------------------


def test_the_catalogue_loads_the_curated_links_without_a_user(seeded):
    loaded = links()
    assert len(loaded) == len(read_catalogue(SEED_DIR).coverage) > 40
    assert all(link.origin == UpdateOrigin.SOURCE and link.added_by is None and link.reason for link in loaded.values())
    assert {pair[1] for pair in loaded if pair[0] == "PAPER-l"} == set(SHELTERS)
    assert not {pair[0] for pair in loaded} & set(GAPS)


def test_reloading_refreshes_curated_links_and_never_touches_users(seeded, seed_copy, make_user):
    from tracker.coverage.services import add_link, remove_link

    coordinator = make_user("coordinator")
    paper_g = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-g"))
    mine = add_link(coordinator, paper_g, "NAP05-PREV-d-ii", "Secure identity documents, a step towards it.")
    withdrawn = links()[("PAPER-a", "STEP-33")]
    remove_link(coordinator, withdrawn.id)
    path = seed_copy / FILE
    replace_in(path, 'reason = "A panel of standing counsels', 'reason = "Refreshed: a panel of standing counsels')
    replace_in(path, '[[coverage.addressed_by]]\naction = "NAP05-PROT-m"',
               '[[coverage.addressed_by]]\naction = "STEP-15"')
    # The file now also holds the coordinator's pair, and still the pair the coordinator removed.
    path.write_text(path.read_text() + '\n[[coverage]]\nrecommendation = "PAPER-g"\n\n[[coverage.addressed_by]]\n'
                    'action = "NAP05-PREV-d-ii"\nreason = "The curator\'s words."\n')
    report = seed_catalogue(str(seed_copy))
    assert (report.created["coverage links"], report.updated["coverage links"], report.removed["coverage links"]) \
        == (1, 1, 1)
    now = links()
    assert now[("PAPER-w", "STEP-8")].reason.startswith("Refreshed: a panel")
    assert ("PAPER-l", "NAP05-PROT-m") not in links(active_only=False)
    assert now[("PAPER-l", "STEP-15")].origin == UpdateOrigin.SOURCE
    kept = now[("PAPER-g", "NAP05-PREV-d-ii")]
    assert (kept.id, kept.origin, kept.added_by.email, kept.reason) == (
        mine.id, UpdateOrigin.USER, coordinator.email, "Secure identity documents, a step towards it.")
    assert ("PAPER-a", "STEP-33") not in now, "a curated link a coordinator removed stays removed"
    assert links(active_only=False)[("PAPER-a", "STEP-33")].removed_by.email == coordinator.email
    assert not seed_catalogue(str(seed_copy)).changed
    # The file dropping the coordinator's pair leaves the coordinator's link as it is.
    replace_in(path, "action = \"NAP05-PREV-d-ii\"\nreason = \"The curator's words.\"",
               'action = "STEP-9"\nreason = "x"')
    seed_catalogue(str(seed_copy))
    assert links()[("PAPER-g", "NAP05-PREV-d-ii")].id == mine.id


# --- The page ------------------------------------------------------------------------------------------------


def counts(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'id="count-(\w+)">(\d+)<', page)}


def row_of(page: str, ref: str) -> str:
    return page.split(f'id="recommendation-{ref}"', 1)[1].split("</tr>", 1)[0]


def test_the_page_shows_each_recommendation_with_its_actions_and_the_gaps(as_role):
    page = text(as_role("agency", "NADRA").get("/coverage"))
    assert counts(page) == {"recommendations": 24, "addressed": 14, "gaps": 10, "completed": 0}
    gaps = page.split('id="gaps-section"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="/items/(PAPER-\w)#coverage"', gaps) == GAPS
    gap = row_of(page, "PAPER-g")
    assert "Gap" in gap and "No plan's action addresses it." in gap
    shelters = row_of(page, "PAPER-l")
    assert re.findall(r'<a href="/items/([\w-]+)">', shelters) == SHELTERS
    assert "badge text-bg-primary\">In progress</span>" in shelters  # NAP05-PROT-SH-i's official status
    assert "Legal assistance for victims, and measures so that they can reach it." in shelters
    assert "curated with the catalogue" in shelters
    # Every recommendation is a row, grouped under its framework.
    assert len(re.findall(r'id="recommendation-PAPER-\w"', page)) == 24
    assert '<h3 class="h6 mt-3">Paper recommendations' in page
    assert 'href="/coverage"' in text(as_role("coordinator").get("/items"))  # in the Catalogue menu


def test_a_recommendation_whose_every_action_is_completed_is_counted(as_role):
    client = as_role("rapporteur")
    for ref in ("STEP-8", "NAP05-PROS-c-iii"):
        db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == ref)).status = Status.COMPLETED
    db.session.commit()
    page = text(client.get("/coverage"))
    assert counts(page)["completed"] == 1  # PAPER-w; PAPER-x's other action is not completed
    assert "Every addressing action is completed." in row_of(page, "PAPER-w")
    assert "Every addressing action is completed." not in row_of(page, "PAPER-x")
    api = client.get("/api/v1/coverage").json["summary"]
    assert api == {"recommendations": 24, "addressed": 14, "gaps": 10, "completed": 1}


def test_the_filters_live_in_the_url_and_a_bad_one_is_named(as_role):
    client = as_role("agency", "NADRA")
    protection = text(client.get("/coverage?pillar=protection"))
    assert re.findall(r'id="recommendation-(PAPER-\w)"', protection) == ["PAPER-c", "PAPER-l"]
    assert counts(protection) == {"recommendations": 2, "addressed": 2, "gaps": 0, "completed": 0}
    gaps_only = text(client.get("/coverage?gaps=1"))
    assert re.findall(r'id="recommendation-(PAPER-\w)"', gaps_only) == GAPS
    assert counts(gaps_only)["recommendations"] == 24, "gaps only narrows the rows, not the counts"
    assert 'id="gaps" name="gaps" value="1" checked' in gaps_only
    plan = client.get("/coverage?framework=NAP05&pillar=nowhere")
    assert plan.status_code == 200
    assert "framework &#39;NAP05&#39; is a plan, not a set of recommendations" in text(plan)
    assert "unknown pillar &#39;nowhere&#39;" in text(plan) and counts(text(plan))["recommendations"] == 24


def test_the_list_pages_through_keeping_its_filters(as_role):
    client = as_role("coordinator")
    first = text(client.get("/coverage?gaps=1&per_page=4"))
    assert re.findall(r'id="recommendation-(PAPER-\w)"', first) == GAPS[:4]
    assert 'href="/coverage?gaps=1&amp;per_page=4&amp;page=2"' in first
    third = text(client.get("/coverage?gaps=1&per_page=4&page=3"))
    assert re.findall(r'id="recommendation-(PAPER-\w)"', third) == GAPS[8:]
    assert client.get("/coverage?page=99").status_code == 200


def test_another_set_of_recommendations_has_its_own_group_and_filter(as_role):
    client = as_role("coordinator")
    review = FrameworkFactory(code="TIP25", name="TIP report 2025", kind=FrameworkKind.RECOMMENDATIONS, position=9)
    addressed = ActionItemFactory(ref="TIP25-1", framework=review, lead=None, title="Convict more traffickers")
    ActionItemFactory(ref="TIP25-2", framework=review, lead=None, title="Fund the shelters")
    db.session.add(CoverageLink(recommendation=addressed, action=db.session.scalar(
        sa.select(ActionItem).where(ActionItem.ref == "STEP-36")), reason="Training for better prosecutions.",
        origin=UpdateOrigin.USER))
    db.session.commit()
    page = text(client.get("/coverage"))
    assert counts(page) == {"recommendations": 26, "addressed": 15, "gaps": 11, "completed": 0}
    assert "TIP report 2025" in page.split('id="listing-heading"', 1)[1]
    only = text(client.get("/coverage?framework=TIP25"))
    assert re.findall(r'id="recommendation-([\w-]+)"', only) == ["TIP25-1", "TIP25-2"]
    assert '<option value="TIP25" selected>' in only and '<option value="NAP05"' not in only


def test_the_page_runs_the_same_queries_whatever_the_number_of_links(as_role):
    client = as_role("coordinator")
    small = count_queries(client, "/coverage")
    paper = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-a")).framework
    for _ in range(20):
        recommendation = ActionItemFactory(lead=None, framework=paper)
        CoverageLinkFactory(recommendation=recommendation)
        CoverageLinkFactory(recommendation=recommendation)
    db.session.commit()
    assert counts(text(client.get("/coverage")))["recommendations"] == 44
    assert count_queries(client, "/coverage") == small


# --- The downloads -------------------------------------------------------------------------------------------


def test_the_csv_has_exactly_its_columns_and_a_row_per_recommendation(as_role):
    client = as_role("rapporteur")
    response = client.get("/coverage.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="coverage-' in response.headers["Content-Disposition"]
    body = text(response)
    assert body.splitlines()[0] == HEADER and tuple(HEADER.split(",")) == CSV_COLUMNS
    rows = {row["recommendation"]: row for row in csv.DictReader(io.StringIO(body))}
    assert len(rows) == 24
    assert rows["PAPER-l"] == {"recommendation": "PAPER-l", "framework": "Paper recommendations",
                               "title": "Budgetary support for victim services and specialized shelters",
                               "addressed_by": "; ".join(SHELTERS), "status": "not_started"}
    assert [ref for ref, row in rows.items() if not row["addressed_by"]] == GAPS
    event = audit(AuditEventKind.EXPORT)[-1]
    assert (event.subject, event.detail) == ("export:coverage-csv", "no filters; 24 recommendations")


def test_the_csv_follows_the_filters_and_makes_formulas_inert(as_role):
    client = as_role("coordinator")
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-c"))
    item.title = "=HYPERLINK(\"http://example.org\")"
    db.session.commit()
    body = text(client.get("/coverage.csv?pillar=protection"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["recommendation"] for row in rows] == ["PAPER-c", "PAPER-l"]
    assert rows[0]["title"] == "'=HYPERLINK(\"http://example.org\")"
    assert [row["recommendation"] for row in csv.DictReader(io.StringIO(text(client.get("/coverage.csv?gaps=1"))))] \
        == GAPS
    assert client.get("/coverage.csv?framework=NAP05").status_code == 400


def test_the_command_line_exports_the_coverage(seeded, runner, tmp_path):
    out = tmp_path / "coverage.csv"
    result = runner.invoke(args=["export", "--format", "coverage-csv", "--out", str(out), "--gaps"])
    assert result.exit_code == 0 and "10 recommendations exported" in result.output, result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()  # begins with a byte-order mark, as every CSV
    assert lines[0] == HEADER and [line.split(",")[0] for line in lines[1:]] == GAPS
    wrong = runner.invoke(args=["export", "--format", "coverage-csv", "--out", "-", "--status", "completed"])
    assert wrong.exit_code != 0 and "--status do not apply to the coverage" in wrong.output
    plan = runner.invoke(args=["export", "--format", "coverage-csv", "--out", "-", "--framework", "NAP05"])
    assert plan.exit_code != 0 and "is a plan, not a set of recommendations" in plan.output
    assert runner.invoke(args=["export", "--format", "csv", "--out", "-", "--gaps"]).exit_code != 0


def test_the_workbook_has_a_coverage_sheet(as_role, tmp_path):
    response = as_role("coordinator").get("/exports/items.xlsx?framework=NAP05")
    path = tmp_path / "items.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path)
    sheet = book["Coverage"]
    assert [cell.value for cell in sheet[1]] == list(CSV_COLUMNS) and sheet.freeze_panes == "A2"
    rows = {row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == 24, "every recommendation, whatever the item filters"
    assert rows["PAPER-l"] == ["PAPER-l", "Paper recommendations",
                               "Budgetary support for victim services and specialized shelters", "; ".join(SHELTERS),
                               "not_started"]
    assert rows["PAPER-e"][3] in (None, "")  # a gap: nothing addresses it
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows() if row[0].value}
    assert summary["Coverage"] == 24


# --- Coordinators' links -------------------------------------------------------------------------------------


def post_link(client, ref: str = "PAPER-g", **fields):
    token = csrf_token(text(client.get("/items")))
    data = {"action": "NAP05-PREV-d-ii", "reason": "High-security identity documents, a first step.", **fields}
    return client.post(f"/items/{ref}/coverage", data={**data, "csrf_token": token})


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_a_coordinator_or_admin_adds_a_link_seen_on_both_items(as_role, role):
    client = as_role(role)
    page = text(client.get("/items/PAPER-g"))
    assert 'action="/items/PAPER-g/coverage"' in page and '<option value="NAP05-PREV-d-ii">' in page
    response = post_link(client, reason="  High-security identity documents,\n a first step. ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/items/PAPER-g#coverage")
    link = links()[("PAPER-g", "NAP05-PREV-d-ii")]
    assert (link.origin, link.added_by.role.value, link.reason) == (
        UpdateOrigin.USER, role, "High-security identity documents, a first step.")
    recommendation = text(client.get("/items/PAPER-g"))
    section = recommendation.split('id="coverage"', 1)[1].split("</section>", 1)[0]
    assert "Addressed by" in section and 'href="/items/NAP05-PREV-d-ii"' in section
    assert "High-security identity documents, a first step." in section
    action = text(client.get("/items/NAP05-PREV-d-ii")).split('id="coverage"', 1)[1].split("</section>", 1)[0]
    assert "Addresses" in action and 'href="/items/PAPER-g#coverage"' in action
    (event,) = audit()
    assert (event.actor, event.subject) == (link.added_by.email, f"coverage:{link.id}")
    assert event.detail == ("added: PAPER-g addressed by NAP05-PREV-d-ii: “High-security identity documents, a first "
                            "step.”")
    assert counts(text(client.get("/coverage")))["gaps"] == 9


@pytest.mark.parametrize("role, agency", [("agency", "NADRA"), ("rapporteur", None)])
def test_others_are_refused_and_see_no_form(as_role, role, agency):
    client = as_role(role, agency)
    before = links()
    response = post_link(client)
    assert response.status_code == 403
    assert "Only coordinators and admins say which actions address a recommendation" in text(response)
    first = next(iter(before.values()))
    token = csrf_token(text(client.get("/items")))
    assert client.post(f"/coverage/links/{first.id}/remove", data={"csrf_token": token}).status_code == 403
    assert links().keys() == before.keys() and audit() == []
    page = text(client.get("/items/PAPER-l"))
    assert "Addressed by" in page and 'action="/items/PAPER-l/coverage"' not in page and "/coverage/links/" not in page


REFUSALS = [
    ({"action": "NAP05-NOPE"}, "There is no item with the ref “NAP05-NOPE”."),
    ({"action": ""}, "Give the ref of the action that addresses it, e.g. NAP05-PROT-SH-i."),
    ({"action": "PAPER-h"}, "PAPER-h is not a plan&#39;s action (its framework is a set of recommendations): only a "
                            "plan&#39;s actions address a recommendation."),
    ({"action": "PAPER-g"}, "PAPER-g cannot address itself: link it to a plan&#39;s action."),
    ({"reason": "   "}, "Say in one line how the action addresses the recommendation."),
    ({"reason": "x" * 301}, "The reason is 301 characters; the limit is 300."),
]


@pytest.mark.parametrize("fields, message", REFUSALS, ids=["unknown", "empty", "recommendation", "itself",
                                                            "no-reason", "long-reason"])
def test_a_refused_link_says_why_and_keeps_what_was_typed(as_role, fields, message):
    client = as_role("coordinator")
    response = post_link(client, **fields)
    assert response.status_code == 422
    page = text(response)
    assert message in page and "The action was not added" in page
    if fields.get("action"):
        assert f'value="{fields["action"]}"' in page
    assert ("PAPER-g", "NAP05-PREV-d-ii") not in links() and audit() == []


def test_a_pair_already_linked_and_an_item_no_recommendation_are_refused(as_role):
    client = as_role("coordinator")
    response = post_link(client, "PAPER-l", action="NAP05-PROT-i")
    assert response.status_code == 422 and "NAP05-PROT-i is already listed as addressing PAPER-l." in text(response)
    response = post_link(client, "NAP05-PROT-g", action="STEP-15")
    assert response.status_code == 422
    assert "NAP05-PROT-g is not a recommendation (its framework is a plan)" in text(response)
    assert 'action="/items/NAP05-PROT-g/coverage"' not in text(client.get("/items/NAP05-PROT-g"))
    assert post_link(client, "PAPER-nope").status_code == 404
    assert audit() == []


def test_removing_a_link_deletes_a_users_and_keeps_a_curated_one_marked(as_role):
    client = as_role("coordinator")
    post_link(client)
    mine, curated = links()[("PAPER-g", "NAP05-PREV-d-ii")], links()[("PAPER-l", "NAP05-PROT-i")]
    mine_id, curated_id = mine.id, curated.id
    page = text(client.get("/items/PAPER-l"))
    assert f'action="/coverage/links/{curated_id}/remove"' in page
    token = csrf_token(page)
    response = client.post(f"/coverage/links/{curated_id}/remove", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/items/PAPER-l#coverage")
    assert client.post(f"/coverage/links/{mine_id}/remove", data={"csrf_token": token}).status_code == 302
    every = links(active_only=False)
    assert ("PAPER-g", "NAP05-PREV-d-ii") not in every
    kept = every[("PAPER-l", "NAP05-PROT-i")]
    assert kept.removed_at is not None and kept.removed_by.email == "coordinator-x@example.org"
    section = text(client.get("/items/PAPER-l")).split('id="coverage"', 1)[1].split("</section>", 1)[0]
    assert 'href="/items/NAP05-PROT-i"' not in section and 'href="/items/NAP05-PROT-m"' in section
    assert "NAP05-PROT-i" not in row_of(text(client.get("/coverage")), "PAPER-l")
    assert client.post(f"/coverage/links/{curated_id}/remove", data={"csrf_token": token}).status_code == 404
    assert [event.detail for event in audit()][1:] == [
        "removed (curated): PAPER-l addressed by NAP05-PROT-i: “Legal assistance for victims, and measures so that "
        "they can reach it.”",
        "removed (added by a user): PAPER-g addressed by NAP05-PREV-d-ii: “High-security identity documents, a first "
        "step.”"]
    # Added again, the curated pair's row becomes the coordinator's.
    assert post_link(client, "PAPER-l", action="NAP05-PROT-i", reason="Legal aid.").status_code == 302
    again = links()[("PAPER-l", "NAP05-PROT-i")]
    assert (again.id, again.origin, again.reason, again.removed_at) == (curated_id, UpdateOrigin.USER, "Legal aid.",
                                                                       None)


# --- The API -------------------------------------------------------------------------------------------------


def test_the_api_returns_the_csvs_rows_with_the_actions_and_the_counts(as_role):
    client = as_role("agency", "NADRA")
    body = client.get("/api/v1/coverage?per_page=200").json
    assert (body["total"], body["summary"]) == (24, {"recommendations": 24, "addressed": 14, "gaps": 10,
                                                     "completed": 0})
    csv_rows = list(csv.DictReader(io.StringIO(text(as_role("coordinator").get("/coverage.csv")))))
    assert [{key: row[key] for key in CSV_COLUMNS} for row in body["coverage"]] == csv_rows
    shelters = next(row for row in body["coverage"] if row["recommendation"] == "PAPER-l")
    assert (shelters["gap"], shelters["pillar"], shelters["url"]) == (False, "protection", "/api/v1/items/PAPER-l")
    assert shelters["actions"][0] == {
        "ref": "NAP05-PROT-SH-i", "title": "Establish shelters for trafficking victims", "framework": "NAP 2005",
        "status": "in_progress", "curated": True,
        "reason": "Shelters giving victims safety, counselling, medical care and rehabilitation: the specialised "
                  "shelters l asks for."}
    gaps = client.get("/api/v1/coverage?gaps=1&pillar=prosecution").json
    assert [row["recommendation"] for row in gaps["coverage"]] == ["PAPER-g", "PAPER-t", "PAPER-v"]
    assert all(row["gap"] and row["actions"] == [] and row["addressed_by"] == "" for row in gaps["coverage"])
    refused = client.get("/api/v1/coverage?framework=NAP05")
    assert refused.status_code == 422
    assert refused.json["problems"] == ["framework 'NAP05' is a plan, not a set of recommendations"]


def test_the_users_who_added_links_are_named_not_their_accounts_exposed(as_role):
    client = as_role("coordinator")
    post_link(client)
    coordinator = db.session.scalar(sa.select(User).where(User.email == "coordinator-x@example.org"))
    page = text(client.get("/coverage"))
    assert f"added by {coordinator.display_name}" in row_of(page, "PAPER-g")
    api = client.get("/api/v1/coverage?gaps=0").json
    row = next(row for row in api["coverage"] if row["recommendation"] == "PAPER-g")
    assert row["actions"][0]["curated"] is False and "coordinator-x@example.org" not in str(api)
