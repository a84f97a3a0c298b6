"""The plan catalogue itself: complete, verbatim, normalised and linked."""
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import SEED_DIR
from tracker.catalogue.services import find_agency
from tracker.enums import AgencyKind, FindingKind, Status, UpdateOrigin
from tracker.extensions import db
from tracker.models import ActionItem, Agency, AgencyAlias, Evidence, Finding, Law, SectionNote, name_key
from tracker.seeding.validate import read_catalogue

SOURCES = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]


@cache
def catalogue():
    return read_catalogue(SEED_DIR)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def source_text(name: str) -> str:
    return squash((SOURCES / name).read_text(encoding="utf-8"))


def refs() -> set[str]:
    return {item.ref for item in catalogue().items}


needs_sources = pytest.mark.skipif(
    not SOURCES.is_dir(), reason=f"the source documents are not here ({SOURCES}); the verbatim check needs them"
)


@needs_sources
def test_every_item_text_is_verbatim_from_its_source():
    documents = {f["code"]: f["source"] for f in catalogue().frameworks}
    missing = [item.ref for item in catalogue().items
               if squash(item.text) not in source_text(documents[item.framework])]
    assert missing == []


@needs_sources
def test_responsibility_lines_evidence_and_findings_are_verbatim():
    documents = {f["code"]: f["source"] for f in catalogue().frameworks}
    problems = []
    for item in catalogue().items:
        line = squash(item.responsibility)
        if line.startswith("Responsibility") and line not in source_text(documents[item.framework]):
            problems.append(f"{item.ref} responsibility")
    for evidence in catalogue().evidence:
        if squash(evidence.note) not in source_text(evidence.source):
            problems.append(f"evidence on {evidence.item}")
    for record in catalogue().context:
        if record.kind != "law" and squash(record.fields["text"]) not in source_text(record.fields["source"]):
            problems.append(f"{record.kind} {record.code}")
    for note in catalogue().section_notes:
        if squash(note["text"]) not in source_text(documents[note["framework"]]):
            problems.append(f"section note {note['label']}")
    assert problems == []


def test_paper_recommendations_a_to_x():
    paper = {r for r in refs() if r.startswith("PAPER-")}
    assert paper == {f"PAPER-{chr(c)}" for c in range(ord("a"), ord("x") + 1)}


def test_2005_steps():
    assert {r for r in refs() if re.fullmatch(r"STEP-\d+", r)} == {f"STEP-{n}" for n in range(1, 53)}
    assert {r for r in refs() if r.startswith("STEP-ADM-")} == {f"STEP-ADM-{n}" for n in ROMAN[:9]}
    assert {r for r in refs() if r.startswith("STEP-TECH-")} == {f"STEP-TECH-{c}" for c in "abcdef"}
    headings = Counter(i.section for i in catalogue().items if re.fullmatch(r"STEP-\d+", i.ref))
    assert len(headings) == 5  # legislative/legal, policy, administrative, technical, law enforcement


def test_nap_2005_actions_per_p():
    counts = Counter(r.split("-")[1] for r in refs() if r.startswith("NAP05-P"))
    assert counts == {"PREV": 23, "PROS": 16, "PROT": 18}
    assert {"NAP05-PROT-j", "NAP05-PROT-j2"} <= refs()
    assert {r for r in refs() if r.startswith("NAP05-NC-")} == {f"NAP05-NC-{n}" for n in ROMAN[:7]}
    for item in catalogue().items:
        if item.ref.startswith("NAP05-P") and item.pillar_basis.value == "stated":
            heading = {"PREV": "prevention", "PROS": "prosecution", "PROT": "protection"}[item.ref.split("-")[1]]
            assert item.pillar == heading, item.ref


def test_iran_gulf_route_actions_and_notes():
    route = {r for r in refs() if r.startswith("STEP-ROUTE-")}
    notes = {n["label"] for n in catalogue().section_notes}
    assert {"x", "xii", "xiii", "xiv", "xv"} <= notes
    assert route | {f"STEP-ROUTE-{n}" for n in notes} == {f"STEP-ROUTE-{n}" for n in ROMAN}
    assert not route & {f"STEP-ROUTE-{n}" for n in notes}


def test_every_item_has_one_pillar_and_a_lead_and_partnership_is_not_empty():
    pillars = Counter(item.pillar for item in catalogue().items)
    assert set(pillars) == {"prevention", "prosecution", "protection", "partnership"}
    assert pillars["partnership"] >= 10
    assert all(item.lead for item in catalogue().items)


def test_nap_items_carry_their_responsibility_line():
    nap = [i for i in catalogue().items if i.ref.startswith("NAP05-P")]
    stated = [i for i in nap if i.responsibility_basis.value in ("stated", "group")]
    assert all(i.responsibility for i in stated)
    assert len(stated) >= 40


def test_agencies_include_provincial_bodies_partners_and_unodc():
    agencies = catalogue().agencies
    names = " | ".join(a.name for a in agencies)
    for province in ("PB", "SD", "KP", "BA"):
        bodies = " | ".join(a.name for a in agencies if a.province == province)
        assert "Police" in bodies and "Commission on the Status of Women" in bodies, province
        assert "Vigilance Committee" in bodies and "Child Protection" in bodies, province
    for partner in ("Sahil", "Bedari", "Rozan", "Aurat Foundation", "International Organization for Migration",
                    "United Nations Office on Drugs and Crime"):
        assert partner in names
    assert all(a.province for a in agencies if a.kind == AgencyKind.PROVINCIAL_BODY)


def test_evidence_from_the_2010_interim_assessment():
    figures = {(e.value, e.item) for e in catalogue().evidence if e.value is not None}
    values = {value for value, _ in figures}
    assert {650.0, 21000.0, 1_400_000.0, 6000.0, 140_000.0, 116_000.0, 75.0} <= values
    for evidence in catalogue().evidence:
        assert evidence.as_of and evidence.source == "004_39894861599362c9.txt"
        if evidence.value is not None:
            assert evidence.unit


def test_challenges_and_achievements_a_to_j_each_linked():
    for kind in ("challenge", "achievement"):
        records = [r for r in catalogue().context if r.kind == kind]
        assert [r.code for r in records] == list("ABCDEFGHIJ")
        assert all(r.items for r in records), kind


def test_seeded_database_is_normalised(seeded):
    keys = Counter()
    for agency in db.session.scalars(sa.select(Agency)):
        keys[name_key(agency.name)] += 1
    for alias in db.session.scalars(sa.select(AgencyAlias)):
        keys[alias.key] += 1
    assert [k for k, n in keys.items() if n > 1] == []
    fia = find_agency("Federal Investigation Agency")
    assert find_agency("DG FIA") is fia and find_agency("Director General, FIA") is fia and find_agency("fia") is fia
    without_lead = db.session.scalars(sa.select(ActionItem.ref).where(~ActionItem.assignments.any(role="lead"))).all()
    assert without_lead == []


def test_seeded_derived_state(seeded):
    completed = db.session.scalars(sa.select(ActionItem).where(ActionItem.status == Status.COMPLETED)).all()
    assert completed
    for item in completed:
        sources = [u for u in item.updates if u.origin == UpdateOrigin.SOURCE]
        assert len(sources) == 1 and sources[0].note and item.status_derived, item.ref
    superseded = db.session.scalars(sa.select(ActionItem).where(ActionItem.status == Status.SUPERSEDED)).all()
    assert superseded
    assert all("2002" in (i.text + i.title + (i.updates[0].note if i.updates else "")) for i in superseded)
    dated = db.session.scalars(sa.select(ActionItem).where(ActionItem.due_date.is_not(None))).all()
    assert all(i.due_derived and i.due_note for i in dated)


def test_seeded_evidence_shows_on_its_item(coordinator_client):
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.value == 650.0))
    html = coordinator_client.get(f"/items/{evidence.item.ref}").get_data(as_text=True)
    assert "650 " in html and "31 Oct 2009" in html and "004_39894861599362c9.txt" in html


def test_challenge_page_lists_the_items_that_address_it(coordinator_client):
    challenge = db.session.scalar(sa.select(Finding).where(Finding.kind == FindingKind.CHALLENGE, Finding.code == "A"))
    response = coordinator_client.get("/challenges/A")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and challenge.title in html
    assert all(f'href="/items/{item.ref}"' in html for item in challenge.items)
    assert coordinator_client.get("/challenges/Z").status_code == 404
    item_page = coordinator_client.get(f"/items/{challenge.items[0].ref}").get_data(as_text=True)
    assert 'href="/challenges/A"' in item_page


def test_laws_are_listed_and_linked_from_items(coordinator_client):
    pchto = db.session.scalar(sa.select(Law).where(Law.code == "PCHTO-2002"))
    assert pchto.repealed and pchto.repealed_by.code == "PTPA-2018"
    html = coordinator_client.get("/context").get_data(as_text=True)
    assert "Prevention of Trafficking in Persons Act, 2018" in html
    item_page = coordinator_client.get(f"/items/{pchto.items[0].ref}").get_data(as_text=True)
    assert 'href="/laws/PCHTO-2002"' in item_page and "repealed" in item_page
    assert coordinator_client.get("/laws/PCHTO-2002").status_code == 200


def test_route_notes_show_on_route_items(coordinator_client):
    note = db.session.scalar(sa.select(SectionNote).where(SectionNote.label == "xii"))
    html = coordinator_client.get("/items/STEP-ROUTE-i").get_data(as_text=True)
    assert "Notes of this section" in html and note.text[:40] in html


# Coverage (seed/coverage.toml): which 2005 actions address each of the paper's recommendations.


def coverage_gaps() -> list[str]:
    """The paper's recommendations no curated link addresses, in order a–x."""
    linked = {link.recommendation for link in catalogue().coverage}
    return [f"PAPER-{chr(c)}" for c in range(ord("a"), ord("x") + 1) if f"PAPER-{chr(c)}" not in linked]


def test_every_coverage_link_says_how_and_every_recommendation_is_linked_or_a_gap():
    links = catalogue().coverage
    assert links and all(link.reason.strip() and "\n" not in link.reason and len(link.reason) <= 300
                         for link in links)
    linked = {link.recommendation for link in links}
    paper = {r for r in refs() if r.startswith("PAPER-")}
    assert linked <= paper, "the catalogue's links go from the paper's recommendations"
    assert sorted(linked | set(coverage_gaps())) == sorted(paper) and not linked & set(coverage_gaps())
    # A truthful list has both: some recommendations addressed several times, some not at all.
    per_recommendation = Counter(link.recommendation for link in links)
    assert max(per_recommendation.values()) > 1 and coverage_gaps()


def test_the_coverage_files_list_of_gaps_is_the_gaps():
    """The file's opening comment says which recommendations are gaps and why: it must say the truth."""
    header = (SEED_DIR / "coverage.toml").read_text().split("[[coverage]]", 1)[0]
    assert re.findall(r"^#\s+(PAPER-\w)\s", header, flags=re.MULTILINE) == coverage_gaps()
    named = set(re.findall(r"\b(?:NAP05|STEP)-[\w-]*\w", header))
    assert named and named <= refs(), named - refs()


def test_the_coverage_page_adds_up(coordinator_client):
    html = coordinator_client.get("/coverage?framework=PAPER").get_data(as_text=True)
    shown = {name: int(value) for name, value in re.findall(r'id="count-(\w+)">(\d+)<', html)}
    gaps = coverage_gaps()
    assert shown["recommendations"] == 24 == shown["addressed"] + shown["gaps"] and shown["gaps"] == len(gaps)
    section = html.split('id="gaps-section"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="/items/(PAPER-\w)#coverage"', section) == gaps


@needs_sources
def test_coverage_links_the_papers_recommendations_to_actions_of_2005():
    documents = {f["code"]: f["source"] for f in catalogue().frameworks}
    items = {item.ref: item for item in catalogue().items}
    recommendations = source_text(documents["PAPER"]).split("VIII. RECOMMENDATIONS", 1)[1]
    wrong = []
    for link in catalogue().coverage:
        recommendation, action = items[link.recommendation], items[link.action]
        if squash(recommendation.text) not in recommendations:
            wrong.append(f"{link.recommendation} is not among the paper's recommendations")
        if documents[action.framework] != "003_6962bf0d5d1c6498.txt" \
                or squash(action.text) not in source_text(documents[action.framework]):
            wrong.append(f"{link.action} is not an action of the 2005 booklet")
    assert wrong == []
