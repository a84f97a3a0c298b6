"""The catalogue's indicators: checked like every seed file, and faithful to the source documents."""
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import SEED_DIR, replace_in
from tracker.enums import UpdateOrigin
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import Indicator, IndicatorTarget, IndicatorValue, indicator_items
from tracker.seeding.loader import seed_catalogue
from tracker.seeding.validate import read_catalogue

SOURCES = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
FILE = "indicators.toml"

needs_sources = pytest.mark.skipif(
    not SOURCES.is_dir(), reason=f"the source documents are not here ({SOURCES}); the verbatim check needs them"
)


@cache
def catalogue():
    return read_catalogue(SEED_DIR)


def indicators() -> dict:
    return {indicator.code: indicator for indicator in catalogue().indicators}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def source_text(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def passage(document: str, locator: str) -> str:
    """The part of a document a locator points to: a paragraph of the 2010 assessment, a step of the
    2005 synopsis; the whole document for any other locator."""
    text = source_text(document)
    paragraph = re.match(r"paragraph (\d+)\b", locator)
    if paragraph:
        # evidence.toml's count: the bracketed introduction is paragraph 1.
        blocks = [b for b in re.split(r"\n\s*\n", text[text.index("[From"):]) if b.strip()]
        return squash(blocks[int(paragraph.group(1)) - 1])
    step = re.search(r"\bstep (\d+)$", locator)
    if step:
        number = int(step.group(1))
        found = re.search(rf"(?ms)^\s*{number}\. (.*?)^\s*{number + 1}\. ", text)
        assert found, f"step {number} not found in {document}"
        return squash(found.group(1))
    return squash(text)


def spelled(value: float) -> set[str]:
    """How a source may write a whole number: 6000 or 6,000."""
    return {f"{int(value)}", f"{int(value):,}"}


# ---------------------------------------------------------------- the real file


def test_the_starter_set_covers_every_pillar_and_the_2018_acts():
    by_code = indicators()
    for act in ("PTPA", "PSMA"):
        for stage in ("INVESTIGATIONS", "PROSECUTIONS", "CONVICTIONS"):
            assert by_code[f"PROS-{act}-{stage}"].pillar == "prosecution"
    assert {"PROT-VICTIMS-IDENTIFIED", "PROT-VICTIMS-REFERRED"} <= set(by_code)
    pillars = Counter(indicator.pillar for indicator in by_code.values())
    assert set(pillars) == {"prevention", "prosecution", "protection", "partnership"}
    assert 12 <= len(by_code) <= 21


def test_every_indicator_has_items_a_pillar_an_agency_and_its_words():
    for indicator in catalogue().indicators:
        assert indicator.items and indicator.pillar and indicator.agency, indicator.code
        assert indicator.definition and indicator.means_of_verification and indicator.unit, indicator.code


def test_the_2010_assessment_figures_are_those_of_the_evidence():
    """Reused verbatim: the same figure, sentence, source, locator and date as evidence.toml gives."""
    evidence = {(e.note, e.value, e.source, e.locator, e.as_of) for e in catalogue().evidence}
    from_assessment = [(i.code, v) for i in catalogue().indicators for v in i.values
                       if v.source == "004_39894861599362c9.txt"]
    assert {v.value for _, v in from_assessment} == {650.0, 75.0, 6000.0}
    for code, value in from_assessment:
        assert (value.note, value.value, value.source, value.locator, value.as_of) in evidence, code


def test_a_baseline_is_the_earliest_value_the_sources_give():
    for indicator in catalogue().indicators:
        if indicator.baseline_value is None:
            assert not indicator.baseline_period and not indicator.baseline_source, indicator.code
            continue
        earliest = min(indicator.values, key=lambda v: v.period)
        assert indicator.baseline_period == earliest.period, indicator.code
        assert indicator.baseline_source == earliest.source, indicator.code
        assert indicator.baseline_locator == earliest.locator, indicator.code
        assert indicator.baseline_value == sum(v.value for v in indicator.values if v.period == earliest.period)


@needs_sources
def test_every_value_note_is_verbatim_where_its_locator_points():
    missing = [f"{indicator.code} {value.period}" for indicator in catalogue().indicators for value in indicator.values
               if squash(value.note) not in passage(value.source, value.locator)]
    assert missing == []


@needs_sources
def test_every_value_figure_is_the_number_its_source_sentence_gives():
    wrong = []
    for indicator in catalogue().indicators:
        for value in indicator.values:
            words = re.findall(r"\d[\d,]*", squash(value.note))
            if not spelled(value.value) & set(words):
                wrong.append(f"{indicator.code} {value.period}: {value.value} is not in the note")
    assert wrong == []


# ---------------------------------------------------------------- loading


def indicator_rows() -> dict[str, int]:
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for name, table in [("indicators", Indicator), ("targets", IndicatorTarget), ("values", IndicatorValue),
                            ("links", indicator_items)]
    }


def indicator(code: str) -> Indicator:
    db.session.expire_all()
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


def test_the_catalogue_loads_every_indicator_with_its_items_pillar_and_agency(seeded):
    loaded = db.session.scalars(sa.select(Indicator).order_by(Indicator.position)).all()
    assert [i.code for i in loaded] == [i.code for i in catalogue().indicators]
    for row, record in zip(loaded, catalogue().indicators, strict=True):
        assert [item.ref for item in row.items] == sorted(record.items), row.code
        assert row.pillar.code == record.pillar and row.agency.name == record.agency, row.code
        assert row.origin == UpdateOrigin.SOURCE and row.retired_at is None
    released = indicator("PROT-BONDED-RELEASED")
    assert released.agency.short_name == "Provincial Police" and released.breakdown_list[0].value == "province"
    assert (released.baseline_value, released.baseline_period) == (650.0, "2009")
    assert released.baseline_source == \
        "004_39894861599362c9.txt, paragraph 3 (law enforcement and legal reform), line 14"
    (value,) = released.values
    assert value.cell == {"province": "SD"} and value.value == 650.0 and value.origin == UpdateOrigin.SOURCE
    assert value.as_of.isoformat() == "2009-10-31" and value.seed_key
    targets = indicator("PREV-BORDER-POSTS").targets
    assert [(t.period, t.value) for t in targets] == [("2006-Q1", 10.0), ("2006-Q2", 28.0)]
    convictions = indicator("PROS-PTPA-CONVICTIONS")
    assert convictions.baseline_value is None and convictions.baseline_period == "" and convictions.values == []


def test_loading_again_changes_nothing(seeded):
    before = indicator_rows()
    keys = set(db.session.scalars(sa.select(IndicatorValue.seed_key)))
    report = seed_catalogue(str(SEED_DIR))
    assert not report.changed, report.summary()
    assert "nothing to change" in report.summary()
    assert indicator_rows() == before
    assert set(db.session.scalars(sa.select(IndicatorValue.seed_key))) == keys


def test_loading_a_changed_file_refreshes_and_reports_it(seeded, seed_copy):
    path = seed_copy / FILE
    replace_in(path, 'name = "Bonded labourers released from bondage"', 'name = "Bonded labourers freed"')
    replace_in(path, 'items = ["NAP05-PROS-a-i", "NAP05-PROT-j", "NAP05-PROT-l"]',
               'items = ["NAP05-PROT-l", "PAPER-c"]')
    replace_in(path, "value = 75\n", "value = 76\n")  # a corrected figure: the same value, refreshed
    replace_in(path, ', { period = "2006-Q2", value = 28 }]', ', { period = "2006-Q2", value = 30 }, '
                                                             '{ period = "2006-Q3", value = 40 }]')
    replace_in(path, 'period = "2005"\nvalue = 2000', 'period = "2005"\nvalue = 2000\nprovince = "BA"')
    add_indicator(seed_copy, extra=VALUE.format(period="2020", value=3, extra=""))
    report = seed_catalogue(str(seed_copy))
    # Refreshed: the released (name, items) and the border posts (targets); a value's change is the value's.
    assert report.created["indicators"] == 1 and report.updated["indicators"] == 2, report.summary()
    assert report.created["indicator values"] == 2  # TEST-EXTRA's, and the intercepted in its new cell …
    assert report.removed["indicator values"] == 1  # … whose total goes
    assert report.updated["indicator values"] == 1
    assert "indicators: 1 new, 2 refreshed" in report.summary()
    assert "indicator values: 2 new, 1 refreshed, 1 removed" in report.summary()
    released = indicator("PROT-BONDED-RELEASED")
    assert released.name == "Bonded labourers freed"
    assert [item.ref for item in released.items] == ["NAP05-PROT-l", "PAPER-c"]
    assert [v.value for v in indicator("PROT-HOUSING-UNITS").values] == [76.0]
    posts = indicator("PREV-BORDER-POSTS")
    assert [(t.period, t.value) for t in posts.targets] == [("2006-Q1", 10.0), ("2006-Q2", 30.0), ("2006-Q3", 40.0)]
    assert [v.cell for v in indicator("PREV-MIGRANTS-INTERCEPTED").values] == [{"province": "BA"}]
    assert indicator("TEST-EXTRA").position == len(catalogue().indicators)
    assert not seed_catalogue(str(seed_copy)).changed


def test_loading_never_touches_values_users_reported_or_a_retirement(seeded, seed_copy):
    released = indicator("PROT-BONDED-RELEASED")
    db.session.add(IndicatorValue(indicator=released, period="2009", value=700, note="Our own count.",
                                  origin=UpdateOrigin.USER))
    retired = indicator("PART-AGREEMENTS")
    retired.retired_at = released.created_at
    db.session.commit()
    replace_in(seed_copy / FILE, "value = 650\n", "value = 651\n")
    report = seed_catalogue(str(seed_copy))
    assert report.updated["indicator values"] == 1 and not report.removed["indicator values"], report.summary()
    released = indicator("PROT-BONDED-RELEASED")
    assert sorted((v.origin.value, v.value, v.note) for v in released.values) == [
        ("source", 651.0, catalogue().indicators[released.position].values[0].note), ("user", 700.0, "Our own count.")]
    assert indicator("PART-AGREEMENTS").retired_at is not None
    (seed_copy / FILE).write_text("")  # the seed no longer holds any indicator: its source values go, no more
    seed_catalogue(str(seed_copy))
    assert [(v.origin, v.value) for v in indicator("PROT-BONDED-RELEASED").values] == [(UpdateOrigin.USER, 700.0)]
    assert indicator_rows()["indicators"] == len(catalogue().indicators)


def test_a_bad_indicator_file_writes_nothing(app, seed_copy):
    replace_in(seed_copy / FILE, 'agency = "Police"', 'agency = "Ministry of Nowhere"')
    with pytest.raises(Invalid, match="indicators.toml: indicator PROT-BONDED-RELEASED: unknown agency"):
        seed_catalogue(str(seed_copy))
    assert set(indicator_rows().values()) == {0}


# ---------------------------------------------------------------- validation

EXTRA = """
[[indicator]]
code = "TEST-EXTRA"
name = "An indicator added by a test"
definition = "What a test counts."
unit = "things"
kind = "{kind}"
pillar = "protection"
agency = "FIA"
means_of_verification = "The test's records."
items = ["PAPER-c"]
{extra}
"""

VALUE = """
[[indicator.value]]
period = "{period}"
value = {value}
source = "002_6602401ef7528d48.txt"
locator = "VII. Achievements"
note = "A sentence."
{extra}
"""


def add_indicator(seed_dir: Path, kind: str = "count", extra: str = "") -> None:
    with (seed_dir / FILE).open("a") as handle:
        handle.write(EXTRA.format(kind=kind, extra=extra))


def problems_of(seed_dir: Path) -> list[str]:
    with pytest.raises(Invalid) as raised:
        read_catalogue(seed_dir)
    return [str(problem) for problem in raised.value.problems]


def assert_reported(seed_dir: Path, record: str, message: str) -> None:
    problems = problems_of(seed_dir)
    expected = f"{FILE}: {record}"
    assert any(p.startswith(expected) and message in p for p in problems), problems


EDITS = [
    ('code = "PROS-PTPA-PROSECUTIONS"', 'code = "PROS-PTPA-INVESTIGATIONS"', "indicator PROS-PTPA-INVESTIGATIONS",
     "duplicate indicator code"),
    ('code = "PART-AGREEMENTS"', 'code = "Part agreements"', "indicator Part agreements",
     "code may hold only upper-case letters, digits and hyphens"),
    ('kind = "amount"', 'kind = "money"', "indicator PROT-SERVICES-SPENDING", "kind 'money' is not one of"),
    ('direction = "higher"', 'direction = "up"', "indicator PREV-AWARENESS-ACTIVITIES", "direction 'up' is not one of"),
    ('frequency = "quarterly"', 'frequency = "monthly"', "indicator PREV-AWARENESS-ACTIVITIES",
     "frequency 'monthly' is not one of"),
    ('pillar = "partnership"', 'pillar = "cooperation"', "indicator PART-AGREEMENTS", "pillar 'cooperation'"),
    ('agency = "Police"', 'agency = "Ministry of Nowhere"', "indicator PROT-BONDED-RELEASED",
     "unknown agency 'Ministry of Nowhere'"),
    ('items = ["STEP-24"', 'items = ["STEP-99"', "indicator PREV-BORDER-POSTS", "unknown item 'STEP-99'"),
    ('items = ["NAP05-PREV-g", "PAPER-q"]', "items = []", "indicator PREV-BONDED-CNIC", "at least one item ref"),
    ('breakdowns = ["province", "sex"]', 'breakdowns = ["province", "gender"]', "indicator PREV-OFFICIALS-TRAINED",
     "breakdown 'gender' is not one of: province, sex, age, exploitation"),
    ('breakdowns = ["province", "sex"]', 'breakdowns = ["sex", "sex"]', "indicator PREV-OFFICIALS-TRAINED",
     "breakdown 'sex' is given twice"),
    ("value = 650\n", 'value = 650\nexploitation = "bonded_labour"\n', "indicator PROT-BONDED-RELEASED, value #1",
     "exploitation is not one of this indicator's breakdowns (province)"),
    ('province = "SD"\nas_of = 2009-10-31', 'province = "Sindh"\nas_of = 2009-10-31',
     "indicator PROT-BONDED-RELEASED, value #1", "unknown province 'Sindh'"),
    ('period = "2009"\nvalue = 650', 'period = "2009-Q5"\nvalue = 650', "indicator PROT-BONDED-RELEASED, value #1",
     "period '2009-Q5' is not a year or a quarter"),
    ('period = "2009"\nvalue = 650', "period = 2009\nvalue = 650", "indicator PROT-BONDED-RELEASED, value #1",
     'period 2009 must be a string: "2009"'),
    ('period = "2009"\nvalue = 75', 'period = "2009-Q4"\nvalue = 75', "indicator PROT-HOUSING-UNITS, value #1",
     "period '2009-Q4' is a quarter; the indicator is yearly"),
    ("value = 650\n", "value = 650.5\n", "indicator PROT-BONDED-RELEASED, value #1",
     "value 650.5 must be a whole number, not negative (the indicator is a count)"),
    ("value = 47\n", "value = -47\n", "indicator PROS-SMUGGLER-ARRESTS, value #1",
     "must be a whole number, not negative"),
    ('baseline = { value = 650, period = "2009", source = "004_39894861599362c9.txt",',
     'baseline = { value = 650, source = "004_39894861599362c9.txt",',
     "indicator PROT-BONDED-RELEASED, baseline", "period is required"),
    ('source = "003_6962bf0d5d1c6498.txt"\nlocator', 'source = "booklet.pdf"\nlocator',
     "indicator PREV-MIGRANTS-INTERCEPTED, value #1", "source 'booklet.pdf' is not a document's name in shared/seeds"),
    ("as_of = 2009-10-31", "as_of = 2008-10-31", "indicator PROT-BONDED-RELEASED, value #1",
     "as_of 2008-10-31 is before its period 2009 begins"),
    ('{ period = "2006-Q2", value = 28 }', '{ period = "2006-Q1", value = 28 }',
     "indicator PREV-BORDER-POSTS, target #2", "a second target for 2006-Q1"),
    ("means_of_verification = ", "means_of_verificaton = ", "indicator PREV-AWARENESS-ACTIVITIES",
     "unknown field 'means_of_verificaton'"),
]


@pytest.mark.parametrize("old, new, record, message", EDITS, ids=[e[3][:40] for e in EDITS])
def test_a_bad_indicator_is_named_by_file_and_record(seed_copy, old, new, record, message):
    replace_in(seed_copy / FILE, old, new)
    assert_reported(seed_copy, record, message)


KIND_RULES = [
    ("percentage", 'targets = [{ period = "2025", value = 120 }]', "target #1",
     "value 120 must be from 0 to 100 (the indicator is a percentage)"),
    ("yes_no", 'baseline = { value = 2, period = "2020", source = "002_6602401ef7528d48.txt" }', "baseline",
     "value 2 must be 1 (yes) or 0 (no)"),
    ("amount", VALUE.format(period="2020", value=-5, extra=""), "value #1",
     "value -5 must not be negative (the indicator is an amount)"),
    ("count", VALUE.format(period="2020", value="nan", extra=""), "value #1", "value nan must be a number"),
    ("count", VALUE.format(period="2020", value="true", extra=""), "value #1", "value True must be a number"),
    ("count", VALUE.format(period="2020", value='"12"', extra=""), "value #1", "value '12' must be a number"),
]


@pytest.mark.parametrize("kind, extra, record, message", KIND_RULES, ids=[r[3][:40] for r in KIND_RULES])
def test_figures_follow_the_indicator_kind(seed_copy, kind, extra, record, message):
    add_indicator(seed_copy, kind, extra)
    assert_reported(seed_copy, f"indicator TEST-EXTRA, {record}", message)


def test_a_baseline_needs_value_period_and_source(seed_copy):
    add_indicator(seed_copy, extra='baseline = { locator = "somewhere" }')
    problems = problems_of(seed_copy)
    for field in ("value", "period", "source"):
        assert f"{FILE}: indicator TEST-EXTRA, baseline: {field} is required" in problems, problems


def test_a_value_needs_period_value_source_locator_and_note(seed_copy):
    add_indicator(seed_copy, extra="[[indicator.value]]\nas_of = 2020-01-01\n")
    problems = problems_of(seed_copy)
    for field in ("period", "value", "source", "locator", "note"):
        assert f"{FILE}: indicator TEST-EXTRA, value #1: {field} is required" in problems, problems


def test_a_second_value_for_the_same_period_and_cell_is_refused(seed_copy):
    add_indicator(seed_copy, extra='breakdowns = ["province", "sex"]' + "".join(
        VALUE.format(period="2020", value=value, extra=cell) for value, cell in [
            (1, 'province = "PB"\nsex = "female"'), (2, 'sex = "female"\nprovince = "PB"'),
            (3, ""), (4, ""), (5, 'province = "PB"'),
        ]))
    problems = [p for p in problems_of(seed_copy) if "a second value" in p]
    assert problems == [
        f"{FILE}: indicator TEST-EXTRA, value #2: a second value for 2020, province PB, sex female",
        f"{FILE}: indicator TEST-EXTRA, value #4: a second value for 2020, the total",
    ]


def test_the_required_fields_and_the_kind(seed_copy):
    with (seed_copy / FILE).open("a") as handle:
        handle.write('\n[[indicator]]\ncode = "TEST-BARE"\n')
    problems = [p for p in problems_of(seed_copy) if "TEST-BARE" in p]
    for field in ("name", "definition", "unit", "pillar", "agency", "means_of_verification", "kind"):
        assert f"{FILE}: indicator TEST-BARE: {field} is required" in problems, problems
    assert any("at least one item ref" in p for p in problems)


def test_every_problem_is_reported_at_once(seed_copy):
    replace_in(seed_copy / FILE, 'agency = "Police"', 'agency = "Ministry of Nowhere"')
    replace_in(seed_copy / FILE, 'items = ["STEP-24"', 'items = ["STEP-99"')
    replace_in(seed_copy / "evidence.toml", 'item = "NAP05-PROS-a-i"', 'item = "NAP05-NOPE"')
    problems = problems_of(seed_copy)
    assert any("Ministry of Nowhere" in p for p in problems)
    assert any("STEP-99" in p for p in problems)
    assert any(p.startswith("evidence.toml") for p in problems)


def test_the_file_is_required(seed_copy):
    (seed_copy / FILE).unlink()
    assert f"{FILE}: file: is missing" in problems_of(seed_copy)


def test_indicators_must_be_tables(seed_copy):
    (seed_copy / FILE).write_text('indicator = "PROS-PTPA-CONVICTIONS"\n')
    assert f"{FILE}: file: indicator must be an array of tables ([[indicator]])" in problems_of(seed_copy)


def test_an_empty_file_is_valid(seed_copy):
    (seed_copy / FILE).write_text("")
    assert read_catalogue(seed_copy).indicators == []
