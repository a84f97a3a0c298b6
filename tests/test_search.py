"""Full-text search: stemming, agencies' names and the synonym list, ranking, highlighting, hostile text, the index
kept current by every writer — and filter values that match nothing named, not ignored. SQLite and PostgreSQL alike
(TEST_DATABASE_URL)."""
from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item, log_in, make_app, replace_in
from factories import ActionItemFactory, AgencyFactory, ItemAgencyFactory
from test_dashboard import count_queries
from test_import import export_all, import_plan, plan_file, read_rows
from test_items import refs_on, total_on
from test_progress import form_data, post_update
from tracker.catalogue.services import find_agency
from tracker.enums import AssignmentRole, ReportStage
from tracker.extensions import db
from tracker.items.filters import ItemFilters
from tracker.models import ActionItem, Report, SearchDocument, Synonym
from tracker.search.documents import build
from tracker.search.query import Phrase, Thesaurus, name_key, parse
from tracker.search.services import CLOSE, OPEN, marked
from tracker.seeding.loader import seed_catalogue

ITEM = "PAPER-g"  # NADRA leads, FIA and Police support


def found(client, q: str, **args) -> list[str]:
    """The refs the item list shows for a search, in its order (every page of them)."""
    response = client.get("/items", query_string={"q": q, **args})
    assert response.status_code == 200
    refs, page = [], 1
    while True:
        page_refs = refs_on(response)
        refs += page_refs
        if len(refs) >= total_on(response) or not page_refs:
            return refs
        page += 1
        response = client.get("/items", query_string={"q": q, "page": page, **args})


def api_refs(client, q: str, **args) -> list[str]:
    response = client.get("/api/v1/items", query_string={"q": q, "per_page": 200, **args})
    assert response.status_code == 200, response.json
    return [row["ref"] for row in response.json["items"]]


def documents() -> dict[int, dict]:
    """The search documents as the table holds them."""
    db.session.expire_all()
    return {row.item_id: {c: getattr(row, c) for c in ("item_id", "ref", "title", "body", "notes", "agencies")}
            for row in db.session.scalars(sa.select(SearchDocument))}


def assert_index_current() -> None:
    """Every item has its document, and each is what a fresh build from the database would write."""
    ids = list(db.session.scalars(sa.select(ActionItem.id)))
    fresh = {row["item_id"]: row for row in build(db.session.connection(), ids)}
    assert documents() == fresh


def add_item(ref: str, title: str, text: str, agency=None, position: int | None = None, **fields) -> ActionItem:
    """An item of the seeded catalogue's first framework, led by `agency` (a new one unless given)."""
    item = ActionItemFactory(ref=ref, title=title, text=text, lead=None,
                             **({"position": position} if position is not None else {}), **fields)
    ItemAgencyFactory(item=item, agency=agency or AgencyFactory(), role=AssignmentRole.LEAD)
    db.session.commit()
    return item


def word_in_documents(pattern: str) -> set[str]:
    """Refs of the items whose document (any part) has a word matching the pattern."""
    regex = re.compile(pattern, re.IGNORECASE)
    return {doc["ref"] for doc in documents().values()
            if any(regex.search(doc[part]) for part in ("ref", "title", "body", "notes", "agencies"))}


@pytest.fixture
def coordinator(as_role):
    return as_role("coordinator")


# What it finds.


def test_shelters_finds_every_item_that_says_shelter(coordinator):
    expected = word_in_documents(r"\bshelter(s|ed|ing)?\b")
    assert len(expected) >= 5
    assert set(found(coordinator, "shelters")) == expected
    assert set(found(coordinator, "shelter")) == expected
    # No synonym is involved: the database's stemmer does it, for any word.
    add_item("REFUGE-1", "A refuge for rescued children", "One refuge in each province.")
    assert found(coordinator, "refuges") == ["REFUGE-1"]
    assert found(coordinator, "refuge") == ["REFUGE-1"]


def test_an_agency_s_full_name_short_name_and_aliases_find_the_same_items(coordinator):
    fia = find_agency("FIA")
    # One item names the agency in full without being its, another by its short name only.
    add_item("NAMES-1", "Passport checks", "The Federal Investigation Agency will check passports.")
    add_item("NAMES-2", "Exit checks", "Exit points are checked by FIA staff.")
    by_short = set(found(coordinator, "FIA"))
    assert by_short == set(found(coordinator, "Federal Investigation Agency"))
    assert by_short == set(found(coordinator, "director general, fia"))  # an alias, in other case and spacing
    assert {"NAMES-1", "NAMES-2"} <= by_short
    # Every item the FIA is responsible for is among them, whatever its text says.
    assigned = set(db.session.scalars(sa.select(ActionItem.ref).where(
        ActionItem.assignments.any(agency_id=fia.id))))
    assert assigned and assigned <= by_short
    assert set(api_refs(coordinator, "Federal Investigation Agency")) == by_short


def test_the_synonym_list_makes_a_term_find_its_others(coordinator):
    # STEP-15 says "Help line"; nothing says "helpline".
    helpline = set(found(coordinator, "helpline"))
    assert "STEP-15" in helpline and helpline == set(found(coordinator, "help line"))
    assert found(coordinator, '"helpline"') == []  # a quoted phrase is taken as written
    add_item("KP-1", "Brick kiln inspections", "Inspections in Khyber Pakhtunkhwa.")
    add_item("KP-2", "Border posts", "Posts on the NWFP border.")
    add_item("KP-3", "Labour courts", "Labour courts in KP districts.")
    for query in ("KP", "Khyber Pakhtunkhwa", "nwfp"):
        assert set(found(coordinator, query)) == {"KP-1", "KP-2", "KP-3"}, query
    assert set(found(coordinator, "MoI")) == set(found(coordinator, "Ministry of Interior"))
    assert len(found(coordinator, "MoI")) > 10


def test_a_synonym_list_change_takes_effect_at_the_next_seed(app, seed_copy, as_role):
    seed_catalogue(str(seed_copy))
    coordinator = as_role("coordinator")
    add_item("DAR-1", "Dar-ul-Aman in every district", "A Dar-ul-Aman for women in distress in each district.")
    assert found(coordinator, "house of peace") == []
    with (seed_copy / "synonyms.toml").open("a") as handle:
        handle.write('\n[[synonym]]\nterms = ["house of peace", "Dar-ul-Aman"]\n')
    report = seed_catalogue(str(seed_copy))
    assert report.updated["synonym groups"] == 21
    assert found(coordinator, "house of peace") == ["DAR-1"]


def test_searching_words_a_or_b_not_c_and_a_prefix(coordinator):
    add_item("OPS-1", "Kilnwatch patrols", "Patrols of brick kilns in Sindh.")
    add_item("OPS-2", "Kilnwatch training", "Training of labour inspectors in Punjab.")
    add_item("OPS-3", "Quarrywatch patrols", "Patrols of stone quarries in Sindh.")
    assert set(found(coordinator, "kilnwatch patrols")) == {"OPS-1"}  # every word
    assert set(found(coordinator, "kilnwatch OR quarrywatch")) == {"OPS-1", "OPS-2", "OPS-3"}
    assert set(found(coordinator, "kilnwatch -sindh")) == {"OPS-2"}
    assert set(found(coordinator, "-sindh kilnwatch")) == {"OPS-2"}
    assert set(found(coordinator, "kilnw*")) == {"OPS-1", "OPS-2"}
    assert set(found(coordinator, '"patrols of brick kilns"')) == {"OPS-1"}
    assert found(coordinator, '"brick kilns of patrols"') == []  # a phrase, in its order
    assert set(found(coordinator, "the kilnwatch of")) == {"OPS-1", "OPS-2"}  # "the", "of" alone are left out


def test_urdu_and_other_scripts_are_searched_as_words(coordinator):
    add_item("UR-1", "Awareness in Urdu", "انسانی اسمگلنگ کے خلاف آگاہی مہم")
    assert found(coordinator, "اسمگلنگ") == ["UR-1"]
    assert found(coordinator, "آگاہی مہم") == ["UR-1"]


# What it never shows.


def test_only_verified_words_are_searched(people_of_nadra):
    focal, coordinator = people_of_nadra
    response = post_update(focal, form_data(focal, ref=ITEM, note="Zebrafish corridor agreed with the provinces."),
                           ref=ITEM)
    assert response.status_code == 302
    # Pending: neither the agency nor a coordinator finds the item by what the report says.
    assert found(coordinator, "zebrafish") == [] and found(focal, "zebrafish") == []
    report = db.session.scalar(sa.select(Report).order_by(Report.id.desc()))
    page = coordinator.get(f"/items/{ITEM}").get_data(as_text=True)
    decided = coordinator.post(f"/reports/{report.id}/decision", data={
        "csrf_token": csrf_token(page), "verify": "Verify", "comment": "Checked against the minutes."})
    assert decided.status_code == 302
    assert found(coordinator, "zebrafish") == [ITEM] and found(focal, "zebrafish") == [ITEM]
    assert found(coordinator, "minutes checked") == [ITEM]  # the coordinator's comment too
    html = coordinator.get("/items?q=zebrafish").get_data(as_text=True)
    assert "Verified notes:</span>" in html and "<mark>Zebrafish</mark> corridor" in html
    assert_index_current()


def test_a_returned_report_and_evidence_are_never_searched(people_of_nadra):
    focal, coordinator = people_of_nadra
    data = form_data(focal, ref=ITEM, note="Okapi registry opened.", links="https://example.org/okapi-evidence\n")
    assert post_update(focal, data, ref=ITEM).status_code == 302
    report = db.session.scalar(sa.select(Report).order_by(Report.id.desc()))
    page = coordinator.get(f"/items/{ITEM}").get_data(as_text=True)
    coordinator.post(f"/reports/{report.id}/decision", data={
        "csrf_token": csrf_token(page), "send_back": "Return", "comment": "Say which registry: platypus."})
    assert fresh_item(ITEM).reports[-1].stage == ReportStage.RETURNED
    for words in ("okapi", "platypus"):
        assert ITEM not in found(coordinator, words), words


@pytest.fixture
def people_of_nadra(as_role):
    return as_role("agency", "NADRA"), as_role("coordinator")


# In what order, and how it is shown.


def test_a_match_in_the_title_ranks_above_one_in_the_text(coordinator):
    # In the plan's order the item that only mentions the word comes first.
    add_item("RANK-B", "Brick kiln inspections", "Inspections, later joined by kilnwatch patrols.", position=1)
    add_item("RANK-A", "Kilnwatch patrols", "Patrols at brick kilns.", position=2)
    assert found(coordinator, "kilnwatch") == ["RANK-A", "RANK-B"]
    assert api_refs(coordinator, "kilnwatch") == ["RANK-A", "RANK-B"]
    # A sort the user chose is kept; the plan's order puts RANK-B first.
    assert found(coordinator, "kilnwatch", sort="ref") == ["RANK-B", "RANK-A"]
    assert api_refs(coordinator, "kilnwatch", sort="ref") == ["RANK-B", "RANK-A"]
    html = coordinator.get("/items?q=kilnwatch&sort=ref").get_data(as_text=True)
    assert 'href="/items?q=kilnwatch">Show the most relevant first</a>' in html
    assert "The most relevant first" in coordinator.get("/items?q=kilnwatch").get_data(as_text=True)
    # Only excluding words ranks nothing: the plan's order, and no claim of relevance.
    excluding = coordinator.get("/items?q=-kilnwatch").get_data(as_text=True)
    assert "The most relevant first" not in excluding and not {"RANK-A", "RANK-B"} & set(refs_on_html(excluding))
    assert refs_on_html(excluding) == refs_on(coordinator.get("/items?q=-kilnwatch&sort=ref"))


def test_matches_are_marked_in_escaped_text(coordinator):
    add_item("XSS-1", '<script>alert(1)</script> kilnwatch & "co"',
             'Kilnwatch <img src=x onerror=alert(1)> patrols <b>at</b> kilns.')
    html = coordinator.get("/items?q=kilnwatch").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>kilnwatch</mark> &amp; &#34;co&#34;" in html
    # (PostgreSQL's headline leaves out what its parser takes for a tag, such as <b>; SQLite's keeps it, escaped.)
    assert "<mark>Kilnwatch</mark> &lt;img src=x onerror=alert(1)&gt; patrols" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>at</b>" not in html
    # The query is text too: what it holds is escaped wherever the page repeats it.
    html = coordinator.get("/items", query_string={"q": '<mark>"x'}).get_data(as_text=True)
    assert '<mark>"x' not in html and "&lt;mark&gt;" in html


def test_marks_are_balanced_and_everything_else_escaped():
    assert marked(f"a {OPEN}b{CLOSE} <c>") == "a <mark>b</mark> &lt;c&gt;"
    assert marked(f"{CLOSE}x {OPEN}{OPEN}y & z") == "x <mark>y &amp; z</mark>"
    assert marked("plain") == "plain"


# Any text at all.

HOSTILE = [
    '"', '""', "'", "a\"b", '"unbalanced', "NEAR(a b)", "NEAR", "a AND", "AND", "OR", "NOT", "a OR", "OR b", "-",
    "--", "-\"\"", "*", "**", "a*b", "*a", "(((", ")", "())(", "{ref}:x", "ref:STEP", "title:kiln", "^x", "x:*",
    "!!", "&&", "|", "<->", "\\", "\\\\'", "%", "_", "a_b*", "'; DROP TABLE action_items; --", "1e400", "NaN",
    "x" * 5000, "word " * 400, "انسانی اسمگلنگ", "人口贩卖", "🙂 shelter", "e\u0301", "١٢٣", "\u202eevil",
    "\ue000mark\ue001", "the of and", "a" * 200 + "*",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_is_answered_not_an_error(coordinator, token_headers, text):
    for path in ("/items", "/dashboard", "/changes", "/exports/items.csv"):
        response = coordinator.get(path, query_string={"q": text})
        assert response.status_code == 200, (path, response.status_code)
    api = coordinator.get("/api/v1/items", query_string={"q": text}, headers=token_headers)
    assert api.status_code == 200, api.json
    assert coordinator.get("/api/v1/stats", query_string={"q": text}, headers=token_headers).status_code == 200


@pytest.fixture
def token_headers(make_user):
    from tracker.api.tokens import issue_token

    _, secret = issue_token(make_user("coordinator", email="api-search@example.org"), "tests")
    return {"Authorization": f"Bearer {secret}"}


def test_a_search_with_no_word_finds_nothing_and_says_so(coordinator):
    html = coordinator.get("/items?q=%25+*").get_data(as_text=True)
    assert refs_on_html(html) == [] and "holds no word to look for" in html


def refs_on_html(html: str) -> list[str]:
    return re.findall(r'<td class="text-nowrap"><a href="/items/([^"]+)">', html)


def test_reading_what_is_typed():
    thesaurus = Thesaurus({name_key("FIA"): ["FIA", "Federal Investigation Agency"],
                           name_key("Federal Investigation Agency"): ["FIA", "Federal Investigation Agency"]})
    query = parse('the federal  investigation agency "help line" traffick* -Sindh a OR b', thesaurus)
    assert query.groups == (
        (Phrase("federal investigation agency"), Phrase("FIA")),
        (Phrase("help line"),),
        (Phrase("traffick", prefix=True),),
        (Phrase("b"),),  # "a" is a word left out, so "a OR b" is "b"
    )
    assert query.excluded == (Phrase("Sindh"),)
    assert parse("x OR y OR z").groups == ((Phrase("x"), Phrase("y"), Phrase("z")),)
    # A name that holds another whole finds nothing more: only the shorter is asked for.
    names = ["FIA", "DG FIA", "FIA Headquarters", "Federal Investigation Agency"]
    query = parse("dg fia", Thesaurus({name_key(name): names for name in names}))
    assert query.groups == ((Phrase("FIA"), Phrase("Federal Investigation Agency")),)
    assert parse("% * ( ) -").empty and parse('""').empty
    assert len(parse(" ".join(f"w{n}" for n in range(100))).groups) == 32  # a search's words are bounded


# Kept current by every writer.


def test_the_index_follows_items_assignments_and_agencies(as_role, runner, tmp_path):
    coordinator, admin = as_role("coordinator"), as_role("admin")
    assert_index_current()
    # An item's title changed by an import.
    row = {r["ref"]: r for r in read_rows(export_all(runner, tmp_path / "all.csv"))}[ITEM]
    result = import_plan(runner, plan_file(tmp_path / "one.csv", [{**row, "title": "Kilnwatch records link"}]))
    assert result.exit_code == 0, result.output
    assert found(coordinator, "kilnwatch") == [ITEM]
    # An agency given the item by a coordinator.
    ipa = AgencyFactory(name="Inland Ports Authority", short_name="IPA")
    db.session.commit()
    assert ITEM not in found(coordinator, "Inland Ports Authority")
    page = coordinator.get(f"/items/{ITEM}/agencies").get_data(as_text=True)
    item = fresh_item(ITEM)
    response = coordinator.post(f"/items/{ITEM}/agencies", data={
        "csrf_token": csrf_token(page), "lead": str(item.lead.agency_id), "version": str(item.version),
        "supporting": [str(a.agency_id) for a in item.supporting] + [str(ipa.id)]})
    assert response.status_code == 302
    assert found(coordinator, "IPA") == [ITEM]
    # An alias added to the agency, and taken away.
    page = admin.get(f"/admin/agencies/{ipa.id}").get_data(as_text=True)
    response = admin.post(f"/admin/agencies/{ipa.id}/aliases",
                          data={"csrf_token": csrf_token(page), "alias-alias": "Dry Port Board"})
    assert response.status_code == 302
    assert found(coordinator, "dry port board") == [ITEM]
    assert found(coordinator, "dry port board") == found(coordinator, "IPA")
    alias_id = find_agency("Dry Port Board").aliases[0].id
    page = admin.get(f"/admin/agencies/{ipa.id}").get_data(as_text=True)
    admin.post(f"/admin/agencies/{ipa.id}/aliases/{alias_id}/remove", data={"csrf_token": csrf_token(page)})
    assert found(coordinator, "dry port board") == []
    # The agency renamed: its new name finds the item, and so does the old one (now an alias).
    page = admin.get(f"/admin/agencies/{ipa.id}").get_data(as_text=True)
    response = admin.post(f"/admin/agencies/{ipa.id}", data={
        "csrf_token": csrf_token(page), "agency-name": "Inland Dry Ports Authority", "agency-short_name": "IDPA",
        "agency-kind": "federal_agency", "agency-province": "", "agency-parent": ""})
    assert response.status_code == 302
    assert found(coordinator, "IDPA") == [ITEM] == found(coordinator, "Inland Ports Authority")
    assert found(coordinator, "IPA") == []
    assert_index_current()


def test_a_merge_of_agencies_moves_their_names(as_role):
    admin, coordinator = as_role("admin"), as_role("coordinator")
    duplicate = AgencyFactory(name="Anti Smuggling Cell", short_name="ASC")
    add_item("MERGE-1", "Seal the coastal routes", "Coastal patrols.", agency=duplicate)
    nadra = find_agency("NADRA")
    page = admin.get(f"/admin/agencies/{duplicate.id}").get_data(as_text=True)
    response = admin.post(f"/admin/agencies/{duplicate.id}/merge",
                          data={"csrf_token": csrf_token(page), "merge-target": str(nadra.id)})
    assert response.status_code == 302
    by_old_name = set(found(coordinator, "Anti Smuggling Cell"))
    assert "MERGE-1" in by_old_name and by_old_name == set(found(coordinator, "NADRA"))
    assert_index_current()


def test_seeding_leaves_the_index_current(app, seed_copy, client, make_user):
    assert documents() == {}
    report = seed_catalogue(str(seed_copy))
    assert len(documents()) == report.created["items"] > 100
    assert_index_current()
    replace_in(seed_copy / "items/paper.toml", 'title = "', 'title = "Kilnwatch: ')  # the first item's title
    seed_catalogue(str(seed_copy))
    make_user("coordinator")
    log_in(client, "coordinator@example.org")
    assert found(client, "kilnwatch") == ["PAPER-a"]
    assert_index_current()


def test_reindex_writes_every_document_again(seeded, runner):
    before = documents()
    db.session.execute(sa.delete(SearchDocument).where(SearchDocument.ref == ITEM))  # as if lost
    db.session.commit()
    assert ITEM not in {doc["ref"] for doc in documents().values()}
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"Reindexed {len(before)} item(s)" in result.output
    assert documents() == before
    assert ITEM in [i.ref for i in db.session.scalars(
        sa.select(ActionItem).where(ItemFilters(q="criminal records").search.clause()))]


# The same search everywhere, and no cost without one.


def test_the_dashboard_and_the_exports_search_as_the_list_does(coordinator):
    listed = found(coordinator, "shelters")
    html = coordinator.get("/dashboard?q=shelters").get_data(as_text=True)
    assert re.search(rf"<strong>{len(listed)}</strong> items match these filters", html)
    assert 'name="q" value="shelters"' in html
    csv = coordinator.get("/exports/items.csv?q=shelters").get_data(as_text=True)
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == listed  # the same order: by relevance
    stats = coordinator.get("/api/v1/stats?q=shelters").json
    assert stats["total"] == len(listed)


def test_a_search_costs_a_fixed_number_of_queries_and_none_without_one(coordinator):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert coordinator.get("/items").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in statements if re.search(r"search_|synonyms", s)]
    # The agency pickers (the filter's and the coordinator's bulk change) offer each agency's other names, read
    # once for both; without a search nothing else reads them.
    assert len([s for s in statements if "agency_aliases" in s]) == 1
    for n in range(2):
        add_item(f"FEW-{n}", f"Kilnwatch {n}", "Kilnwatch patrols.")
    few = count_queries(coordinator, "/items?q=kilnwatch")
    for n in range(60):
        add_item(f"MANY-{n}", f"Kilnwatch {n}", "Kilnwatch patrols.")
    assert count_queries(coordinator, "/items?q=kilnwatch") == few


# Filter values that match nothing are named, not ignored.


@pytest.mark.parametrize("path", ["/items", "/dashboard"])
def test_a_filter_value_that_matches_nothing_is_named_on_the_page(coordinator, path):
    html = coordinator.get(f"{path}?pillar=peace&status=done&framework=NOPE&province=XX&agency=99999"
                           "&q=shelters").get_data(as_text=True)
    shown = unescape(html)
    for named in ("unknown pillar 'peace'", "unknown status 'done'", "unknown framework 'NOPE'",
                  "unknown province 'XX'", "unknown agency 99999"):
        assert named in shown, named
    assert 'role="alert">Ignored:' in html


def test_a_filter_value_that_matches_nothing_is_a_422_in_the_api(coordinator, token_headers):
    for query in ("pillar=peace", "status=done", "framework=NOPE", "province=XX", "agency=99999"):
        for path in ("/api/v1/items", "/api/v1/stats"):
            response = coordinator.get(f"{path}?{query}&q=shelters", headers=token_headers)
            assert response.status_code == 422 and response.json["error"] == "invalid", (path, query)
            assert query.split("=")[1] in " ".join(response.json["problems"])


# The databases' own index objects.


def test_the_migration_builds_the_index_create_all_builds(tmp_path, blank_database_url, seeded):
    def index_objects() -> set[str]:
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE (name LIKE 'search_fts%' OR type = 'trigger') "
                    "AND sql IS NOT NULL")
            else:
                rows = connection.exec_driver_sql(
                    "SELECT regexp_replace(indexdef, ' ON \\S+\\.', ' ON ') FROM pg_indexes "
                    "WHERE indexname = 'ix_search_documents_document' AND schemaname = current_schema() "
                    "UNION SELECT generation_expression FROM information_schema.columns "
                    "WHERE table_name = 'search_documents' AND column_name = 'document' "
                    "AND table_schema = current_schema()")
            return {re.sub(r"\s+", " ", row[0]) for row in rows}

    built = index_objects()
    assert built
    from flask_migrate import upgrade

    migrated_app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url)
    with migrated_app.app_context():
        upgrade()
        assert index_objects() == built
        db.session.remove()
        db.engine.dispose()


def test_synonyms_are_loaded_by_the_seed(seeded):
    terms = set(db.session.scalars(sa.select(Synonym.term)))
    assert {"helpline", "help line", "MoI", "Ministry of Interior", "KP", "Khyber Pakhtunkhwa"} <= terms


def test_the_search_box_is_on_the_list_and_the_dashboard(seeded, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    for path in ("/items", "/dashboard"):
        assert 'type="search" id="q" name="q"' in client.get(path).get_data(as_text=True), path
