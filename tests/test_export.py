"""The CSV export: the contract's columns, one row per item, filters, safe cells."""
import csv
import io
from datetime import date

import sqlalchemy as sa

from tracker.contract import CSV_COLUMNS
from tracker.extensions import db
from tracker.models import ActionItem

CONTRACT = (
    "ref,framework,pillar,section,title,text,lead_agency,supporting_agencies,province,status,progress,due_date,"
    "priority,last_update,source,response,cycle,verified_at,pending_status,pending_progress"
)


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_to_stdout_has_the_contract_header_and_every_item(seeded, runner):
    result = runner.invoke(args=["export", "--format", "csv", "--out", "-"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.splitlines()[0] == CONTRACT
    assert ",".join(CSV_COLUMNS) == CONTRACT
    rows = read_csv(text)
    assert len(rows) == db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    assert len({row["ref"] for row in rows}) == len(rows)


def test_export_row_values(seeded, runner, tmp_path):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-g"))
    item.due_date = date(2026, 6, 30)
    db.session.commit()
    out = tmp_path / "items.csv"
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"exported to {out}" in result.output
    rows = {row["ref"]: row for row in read_csv(out.read_text(encoding="utf-8"))}
    row = rows["PAPER-g"]
    assert row["framework"] == "Paper recommendations"
    assert row["pillar"] == item.pillar.code
    assert row["lead_agency"] == "National Database and Registration Authority"
    assert row["supporting_agencies"] == "; ".join(a.agency.name for a in item.supporting)
    assert row["status"] == "not_started" and row["progress"] == "0"
    assert row["due_date"] == "2026-06-30"
    assert row["text"] == item.text
    assert row["source"].startswith("002_6602401ef7528d48.txt: ")
    completed = next(r for r in rows.values() if r["status"] == "completed")
    assert date.fromisoformat(completed["last_update"])
    assert rows["PAPER-a"]["last_update"] == "" and rows["PAPER-a"]["province"] == ""


def test_export_filters(seeded, runner):
    result = runner.invoke(args=["export", "--out", "-", "--framework", "PAPER", "--pillar", "protection"])
    rows = read_csv(result.stdout)
    assert rows and all(r["framework"] == "Paper recommendations" and r["pillar"] == "protection" for r in rows)
    by_agency = read_csv(runner.invoke(args=["export", "--out", "-", "--agency", "DG FIA"]).stdout)
    assert any(r["lead_agency"] == "Federal Investigation Agency" for r in by_agency)
    bad = runner.invoke(args=["export", "--out", "-", "--agency", "Ministry of Nowhere"])
    assert bad.exit_code != 0 and "unknown agency" in bad.output


def test_cells_that_look_like_formulas_are_neutralised(seeded, runner):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-a"))
    item.title = '=HYPERLINK("http://x","y")'
    db.session.commit()
    rows = {r["ref"]: r for r in read_csv(runner.invoke(args=["export", "--out", "-"]).stdout)}
    assert rows["PAPER-a"]["title"] == "'=HYPERLINK(\"http://x\",\"y\")"


# --- Excel and the HTML report, from the web and the command line -------------------------------

import re  # noqa: E402
from datetime import datetime  # noqa: E402

import openpyxl  # noqa: E402
import plotly.offline  # noqa: E402
import pytest  # noqa: E402

from conftest import log_in  # noqa: E402


@pytest.fixture
def rapporteur(seeded, client, make_user):
    make_user("rapporteur")
    log_in(client, "rapporteur@example.org")
    return client


def test_web_csv_export_honours_the_list_filters(rapporteur):
    response = rapporteur.get("/exports/items.csv?framework=PAPER&pillar=protection")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data(as_text=True))
    expected = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem).where(
        ActionItem.framework.has(code="PAPER"), ActionItem.pillar.has(code="protection")))
    assert len(rows) == expected > 0
    assert rapporteur.get("/exports/items.pdf").status_code == 404
    assert rapporteur.get("/exports/items.csv?due_from=tomorrow").status_code == 400


def test_exports_are_for_coordinators_and_the_rapporteur(seeded, app, make_user):
    for role, allowed in (("agency", False), ("admin", False), ("coordinator", True), ("rapporteur", True)):
        make_user(role, email=f"{role}@example.org", agency="NADRA" if role == "agency" else None)
        client = app.test_client()
        log_in(client, f"{role}@example.org")
        for export_format in ("csv", "xlsx", "html"):
            assert client.get(f"/exports/items.{export_format}").status_code == (200 if allowed else 403)


def test_xlsx_has_summary_pillar_sheets_overdue_real_dates_and_frozen_header(rapporteur, tmp_path):
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-b"))
    item.due_date = date(2020, 5, 1)
    item.title = "=1+1 looks like a formula"
    db.session.commit()
    response = rapporteur.get("/exports/items.xlsx")
    assert response.status_code == 200
    path = tmp_path / "items.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Prevention", "Prosecution", "Protection", "Partnership", "Overdue",
                               "Indicator values", "Coverage"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    assert sum(book[name].max_row - 1 for name in book.sheetnames[1:5]) == total
    overdue = book["Overdue"]
    assert [c.value for c in overdue[1]] == list(CSV_COLUMNS) and overdue.freeze_panes == "A2"
    refs = [row[0].value for row in overdue.iter_rows(min_row=2)]
    assert "PAPER-b" in refs
    row = next(r for r in overdue.iter_rows(min_row=2) if r[0].value == "PAPER-b")
    due = row[CSV_COLUMNS.index("due_date")]
    assert isinstance(due.value, datetime) and due.value.date() == date(2020, 5, 1) and due.is_date
    title = row[CSV_COLUMNS.index("title")]
    assert title.value == "=1+1 looks like a formula" and title.data_type == "s"
    summary = book["Summary"]
    pillars = {r[0].value: r[-1].value for r in summary.iter_rows(min_row=5, max_row=8)}
    assert set(pillars) == {"Prevention", "Prosecution", "Protection", "Partnership"}


def test_html_report_is_self_contained(rapporteur):
    response = rapporteur.get("/exports/items.html?framework=NAP05")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    plotly_js = plotly.offline.get_plotlyjs()
    assert plotly_js in html  # the library itself is inside: the file opens offline
    # Outside the library's own text (which names map-tile sites it never loads here), nothing points away.
    page = html.replace(plotly_js, "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "https://" not in page
    assert "Plotly.newPlot" in page
    nap = db.session.scalar(
        sa.select(sa.func.count()).select_from(ActionItem).where(ActionItem.framework.has(code="NAP05"))
    )
    assert f"{nap} items" in html and "framework=NAP05" in html
    assert "<caption>Items per pillar and status</caption>" in html


def test_cli_exports_xlsx_and_html_with_filters(seeded, runner, tmp_path):
    out = tmp_path / "protection.xlsx"
    result = runner.invoke(args=["export", "--format", "xlsx", "--out", str(out), "--pillar", "protection"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book["Prevention"].max_row == 1 and book["Protection"].max_row > 1
    html_out = tmp_path / "report.html"
    result = runner.invoke(args=["export", "--format", "html", "--out", str(html_out), "--agency", "NADRA"])
    assert result.exit_code == 0 and "Plotly.newPlot" in html_out.read_text()
    bad = runner.invoke(args=["export", "--format", "csv", "--out", "-", "--due-from", "soon"])
    assert bad.exit_code != 0 and "not a date" in bad.output
