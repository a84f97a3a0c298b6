"""Indicator values in the exports: the long-format CSV (web and command line), with the indicator list's
filters, for those who may export, each download audited."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from downloads import csv_text
from tracker.catalogue.services import find_agency
from tracker.contract import BOM
from tracker.enums import AgeGroup, AuditEventKind, Direction, Exploitation, IndicatorKind, Sex, UpdateOrigin
from tracker.extensions import db
from tracker.indicators import services as indicator_services
from tracker.indicators.contract import INDICATOR_VALUE_COLUMNS
from tracker.models import AuditEvent, Indicator, IndicatorTarget, IndicatorValue, Pillar, Province

HEADER = ("indicator,indicator_name,pillar,unit,period,province,sex,age,exploitation,value,status,origin,as_of,"
          "source,locator")
# This file's indicators: the seeded catalogue may hold others, which the assertions leave aside.
MINE = ("PROS-CONVICTIONS", "PROT-SHELTERED", "PREV-CAMPAIGNS", "PART-MOUS")


def pillar(code: str) -> Pillar:
    return db.session.scalar(sa.select(Pillar).where(Pillar.code == code))


def province(code: str) -> Province:
    return db.session.scalar(sa.select(Province).where(Province.code == code))


def source_value(period: str, value: float, **cell) -> IndicatorValue:
    return IndicatorValue(period=period, value=value, origin=UpdateOrigin.SOURCE, **cell)


@pytest.fixture
def indicators(seeded):
    """Four indicators: convictions (a total in 2024, a breakdown by province in 2025), shelter referrals
    (a percentage, a unit that looks like a formula), a retired one with a value, and one with no values."""
    convictions = Indicator(
        code="PROS-CONVICTIONS", name="Convictions for trafficking in persons", kind=IndicatorKind.COUNT,
        pillar=pillar("prosecution"), agency=find_agency("FIA"), unit="convictions", breakdowns="province,exploitation",
        baseline_value=12, baseline_period="2023", baseline_source="FIA annual report 2023",
        targets=[IndicatorTarget(period="2025", value=60), IndicatorTarget(period="2026", value=80)],
        values=[
            source_value("2024", 40, as_of=date(2024, 12, 31), source_document="FIA annual report 2024",
                         locator="table 4"),
            source_value("2025", 30, province=province("SD"), exploitation=Exploitation.BONDED_LABOUR),
            source_value("2025", 25, province=province("PB")),
        ],
    )
    sheltered = Indicator(
        code="PROT-SHELTERED", name="Identified victims referred to shelters", kind=IndicatorKind.PERCENTAGE,
        pillar=pillar("protection"), unit="=1+2 %", breakdowns="sex,age", direction=Direction.HIGHER,
        definition="Share of identified victims referred to a shelter.",
        values=[source_value("2025-Q4", 12.5, sex=Sex.FEMALE, age=AgeGroup.CHILD,
                             source_document="@Shelter survey", locator="p. 2")],
    )
    retired = Indicator(code="PREV-CAMPAIGNS", name="Awareness campaigns held", kind=IndicatorKind.COUNT,
                        pillar=pillar("prevention"), retired_at=datetime(2025, 1, 1, tzinfo=UTC),
                        values=[source_value("2023", 3)])
    unreported = Indicator(code="PART-MOUS", name="Cooperation agreements signed", kind=IndicatorKind.COUNT,
                           pillar=pillar("partnership"), direction=Direction.HIGHER)
    db.session.add_all([convictions, sheltered, retired, unreported])
    db.session.commit()


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_text(text))))


def mine(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["indicator"] in MINE]


def codes(rows: list[dict]) -> list[str]:
    return [row["indicator"] for row in mine(rows)]


def export_events() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == AuditEventKind.EXPORT)
                                   .order_by(AuditEvent.id)))


def test_the_csv_has_one_row_per_value_in_long_format(indicators, as_role):
    response = as_role("coordinator").get("/exports/indicator-values.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="indicator-values-{date.today().isoformat()}.csv"')
    text = response.get_data(as_text=True)
    assert csv_text(text).splitlines()[0] == HEADER == ",".join(INDICATOR_VALUE_COLUMNS)
    rows = mine(read_csv(text))
    # Pillar order, then period; the retired indicator's value left out, the one without values has no row.
    assert [(r["indicator"], r["period"], r["value"]) for r in rows] == [
        ("PROS-CONVICTIONS", "2024", "40"), ("PROS-CONVICTIONS", "2025", "30"), ("PROS-CONVICTIONS", "2025", "25"),
        ("PROT-SHELTERED", "2025-Q4", "12.5")]
    total, sindh, punjab, sheltered = rows
    assert total == {
        "indicator": "PROS-CONVICTIONS", "indicator_name": "Convictions for trafficking in persons",
        "pillar": "prosecution", "unit": "convictions", "period": "2024", "province": "", "sex": "", "age": "",
        "exploitation": "", "value": "40", "status": "verified", "origin": "source", "as_of": "2024-12-31",
        "source": "FIA annual report 2024", "locator": "table 4"}
    breakdowns = ("province", "sex", "age", "exploitation")
    assert [sindh[b] for b in breakdowns] == ["SD", "", "", "bonded_labour"]
    assert [punjab[b] for b in breakdowns] == ["PB", "", "", ""] and punjab["as_of"] == ""
    assert [sheltered[b] for b in breakdowns] == ["", "female", "child", ""]
    # Cells a spreadsheet would run as formulas are made inert, as in the item export.
    assert (sheltered["unit"], sheltered["source"]) == ("'=1+2 %", "'@Shelter survey")


def test_the_csv_takes_the_indicator_lists_filters_and_its_link_carries_them(indicators, as_role):
    client = as_role("rapporteur")

    def exported(query: str) -> list[str]:
        response = client.get(f"/exports/indicator-values.csv{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return sorted(set(codes(read_csv(response.get_data(as_text=True)))))

    assert exported("?pillar=prosecution") == ["PROS-CONVICTIONS"]
    assert exported(f"?agency={find_agency('FIA').id}") == ["PROS-CONVICTIONS"]
    assert exported("?q=shelter") == ["PROT-SHELTERED"]  # the definition and name are searched, as on the list
    assert exported("?retired=1") == ["PREV-CAMPAIGNS", "PROS-CONVICTIONS", "PROT-SHELTERED"]
    assert exported("?pillar=partnership") == []  # PART-MOUS has no values
    refused = client.get("/exports/indicator-values.csv?pillar=poverty")
    assert refused.status_code == 400 and "unknown pillar" in refused.get_data(as_text=True)
    # The list's link downloads what the list shows.
    page = client.get("/indicators?pillar=prosecution&q=conv").get_data(as_text=True)
    assert 'href="/exports/indicator-values.csv?pillar=prosecution&amp;q=conv">CSV</a>' in page
    assert exported("?pillar=prosecution&q=conv") == ["PROS-CONVICTIONS"]
    assert 'href="/exports/indicator-values.csv">CSV</a>' in client.get("/indicators").get_data(as_text=True)


@pytest.mark.parametrize("role, status", [("coordinator", 200), ("rapporteur", 200), ("agency", 403),
                                          ("admin", 403)])
def test_the_values_are_for_those_who_may_export(indicators, as_role, role, status):
    client = as_role(role, "NADRA" if role == "agency" else None)
    assert client.get("/exports/indicator-values.csv").status_code == status
    link = "/exports/indicator-values.csv" in client.get("/indicators").get_data(as_text=True)
    assert link == (status == 200)


def test_anonymous_users_are_sent_to_log_in(indicators, client):
    response = client.get("/exports/indicator-values.csv")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert export_events() == []


def test_the_values_are_sent_a_batch_at_a_time_and_read_as_they_go(indicators, as_role, monkeypatch):
    """A national plan's values (168,000 at 300 indicators) are never held whole: the download sends each batch
    as it is read, and the file is the same, byte for byte, whatever the batch."""
    client = as_role("coordinator")
    whole = client.get("/exports/indicator-values.csv").get_data()
    monkeypatch.setattr(indicator_services, "VALUE_BATCH", 2)
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    response = client.get("/exports/indicator-values.csv", buffered=False)
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        chunks = response.iter_encoded()
        assert next(chunks) == BOM.encode("utf-8")  # the byte-order mark first, once
        first = next(chunks)
        rest = list(chunks)
    finally:
        response.close()
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(first.decode("utf-8").splitlines()) == 1 + 2  # the header and the first batch
    assert rest and all(len(chunk.decode("utf-8").splitlines()) <= 2 for chunk in rest)
    assert BOM.encode("utf-8") + first + b"".join(rest) == whole
    rows = read_csv(whole.decode("utf-8"))
    assert export_events()[-1].detail == f"no filters; {len(rows)} indicator values"


def test_each_download_is_audited_with_its_filters(indicators, as_role):
    client = as_role("rapporteur")
    response = client.get("/exports/indicator-values.csv?pillar=prosecution&retired=1")
    assert response.status_code == 200
    rows = read_csv(response.get_data(as_text=True))
    assert len(mine(rows)) == 3
    (event,) = export_events()
    assert (event.actor, event.address, event.subject, event.detail) == (
        "rapporteur-x@example.org", "127.0.0.1", "export:indicator-values-csv",
        f"pillar=prosecution, retired=1; {len(rows)} indicator values")
    assert client.get("/exports/indicator-values.csv?agency=abc").status_code == 400
    assert len(export_events()) == 1  # a refused export is no export


def test_the_command_exports_the_values_with_the_same_filters(indicators, runner, tmp_path):
    result = runner.invoke(args=["export", "--format", "indicator-values-csv", "--out", "-", "--pillar", "prosecution"])
    assert result.exit_code == 0, result.output
    assert csv_text(result.stdout).splitlines()[0] == HEADER
    prosecution = read_csv(result.stdout)
    assert codes(prosecution) == ["PROS-CONVICTIONS"] * 3 and {r["pillar"] for r in prosecution} == {"prosecution"}
    assert f"{len(prosecution)} indicator values exported" in result.stderr
    out = tmp_path / "values.csv"
    result = runner.invoke(args=["export", "--format", "indicator-values-csv", "--out", str(out), "--agency", "DG FIA",
                                 "--search", "trafficking in persons"])
    by_fia = read_csv(out.read_text(encoding="utf-8"))
    assert result.exit_code == 0 and f"{len(by_fia)} indicator values exported to {out}" in result.output
    assert codes(by_fia) == ["PROS-CONVICTIONS"] * 3
    everything = runner.invoke(args=["export", "--format", "indicator-values-csv", "--out", "-", "--retired"])
    assert "PREV-CAMPAIGNS" in codes(read_csv(everything.stdout))
    events = export_events()
    fia = find_agency("FIA").id
    assert [(e.subject, e.detail) for e in events] == [
        ("export:indicator-values-csv", f"pillar=prosecution; {len(prosecution)} indicator values"),
        ("export:indicator-values-csv", f"agency={fia}, q=trafficking in persons; {len(by_fia)} indicator values"),
        ("export:indicator-values-csv", f"retired=1; {len(read_csv(everything.stdout))} indicator values")]
    assert events[0].actor.startswith("command line (")


def test_the_command_refuses_filters_of_the_other_kind(indicators, runner):
    mixed = runner.invoke(args=["export", "--format", "indicator-values-csv", "--out", "-", "--framework", "NAP05",
                                "--overdue"])
    assert mixed.exit_code == 2 and "--framework, --overdue select items" in mixed.output
    retired = runner.invoke(args=["export", "--format", "csv", "--out", "-", "--retired"])
    assert retired.exit_code == 2 and "--retired selects indicators" in retired.output
    unknown = runner.invoke(args=["export", "--format", "indicator-values-csv", "--out", "-", "--pillar", "poverty"])
    assert unknown.exit_code != 0 and "unknown pillar" in unknown.output
    assert export_events() == []
    # --search reads the items' words too.
    items = runner.invoke(args=["export", "--format", "csv", "--out", "-", "--search", "PAPER-g"])
    assert items.exit_code == 0 and "PAPER-g" in [row["ref"] for row in read_csv(items.stdout)]


# --- The workbook's sheet --------------------------------------------------------------------------------


def test_the_workbook_has_every_indicators_values_whatever_the_item_filters(indicators, as_role, tmp_path):
    response = as_role("coordinator").get("/exports/items.xlsx?pillar=prevention&framework=PAPER")
    assert response.status_code == 200
    path = tmp_path / "items.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-2:] == ["Indicator values", "Coverage"]
    sheet = book["Indicator values"]
    assert [cell.value for cell in sheet[1]] == list(INDICATOR_VALUE_COLUMNS)
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert "whatever the filters" in sheet["A1"].comment.text
    every = [dict(zip(INDICATOR_VALUE_COLUMNS, (cell.value for cell in row), strict=True))
             for row in sheet.iter_rows(min_row=2)]
    rows = mine(every)
    # Not only prevention's: the item filters select items, and the retired indicator stays out.
    assert [(r["indicator"], r["period"], r["value"]) for r in rows] == [
        ("PROS-CONVICTIONS", "2024", 40), ("PROS-CONVICTIONS", "2025", 30), ("PROS-CONVICTIONS", "2025", 25),
        ("PROT-SHELTERED", "2025-Q4", 12.5)]
    total, sindh, _punjab, sheltered = rows
    column = {name: index for index, name in enumerate(INDICATOR_VALUE_COLUMNS, start=1)}
    assert total["as_of"] == datetime(2024, 12, 31) and sheet.cell(2, column["as_of"]).is_date
    assert (sindh["province"], sindh["exploitation"], sindh["status"]) == ("SD", "bonded_labour", "verified")
    assert (sheltered["sex"], sheltered["age"]) == ("female", "child")
    # Numbers are numbers; text is text, never a formula.
    assert all(cell.data_type == "n" for cell in sheet[get_column_letter(column["value"])][1:])
    unit = sheet.cell(2 + every.index(sheltered), column["unit"])
    assert (unit.value, unit.data_type) == ("=1+2 %", "s")
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows() if row[0].value}
    assert summary["Indicator values"] == len(every) and summary["Filters"] == "framework=PAPER, pillar=prevention"


# --- The HTML report's Results ---------------------------------------------------------------------------


def result_cells(html: str, code: str) -> list[str]:
    """The text of each cell of an indicator's row of the Results table."""
    row = re.search(rf'<tr id="result-{code}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_the_report_gives_each_indicators_latest_actual_against_baseline_and_target(indicators, as_role):
    response = as_role("rapporteur").get("/exports/items.html?pillar=prevention")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    results = html.split('<section id="results">')[1].split("</section>")[0]
    assert "whatever the filters above" in results
    # 2025 has only the breakdown by province: its sum, 30 + 25, said to be one.
    assert result_cells(results, "PROS-CONVICTIONS") == [
        "PROS-CONVICTIONS Convictions for trafficking in persons (convictions)", "Prosecution", "2025",
        "55 (sum of the breakdown)", "12 (2023)", "60 (2025)", "off track (higher is better)"]
    assert result_cells(results, "PROT-SHELTERED") == [
        "PROT-SHELTERED Identified victims referred to shelters (=1+2 %)", "Protection",
        "no total to judge by", "none in the sources", "none set", "no total to judge by (higher is better)"]
    assert result_cells(results, "PART-MOUS") == [
        "PART-MOUS Cooperation agreements signed", "Partnership", "no values yet", "none in the sources", "none set",
        "no values yet (higher is better)"]
    assert "PREV-CAMPAIGNS" not in results  # retired
    assert results.index("PROS-CONVICTIONS") < results.index("PROT-SHELTERED") < results.index("PART-MOUS")


def test_the_command_lines_report_has_the_results_too(indicators, runner, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(args=["export", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result_cells(out.read_text(encoding="utf-8"), "PROS-CONVICTIONS")[2:4] == [
        "2025", "55 (sum of the breakdown)"]


def test_a_report_without_indicators_in_use_says_so(seeded, as_role):
    db.session.execute(sa.update(Indicator).values(retired_at=datetime.now(UTC)))
    db.session.commit()
    html = as_role("coordinator").get("/exports/items.html").get_data(as_text=True)
    assert "<h2>Results</h2>" in html and "No indicators in use yet." in html
