"""What changed between two dates, and the dashboard as of a past day: both read from a hand-built history
whose every moment is chosen, counted by hand below, through the pages."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from factories import (
    ActionItemFactory,
    EvidenceFactory,
    FrameworkFactory,
    ItemAgencyFactory,
    ReportFactory,
    UserFactory,
)
from test_dashboard import count_queries
from tracker.catalogue.services import find_agency
from tracker.changes.services import SECTIONS
from tracker.changes.window import preset_range
from tracker.enums import (
    Decision,
    Frequency,
    IndicatorKind,
    ReportStage,
    ReportStep,
    Role,
    Status,
    UpdateKind,
    UpdateOrigin,
)
from tracker.extensions import db
from tracker.indicators.periods import Period
from tracker.items import history
from tracker.models import ActionItem, Evidence, Indicator, IndicatorValue, Pillar, Report, ReportValue, Update
from tracker.verification.services import decide, submit

Q3 = "/changes?start=2025-07-01&end=2025-09-30"


def at(*parts: int) -> datetime:
    """A moment in UTC: at(2025, 7, 15) is noon that day; more parts name the hour, minute and second."""
    year, month, day, *rest = parts
    hour, minute, second = (*rest, 12, 0, 0)[:3] if rest else (12, 0, 0)
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def official(item, author, when, status, progress):
    return history.record(item, author, UpdateKind.PROGRESS, f"{status.value} {progress}", when,
                          status=status, progress=progress)


@pytest.fixture
def plan(seeded):
    """Nine items in two frameworks with a history written at chosen moments, around the third quarter of
    2025 (1 July – 30 September). The catalogue's own items came in today: none existed then."""
    pillars = {p.code: p for p in db.session.scalars(sa.select(Pillar))}
    fia, nadra = find_agency("FIA"), find_agency("NADRA")
    coordinator = UserFactory(name="Asma Coordinator", role=Role.COORDINATOR)
    focal = UserFactory(name="Nadra Focal", role=Role.AGENCY, agency=nadra)
    old = FrameworkFactory(code="OLD", name="Old plan", created_at=at(2024, 12, 1))
    new = FrameworkFactory(code="NEW", name="New plan", title="A plan taken in during the quarter",
                           created_at=at(2025, 8, 10))

    def item(ref, pillar, lead, created, framework=old, due=None):
        return ActionItemFactory(ref=ref, framework=framework, pillar=pillars[pillar], lead__agency=lead,
                                 created_at=created, due_date=due)

    a = item("CH-A", "prevention", fia, at(2025, 1, 10))
    b = item("CH-B", "prosecution", nadra, at(2025, 1, 10))
    ItemAgencyFactory(item=b, agency=fia)
    c = item("CH-C", "protection", nadra, at(2025, 1, 10), due=date(2025, 8, 31))
    d = item("CH-D", "partnership", fia, at(2025, 8, 15), framework=new)
    e = item("CH-E", "prevention", fia, at(2025, 1, 10), due=date(2025, 8, 15))
    f = ActionItemFactory(ref="CH-F", framework=old, pillar=pillars["prevention"], lead__agency=fia,
                          created_at=at(2025, 10, 2), status=Status.IN_PROGRESS, progress=5)
    item("CH-G", "prevention", nadra, at(2025, 1, 10), due=date(2025, 9, 30))
    item("CH-H", "protection", nadra, at(2025, 1, 10), due=date(2025, 6, 30))
    item("CH-I", "prosecution", nadra, at(2025, 1, 10), due=date(2025, 10, 1))
    db.session.flush()

    # A: under way before the quarter, then changed twice in it: 20% → 50% → completed.
    official(a, coordinator, at(2025, 3, 1), Status.IN_PROGRESS, 20)
    official(a, coordinator, at(2025, 7, 15), Status.IN_PROGRESS, 50)
    official(a, coordinator, at(2025, 9, 20), Status.COMPLETED, 100)
    # B: changed a second before the quarter began, and at the very moment it ended.
    official(b, coordinator, at(2025, 6, 30, 23, 59, 59), Status.IN_PROGRESS, 10)
    official(b, coordinator, at(2025, 10, 1, 0, 0, 0), Status.BLOCKED, 10)
    # C: an agency's report (never verified) leaves the official state as it was; due in the quarter.
    history.record(c, focal, UpdateKind.REPORT, "Claimed under way.", at(2025, 8, 1), agency=nadra,
                   step=ReportStep.SUBMITTED)
    ReportFactory(item=c, author=focal, agency=nadra, stage=ReportStage.RETURNED, decided_at=at(2025, 8, 5),
                  decided_by=coordinator, comment="Attach the notification.")
    history.set_agencies(c, nadra, [fia], coordinator, at(2025, 7, 10))
    history.set_agencies(a, fia, [nadra], coordinator, at(2025, 6, 30, 23))
    # D: new in the quarter, then under way.
    official(d, coordinator, at(2025, 8, 20), Status.IN_PROGRESS, 30)
    # E: completed before the quarter: its due date in it makes it no less done.
    official(e, coordinator, at(2025, 5, 1), Status.COMPLETED, 100)
    # F came in after the quarter, with a first entry its source dates in it (as the seed writes them): the
    # tracker did not hold F then, so nothing of it counts.
    db.session.add(Update(item=f, origin=UpdateOrigin.SOURCE, kind=UpdateKind.PROGRESS, created_at=at(2025, 8, 1),
                          status_before=Status.NOT_STARTED, progress_before=0, status_after=Status.IN_PROGRESS,
                          progress_after=5, note="Under way, the source says.", source_document="A report"))

    EvidenceFactory(item=a, created_at=at(2025, 7, 15), uploaded_by=coordinator, url="https://example.org/a")
    EvidenceFactory(item=c, created_at=at(2025, 8, 1), uploaded_by=focal, agency_id=nadra.id, confidential=True,
                    url="https://example.org/c-confidential")
    EvidenceFactory(item=b, created_at=at(2025, 10, 1, 0, 0, 0), uploaded_by=coordinator,
                    url="https://example.org/b-too-late")

    indicator = Indicator(code="CH-IND", name="Victims referred", kind=IndicatorKind.COUNT,
                          pillar=pillars["protection"], agency=nadra)
    db.session.add(indicator)
    db.session.add_all([
        Report(indicator=indicator, period="2025-Q2", agency=nadra, author=focal, stage=ReportStage.VERIFIED,
               decided_at=at(2025, 8, 20), decided_by=coordinator, values=[ReportValue(value=5), ReportValue(value=7)]),
        Report(indicator=indicator, period="2025-Q3", agency=nadra, author=focal, stage=ReportStage.RETURNED,
               decided_at=at(2025, 9, 10), decided_by=coordinator, comment="The total is missing."),
        Report(indicator=indicator, period="2024-Q4", agency=nadra, author=focal, stage=ReportStage.VERIFIED,
               decided_at=at(2025, 10, 5), decided_by=coordinator, values=[ReportValue(value=1)]),
        IndicatorValue(indicator=indicator, period="2025-Q1", value=4, origin=UpdateOrigin.USER,
                       created_at=at(2025, 9, 1)),
        IndicatorValue(indicator=indicator, period="2025-Q1", value=6, origin=UpdateOrigin.USER,
                       created_at=at(2025, 9, 1, 12, 0, 1)),
    ])
    db.session.commit()
    return {"fia": fia.id, "nadra": nadra.id}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def counts(html: str) -> dict[str, int]:
    return {key: int(count) for key, count in re.findall(r'data-section="(\w+)">(\d+)<', html)}


def refs(html: str) -> dict[str, list[str]]:
    """The refs each section's table lists, in order (none for a section without a table)."""
    tables = dict(re.findall(r'<table class="table table-sm" id="table-(\w+)">(.*?)</table>', html, re.S))
    return {key: re.findall(r'<th scope="row" class="text-nowrap"><a href="[^"]*">([^<]+)</a>', tables.get(key, ""))
            for key in SECTIONS}


def csv_rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


HAND_COUNTED = {
    "status_changed": ["CH-A", "CH-D"],
    "completed": ["CH-A"],
    "overdue": ["CH-G", "CH-C"],  # by pillar: prevention before protection
    "assigned": ["CH-C"],
    "new_item": ["CH-D"],
    "new_framework": ["NEW"],
    "evidence_added": ["CH-A", "CH-C"],
    "values_verified": ["CH-IND 2025-Q1", "CH-IND 2025-Q2"],
    "report_returned": ["CH-C", "CH-IND 2025-Q3"],
}


def test_each_section_finds_exactly_the_rows_counted_by_hand(plan, as_role):
    html = page(as_role("coordinator"), Q3)
    assert refs(html) == HAND_COUNTED
    assert counts(html) == {key: len(rows) for key, rows in HAND_COUNTED.items()}
    assert "The plan as it stood at the start of <strong>1 Jul 2025</strong>" in html


def test_an_item_changed_twice_shows_the_first_before_and_the_last_after(plan, as_role):
    rows = csv_rows(as_role("coordinator"), Q3.replace("/changes", "/changes.csv"))
    a = next(row for row in rows if row["section"] == "status_changed" and row["ref"] == "CH-A")
    assert (a["before"], a["after"]) == ("in_progress 20%", "completed 100%")
    assert (a["when"], a["who"]) == ("2025-09-20T12:00:00+00:00", "Asma Coordinator")
    assert (a["pillar"], a["agencies"]) == ("prevention", "Federal Investigation Agency; "
                                                          "National Database and Registration Authority")
    d = next(row for row in rows if row["section"] == "status_changed" and row["ref"] == "CH-D")
    assert (d["before"], d["after"]) == ("not_started 0%", "in_progress 30%")


def test_a_change_a_moment_outside_the_window_is_not_counted(plan, as_role):
    client = as_role("coordinator")
    # B changed at 23:59:59 on 30 June and at 00:00 on 1 October: in neither day of the quarter.
    assert "CH-B" not in refs(page(client, Q3))["status_changed"]
    # A day earlier in, the first change is; a day later out, the second.
    day_before = csv_rows(client, "/changes.csv?start=2025-06-30&end=2025-09-30")
    assert [(r["before"], r["after"]) for r in day_before if r["ref"] == "CH-B" and r["section"] == "status_changed"] \
        == [("not_started 0%", "in_progress 10%")]
    day_after = csv_rows(client, "/changes.csv?start=2025-07-01&end=2025-10-01")
    assert [(r["before"], r["after"]) for r in day_after if r["ref"] == "CH-B" and r["section"] == "status_changed"] \
        == [("in_progress 10%", "blocked 10%")]
    # The assignment at 23:00 on 30 June, and the evidence at 00:00 on 1 October, come in with their days.
    assert [r["ref"] for r in day_before if r["section"] == "assigned"] == ["CH-A", "CH-C"]
    assert "CH-B" in [r["ref"] for r in day_after if r["section"] == "evidence_added"]
    # Due the day before the start: overdue already; due the day after the end: not yet.
    assert "CH-H" in [r["ref"] for r in day_before if r["section"] == "overdue"]
    assert "CH-I" in [r["ref"] for r in day_after if r["section"] == "overdue"]


def test_confidential_evidence_is_shown_to_coordinators_but_not_to_the_rapporteur(plan, as_role):
    assert refs(page(as_role("coordinator"), Q3))["evidence_added"] == ["CH-A", "CH-C"]
    rapporteur = as_role("rapporteur")
    html = page(rapporteur, Q3)
    assert refs(html)["evidence_added"] == ["CH-A"]
    assert "c-confidential" not in html
    assert "c-confidential" not in rapporteur.get(Q3.replace("/changes", "/changes.csv")).get_data(as_text=True)
    assert refs(page(as_role("admin"), Q3))["evidence_added"] == ["CH-A"]


def test_filters_narrow_every_section(plan, as_role):
    client = as_role("coordinator")
    prevention = refs(page(client, Q3 + "&pillar=prevention"))
    assert prevention["status_changed"] == ["CH-A"] and prevention["overdue"] == ["CH-G"]
    assert prevention["report_returned"] == [] and prevention["values_verified"] == []
    assert prevention["new_framework"] == []  # NEW holds no prevention item
    nadra = refs(page(client, Q3 + f"&agency={plan['nadra']}"))
    # A's supporting body is NADRA since the assignment of 30 June; D is the FIA's alone.
    assert nadra["status_changed"] == ["CH-A"] and nadra["overdue"] == ["CH-G", "CH-C"]
    assert nadra["values_verified"] == ["CH-IND 2025-Q1", "CH-IND 2025-Q2"]
    # Status and overdue judge by the state at the end; a filter only items have leaves indicators out.
    completed = refs(page(client, Q3 + "&status=completed"))
    assert completed["status_changed"] == ["CH-A"] and completed["overdue"] == []
    assert completed["values_verified"] == [] and completed["report_returned"] == []
    assert refs(page(client, Q3 + "&q=CH-D"))["new_item"] == ["CH-D"]


def test_the_csv_holds_the_rows_of_the_page(plan, as_role):
    client = as_role("coordinator")
    for query in ("", "&pillar=protection", f"&agency={plan['fia']}"):
        html = page(client, Q3 + query)
        rows = csv_rows(client, Q3.replace("/changes", "/changes.csv") + query)
        listed = {key: [row["ref"] for row in rows if row["section"] == key] for key in HAND_COUNTED}
        assert listed == refs(html)
    assert list(rows[0]) == ["section", "ref", "title", "pillar", "agencies", "before", "after", "when", "who"]
    # The page's download link carries its arguments.
    assert 'href="/changes.csv?start=2025-07-01&amp;end=2025-09-30&amp;agency=' in html


def test_groups_count_each_pillar_and_each_responsible_agency(plan, as_role):
    html = page(as_role("coordinator"), Q3)
    table = re.search(r'id="by-pillar">(.*?)</table>', html, re.S).group(1)
    prevention = re.search(r'<th scope="row">Prevention</th>(.*?)</tr>', table, re.S).group(1)
    # status, completed, overdue, assigned, new items, frameworks, evidence, values, returned
    assert [int(n) for n in re.findall(r">(\d+)<", prevention)] == [1, 1, 1, 0, 0, 0, 1, 0, 0]
    assert "Plan-wide (frameworks)" in table
    agencies = re.search(r'id="by-agency">(.*?)</table>', html, re.S).group(1)
    nadra = re.search(r'<th scope="row">National Database and Registration Authority</th>(.*?)</tr>', agencies,
                      re.S).group(1)
    # A (supporting), C and G overdue, C assigned, A and C evidence, two indicator rows, two reports returned.
    assert [int(n) for n in re.findall(r">(\d+)<", nadra)] == [1, 1, 2, 1, 0, 0, 2, 2, 2]


def test_nothing_changed_says_so(plan, as_role):
    html = page(as_role("rapporteur"), "/changes?start=2024-01-01&end=2024-01-31")
    assert "Nothing changed between 1 Jan 2024 and 31 Jan 2024." in html


def test_a_start_after_the_end_is_refused_with_the_days_as_typed(plan, as_role):
    client = as_role("coordinator")
    response = client.get("/changes?start=2025-09-30&end=2025-07-01&pillar=protection")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The start, 2025-09-30, is after the end, 2025-07-01" in html
    assert 'name="start" value="2025-09-30"' in html and 'name="end" value="2025-07-01"' in html
    assert 'value="protection" selected' in html and 'id="table-' not in html
    # On a phone the form the days are corrected in stays open, not folded behind its button.
    assert 'collapse d-md-flex show' in html and 'aria-expanded="true"' in html
    assert 'collapse d-md-flex show' not in page(client, "/changes?start=2025-07-01&end=2025-09-30")
    assert client.get("/changes.csv?start=2025-09-30&end=2025-07-01").status_code == 422


def test_an_unreadable_date_is_dropped_and_named(plan, as_role):
    client = as_role("coordinator")
    html = page(client, "/changes?start=30/09/2025&end=2025-09-30")
    assert "Ignored: start &#39;30/09/2025&#39; is not a date (YYYY-MM-DD)." in html
    assert 'name="start" value="2025-07-02"' in html  # 90 days before the end
    assert "Ignored: end 0001-01-01 is not between 1900 and 2999" in page(client, "/changes?end=0001-01-01")
    assert client.get("/changes.csv?start=30/09/2025").status_code == 400


@pytest.mark.parametrize(("today", "preset", "expected"), [
    (date(2026, 2, 10), "90d", (date(2025, 11, 12), date(2026, 2, 10))),
    (date(2026, 2, 10), "quarter", (date(2025, 10, 1), date(2025, 12, 31))),
    (date(2026, 4, 1), "quarter", (date(2026, 1, 1), date(2026, 3, 31))),
    (date(2026, 12, 31), "quarter", (date(2026, 7, 1), date(2026, 9, 30))),
    (date(2026, 2, 10), "year", (date(2025, 1, 1), date(2025, 12, 31))),
    (date(2026, 1, 1), "year", (date(2025, 1, 1), date(2025, 12, 31))),
])
def test_presets_compute_their_days_from_today(today, preset, expected):
    assert preset_range(preset, today) == expected


def test_the_page_offers_the_presets_and_opens_on_the_last_90_days(as_role):
    client = as_role("coordinator")
    today = date.today()
    html = page(client, "/changes")
    start, end = preset_range("90d", today)
    assert f'name="start" value="{start.isoformat()}"' in html and f'name="end" value="{end.isoformat()}"' in html
    quarter = Period.containing(today, Frequency.QUARTERLY).preceding()
    html = page(client, "/changes?preset=quarter&pillar=prevention")
    assert f'name="start" value="{quarter.start.isoformat()}"' in html
    assert f'name="end" value="{quarter.end.isoformat()}"' in html
    assert re.search(r'aria-current="page"\s+href="/changes\?preset=quarter&amp;pillar=prevention"', html)
    assert 'href="/changes.csv?preset=quarter&amp;pillar=prevention"' in html


def test_reports_verified_through_the_cycle_count_as_the_coordinator_who_verified(plan, as_role):
    client = as_role("coordinator")
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "CH-C"))
    focal = item.reports[0].author
    coordinator = UserFactory(name="Bilal Coordinator", role=Role.COORDINATOR)
    submit(focal, item, Status.IN_PROGRESS, 40, "Under way.", "", at(2025, 9, 1))
    report = db.session.scalar(sa.select(Report).where(Report.item_id == item.id, Report.stage.in_(
        (ReportStage.VALIDATION, ReportStage.COORDINATION))))
    db.session.commit()
    decide(coordinator, report, Decision.VERIFY, "", now=at(2025, 9, 2))
    rows = csv_rows(client, "/changes.csv?start=2025-09-01&end=2025-09-01")
    assert [r["ref"] for r in rows if r["section"] == "status_changed"] == []  # submitted only: not yet official
    rows = csv_rows(client, "/changes.csv?start=2025-09-02&end=2025-09-02")
    changed = [(r["ref"], r["before"], r["after"], r["who"]) for r in rows if r["section"] == "status_changed"]
    assert changed == [("CH-C", "not_started 0%", "in_progress 40%", "Bilal Coordinator (verifying NADRA)")]


def test_the_page_and_the_download_are_for_coordinators_the_rapporteur_and_admins(plan, as_role):
    agency = as_role("agency", "NADRA")
    assert agency.get(Q3).status_code == 403 and agency.get("/changes.csv").status_code == 403
    assert "What changed" not in page(agency, "/items")
    assert 'href="/changes">What changed</a>' in page(as_role("rapporteur"), "/items")
    admin = as_role("admin")
    assert admin.get(Q3).status_code == 200 and admin.get("/changes.csv").status_code == 403


def more_changes(count: int, offset: int) -> None:
    """`count` more items with a change of every kind in the third quarter of 2025."""
    pillars = db.session.scalars(sa.select(Pillar).order_by(Pillar.position)).all()
    fia, nadra = find_agency("FIA"), find_agency("NADRA")
    coordinator = UserFactory(role=Role.COORDINATOR)
    focal = UserFactory(role=Role.AGENCY, agency=nadra)
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == "CH-IND"))
    for n in range(offset, offset + count):
        item = ActionItemFactory(ref=f"MORE-{n}", pillar=pillars[n % 4], lead__agency=fia,
                                 created_at=at(2025, 8, 1), due_date=date(2025, 9, 1))
        ItemAgencyFactory(item=item, agency=nadra)
        official(item, coordinator, at(2025, 8, 2), Status.IN_PROGRESS, n % 100)
        official(item, coordinator, at(2025, 8, 3), Status.COMPLETED, 100 if n % 2 else 90)
        history.set_agencies(item, nadra, [fia], coordinator, at(2025, 8, 4))
        EvidenceFactory(item=item, created_at=at(2025, 8, 5), uploaded_by=coordinator)
        ReportFactory(item=item, author=focal, agency=nadra, stage=ReportStage.RETURNED, decided_at=at(2025, 8, 6),
                      decided_by=coordinator, comment="Again.")
        db.session.add(Report(indicator=indicator, period=f"{2000 + n}", agency=nadra, author=focal,
                              stage=ReportStage.VERIFIED if n % 2 else ReportStage.RETURNED,
                              decided_at=at(2025, 8, 7), decided_by=coordinator, values=[ReportValue(value=n)]))
        db.session.add(IndicatorValue(indicator=indicator, period=f"{1900 + n}", value=n, origin=UpdateOrigin.USER,
                                      created_at=at(2025, 8, 8)))
    FrameworkFactory(created_at=at(2025, 8, 9))
    db.session.commit()


def test_the_page_query_count_does_not_grow_with_the_changes(plan, as_role):
    client = as_role("coordinator")
    csv_url = Q3.replace("/changes", "/changes.csv")
    more_changes(3, 0)
    page(client, Q3)  # the same warm-up before each count: the commit above expired the logged-in user
    small, small_csv = count_queries(client, Q3), count_queries(client, csv_url)
    more_changes(150, 3)
    html = page(client, Q3)
    assert counts(html)["status_changed"] == 2 + 153 and counts(html)["assigned"] == 1 + 153
    assert (count_queries(client, Q3), count_queries(client, csv_url)) == (small, small_csv)


# The dashboard as of a past day.


def chart(html: str, key: str) -> dict:
    source = re.search(rf'<script type="application/json" id="{key}-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(source)


def status_by_pillar(html: str) -> dict[str, dict[str, int]]:
    """The pillar × status chart's numbers, without the zeros."""
    figure = chart(html, "pillar-status")
    counts: dict[str, dict[str, int]] = {}
    for trace in figure["data"]:
        for pillar, value in zip(trace["x"], trace["y"], strict=True):
            if value:
                counts.setdefault(pillar, {})[trace["name"]] = value
    return counts


def test_the_dashboard_as_of_a_past_day_shows_the_counts_of_then(plan, as_role):
    client = as_role("rapporteur")
    then = page(client, "/dashboard?as_of=2025-08-31&framework=OLD")
    assert status_by_pillar(then) == {
        "Prevention": {"Not started": 1, "In progress": 1, "Completed": 1},  # G, A at 50%, E
        "Prosecution": {"Not started": 1, "In progress": 1},  # I, B
        "Protection": {"Not started": 2},  # C (its report never verified), H
    }
    now = page(client, "/dashboard?framework=OLD")
    assert status_by_pillar(now) == {
        "Prevention": {"Not started": 1, "In progress": 1, "Completed": 2},  # G, F (taken in since), A, E
        "Prosecution": {"Not started": 1, "Blocked": 1},
        "Protection": {"Not started": 2},
    }
    assert 'id="as-of-banner"' in then and "As of 31 Aug 2025" in then and 'id="as-of-banner"' not in now
    assert 'name="as_of" max="' in now and 'value="2025-08-31"' in then
    completion = chart(then, "pillar-completion")["data"][0]
    assert completion["y"][:3] == [33.3, 0, 0]
    # Overdue at the end of 31 August: due on or before it and open then (C that very day, H), with their progress then.
    assert "<strong>7</strong> items match these filters · 2 overdue" in then
    overdue = re.search(r'aria-label="Overdue items">(.*?)</table>', then, re.S).group(1)
    assert re.findall(r'/items/(CH-[A-Z])"', overdue) == ["CH-H", "CH-C"]
    # The agencies' numbers then: the FIA leads A (50% then) and E (done), and supports B (10%) and C (0%, overdue).
    agencies = re.search(r'id="agency-table">(.*?)</table>', then, re.S).group(1)
    fia = re.search(r"Federal Investigation Agency \(FIA\)</th>(.*?)</tr>", agencies, re.S).group(1)
    assert re.findall(r">([\d.]+)<", fia) == ["4", "3", "1", "1", "40.0"]


def test_the_dashboard_as_of_leaves_out_items_created_later_and_cuts_the_months(plan, as_role):
    client = as_role("coordinator")
    assert "<strong>8</strong> items · 2 overdue · as of 31 Aug 2025" in page(client, "/dashboard?as_of=2025-08-31") \
        .replace(" match these filters", "")
    before_d = page(client, "/dashboard?as_of=2025-08-14")
    assert "<strong>7</strong> items" in before_d and "Partnership" not in status_by_pillar(before_d)
    # Completed per month (E in May; A only in September) and reports made, up to the end of 31 August.
    months = chart(page(client, "/dashboard?as_of=2025-08-31&framework=OLD"), "over-time")["data"]
    assert months[0]["x"] == ["2025-03", "2025-05", "2025-06", "2025-07", "2025-08"]
    assert months[0]["y"] == [0, 1, 0, 0, 0] and months[1]["y"] == [1, 1, 1, 1, 1]
    assert "2025-09" in chart(page(client, "/dashboard?framework=OLD"), "over-time")["data"][0]["x"]


def test_the_dashboard_as_of_has_no_pending_overlay_and_no_links_to_todays_list(plan, as_role):
    client = as_role("coordinator")
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "CH-G"))
    ReportFactory(item=item, author=UserFactory(role=Role.AGENCY, agency=find_agency("NADRA")),
                  agency=find_agency("NADRA"))
    db.session.commit()
    live = page(client, "/dashboard?pending=1&framework=OLD")
    assert "awaiting verification" in json.dumps(chart(live, "pillar-status"))
    then = page(client, "/dashboard?as_of=2025-08-31&pending=1&framework=OLD")
    assert "awaiting verification" not in json.dumps(chart(then, "pillar-status"))
    assert "pending: reports awaiting verification are not shown as of a past day" in then
    assert all(link is None for trace in chart(then, "pillar-status")["data"] for link in trace["customdata"])
    assert 'id="results-today-only"' in then and 'id="results-table"' not in then
    assert 'href="/changes?start=2025-09-01&amp;end=' in then
    # The HTML report stands as of that day too; the CSV and Excel files hold today's items.
    assert 'href="/exports/items.html?as_of=2025-08-31&amp;framework=OLD"' in then
    report = client.get("/exports/items.html?as_of=2025-08-31&framework=OLD").get_data(as_text=True)
    assert "As of the end of 2025-08-31 (24:00 UTC)" in report and "7 items" in report
    assert client.get("/exports/items.csv?as_of=2025-08-31").status_code == 400


@pytest.mark.parametrize("as_of", ["2999-12-31", "31/08/2025", "", "today"])
def test_a_future_or_malformed_day_shows_todays_dashboard_with_a_note(plan, as_role, as_of):
    html = page(as_role("coordinator"), f"/dashboard?as_of={as_of}")
    assert 'id="as-of-banner"' not in html and 'id="results-table"' in html
    if as_of:
        assert "Ignored: as of" in html
    today = date.today().isoformat()
    assert "that day has not ended yet" in page(as_role("rapporteur", email="r2@example.org"),
                                                f"/dashboard?as_of={today}")


def test_the_dashboard_as_of_query_count_does_not_grow_with_the_history(plan, as_role):
    client = as_role("rapporteur")
    more_changes(3, 0)
    assert "<strong>11</strong> items" in page(client, "/dashboard?as_of=2025-08-31")
    small = count_queries(client, "/dashboard?as_of=2025-08-31")
    more_changes(150, 3)
    assert "<strong>161</strong> items" in page(client, "/dashboard?as_of=2025-08-31")
    assert small == count_queries(client, "/dashboard?as_of=2025-08-31")


def test_evidence_given_with_indicator_values_is_listed_as_the_values_are_narrowed(plan, as_role):
    from tracker.models import User

    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == "CH-IND"))
    giver = db.session.scalar(sa.select(User).where(User.role == Role.COORDINATOR))
    db.session.add_all([
        Evidence(indicator=indicator, period="2025-Q2", created_at=at(2025, 8, 20), uploaded_by=giver,
                 url="https://example.org/q2-register"),
        Evidence(indicator=indicator, period="2025-Q2", created_at=at(2025, 8, 21), agency_id=plan["nadra"],
                 confidential=True, url="https://example.org/q2-names"),
        Evidence(indicator=indicator, period="2025-Q3", created_at=at(2025, 10, 2), uploaded_by=giver,
                 url="https://example.org/q3-too-late"),
    ])
    db.session.commit()
    coordinator, rapporteur = as_role("coordinator"), as_role("rapporteur")
    assert sorted(refs(page(coordinator, Q3))["evidence_added"]) == ["CH-A", "CH-C", "CH-IND 2025-Q2",
                                                                     "CH-IND 2025-Q2"]
    html = page(rapporteur, Q3)
    assert sorted(refs(html)["evidence_added"]) == ["CH-A", "CH-IND 2025-Q2"] and "q2-names" not in html
    assert "https://example.org/q2-register" in html and "q3-too-late" not in html
    assert refs(page(coordinator, Q3 + "&pillar=prevention"))["evidence_added"] == ["CH-A"]
    assert "CH-IND 2025-Q2" not in refs(page(coordinator, Q3 + "&status=completed"))["evidence_added"]
    rows = csv_rows(coordinator, Q3.replace("/changes", "/changes.csv"))
    assert sum(r["section"] == "evidence_added" and r["ref"] == "CH-IND 2025-Q2" for r in rows) == 2
