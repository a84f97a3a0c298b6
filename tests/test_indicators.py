"""Indicators: defined by coordinators (or seeded), with a baseline and targets only where given, values per
period and breakdown, retired rather than deleted once they have values; pages, the API and the audit log."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import current_app

from conftest import csrf_token, fresh_item
from test_dashboard import count_queries
from tracker.catalogue.services import find_agency
from tracker.enums import AuditEventKind, Exploitation, IndicatorKind, UpdateOrigin
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, Indicator, IndicatorValue, Pillar, Province, Report

FORM = {"code": "PROS-CONVICTIONS", "name": "Convictions for trafficking in persons", "kind": "count",
        "direction": "higher", "unit": "convictions", "frequency": "yearly", "breakdowns": ["province", "exploitation"],
        "items": "PAPER-t, NAP05-PROS-a-i", "baseline_value": "", "baseline_period": "", "baseline_source": "",
        "targets": "", "definition": "Convictions under the PTPA 2018.", "means_of_verification": "Court records."}


def pillar_id(code: str = "prosecution") -> str:
    return str(db.session.scalar(sa.select(Pillar.id).where(Pillar.code == code)))


def post_form(client, path: str = "/indicators/new", **changes):
    page = client.get(path)
    assert page.status_code == 200
    data = {**FORM, "pillar": pillar_id(), "agency": str(find_agency("FIA").id), **changes,
            "csrf_token": csrf_token(page.get_data(as_text=True))}
    return client.post(path, data=data)


MINE = ("PROS-CONVICTIONS", "PROS-SPARE", "PROT-REFERRED")  # the seeded indicators aside


def listed(client, query: str = "") -> str:
    """Which of this file's indicators the list shows (its table only: a message above it may name others)."""
    html = client.get(f"/indicators{query}").get_data(as_text=True)
    return " ".join(code for code in re.findall(r'href="/indicators/([A-Z0-9-]+)"', html.split("<tbody>")[-1])
                    if code in MINE)


def indicator(code: str = "PROS-CONVICTIONS") -> Indicator | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


def add_values(target: Indicator) -> None:
    """2024: a total; 2025: only the breakdown by province (its sum stands for the total)."""
    sindh = db.session.scalar(sa.select(Province).where(Province.code == "SD"))
    punjab = db.session.scalar(sa.select(Province).where(Province.code == "PB"))
    db.session.add_all([
        IndicatorValue(indicator=target, period="2024", value=40, origin=UpdateOrigin.SOURCE,
                       source_document="002_6602401ef7528d48.txt", locator="p. 3", note="Forty convictions."),
        IndicatorValue(indicator=target, period="2025", value=30, province=sindh,
                       exploitation=Exploitation.BONDED_LABOUR),
        IndicatorValue(indicator=target, period="2025", value=25, province=punjab),
    ])
    db.session.commit()


def test_a_coordinator_defines_an_indicator_and_everyone_reads_it(as_role):
    coordinator = as_role("coordinator")
    response = post_form(coordinator, baseline_value="12", baseline_period="2023",
                         baseline_source="FIA annual report 2023, table 4", targets="2025 = 60\n2024-Q4: 45")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    saved = indicator()
    assert (saved.kind, saved.pillar.code, saved.agency.short_name, saved.breakdowns) == (
        IndicatorKind.COUNT, "prosecution", "FIA", "province,exploitation")
    assert [i.ref for i in saved.items] == ["NAP05-PROS-a-i", "PAPER-t"]
    assert [(t.period, t.value) for t in saved.targets] == [("2024-Q4", 45.0), ("2025", 60.0)]
    assert (saved.baseline_value, saved.baseline_period) == (12.0, "2023")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == AuditEventKind.INDICATOR_CHANGED))
    assert event.subject == "indicator:PROS-CONVICTIONS" and "created" in event.detail
    rapporteur = as_role("rapporteur")
    page = rapporteur.get("/indicators/PROS-CONVICTIONS").get_data(as_text=True)
    assert "Convictions for trafficking in persons" in page and "FIA annual report 2023, table 4" in page
    assert "No values yet" in page and "New indicator" not in rapporteur.get("/indicators").get_data(as_text=True)
    assert "PROS-CONVICTIONS" in rapporteur.get("/items/PAPER-t").get_data(as_text=True)
    assert rapporteur.get("/indicators/new").status_code == 403


def test_a_refused_form_names_each_problem_and_keeps_what_was_typed(as_role):
    coordinator = as_role("coordinator")
    response = post_form(coordinator, code="bad code", items="PAPER-t, NOPE-1", kind="percentage",
                         baseline_value="140", baseline_period="2023", baseline_source="x", targets="next year: lots")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and indicator("bad code") is None
    assert "No item has the ref NOPE-1." in html and "is not “period = value”" in html
    assert 'value="bad code"'.upper() in html.upper() and "PAPER-t, NOPE-1" in html
    response = post_form(coordinator, kind="percentage", baseline_value="140", baseline_period="2023",
                         baseline_source="x")
    assert response.status_code == 422 and "A percentage is from 0 to 100." in response.get_data(as_text=True)
    response = post_form(coordinator, baseline_value="12")
    assert "Say which period the baseline is of." in response.get_data(as_text=True)
    response = post_form(coordinator, baseline_value="12", baseline_period="2023")
    assert "Say where the baseline comes from" in response.get_data(as_text=True)
    assert post_form(coordinator).status_code == 302
    duplicate = post_form(coordinator)
    assert duplicate.status_code == 422 and "Another indicator has the code" in duplicate.get_data(as_text=True)


def test_the_page_draws_actuals_against_baseline_and_targets_with_the_breakdowns(as_role):
    coordinator = as_role("coordinator")
    post_form(coordinator, baseline_value="10", baseline_period="2023", baseline_source="A source",
              targets="2025 = 70")
    add_values(indicator())
    html = coordinator.get("/indicators/PROS-CONVICTIONS").get_data(as_text=True)
    chart = json.loads(re.search(r'id="indicator-pros-convictions-data">(.*?)</script>', html, re.S).group(1))
    traces = {trace["name"]: trace for trace in chart["data"]}
    assert traces["Actual"]["x"] == ["2024", "2025"] and traces["Actual"]["y"] == [40, 55]
    assert (traces["Target"]["x"], traces["Target"]["y"]) == (["2025"], [70])
    assert set(traces["Baseline (2023)"]["y"]) == {10}
    assert "(sum of the breakdown)" in html and "Forty convictions." in html
    by_province = html.split('<h2 class="h5 mt-4">By province</h2>')[1].split("</table>")[0]
    assert "Sindh" in by_province and "Punjab" in by_province and ">30<" in by_province and ">25<" in by_province
    assert "By form of exploitation" in html


def test_an_indicator_with_values_is_retired_never_deleted(as_role):
    coordinator = as_role("coordinator")
    post_form(coordinator)
    post_form(coordinator, code="PROS-SPARE", name="A spare one")
    add_values(indicator())
    token = csrf_token(coordinator.get("/indicators/PROS-CONVICTIONS").get_data(as_text=True))
    refused = coordinator.post("/indicators/PROS-CONVICTIONS/delete", data={"csrf_token": token})
    assert refused.status_code == 302 and indicator() is not None
    assert "never deleted: retire it instead" in coordinator.get(refused.headers["Location"]).get_data(as_text=True)
    coordinator.post("/indicators/PROS-CONVICTIONS/retire", data={"csrf_token": token})
    assert indicator().retired and len(indicator().values) == 3
    assert listed(coordinator) == "PROS-SPARE"
    assert listed(coordinator, "?retired=1") == "PROS-CONVICTIONS PROS-SPARE"
    coordinator.post("/indicators/PROS-CONVICTIONS/retire", data={"csrf_token": token, "back": "1"})
    assert not indicator().retired
    # One without values, made by mistake, may go.
    assert coordinator.post("/indicators/PROS-SPARE/delete", data={"csrf_token": token}).status_code == 302
    assert indicator("PROS-SPARE") is None
    # Its breakdowns stay as they are once it has values.
    changed = post_form(coordinator, "/indicators/PROS-CONVICTIONS/edit", breakdowns=["sex"])
    assert changed.status_code == 422 and "stay as they are" in changed.get_data(as_text=True)


def test_the_list_filters_live_in_the_url_and_bad_ones_are_named(as_role):
    coordinator = as_role("coordinator")
    post_form(coordinator)
    post_form(coordinator, code="PROT-REFERRED", name="Victims referred to shelters", pillar=pillar_id("protection"))
    assert listed(coordinator, "?pillar=prosecution") == "PROS-CONVICTIONS"
    page = coordinator.get("/indicators?pillar=nowhere&q=shelters").get_data(as_text=True)
    assert "unknown pillar" in page and 'value="shelters"' in page
    assert listed(coordinator, "?pillar=nowhere&q=shelters") == "PROT-REFERRED"


def test_the_api_lists_indicators_and_gives_one_with_its_values(as_role, seeded, client, make_user):
    from tracker.api.tokens import issue_token

    post_form(as_role("coordinator"), baseline_value="10", baseline_period="2023", baseline_source="A source",
              targets="2025 = 70")
    add_values(indicator())
    headers = {"Authorization": "Bearer " + issue_token(make_user("rapporteur", email="r@example.org"), "t")[1]}
    listing = client.get("/api/v1/indicators?pillar=prosecution", headers=headers).json
    (row,) = [r for r in listing["indicators"] if r["code"] == "PROS-CONVICTIONS"]
    assert row["baseline"] == {"value": 10.0, "period": "2023", "source": "A source"}
    assert row["targets"] == [{"period": "2025", "value": 70.0}] and row["breakdowns"] == ["province", "exploitation"]
    assert (row["pillar"], row["agency"], row["kind"]) == ("prosecution", "Federal Investigation Agency", "count")
    one = client.get("/api/v1/indicators/PROS-CONVICTIONS", headers=headers).json
    assert one["items"] == ["NAP05-PROS-a-i", "PAPER-t"]
    assert [(v["period"], v["breakdown"], v["value"]) for v in one["values"]] == [
        ("2024", {}, 40.0), ("2025", {"province": "SD", "exploitation": "bonded_labour"}, 30.0),
        ("2025", {"province": "PB"}, 25.0)]
    assert client.get("/api/v1/indicators/NOPE", headers=headers).status_code == 404
    bad = client.get("/api/v1/indicators?agency=abc", headers=headers)
    assert bad.status_code == 422 and "agency" in bad.json["message"]


@pytest.mark.parametrize("kind, value, problem", [
    ("count", 2.5, "A count is a whole number."), ("count", -1, "A value is never negative."),
    ("percentage", 101, "A percentage is from 0 to 100."), ("yes_no", 2, "Yes / no is 1 for yes or 0 for no."),
    ("amount", 1250.5, None), ("percentage", 99.5, None),
])
def test_values_that_cannot_be_right_are_named(kind, value, problem):
    from tracker.indicators.services import value_problem

    assert value_problem(IndicatorKind(kind), value) == problem


def test_an_item_lists_no_indicators_until_one_measures_it(as_role):
    from tracker.models import ActionItem

    client = as_role("rapporteur")
    ref = db.session.scalar(sa.select(ActionItem.ref).where(~ActionItem.indicators.any()).order_by(ActionItem.ref))
    assert "Indicators measuring its results" not in client.get(f"/items/{ref}").get_data(as_text=True)
    post_form(as_role("coordinator"), items=ref)
    assert "Indicators measuring its results" in client.get(f"/items/{ref}").get_data(as_text=True)
    assert [i.code for i in fresh_item(ref).indicators] == ["PROS-CONVICTIONS"] and date.today()


def test_the_dashboard_judges_each_indicator_against_its_target_respecting_direction(as_role):
    from tracker.indicators.services import track

    coordinator = as_role("coordinator")
    post_form(coordinator, targets="2025 = 50\n2026 = 80")
    post_form(coordinator, code="PROS-BACKLOG", name="Cases pending trial", direction="lower", targets="2025 = 60",
              breakdowns=[])
    add_values(indicator())  # 2024: 40; 2025: 55 (the sum of its provinces)
    db.session.add(IndicatorValue(indicator=indicator("PROS-BACKLOG"), period="2025-Q2", value=70))
    db.session.commit()
    convictions, backlog = track(indicator()), track(indicator("PROS-BACKLOG"))
    assert (convictions.period, convictions.actual, convictions.target, convictions.state) == (
        "2025", 55, 50, "on_track")
    # A quarter is judged against its year's target; lower is better here, and 70 is above 60.
    assert (backlog.period, backlog.target_period, backlog.state) == ("2025-Q2", "2025", "off_track")
    page = coordinator.get("/dashboard?pillar=prosecution").get_data(as_text=True)
    table = page.split('id="results-table"')[1].split("</table>")[0]
    assert "PROS-CONVICTIONS" in table and "on track" in table and "off track" in table
    assert "PROT-" not in table  # the pillar filter applies


def test_periods_run_by_the_day_they_end_and_percentages_are_never_summed(seeded):
    from tracker.indicators.services import series

    pillar = db.session.scalar(sa.select(Pillar).where(Pillar.code == "protection"))
    sindh = db.session.scalar(sa.select(Province).where(Province.code == "SD"))
    share = Indicator(code="PROT-SHARE", name="Share referred", kind=IndicatorKind.PERCENTAGE, pillar=pillar,
                      breakdowns="province")
    db.session.add_all([share, IndicatorValue(indicator=share, period="2026", value=50),
                        IndicatorValue(indicator=share, period="2026-Q1", value=40, province=sindh)])
    db.session.commit()
    points = series(share)
    assert [(p.period, p.actual) for p in points] == [("2026", 50)]  # no sum of shares for 2026-Q1


def test_the_results_pages_run_the_same_queries_at_a_tenth_of_the_size(as_role):
    """What `make bench` times at 300 indicators: the query count must not grow with them."""
    from factories import synthetic_indicators

    client = as_role("rapporteur")

    def queries(path: str) -> int:
        db.session.expire_all()  # every request loads what it needs, as in its own process …
        current_app.extensions.pop("catalogue_reads", None)  # … which has kept nothing of the catalogue yet
        return count_queries(client, path)

    pages = ["/indicators", "/indicators/SYN-1", "/indicators/rates", "/dashboard", "/api/v1/indicators/SYN-1"]
    synthetic_indicators(3, periods=2, provinces=2, forms=2)
    small = {page: queries(page) for page in pages}
    synthetic = sa.select(Indicator.id).where(Indicator.code.like("SYN-%"))
    for table in (IndicatorValue, Evidence, Report):
        db.session.execute(sa.delete(table).where(table.indicator_id.in_(synthetic)))
    db.session.execute(sa.delete(Indicator).where(Indicator.code.like("SYN-%")))
    db.session.commit()
    synthetic_indicators(30, periods=4, provinces=4, forms=4)
    assert {page: queries(page) for page in pages} == small
