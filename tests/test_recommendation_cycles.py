"""Recommendation sets from review cycles: the government's response and the cycle on import, repeats of earlier
cycles' recommendations suggested by text and recorded only once confirmed, and recurrence shown everywhere."""
import csv
import io
import re

import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from downloads import csv_text
from test_import import PUNJAB, export_all, plan_file, read_rows, snapshot
from tracker.contract import CSV_COLUMNS, REQUIRED_COLUMNS
from tracker.cycles.repeats import THRESHOLD, similarity
from tracker.cycles.services import recurring_since
from tracker.enums import AuditEventKind, FrameworkKind, GovernmentResponse
from tracker.extensions import db
from tracker.models import AuditEvent, Framework, RecommendationRepeat, StagedImport, User

# A reworded PAPER-k (82% alike), a reworded PAPER-t (88%), and a new one like none of the paper's.
REV25 = [
    {"ref": "REV25-1", "framework": "Annual review 2025", "pillar": "prosecution", "section": "Prosecution",
     "title": "Resource law enforcement", "lead_agency": "Ministry of Interior", "status": "not_started",
     "response": "Accepted", "cycle": "2025",
     "text": "Allocate adequate resources to law enforcement agencies to build their capacity to investigate and "
             "prosecute human trafficking cases, including training and technology."},
    {"ref": "REV25-2", "framework": "Annual review 2025", "pillar": "prosecution", "section": "Prosecution",
     "title": "Dedicated courts", "lead_agency": "Ministry of Law and Justice", "status": "not_started",
     "response": "partially ACCEPTED", "cycle": "2025",
     "text": "Establish dedicated courts or benches to try cases under the Prevention of Trafficking in Persons Act "
             "2018, ensuring specialized attention and expertise."},
    {"ref": "REV25-3", "framework": "Annual review 2025", "pillar": "protection", "section": "Protection",
     "title": "A helpline for victims", "lead_agency": "Ministry of Human Rights", "status": "not_started",
     "response": "noted", "cycle": "2025",
     "text": "Set up a national helpline for victims of trafficking, open day and night, in Urdu and the regional "
             "languages."},
]
# Next year's: REV25-1 again (97% alike), which is also 80% like PAPER-k.
REV26 = [
    {"ref": "REV26-1", "framework": "Annual review 2026", "pillar": "prosecution", "section": "Prosecution",
     "title": "Resource law enforcement, again", "lead_agency": "Ministry of Interior", "status": "not_started",
     "response": "partially_accepted", "cycle": "2026",
     "text": "Allocate adequate resources to law enforcement agencies to build their capacity to investigate and "
             "prosecute trafficking cases, including training and modern technology."},
]
COLUMNS = (*REQUIRED_COLUMNS, "response", "cycle")


def cycle_file(tmp_path, rows, name="review.csv", columns=COLUMNS):
    return plan_file(tmp_path / name, rows, columns)


def run_import(runner, path, *options):
    return runner.invoke(args=["import-plan", str(path), "--create-frameworks", *options])


def stored_repeats() -> set[tuple[str, str]]:
    db.session.expire_all()
    return {(repeat.item.ref, repeat.earlier.ref) for repeat in db.session.scalars(sa.select(RecommendationRepeat))}


def test_the_texts_of_the_examples_score_as_the_threshold_expects(seeded):
    """The examples stand for the cases: a reworded repeat above the threshold, a new recommendation below it."""
    paper_k, paper_t = fresh_item("PAPER-k").text, fresh_item("PAPER-t").text
    assert similarity(REV25[0]["text"], paper_k) >= THRESHOLD
    assert similarity(REV25[1]["text"], paper_t) >= THRESHOLD
    assert similarity(REV25[2]["text"], paper_k) < THRESHOLD and similarity(REV25[0]["text"], paper_t) < THRESHOLD
    assert similarity(REV26[0]["text"], REV25[0]["text"]) > similarity(REV26[0]["text"], paper_k) >= THRESHOLD


# Importing: the columns, their checks, the kind of a new framework


def test_a_file_with_response_and_cycle_is_a_set_of_recommendations(seeded, runner, tmp_path):
    result = run_import(runner, cycle_file(tmp_path, REV25))
    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated, 0 unchanged" in result.output
    framework = db.session.scalar(sa.select(Framework).where(Framework.name == "Annual review 2025"))
    assert (framework.kind, framework.year) == (FrameworkKind.RECOMMENDATIONS, 2025)
    responses = {ref: (fresh_item(ref).response, fresh_item(ref).cycle) for ref in ("REV25-1", "REV25-2", "REV25-3")}
    assert responses == {"REV25-1": (GovernmentResponse.ACCEPTED, 2025),
                         "REV25-2": (GovernmentResponse.PARTIALLY_ACCEPTED, 2025),
                         "REV25-3": (GovernmentResponse.NOTED, 2025)}
    # Without --confirm-repeats the likely repeats are listed, and none is recorded.
    assert "not confirmed: give --confirm-repeats to record them" in result.output
    assert "row 2: REV25-1 (cycle 2025) repeats PAPER-k (cycle 2024), 82% alike" in result.output
    assert "row 3: REV25-2 (cycle 2025) repeats PAPER-t (cycle 2024), 88% alike" in result.output
    assert "REV25-3 (cycle" not in result.output
    assert "0 repeat(s) of earlier recommendations confirmed, 2 suggested and not confirmed" in result.output
    assert stored_repeats() == set()


def test_a_file_without_the_columns_imports_exactly_as_before(seeded, runner, tmp_path):
    item = fresh_item("PAPER-a")
    item.response, item.cycle = GovernmentResponse.NOTED, 2024
    db.session.commit()
    result = runner.invoke(args=["import-plan", str(plan_file(tmp_path / "p.csv", PUNJAB, REQUIRED_COLUMNS)),
                                 "--create-agencies", "--create-frameworks"])
    assert result.exit_code == 0 and "3 new" in result.output and "repeat" not in result.output
    framework = db.session.scalar(sa.select(Framework).where(Framework.name == "Punjab plan"))
    assert framework.kind == FrameworkKind.PLAN and framework.year is None
    assert (fresh_item("PBPLAN-1").response, fresh_item("PBPLAN-1").cycle) == (None, None)
    # An older export (no response, no cycle) leaves a recommendation's response and cycle as they are.
    rows = read_rows(export_all(runner, tmp_path / "all.csv"))
    before = snapshot()
    again = runner.invoke(args=["import-plan", str(plan_file(tmp_path / "old.csv", rows, REQUIRED_COLUMNS))])
    assert again.exit_code == 0 and f"0 new, 0 updated, {len(rows)} unchanged" in again.output
    assert snapshot() == before
    assert (fresh_item("PAPER-a").response, fresh_item("PAPER-a").cycle) == (GovernmentResponse.NOTED, 2024)


def test_every_bad_response_or_cycle_is_named_by_row_and_column_and_nothing_is_written(seeded, runner, tmp_path):
    good = REV25[0]
    rows = [
        {**good, "ref": "BAD-1", "response": "rejected"},  # row 2
        {**good, "ref": "BAD-2", "cycle": "25"},  # row 3
        {**good, "ref": "BAD-3", "cycle": "1850"},  # row 4
        {**good, "ref": "BAD-4", "cycle": "2025-26", "response": "accepted in part"},  # row 5
        {**good, "ref": "BAD-5", "framework": "NAP 2005", "response": "accepted", "cycle": "2025"},  # row 6
        {**good, "ref": "BAD-6"},  # row 7: valid, and not written either
    ]
    before = snapshot()
    result = run_import(runner, cycle_file(tmp_path, rows))
    assert result.exit_code == 1
    assert "has 7 problem(s); nothing was written" in result.output
    for expected in (
        "row 2, column response: 'rejected' is not one of: accepted, partially accepted, noted (or empty)",
        "row 3, column cycle: '25' is not a year from 1990 to",
        "row 4, column cycle: '1850' is not a year from 1990 to",
        "row 5, column response: 'accepted in part' is not one of",
        "row 5, column cycle: '2025-26' is not a year",
        "row 6, column response: NAP 2005 is a plan: only a recommendation has a government response",
        "row 6, column cycle: NAP 2005 is a plan: only a recommendation has a review cycle",
    ):
        assert expected in result.output
    assert "row 7" not in result.output
    assert snapshot() == before and fresh_item("BAD-6") is None
    assert db.session.scalar(sa.select(Framework).where(Framework.name == "Annual review 2025")) is None


def test_the_export_carries_response_and_cycle_and_imports_back_unchanged(seeded, runner, tmp_path, as_role):
    assert run_import(runner, cycle_file(tmp_path, REV25)).exit_code == 0
    path = export_all(runner, tmp_path / "all.csv")
    rows = {row["ref"]: row for row in read_rows(path)}
    assert list(read_rows(path)[0]) == list(CSV_COLUMNS)
    assert (rows["REV25-2"]["response"], rows["REV25-2"]["cycle"]) == ("partially_accepted", "2025")
    assert (rows["PAPER-a"]["response"], rows["PAPER-a"]["cycle"]) == ("", "")
    before = snapshot()
    again = runner.invoke(args=["import-plan", str(path)])
    assert again.exit_code == 0, again.output
    assert f"0 new, 0 updated, {len(rows)} unchanged" in again.output
    assert snapshot() == before
    workbook = as_role("coordinator").get("/exports/items.xlsx?cycle=2025")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"


def test_the_cli_records_every_suggestion_with_confirm_repeats(seeded, runner, tmp_path, make_user):
    coordinator = make_user("coordinator")
    first = run_import(runner, cycle_file(tmp_path, REV25), "--confirm-repeats", "--user", "coordinator@example.org")
    assert first.exit_code == 0, first.output
    assert "2 repeat(s) of earlier recommendations confirmed, 0 suggested and not confirmed" in first.output
    assert stored_repeats() == {("REV25-1", "PAPER-k"), ("REV25-2", "PAPER-t")}
    repeat = fresh_item("REV25-1").repeats[0]
    assert (repeat.score, repeat.confirmed_by.id, repeat.source_name) == (82, coordinator.id, "review.csv")
    # Next year's set: its recommendation repeats last year's, and (less alike) the paper's; both are suggested.
    second = run_import(runner, cycle_file(tmp_path, REV26, "review-2026.csv"), "--confirm-repeats")
    assert second.exit_code == 0, second.output
    assert "REV26-1 (cycle 2026) repeats REV25-1 (cycle 2025), 97% alike" in second.output
    assert "REV26-1 (cycle 2026) repeats PAPER-k (cycle 2024), 80% alike" in second.output
    assert stored_repeats() >= {("REV26-1", "REV25-1"), ("REV26-1", "PAPER-k")}
    item = fresh_item("REV26-1")
    assert item.repeats[0].confirmed_by is None  # a command with no --user
    assert recurring_since([item.id, fresh_item("REV25-1").id, fresh_item("REV25-3").id]) == {
        item.id: 2024, fresh_item("REV25-1").id: 2024}
    # Importing the same file again records nothing twice.
    repeats = len(stored_repeats())
    third = run_import(runner, cycle_file(tmp_path, REV26, "review-2026.csv"), "--confirm-repeats")
    assert third.exit_code == 0 and "0 new, 0 updated, 1 unchanged" in third.output
    assert len(stored_repeats()) == repeats


def test_a_dry_run_lists_the_suggestions_and_records_nothing(seeded, runner, tmp_path):
    result = run_import(runner, cycle_file(tmp_path, REV25), "--dry-run", "--confirm-repeats")
    assert result.exit_code == 0 and "would be confirmed" in result.output
    assert stored_repeats() == set() and fresh_item("REV25-1") is None


def test_rows_of_one_file_may_repeat_an_earlier_cycle_of_the_same_file(seeded, runner, tmp_path):
    rows = [REV25[0], {**REV26[0], "framework": "Annual review 2025"}]
    result = run_import(runner, cycle_file(tmp_path, rows), "--confirm-repeats")
    assert result.exit_code == 0, result.output
    assert ("REV26-1", "REV25-1") in stored_repeats()
    assert fresh_item("REV26-1").framework.year == 2025  # the set's earliest cycle


# The import page: held, ticked, confirmed


def upload(client, content: bytes, filename="review.csv", **fields):
    token = csrf_token(client.get("/admin/import").get_data(as_text=True))
    return client.post("/admin/import", data={"csrf_token": token, "file": (io.BytesIO(content), filename), **fields},
                       content_type="multipart/form-data")


def confirm(client, html: str, repeats: list[str], staged: str | None = None):
    staged = staged if staged is not None else re.search(r'name="staged" type="hidden" value="([^"]+)"', html).group(1)
    return client.post("/admin/import/confirm", data={"csrf_token": csrf_token(html), "staged": staged,
                                                      "repeats": repeats})


def ticked(html: str) -> set[str]:
    return set(re.findall(r'name="repeats" value="([^"]+)"[^>]* checked', html))


def offered(html: str) -> set[str]:
    return set(re.findall(r'name="repeats" value="([^"]+)"', html))


def test_the_page_holds_the_file_and_records_only_the_ticked_repeats(as_role, tmp_path):
    admin = as_role("admin")
    before = snapshot()
    held = upload(admin, cycle_file(tmp_path, REV25).read_bytes(), create_frameworks="y")
    html = held.get_data(as_text=True)
    assert held.status_code == 200 and "nothing is written yet" in html
    assert "<th scope=\"row\">New items</th><td class=\"text-end\">3</td>" in html  # what the import would give
    assert offered(html) == {"REV25-1:PAPER-k", "REV25-2:PAPER-t"} and ticked(html) == set()
    assert "82%" in html and "88%" in html and fresh_item("PAPER-t").text in html
    assert snapshot() == before and fresh_item("REV25-1") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StagedImport)) == 1

    done = confirm(admin, html, ["REV25-1:PAPER-k"])
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "The plan is imported." in page
    assert "Repeats of earlier recommendations recorded: 1." in page
    assert stored_repeats() == {("REV25-1", "PAPER-k")}
    me = db.session.scalar(sa.select(User).where(User.email == "admin-x@example.org"))
    repeat = fresh_item("REV25-1").repeats[0]
    assert (repeat.confirmed_by.id, repeat.score, repeat.confirmed_at is not None) == (me.id, 82, True)
    unticked = fresh_item("REV25-2")
    assert unticked.repeats == [] and unticked.response == GovernmentResponse.PARTIALLY_ACCEPTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StagedImport)) == 0
    # The same file again: the recorded repeat is not asked again; the one left unticked is.
    again = upload(admin, cycle_file(tmp_path, REV25).read_bytes(), create_frameworks="y")
    html = again.get_data(as_text=True)
    assert offered(html) == {"REV25-2:PAPER-t"} and "recorded already" in html


def test_a_file_whose_repeats_are_all_recorded_imports_at_once(as_role, tmp_path):
    admin = as_role("admin")
    held = upload(admin, cycle_file(tmp_path, REV25).read_bytes(), create_frameworks="y")
    confirm(admin, held.get_data(as_text=True), ["REV25-1:PAPER-k", "REV25-2:PAPER-t"])
    changed = [{**REV25[2], "title": "A helpline for victims, day and night"}, REV25[0], REV25[1]]
    response = upload(admin, cycle_file(tmp_path, changed).read_bytes(), create_frameworks="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The plan is imported." in html and 'name="repeats"' not in html
    assert fresh_item("REV25-3").title == "A helpline for victims, day and night"


def test_the_ticks_are_kept_when_the_confirmation_is_refused(as_role, tmp_path):
    admin = as_role("admin")
    held = upload(admin, cycle_file(tmp_path, REV25).read_bytes(), create_frameworks="y")
    html = held.get_data(as_text=True)
    before = snapshot()
    refused = confirm(admin, html, ["REV25-1:PAPER-k", "REV25-2:PAPER-t", "REV25-3:PAPER-a"])
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "nothing was written" in page
    assert "<td>4</td><td>repeats</td><td>&#39;REV25-3 repeats PAPER-a&#39; is not a repeat suggested" in page
    assert ticked(page) == {"REV25-1:PAPER-k", "REV25-2:PAPER-t"}
    assert snapshot() == before and stored_repeats() == set()
    # The held file is still there: the form as shown again imports.
    done = confirm(admin, page, sorted(ticked(page)))
    assert done.status_code == 200 and stored_repeats() == {("REV25-1", "PAPER-k"), ("REV25-2", "PAPER-t")}


def test_a_check_only_upload_shows_the_suggestions_to_confirm(as_role, tmp_path):
    admin = as_role("admin")
    checked = upload(admin, cycle_file(tmp_path, REV25).read_bytes(), create_frameworks="y", dry_run="y")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Checked (nothing written)" in html
    assert offered(html) == {"REV25-1:PAPER-k", "REV25-2:PAPER-t"} and fresh_item("REV25-1") is None
    assert confirm(admin, html, ["REV25-2:PAPER-t"]).status_code == 200
    assert stored_repeats() == {("REV25-2", "PAPER-t")}


def test_only_its_importer_confirms_a_held_file_and_only_once(as_role, tmp_path):
    admin = as_role("admin")
    html = upload(admin, cycle_file(tmp_path, REV25).read_bytes(), create_frameworks="y").get_data(as_text=True)
    staged = re.search(r'name="staged" type="hidden" value="([^"]+)"', html).group(1)
    other = as_role("admin", email="other-admin@example.org")
    other_page = other.get("/admin/import").get_data(as_text=True)
    refused = confirm(other, other_page, ["REV25-1:PAPER-k"], staged=staged)
    assert refused.status_code == 422 and "this check has expired" in refused.get_data(as_text=True)
    assert fresh_item("REV25-1") is None
    assert confirm(admin, html, []).status_code == 200 and stored_repeats() == set()
    assert confirm(admin, html, ["REV25-1:PAPER-k"]).status_code == 422  # imported already
    assert stored_repeats() == set()
    events = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.event == AuditEventKind.IMPORT)).all()
    assert any("held until its suggested repeats are confirmed" in detail for detail in events)
    assert any(detail.startswith("review.csv: 3 row(s)") for detail in events)


# Showing it: item page, list, filters, API


def recurring_world(runner, tmp_path):
    """REV25-1 repeats PAPER-k; REV26-1 repeats REV25-1 (and PAPER-k)."""
    assert run_import(runner, cycle_file(tmp_path, REV25), "--confirm-repeats").exit_code == 0
    assert run_import(runner, cycle_file(tmp_path, REV26, "r26.csv"), "--confirm-repeats").exit_code == 0


def test_the_item_page_shows_response_cycle_and_recurrence(as_role, runner, tmp_path):
    recurring_world(runner, tmp_path)
    client = as_role("agency", "FIA")
    page = client.get("/items/REV26-1").get_data(as_text=True)
    assert re.search(r'id="item-response"><a [^>]*>Partially accepted</a>', page)
    assert re.search(r'id="item-cycle"><a [^>]*>2026</a>', page)
    assert "recurring since 2024" in page
    assert re.search(r'Repeats <a href="/items/REV25-1">REV25-1</a> \(cycle 2025\)', page)
    assert re.search(r'Repeats <a href="/items/PAPER-k">PAPER-k</a> \(cycle 2024\)', page)
    earlier = client.get("/items/PAPER-k").get_data(as_text=True)
    assert re.search(r'Repeated by <a href="/items/REV25-1">REV25-1</a> \(cycle 2025\)', earlier)
    assert re.search(r'Repeated by <a href="/items/REV26-1">REV26-1</a> \(cycle 2026\)', earlier)
    assert "recurring since" not in earlier  # it is the first of its line
    assert "2024 <span class=\"small text-body-secondary\">(the set's year)</span>" in earlier
    plan_item = client.get("/items/NAP05-PROS-a-i").get_data(as_text=True)
    assert 'id="item-response"' not in plan_item and 'id="recurrence"' not in plan_item


def test_the_list_shows_recurrence_and_filters_by_response_cycle_and_recurring(as_role, runner, tmp_path):
    client = as_role("rapporteur")
    empty = client.get("/items").get_data(as_text=True)
    # Nothing carries a response or a cycle yet: no filter that could only return nothing.
    assert 'id="response"' not in empty and 'id="cycle"' not in empty and 'id="recurring"' not in empty
    recurring_world(runner, tmp_path)
    page = client.get("/items?q=REV*").get_data(as_text=True)  # every ref that begins REV
    rows = {ref: row for ref, row in re.findall(r'<a href="/items/(REV2\d-\d)">[^<]*</a></td>(.*?)</tr>', page, re.S)}
    assert "recurring since 2024" in rows["REV25-1"] and "recurring since 2024" in rows["REV26-1"]
    assert "recurring since" not in rows["REV25-3"] and "cycle 2025 · Noted" in rows["REV25-3"]
    assert re.search(r'<option value="partially_accepted" >Partially accepted</option>', page)
    assert '<option value="2026" >2026</option>' in page and 'id="recurring"' in page

    def refs(query: str) -> set[str]:
        return set(re.findall(r'<td class="text-nowrap"><a href="/items/([^"]+)">', client.get(
            f"/items?{query}").get_data(as_text=True)))

    assert refs("response=partially_accepted") == {"REV25-2", "REV26-1"}
    assert refs("cycle=2025") == {"REV25-1", "REV25-2", "REV25-3"}
    assert refs("recurring=1") == {"REV25-1", "REV25-2", "REV26-1"}
    assert refs("recurring=1&cycle=2026") == {"REV26-1"}
    ignored = client.get("/items?response=rejected&cycle=25").get_data(as_text=True)
    assert "unknown response &#39;rejected&#39;" in ignored and "cycle 25 is not a year from 1990" in ignored


def test_the_api_carries_response_cycle_and_repeats(as_role, runner, tmp_path):
    recurring_world(runner, tmp_path)
    client = as_role("coordinator")
    listing = client.get("/api/v1/items?cycle=2025&response=accepted").get_json()
    assert [(i["ref"], i["response"], i["cycle"]) for i in listing["items"]] == [("REV25-1", "accepted", 2025)]
    paper = client.get("/api/v1/items?framework=PAPER&per_page=1").get_json()["items"][0]
    assert (paper["response"], paper["cycle"]) == (None, None)
    assert client.get("/api/v1/items?response=rejected").status_code == 422
    assert client.get("/api/v1/items?recurring=1").get_json()["total"] == 3
    detail = client.get("/api/v1/items/REV26-1").get_json()
    assert [(r["ref"], r["cycle"], r["score"]) for r in detail["repeats"]] == [("REV25-1", 2025, 97),
                                                                               ("PAPER-k", 2024, 80)]
    assert detail["recurring_since"] == 2024 and detail["repeated_by"] == []
    assert detail["repeats"][0]["confirmed_by"] is None and detail["repeats"][0]["confirmed_at"].endswith("+00:00")
    earlier = client.get("/api/v1/items/REV25-1").get_json()
    assert [r["ref"] for r in earlier["repeated_by"]] == ["REV26-1"] and earlier["recurring_since"] == 2024


def test_the_csv_export_filtered_by_cycle(as_role, runner, tmp_path):
    assert run_import(runner, cycle_file(tmp_path, REV25)).exit_code == 0
    text = as_role("coordinator").get("/exports/items.csv?cycle=2025&response=noted").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(csv_text(text))))
    assert [(row["ref"], row["response"], row["cycle"]) for row in rows] == [("REV25-3", "noted", "2025")]
