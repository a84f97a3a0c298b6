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


@needs_sources
def test_every_framework_aim_is_verbatim_from_its_source():
    aims = {f["code"]: (f["aim"], f["source"]) for f in catalogue().frameworks if f["aim"]}
    assert list(aims) == ["NAP21"]
    assert [code for code, (aim, source) in aims.items() if squash(aim) not in source_text(source)] == []


LINES = re.compile(r", lines? (\d+)(?:–(\d+))?$")


def located_records():
    """(what, document, locator, words one of which the lines must hold) for every located record."""
    documents = {f["code"]: f["source"] for f in catalogue().frameworks}
    for item in catalogue().items:
        yield item.ref, documents[item.framework], item.locator, [item.text]
    for note in catalogue().section_notes:
        yield f"section note {note['label']}", documents[note["framework"]], note["locator"], [note["text"]]
    for evidence in catalogue().evidence:
        yield f"evidence on {evidence.item}", evidence.source, evidence.locator, [evidence.note]
    for framework in catalogue().frameworks:
        if framework["aim"]:
            yield f"aim of {framework['code']}", framework["source"], framework["aim_locator"], [framework["aim"]]
    for record in catalogue().context:
        fields = record.fields
        if record.kind == "law":  # a law is named, by its name (without the year) or short name
            held = [fields["name"].split(",")[0], fields["short_name"], fields["named_as"], *fields["features"][-1:]]
        else:
            held = [fields["text"]]
        yield f"{record.kind} {record.code}", fields["source"], fields["locator"], held


@needs_sources
def test_every_locator_names_the_lines_that_hold_its_record():
    """Document, section, label and line range: the lines a locator names hold the record's words."""
    problems = []
    for what, document, locator, words in located_records():
        found = LINES.search(locator)
        if not found:
            problems.append(f"{what}: no line range in {locator!r}")
            continue
        first, last = int(found[1]), int(found[2] or found[1])
        lines = (SOURCES / document).read_text(encoding="utf-8").splitlines()[first - 1:last]
        held = squash(" ".join(lines)).casefold()
        if not any(word and squash(word).casefold() in held for word in words):
            problems.append(f"{what}: lines {first}–{last} of {document} do not hold it")
    assert problems == []


@needs_sources
def test_a_responsibility_line_governs_the_run_of_items_above_it():
    """seed/README.md's rule: the line just after an item is its own ("stated"); a line after a run of items
    of the same lettered section governs the whole run ("group"); an item with no line below it before the
    next section or line has its bodies assigned."""
    documents = {f["code"]: f["source"] for f in catalogue().frameworks}
    lines = (SOURCES / documents["NAP05"]).read_text(encoding="utf-8").splitlines()
    plan = [item for item in catalogue().items if item.framework == "NAP05"]
    spans = {item.ref: tuple(int(n) for n in LINES.search(item.locator).groups(default=None) if n) for item in plan}
    problems = []
    for index, item in enumerate(plan):
        end = spans[item.ref][-1]
        later = [other for other in plan[index + 1:] if other.section == item.section]
        stop = spans[later[-1].ref][-1] + 3 if later else end + 3  # a run ends with its section's last item
        governing = next((number for number in range(end, stop + 1)
                          if re.match(r"\s*(?:[ivx]+\.\s*)?Responsibility\s*:", lines[number - 1])), None)
        if governing is None:
            if item.responsibility_basis.value in ("stated", "group") and item.responsibility.startswith("Resp"):
                problems.append(f"{item.ref}: no line governs it, yet it claims one")
            continue
        between = [other.ref for other in later if spans[other.ref][0] < governing]
        expected = "group" if between else "stated"
        line = squash(re.sub(r"^\s*[ivx]+\.\s*", "", lines[governing - 1]))  # "x. Responsibility: …"
        if not squash(item.responsibility).startswith(line[:30]):
            problems.append(f"{item.ref}: its responsibility is not the line that governs it (line {governing})")
        elif item.responsibility_basis.value not in (expected, "assigned"):
            problems.append(f"{item.ref}: {item.responsibility_basis.value}, but the rule says {expected}")
    assert problems == []


@needs_sources
def test_every_status_note_is_the_sources_own_words():
    """A derived status is justified by a sentence of a source (its own document unless it names another)."""
    documents = {f["code"]: f["source"] for f in catalogue().frameworks}
    curated = [item.ref for item in catalogue().items if item.status_note and squash(item.status_note)
               not in source_text(item.status_source or documents[item.framework])]
    assert curated == []


@needs_sources
def test_the_ordinance_holds_its_salient_features_and_every_item_citing_it_links_to_it():
    laws = {record.code: record for record in catalogue().context if record.kind == "law"}
    pchto = laws["PCHTO-2002"].fields
    assert len(pchto["features"]) == 5
    assert all(squash(feature) in source_text(pchto["source"]) for feature in pchto["features"])
    citing = {item.ref for item in catalogue().items if re.search(r"P&?CHTO|Ordinance,? 2002", item.text)}
    assert {"NAP05-PREV-a", "NAP05-PROS-c-iii", "STEP-ADM-vi"} <= citing
    assert citing <= set(laws["PCHTO-2002"].items)
    assert "NAP05-PREV-e-ii" in laws["BLSAA-1992"].items  # its evidence is the Act's Legal Review Committee


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


def test_the_anti_trafficking_units_duties_are_items():
    """The 2005 plan's ATU section: two paragraphs and eight dash bullets, each its own item."""
    atu = {item.ref: item for item in catalogue().items if item.ref.startswith("NAP05-ATU-")}
    assert sorted(atu) == sorted([f"NAP05-ATU-P{n}" for n in (1, 2)] + [f"NAP05-ATU-D{n}" for n in range(1, 9)])
    assert "free of charge and permanent (7 days a week, 24 hours a day)" in atu["NAP05-ATU-D8"].text
    assert "separate database" in atu["NAP05-ATU-D5"].text
    assert "security of the shelter shall undergo specific training" in atu["NAP05-ATU-D7"].text
    assert {atu[f"NAP05-ATU-D{n}"].responsibility for n in range(1, 5)} == {
        "Staff of ATUs shall be trained particularly on the following issues:"}
    assert all(item.lead == "Anti Trafficking Units" for ref, item in atu.items() if ref != "NAP05-ATU-D5")
    assert atu["NAP05-ATU-D5"].responsibility_basis.value == "assigned"  # the database's keeper is not named


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
    # The findings that had no record: no labour-trafficking prosecutions, legal aid in two more
    # provinces, and the national plan of action on bonded labour.
    notes = {(e.item, e.note[:60]) for e in catalogue().evidence}
    assert ("NAP05-PROS-a-i", "While the Government of Pakistan has not reported any prosec") in notes
    assert {item for item, note in notes if note.startswith("The federal government, as part of its National Plan")} \
        == {"NAP05-PROT-i", "NAP05-PREV-g"}


def test_challenges_and_achievements_a_to_j_each_linked():
    for kind in ("challenge", "achievement"):
        records = [r for r in catalogue().context if r.kind == kind]
        assert [r.code for r in records] == list("ABCDEFGHIJ")
        assert all(r.items for r in records), kind


def test_findings_link_the_2005_plan_items_they_concern():
    """The paper's findings reach back to the 2005 plan, not only to the paper's own recommendations."""
    findings = {(r.kind, r.code): r.items for r in catalogue().context if r.kind != "law"}
    referral = [("challenge", "B"), ("challenge", "H"), ("achievement", "D")]
    assert all("NAP05-PROT-j" in findings[key] for key in referral)
    linked = [key for key, items in findings.items() if any(ref.startswith("NAP05-") for ref in items)]
    # Political instability, Afghan refugees, internal trafficking, terrorism and the citizen portal
    # concern nothing the 2005 plan set out to do.
    assert set(findings) - set(linked) == {("challenge", "D"), ("challenge", "G"), ("achievement", "F"),
                                           ("achievement", "I"), ("achievement", "J")}


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
    # Superseded only because a law it is about was repealed: each cites a repealed law.
    assert all(any(law.repealed for law in i.laws) for i in superseded)
    dated = db.session.scalars(sa.select(ActionItem).where(ActionItem.due_date.is_not(None))).all()
    assert all(i.due_derived and i.due_note for i in dated)


def test_each_assignment_carries_its_own_basis(coordinator_client):
    """STEP-31 names the FIA; the Punjab Police are the curator's choice, and the page says which is which."""
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "STEP-31"))
    bases = {a.agency.name: a.basis.value for a in item.assignments}
    assert bases == {"Federal Investigation Agency": "stated", "Punjab Police": "assigned"}
    html = coordinator_client.get("/items/STEP-31").get_data(as_text=True)
    agencies = html[html.index("Punjab Police") - 600:html.index("Punjab Police") + 300]
    assert "stated in the source" in agencies and "assigned" in agencies


def test_pages_name_a_source_document_by_its_title(coordinator_client):
    """The register's titles, never the seed folder's file names, in what a reader sees."""
    visible = re.compile(r"<[^>]+>")
    for path in ("/items/NAP05-PROS-a-i", "/items/STEP-1", "/laws/PCHTO-2002", "/challenges/B"):
        text = visible.sub(" ", coordinator_client.get(path).get_data(as_text=True))
        assert ".txt" not in text, path
    item = coordinator_client.get("/items/NAP05-PROS-a-i").get_data(as_text=True)
    assert "Combating Human Trafficking in Pakistan: Synopsis of Steps and National Action Plan" in item
    assert "Trafficking in Persons Interim Assessment – Pakistan" in item  # its evidence's source
    sources = coordinator_client.get("/sources").get_data(as_text=True)
    assert sources.count('class="card mb-3"') == 5 and "United States Department of State" in sources


def test_seeded_evidence_shows_on_its_item(coordinator_client):
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.value == 650.0))
    html = coordinator_client.get(f"/items/{evidence.item.ref}").get_data(as_text=True)
    assert "650 " in html and "31 Oct 2009" in html and "Trafficking in Persons Interim Assessment – Pakistan" in html


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
    law_page = coordinator_client.get("/laws/PCHTO-2002").get_data(as_text=True)
    assert "Salient features" in law_page and "maximum punishment of 14 years (Section-3)." in law_page
    assert "Synopsis of Steps and National Action Plan: National Action Plan, " \
           "Salient Features of P&amp;CHTO 2002, i–v, lines 593–614" in law_page


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
