"""Where each agency comes from: the documents that name it, or the curators' reason; and the partners the
documents tie to a kind of work, linked to the items that cover it (seed/README.md, "Where agencies come from")."""
import re
from dataclasses import replace
from functools import cache
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape

from conftest import SEED_DIR, replace_in
from tracker.enums import AgencyKind, AssignmentRole, Basis
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import ActionItem, Agency, ItemAgency, name_key
from tracker.seeding.loader import seed_catalogue
from tracker.seeding.sources import agency_source_problems, documents_naming, read_documents
from tracker.seeding.validate import AgencyRecord, main, read_catalogue

SOURCES = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
GUIDE = "000_081e8b22da21a0c3.txt"  # the provincial guide
NGOS = "001_8535e4af4dfb5d2c.txt"  # the NGO coordination guide
IOM = "International Organization for Migration"

needs_sources = pytest.mark.skipif(
    not SOURCES.is_dir(),
    reason=f"the source documents are not here ({SOURCES}); which agencies they name cannot be checked",
)


@cache
def catalogue():
    return read_catalogue(SEED_DIR)


@cache
def documents() -> dict[str, str]:
    return read_documents(SOURCES)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- Every agency says where it comes from, and the documents agree ------------------------------------------

def test_every_agency_is_either_named_in_documents_or_added_by_the_curators():
    neither = [a.name for a in catalogue().agencies if not a.named_in and not a.curated]
    both = [a.name for a in catalogue().agencies if a.named_in and a.curated]
    assert neither == [] and both == []
    assert sum(1 for a in catalogue().agencies if a.curated) >= 40  # the 44 of issue 15, unless aliases since found


@needs_sources
def test_every_agency_without_curated_is_named_in_the_documents_it_lists():
    wrong = {a.name: (a.named_in, documents_naming(a, documents()))
             for a in catalogue().agencies
             if not a.curated and sorted(a.named_in) != documents_naming(a, documents())}
    assert wrong == {}


@needs_sources
def test_every_agency_with_curated_is_named_in_no_document():
    named = {a.name: documents_naming(a, documents()) for a in catalogue().agencies
             if a.curated and documents_naming(a, documents())}
    assert named == {}, "these bodies are named in a source: drop curated and give named_in"


@needs_sources
def test_the_validator_checks_the_documents_when_given_them(capsys):
    assert main(["validate", str(SEED_DIR), "--sources", str(SOURCES)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


@needs_sources
def test_an_alias_found_in_a_source_asks_for_the_curators_mark_to_go(seed_copy, capsys):
    """A body held as the curators' addition becomes named once an alias the guide uses is added."""
    replace_in(seed_copy / "agencies.toml", 'aliases = ["commissions on the status of women"',
               'aliases = ["Commission on Status of Women", "commissions on the status of women"')
    assert main(["validate", str(seed_copy), "--sources", str(SOURCES)]) == 1
    out = capsys.readouterr().out
    assert ("agencies.toml: agency 'Provincial Commissions on the Status of Women': is named in "
            f"{GUIDE}: drop curated and give named_in = ['{GUIDE}']") in out


def test_the_source_rule_names_each_kind_of_mistake():
    """Whole words, case and spacing ignored; each disagreement is told with what to do."""
    one, two = "000_0000000000000000.txt", "001_0000000000000001.txt"
    documents_ = {one: name_key("The Federal   Investigation\nAgency met"), two: name_key("FIAT dealers met")}
    fia = AgencyRecord(name="Federal Investigation Agency", short_name="FIA", kind=AgencyKind.FEDERAL_AGENCY,
                       province=None, parent=None, aliases=[], named_in=[one])
    rozan = AgencyRecord(name="Rozan", short_name="", kind=AgencyKind.NGO, province=None, parent=None, aliases=[],
                         curated="a reason")
    assert documents_naming(fia, documents_) == [one]  # not two: "FIA" is not a word of "FIAT"
    assert documents_naming(replace(fia, name="Federal Invest", aliases=["fiat dealer"]), documents_) == []
    assert agency_source_problems([fia, rozan], documents_) == []
    problems = [str(p) for p in agency_source_problems([
        replace(fia, curated="a reason", named_in=[]),  # named, yet marked as the curators' addition
        replace(fia, named_in=[two]),  # the wrong document
        replace(rozan, curated="", named_in=[two]),  # named in none, yet named_in says so
        replace(rozan, curated=""),  # named in none, and no reason
    ], documents_)]
    assert problems == [
        f"agencies.toml: agency 'Federal Investigation Agency': is named in {one}: drop curated "
        f"and give named_in = ['{one}']",
        f"agencies.toml: agency 'Federal Investigation Agency': named_in should be ['{one}'] "
        f"(the documents that name it), not ['{two}']",
        f"agencies.toml: agency 'Rozan': no document names it, although named_in says ['{two}']: "
        "add the alias a document uses, or drop named_in and say in curated why it is held",
        "agencies.toml: agency 'Rozan': no document names it: say in curated why the catalogue holds it",
    ]


def test_curated_reasons_cite_only_items_that_exist():
    refs = {item.ref for item in catalogue().items}
    cited = {(a.name, ref) for a in catalogue().agencies
             for ref in re.findall(r"\b(?:PAPER|STEP|NAP05)-[A-Za-z0-9-]*[A-Za-z0-9]", a.curated)}
    assert cited and {(name, ref) for name, ref in cited if ref not in refs} == set()


# --- The seed format ------------------------------------------------------------------------------------------

HUMAN_RIGHTS = 'kind = "federal_ministry"\ncurated = "the federal ministry now responsible for human rights'
BAD_ORIGINS = [
    # An empty reason, a blank one, or not a string at all (the rest of the line becomes a note).
    (HUMAN_RIGHTS, 'kind = "federal_ministry"\ncurated = ""\nnote = "the federal', "curated must say, in a non-empty"),
    (HUMAN_RIGHTS, 'kind = "federal_ministry"\ncurated = "  "\nnote = "the federal', "curated must say"),
    (HUMAN_RIGHTS, 'kind = "federal_ministry"\ncurated = 7\nnote = "the federal', "curated must say"),
    # A reason on a body that lists the documents naming it.
    (HUMAN_RIGHTS, 'kind = "federal_ministry"\nnamed_in = ["003_6962bf0d5d1c6498.txt"]\ncurated = "the federal',
     "has both named_in and curated"),
    # named_in that is not a source document's name, or empty.
    ('named_in = ["003_6962bf0d5d1c6498.txt"]', 'named_in = ["booklet.pdf"]', "named_in 'booklet.pdf' is not a"),
    ('named_in = ["003_6962bf0d5d1c6498.txt"]', "named_in = []", "named_in is empty"),
    # A misspelt field is refused rather than ignored.
    (HUMAN_RIGHTS, 'kind = "federal_ministry"\ncuratd = "the federal', "unknown field 'curatd'"),
]


@pytest.mark.parametrize("old, new, message", BAD_ORIGINS)
def test_the_validator_refuses_a_bad_origin(seed_copy, old, new, message):
    replace_in(seed_copy / "agencies.toml", old, new)
    with pytest.raises(Invalid) as raised:
        read_catalogue(seed_copy)
    assert "agencies.toml: agency '" in str(raised.value) and message in str(raised.value), str(raised.value)


def test_seeding_loads_and_refreshes_where_agencies_come_from(app, seed_copy):
    seed_catalogue(str(seed_copy))
    rights = db.session.scalar(sa.select(Agency).where(Agency.name == "Ministry of Human Rights"))
    fia = db.session.scalar(sa.select(Agency).where(Agency.short_name == "FIA"))
    assert rights.curated.startswith("the federal ministry now responsible") and rights.source_documents == []
    assert fia.curated == "" and fia.source_documents == sorted(fia.source_documents) and len(fia.source_documents) == 5
    replace_in(seed_copy / "agencies.toml", "the federal ministry now responsible for human rights",
               "the ministry responsible for human rights today")
    report = seed_catalogue(str(seed_copy))
    assert report.updated["agencies"] == 1
    db.session.expire_all()
    assert rights.curated.startswith("the ministry responsible for human rights today")


# --- Pages ----------------------------------------------------------------------------------------------------

def test_agency_page_shows_why_the_curators_added_it(coordinator_client):
    rights = db.session.scalar(sa.select(Agency).where(Agency.name == "Ministry of Human Rights"))
    html = coordinator_client.get(f"/agencies/{rights.id}").get_data(as_text=True)
    assert f"Added by the catalogue's curators: {escape(rights.curated)}" in html
    assert "Named in the source" not in html


def test_agency_page_shows_the_documents_that_name_it(coordinator_client):
    nacta = db.session.scalar(sa.select(Agency).where(Agency.short_name == "NACTA"))
    html = coordinator_client.get(f"/agencies/{nacta.id}").get_data(as_text=True)
    assert f'Named in the source document <a href="/sources#{GUIDE}">Pakistan Provincial Anti-Trafficking ' \
           'Response 2026 Guide</a>' in html  # by the register's title, linked to it
    fia = db.session.scalar(sa.select(Agency).where(Agency.short_name == "FIA"))
    html = coordinator_client.get(f"/agencies/{fia.id}").get_data(as_text=True)
    assert "Named in the source documents" in html
    assert "Pakistan NGO Coordination Anti-Trafficking 2026 Framework" in html
    assert "Added by the catalogue's curators" not in html


def test_agency_list_marks_the_curators_additions(coordinator_client):
    html = coordinator_client.get("/agencies").get_data(as_text=True)
    rows = {unescape(re.sub(r"<[^>]+>", "", row.split("</td>")[0])).strip(): row for row in html.split("<tr>")[2:]}
    curated = set(db.session.scalars(sa.select(Agency.name).where(Agency.curated != "")))
    marked = {name.split(" (")[0] for name, row in rows.items() if "added by curators" in row}
    assert marked == curated and len(marked) >= 40
    assert "added by curators" not in rows["Federal Investigation Agency (FIA)"]


# --- Partners linked to the work the documents tie them to ---------------------------------------------------

# (item, agency, document, the document's words that tie the agency to the item's work)
PARTNER_LINKS = [
    ("NAP05-PROS-a-i", "District Vigilance Committees", GUIDE,
     "provincial vigilance committees under Bonded Labour Act supporting forced labour cases"),
    ("NAP05-PREV-f-i", "Sahil", NGOS, "specialist research and policy advocacy on Pakistani child protection"),
    ("NAP05-PREV-f-i", "Bedari", NGOS, "specialist research on Pakistani patterns"),
    ("NAP05-PROT-j", "Rozan", NGOS, "psychological support throughout investigation and prosecution"),
    ("NAP05-PROT-j", "Provincial Child Protection Bureaus", GUIDE,
     "provincial Child Protection and Welfare Bureaus support specific cases; coordinated approach with FIA AHTC"),
    ("NAP05-PROT-l", IOM, NGOS, "international voluntary return programs supporting Pakistani trafficking victim "
                                "repatriation"),
    ("STEP-45", IOM, NGOS, "voluntary return programs supporting Pakistani trafficking victim repatriation; "
                           "coordinated framework with Pakistani consular network"),
    ("PAPER-c", "Sahil", NGOS, "specialist victim support for child sexual exploitation cases"),
    ("PAPER-c", "Bedari", NGOS, "specialist victim support for women and children trafficking cases"),
    ("PAPER-c", "Rozan", NGOS, "psychological support throughout investigation and prosecution"),
    ("PAPER-c", "Aurat Foundation", NGOS, "specialist programs for women trafficking victims"),
    ("PAPER-l", "Rozan", NGOS, "specialist trauma-informed engagement with Pakistani trafficking victims"),
]


@pytest.mark.parametrize("ref, agency, document, words", PARTNER_LINKS, ids=lambda value: str(value)[:24])
def test_partner_supports_the_work_the_documents_tie_it_to_as_assigned(ref, agency, document, words):
    item = next(i for i in catalogue().items if i.ref == ref)
    assert agency in item.supporting and item.basis_of(agency) == Basis.ASSIGNED


@needs_sources
@pytest.mark.parametrize("ref, agency, document, words", PARTNER_LINKS, ids=lambda value: str(value)[:24])
def test_partner_link_rests_on_the_words_of_a_document_that_names_it(ref, agency, document, words):
    record = next(a for a in catalogue().agencies if a.name == agency)
    assert document in documents_naming(record, documents())
    assert squash(words).casefold() in documents()[document]


def test_partner_links_are_loaded_as_assigned_support(seeded):
    rows = set(db.session.execute(
        sa.select(ActionItem.ref, Agency.name)
        .join(ItemAgency, ItemAgency.item_id == ActionItem.id).join(Agency, Agency.id == ItemAgency.agency_id)
        .where(ItemAgency.role == AssignmentRole.SUPPORTING, ItemAgency.basis == Basis.ASSIGNED)
    ).all())
    assert {(ref, agency) for ref, agency, _, _ in PARTNER_LINKS} <= rows
