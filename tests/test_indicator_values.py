"""An indicator's values for a period: entered in a grid, checked for typing errors, and counted only once
verified — by the same validator and coordinator as progress reports; a coordinator's entry counts at once."""
from __future__ import annotations

import sqlalchemy as sa

from conftest import csrf_token
from downloads import csv_text
from tracker.catalogue.services import find_agency
from tracker.enums import Frequency, IndicatorKind, ReportStage, UpdateOrigin
from tracker.extensions import db
from tracker.indicators.periods import Period
from tracker.models import AuditEvent, Indicator, IndicatorValue, Pillar, Province, Report

CODE = "TEST-VICTIMS"
PERIOD = "2026-Q3"


def make_indicator(breakdowns: str = "province", agency: str = "FIA") -> Indicator:
    indicator = Indicator(code=CODE, name="Victims identified", unit="victims", kind=IndicatorKind.COUNT,
                          frequency=Frequency.QUARTERLY, breakdowns=breakdowns, agency=find_agency(agency),
                          pillar=db.session.scalar(sa.select(Pillar).where(Pillar.code == "protection")))
    db.session.add(indicator)
    db.session.commit()
    return indicator


def values() -> list[tuple]:
    db.session.expire_all()
    return sorted((v.period, v.province.code if v.province else "", v.value, v.origin.value)
                  for v in db.session.scalars(sa.select(IndicatorValue).join(Indicator).where(Indicator.code == CODE)))


def send(client, period: str = PERIOD, named: dict | None = None, **cells):
    """Post the grid: cells as v_SD=12 (underscores become dots), or by their inputs' names in `named`."""
    page = client.get(f"/indicators/{CODE}/values?period={period}")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "period": period, "note": "From the ATU registers.",
            **{name.replace("_", ".") if name.startswith("v_") else name:
               value if isinstance(value, list) else str(value) for name, value in cells.items()},
            **(named or {})}
    return client.post(f"/indicators/{CODE}/values", data=data)


def test_an_agencys_values_count_once_a_coordinator_verifies_them(as_role):
    make_indicator()
    focal, coordinator = as_role("agency", "FIA"), as_role("coordinator")
    response = send(focal, v_SD=12, v_PB=30, total=42)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (report,) = db.session.scalars(sa.select(Report).where(Report.indicator_id.is_not(None))).all()
    assert (report.period, report.stage, sorted(v.value for v in report.values)) == (
        PERIOD, ReportStage.COORDINATION, [12.0, 30.0, 42.0])
    assert values() == []  # nothing counts yet
    page = coordinator.get(f"/indicators/{CODE}").get_data(as_text=True)
    assert f'id="report-{report.id}"' in page and "Sindh" not in page.split("Values awaiting verification")[0]
    assert f"{CODE} {PERIOD}" in coordinator.get("/queue").get_data(as_text=True)
    token = csrf_token(page)
    verified = coordinator.post(f"/reports/{report.id}/decision", data={"csrf_token": token, "verify": "Verify"})
    assert verified.status_code == 302 and verified.headers["Location"].startswith(f"/indicators/{CODE}")
    assert values() == [(PERIOD, "", 42.0, "user"), (PERIOD, "PB", 30.0, "user"), (PERIOD, "SD", 12.0, "user")]
    details = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.subject == f"report:{report.id}")).all()
    assert any("3 value(s) from FIA" in d for d in details) and any("verify the report of FIA" in d for d in details)


def test_a_total_that_is_not_the_sum_and_words_are_refused_keeping_the_grid(as_role):
    make_indicator()
    focal = as_role("agency", "FIA")
    refused = send(focal, v_SD=12, v_PB=30, total=50)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "The total (50) is not the sum of the values (42)." in html
    assert 'value="12"' in html and 'value="50"' in html
    words = send(focal, v_SD="twelve")
    assert words.status_code == 422 and "“twelve” is not a number" in words.get_data(as_text=True)
    fractional = send(focal, v_SD=2.5)
    assert fractional.status_code == 422 and "A count is a whole number." in fractional.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_a_value_far_from_the_period_before_is_saved_only_once_confirmed(as_role):
    indicator = make_indicator()
    sindh = db.session.scalar(sa.select(Province).where(Province.code == "SD"))
    before = Period.parse(PERIOD).preceding().code
    db.session.add(IndicatorValue(indicator=indicator, period=before, value=10, province=sindh,
                                  origin=UpdateOrigin.USER))
    db.session.commit()
    coordinator = as_role("coordinator")
    page = coordinator.get(f"/indicators/{CODE}/values?period={PERIOD}").get_data(as_text=True)
    assert 'placeholder="10"' in page  # the period before, beside the cell
    unconfirmed = send(coordinator, v_SD=100)
    assert unconfirmed.status_code == 422 and "sd: 100 against 10 the period before" in unconfirmed.get_data(
        as_text=True).lower()
    assert send(coordinator, v_SD=100, confirm="y").status_code == 302
    assert (PERIOD, "SD", 100.0, "user") in values()  # a coordinator's entry counts at once


def test_only_the_reporting_agency_and_coordinators_give_values(as_role):
    indicator = make_indicator()
    for client in (as_role("agency", "NADRA"), as_role("rapporteur")):
        assert client.get(f"/indicators/{CODE}/values").status_code == 403
    indicator.retired_at = sa.func.now()
    db.session.commit()
    assert as_role("agency", "FIA").get(f"/indicators/{CODE}/values").status_code == 403


def test_a_period_not_begun_or_of_the_wrong_frequency_is_refused(as_role):
    make_indicator()
    focal = as_role("agency", "FIA")
    assert "has not begun" in send(focal, period="2099-Q1", total=1).get_data(as_text=True)
    assert "reported quarterly" in send(focal, period="2025", total=1).get_data(as_text=True)


def test_returned_values_come_back_to_the_agency_in_the_grid(as_role):
    make_indicator()
    focal, coordinator = as_role("agency", "FIA"), as_role("coordinator")
    send(focal, v_SD=12)
    report = db.session.scalar(sa.select(Report).where(Report.indicator_id.is_not(None)))
    token = csrf_token(coordinator.get(f"/indicators/{CODE}").get_data(as_text=True))
    coordinator.post(f"/reports/{report.id}/decision",
                     data={"csrf_token": token, "send_back": "Return", "comment": "Sindh's figure is last year's."})
    home = focal.get("/").get_data(as_text=True)
    assert "Sindh&#39;s figure is last year&#39;s." in home and f"/indicators/{CODE}/values?period={PERIOD}" in home
    grid = focal.get(f"/indicators/{CODE}/values?period={PERIOD}").get_data(as_text=True)
    assert "were returned" in grid and 'value="12"' in grid
    assert send(focal, v_SD=14).status_code == 302
    latest = db.session.scalars(sa.select(Report).where(Report.indicator_id.is_not(None)).order_by(Report.id)).all()
    assert [r.stage for r in latest] == [ReportStage.RETURNED, ReportStage.COORDINATION]
    assert latest[1].corrects_id == latest[0].id and values() == []


def test_the_api_reports_values_by_the_same_rules(seeded, client, make_user):
    from tracker.api.tokens import issue_token

    make_indicator()

    def bearer(role, agency=None, email=None):
        user = make_user(role, email=email or f"api-{role}@example.org", agency=agency)
        return {"Authorization": "Bearer " + issue_token(user, "t")[1]}

    focal, coordinator = bearer("agency", "FIA"), bearer("coordinator")
    url = f"/api/v1/indicators/{CODE}/values"
    body = {"period": PERIOD, "values": [{"breakdown": {"province": "SD"}, "value": 12}, {"value": 12}]}
    created = client.post(url, headers=focal, json=body)
    assert created.status_code == 201 and created.json["stage"] == "coordination", created.json
    assert created.json["indicator"]["values"] == []  # not counted until verified
    wrong_cell = client.post(url, headers=focal, json={"period": PERIOD, "values": [
        {"breakdown": {"sex": "female"}, "value": 1}]})
    assert wrong_cell.status_code == 422 and "not reported by sex" in wrong_cell.json["errors"]["values"]
    not_sum = client.post(url, headers=coordinator, json={"period": PERIOD, "values": [
        {"breakdown": {"province": "SD"}, "value": 12}, {"value": 13}]})
    assert not_sum.status_code == 422 and "not the sum" in not_sum.json["errors"]["values"]
    assert client.post(url, headers=bearer("agency", "NADRA", "nadra@example.org"), json=body).status_code == 403
    decided = client.post(f"/api/v1/reports/{created.json['id']}/decisions", headers=coordinator,
                          json={"decision": "verify"})
    assert decided.status_code == 200 and decided.json["item"] is None and decided.json["update"] is None
    assert decided.json["report"]["indicator"] == CODE and decided.json["report"]["period"] == PERIOD
    assert values() == [(PERIOD, "", 12.0, "user"), (PERIOD, "SD", 12.0, "user")]
    official = client.post(url, headers=coordinator, json={"period": PERIOD, "values": [{"value": 20}]})
    assert official.status_code == 201 and (official.json["id"], official.json["stage"]) == (None, "official")
    assert values() == [(PERIOD, "", 20.0, "user")]


def test_reporting_rates_count_what_was_expected_reported_verified_and_on_time(as_role):
    """A hand-counted period: FIA owes two quarterly indicators (one on time and verified, one late and
    pending), NADRA one (nothing sent); a retired and a yearly indicator are not expected."""
    from datetime import UTC, datetime

    from tracker.enums import Frequency
    from tracker.indicators.rates import reporting_rates
    from tracker.models import ReportValue

    fia, nadra = find_agency("FIA"), find_agency("NADRA")
    pillar = db.session.scalar(sa.select(Pillar).where(Pillar.code == "protection"))

    def counts(rows):
        return {r.label: (r.expected, r.reported, r.verified, r.on_time) for r in rows}

    def added(after, before):  # the seeded starter set is expected too: count what this fixture adds
        return {k: tuple(a - b for a, b in zip(v, before.get(k, (0, 0, 0, 0)), strict=True))
                for k, v in after.items() if v != before.get(k)}

    seeded = reporting_rates(Period.parse(PERIOD))
    seeded_agency, seeded_province = counts(seeded.by_agency), counts(seeded.by_province)
    sindh, punjab = (db.session.scalar(sa.select(Province).where(Province.code == c)) for c in ("SD", "PB"))

    def new(code, agency, breakdowns="", frequency=Frequency.QUARTERLY, retired=False):
        made = Indicator(code=code, name=code, kind=IndicatorKind.COUNT, pillar=pillar, agency=agency,
                         breakdowns=breakdowns, frequency=frequency,
                         retired_at=datetime(2026, 1, 1, tzinfo=UTC) if retired else None)
        db.session.add(made)
        return made

    on_time, late = new("RATE-A", fia, "province"), new("RATE-B", fia)
    new("RATE-C", fia, retired=True), new("RATE-D", fia, frequency=Frequency.YEARLY), new("RATE-E", nadra)
    db.session.add_all([
        Report(indicator=on_time, period=PERIOD, agency=fia, stage=ReportStage.VERIFIED,
               submitted_at=datetime(2026, 10, 10, tzinfo=UTC), stage_since=datetime(2026, 10, 12, tzinfo=UTC),
               values=[ReportValue(province=sindh, value=5), ReportValue(province=punjab, value=7)]),
        IndicatorValue(indicator=on_time, period=PERIOD, province=sindh, value=5, origin=UpdateOrigin.USER),
        IndicatorValue(indicator=on_time, period=PERIOD, province=punjab, value=7, origin=UpdateOrigin.USER),
        Report(indicator=late, period=PERIOD, agency=fia, stage=ReportStage.COORDINATION,
               submitted_at=datetime(2026, 11, 15, tzinfo=UTC), stage_since=datetime(2026, 11, 15, tzinfo=UTC),
               values=[ReportValue(value=3)]),
    ])
    db.session.commit()
    rates = reporting_rates(Period.parse(PERIOD))
    assert added(counts(rates.by_agency), seeded_agency) == {"FIA": (2, 2, 1, 1), "NADRA": (1, 0, 0, 0)}
    by_province = added(counts(rates.by_province), seeded_province)
    assert by_province["Sindh"] == (1, 1, 1, 1) and by_province["Punjab"] == (1, 1, 1, 1)
    assert by_province["Balochistan"] == (1, 0, 0, 0) and len(by_province) == 5
    page = as_role("rapporteur").get(f"/indicators/rates?period={PERIOD}").get_data(as_text=True)
    assert "Reporting rates, 2026-Q3" in page and "By reporting agency" in page
    ignored = as_role("coordinator").get("/indicators/rates?period=2099-Q9").get_data(as_text=True)
    assert "Ignored" in ignored


def test_an_agency_is_reminded_weekly_of_a_period_overdue_until_it_reports(as_role, smtp):
    from datetime import date

    from test_reminders import body
    from tracker.reminders.delivery import run_reminders

    make_indicator()
    as_role("agency", "FIA", email="focal@fia.example")
    today = date(2026, 11, 30)  # 2026-Q3 was due 2026-10-30
    run_reminders(today)
    text = body(smtp.to("focal@fia.example")[0])
    assert "Indicator values overdue" in text and f"{CODE}: Victims identified" in text
    assert "2026-Q3 values were due 30 Oct 2026, 31 days ago" in text and f"/indicators/{CODE}/values" in text
    run_reminders(today)  # the same week: once
    assert len([m for m in smtp.to("focal@fia.example") if CODE in body(m)]) == 1
    send(as_role("agency", "FIA"), v_SD=3)
    run_reminders(date(2026, 12, 8))  # a week on, the period was reported: no more reminders of it
    assert all(CODE not in body(m) for m in smtp.to("focal@fia.example")[1:])


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_values_carry_their_evidence_to_verification_and_onto_the_indicator_page(app, as_role):
    import io
    from pathlib import Path

    from tracker.models import Evidence

    make_indicator()
    focal, coordinator = as_role("agency", "FIA"), as_role("coordinator")
    other_agency = as_role("agency", "NADRA")
    refused = send(focal, v_SD=12, total=13, links="https://fia.gov.pk/atu-register-q3",
                   files=[(io.BytesIO(PDF), "register.pdf")])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "choose again register.pdf" in html
    assert "https://fia.gov.pk/atu-register-q3" in html  # the links typed are kept
    folder = Path(app.config["UPLOAD_DIR"])
    assert not (folder.exists() and any(folder.iterdir())) and db.session.scalar(
        sa.select(sa.func.count()).select_from(Evidence).where(Evidence.indicator_id.is_not(None))) == 0
    bad_link = send(focal, v_SD=12, links="fia.gov.pk/register")
    assert bad_link.status_code == 422 and "is not a web address" in bad_link.get_data(as_text=True)

    assert send(focal, v_SD=12, links="https://fia.gov.pk/atu-register-q3",
                files=[(io.BytesIO(PDF), "register.pdf")]).status_code == 302
    report = db.session.scalar(sa.select(Report).where(Report.indicator_id.is_not(None)))
    assert sorted((e.original_name or e.url, e.period, e.indicator.code) for e in report.evidence) == [
        ("https://fia.gov.pk/atu-register-q3", PERIOD, CODE), ("register.pdf", PERIOD, CODE)]
    stored = next(e for e in report.evidence if e.stored_name)
    assert (folder / stored.stored_name).read_bytes() == PDF
    page = coordinator.get(f"/indicators/{CODE}").get_data(as_text=True)
    pending_card = page.split(f'id="report-{report.id}"')[1]
    assert "register.pdf" in pending_card and "None given with the values that count." in page

    # A correction takes the evidence over, with one more confidential link, hidden from other agencies.
    assert send(focal, v_SD=14, links="https://fia.gov.pk/case-list", confidential="y").status_code == 302
    latest = db.session.scalars(sa.select(Report).where(Report.indicator_id.is_not(None))
                                .order_by(Report.id.desc())).first()
    assert len(latest.evidence) == 3 and latest.corrects_id == report.id
    token = csrf_token(coordinator.get(f"/indicators/{CODE}").get_data(as_text=True))
    coordinator.post(f"/reports/{latest.id}/decision", data={"csrf_token": token, "verify": "Verify"})
    page = coordinator.get(f"/indicators/{CODE}").get_data(as_text=True)
    behind = page.split('id="values-evidence"')[1]
    assert "register.pdf" in behind and "https://fia.gov.pk/case-list" in behind
    assert "reported by FIA, verified" in page and "verified" in page.split("Values and their sources")[1]
    seen_elsewhere = other_agency.get(f"/indicators/{CODE}").get_data(as_text=True)
    assert "register.pdf" in seen_elsewhere and "https://fia.gov.pk/case-list" not in seen_elsewhere
    assert focal.get(f"/evidence/{stored.id}/download").data == PDF


def test_a_coordinators_entry_keeps_its_evidence_without_a_report(as_role):
    make_indicator()
    coordinator = as_role("coordinator")
    assert send(coordinator, v_SD=5, links="https://moi.gov.pk/atu-summary").status_code == 302
    page = coordinator.get(f"/indicators/{CODE}").get_data(as_text=True)
    assert "https://moi.gov.pk/atu-summary" in page.split('id="values-evidence"')[1]
    assert "entered by a coordinator" in page


def test_the_api_shows_each_values_verification_its_evidence_and_what_awaits_a_decision(seeded, client, make_user):
    from tracker.api.tokens import issue_token

    make_indicator()
    focal = {"Authorization": "Bearer " + issue_token(make_user("agency", email="f@example.org", agency="FIA"),
                                                      "t")[1]}
    coordinator = {"Authorization": "Bearer " + issue_token(make_user("coordinator", email="c@example.org"), "t")[1]}
    url = f"/api/v1/indicators/{CODE}"
    bad = client.post(url + "/values", headers=focal, json={"period": PERIOD, "values": [{"value": 3}],
                                                            "links": ["ftp://x"]})
    assert bad.status_code == 422 and "not a web address" in bad.json["errors"]["links"]
    created = client.post(url + "/values", headers=focal, json={
        "period": PERIOD, "values": [{"value": 3}], "links": ["https://fia.gov.pk/q3"]})
    assert created.status_code == 201
    pending = client.get(url, headers=coordinator).json
    assert [(r["id"], r["period"], r["stage"]) for r in pending["pending_reports"]] == [
        (created.json["id"], PERIOD, "coordination")]
    assert [e["url"] for e in pending["pending_reports"][0]["evidence"]] == ["https://fia.gov.pk/q3"]
    assert pending["values"] == [] and pending["evidence"] == []
    client.post(f"/api/v1/reports/{created.json['id']}/decisions", headers=coordinator, json={"decision": "verify"})
    after = client.get(url, headers=focal).json
    (value,) = after["values"]
    assert (value["status"], value["report_id"], value["verified_at"] is not None) == (
        "verified", created.json["id"], True)
    assert [(e["period"], e["url"]) for e in after["evidence"]] == [(PERIOD, "https://fia.gov.pk/q3")]
    assert after["pending_reports"] == []


def test_an_indicator_of_three_breakdowns_is_entered_in_one_grid(as_role):
    make_indicator(breakdowns="province,sex,exploitation")
    coordinator = as_role("coordinator")
    page = coordinator.get(f"/indicators/{CODE}/values?period={PERIOD}").get_data(as_text=True)
    assert "Sindh · Female" in page and 'name="v.SD.female.sexual"' in page and "Forced labour" in page
    named = {"v.SD.female.sexual": "2", "v.SD.male.forced_labour": "3", "total": "5"}
    assert send(coordinator, named=named).status_code == 302
    counted = {(v.province.code if v.province else "", v.sex.value if v.sex else "",
                v.exploitation.value if v.exploitation else "", v.value)
               for v in db.session.scalars(sa.select(IndicatorValue))
               if v.indicator.code == CODE}
    assert counted == {("SD", "female", "sexual", 2.0), ("SD", "male", "forced_labour", 3.0), ("", "", "", 5.0)}


def test_a_sheet_upload_reports_the_period_and_a_bad_cell_refuses_it_whole(as_role):
    import io

    make_indicator(breakdowns="province,exploitation")
    focal = as_role("agency", "FIA")
    layout = focal.get(f"/indicators/{CODE}/values/sheet.csv?period={PERIOD}")
    assert layout.status_code == 200 and layout.mimetype == "text/csv"
    lines = csv_text(layout.get_data(as_text=True)).splitlines()
    assert lines[0] == "indicator,period,province,exploitation,value" and lines[1] == f"{CODE},{PERIOD},,,"
    assert f"{CODE},{PERIOD},SD,bonded_labour," in lines
    filled = [lines[0], f"{CODE},{PERIOD},,,7",
              f"{CODE},{PERIOD},SD,bonded_labour,4", f"{CODE},{PERIOD},Punjab,Sexual exploitation,3"]
    bad = [*filled, f"{CODE},{PERIOD},Atlantis,begging,1", f"{CODE},{PERIOD},KP,sexual,-2"]

    def upload(rows, **extra):
        return send(focal, sheet=[(io.BytesIO("\n".join(rows).encode()), "q3.csv")], **extra)

    refused = upload(bad)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "row 5, column province: “Atlantis” is not a category of province" in html
    assert "row 6, column value: A value is never negative." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0  # nothing of it was kept
    both = upload(filled, v_SD_sexual=1)
    assert both.status_code == 422 and "not both" in both.get_data(as_text=True)
    not_sum = upload([*filled[:1], f"{CODE},{PERIOD},,,9", *filled[2:]])
    assert not_sum.status_code == 422 and "The total (9) is not the sum of the values (7)." in not_sum.get_data(
        as_text=True)

    assert upload(filled).status_code == 302
    report = db.session.scalar(sa.select(Report).where(Report.indicator_id.is_not(None)))
    assert sorted((v.province.code if v.province else "", v.exploitation.value if v.exploitation else "", v.value)
                  for v in report.values) == [("", "", 7.0), ("PB", "sexual", 3.0), ("SD", "bonded_labour", 4.0)]
    again = focal.get(f"/indicators/{CODE}/values/sheet.csv?period={PERIOD}").get_data(as_text=True)
    assert f"{CODE},{PERIOD},SD,bonded_labour,4" in again.splitlines()  # the sheet starts from what was sent
    assert as_role("agency", "NADRA").get(f"/indicators/{CODE}/values/sheet.csv").status_code == 403


def test_values_of_some_breakdowns_but_not_all_or_given_twice_are_refused(seeded, client, make_user):
    from tracker.api.tokens import issue_token

    make_indicator(breakdowns="province,exploitation")
    coordinator = {"Authorization": "Bearer " + issue_token(make_user("coordinator", email="c@example.org"), "t")[1]}
    url = f"/api/v1/indicators/{CODE}/values"
    partial = client.post(url, headers=coordinator, json={"period": PERIOD, "values": [
        {"breakdown": {"province": "SD"}, "value": 4}]})
    assert partial.status_code == 422 and "one cell of every breakdown" in partial.json["errors"]["values"]
    twice = client.post(url, headers=coordinator, json={"period": PERIOD, "values": [
        {"breakdown": {"province": "SD", "exploitation": "begging"}, "value": 4},
        {"breakdown": {"exploitation": "begging", "province": "SD"}, "value": 5}]})
    assert twice.status_code == 422 and "Given twice" in twice.json["errors"]["values"]
    assert values() == []


def test_the_grid_reads_commas_only_between_thousands(as_role):
    make_indicator()
    coordinator = as_role("coordinator")
    decimal_comma = send(coordinator, v_SD="2,5")
    assert decimal_comma.status_code == 422 and "“2,5” is not a number" in decimal_comma.get_data(as_text=True)
    assert send(coordinator, v_SD="1,250").status_code == 302
    assert values() == [(PERIOD, "SD", 1250.0, "user")]
