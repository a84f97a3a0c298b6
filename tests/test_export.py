"""The CSV export: the contract's columns, one row per item, filters, safe cells."""
import csv
import io
from datetime import date
from urllib.parse import parse_qsl

import sqlalchemy as sa

from downloads import csv_text
from tracker.contract import BOM as BOM_TEXT
from tracker.contract import CSV_COLUMNS, inert
from tracker.extensions import db
from tracker.models import ActionItem

BOM = BOM_TEXT.encode("utf-8")
CONTRACT = (
    "ref,framework,pillar,section,title,text,lead_agency,supporting_agencies,province,status,progress,due_date,"
    "priority,last_update,source,response,cycle,verified_at,pending_status,pending_progress"
)


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_text(text))))


def test_export_to_stdout_has_the_contract_header_and_every_item(seeded, runner):
    result = runner.invoke(args=["export", "--format", "csv", "--out", "-"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert csv_text(text).splitlines()[0] == CONTRACT
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


# --- Streamed: rows from a lean query, sent as they are read --------------------------------------

from datetime import UTC, timedelta  # noqa: E402

from flask import request_finished  # noqa: E402

from factories import ActionItemFactory, AgencyFactory, ItemAgencyFactory, ReportFactory  # noqa: E402
from tracker.contract import item_row  # noqa: E402
from tracker.enums import Priority, ReportStage, Status  # noqa: E402
from tracker.exports import rows as export_rows  # noqa: E402
from tracker.items.services import ItemFilters, items_query  # noqa: E402
from tracker.models import Province  # noqa: E402


def orm_csv(args: dict) -> bytes:
    """The CSV as it was written before it was streamed: every item loaded whole, its row built from it."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    db.session.expire_all()
    for item in db.session.scalars(items_query(ItemFilters.from_args(args))).unique():
        writer.writerow(inert(item_row(item)))
    return BOM + buffer.getvalue().encode("utf-8")


@pytest.fixture
def sent(app):
    """The responses as the app hands them to the server (the test client rebuilds its own from their body)."""
    responses = []

    def keep(sender, response, **extra):
        responses.append(response)

    request_finished.connect(keep, app)
    yield responses
    request_finished.disconnect(keep, app)


@pytest.fixture
def varied_items(seeded):
    """Items with everything a row can hold: supporting agencies in an order, a province, a priority, a verified
    state, two agencies' reports awaiting a decision (the later one is shown) and one returned (never shown)."""
    now = datetime.now(UTC)
    first, second = AgencyFactory(name="Streamed agency A"), AgencyFactory(name="=Streamed agency B")
    item = ActionItemFactory(ref="STREAM-1", title="Shelters, \"quoted\"\nand a line break", province=db.session.scalar(
        sa.select(Province).order_by(Province.id)), priority=Priority.HIGH, status=Status.IN_PROGRESS, progress=30,
        due_date=date(2020, 1, 31), verified_at=now - timedelta(days=3), last_update_at=now - timedelta(days=1))
    ItemAgencyFactory(item=item, agency=second)
    ItemAgencyFactory(item=item, agency=first)
    ReportFactory(item=item, agency=second, author=None, status=Status.BLOCKED, progress=35,
                  submitted_at=now - timedelta(hours=2))
    ReportFactory(item=item, agency=first, author=None, status=Status.COMPLETED, progress=100,
                  submitted_at=now - timedelta(hours=1), stage=ReportStage.VALIDATION)
    ReportFactory(item=item, agency=item.lead.agency, author=None, status=Status.NOT_STARTED, progress=0,
                  submitted_at=now, stage=ReportStage.RETURNED)
    ActionItemFactory(ref="STREAM-2", lead=None, title="No agency at all")
    db.session.commit()
    return item


@pytest.mark.parametrize("query", ["", "?q=shelters", "?sort=-due&overdue=1", "?pillar=prevention&sort=updated",
                                   "?framework=PAPER&sort=-status"])
def test_the_streamed_csv_is_byte_for_byte_the_rows_of_the_items(varied_items, rapporteur, sent, query):
    response = rapporteur.get(f"/exports/items.csv{query}")
    assert response.status_code == 200 and sent[-1].is_streamed
    data = response.get_data()
    assert data == orm_csv(dict(parse_qsl(query.lstrip("?"))))
    if not query:
        row = next(r for r in read_csv(data.decode("utf-8")) if r["ref"] == "STREAM-1")
        assert row["supporting_agencies"] == "'=Streamed agency B; Streamed agency A"
        assert (row["pending_status"], row["pending_progress"]) == ("completed", "100")


def test_the_csv_is_sent_a_batch_at_a_time(varied_items, rapporteur, monkeypatch):
    monkeypatch.setattr(export_rows, "BATCH", 10)
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    total = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    response = rapporteur.get("/exports/items.csv", buffered=False)
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        chunks = response.iter_encoded()
        assert next(chunks) == BOM  # the byte-order mark first, once
        header_and_first_batch = next(chunks).decode("utf-8")
        read_before_sending = len(statements)
        rest = b"".join(chunks)
    finally:
        response.close()
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert header_and_first_batch.splitlines()[0] == CONTRACT
    assert len(header_and_first_batch.splitlines()) == 1 + 10
    # The first rows left before the later batches were read: each batch reads its agencies and reports.
    assert read_before_sending <= 3 < len(statements) and len(statements) >= 2 * (total // 10)
    assert len(read_csv(BOM_TEXT + header_and_first_batch + rest.decode("utf-8"))) == total


def test_an_export_that_fails_half_way_never_looks_whole(varied_items, rapporteur, monkeypatch):
    calls = []
    original = export_rows._pending_reports

    def failing(item_ids):
        calls.append(item_ids)
        if len(calls) == 2:
            raise sa.exc.OperationalError("SELECT", {}, Exception("the database went away"))
        return original(item_ids)

    monkeypatch.setattr(export_rows, "BATCH", 10)
    monkeypatch.setattr(export_rows, "_pending_reports", failing)
    response = rapporteur.get("/exports/items.csv", buffered=False)
    assert response.status_code == 200  # sent before the failure
    received = []
    with pytest.raises(sa.exc.OperationalError):
        for chunk in response.iter_encoded():
            received.append(chunk)
    response.close()
    # What arrived is the header and the first batch, and the server ends the response with an error rather than
    # finishing it: no error text is written into the file as if it were a row.
    assert len(b"".join(received).decode("utf-8-sig").splitlines()) == 1 + 10


def test_bad_filters_are_refused_before_anything_is_sent(rapporteur, sent):
    response = rapporteur.get("/exports/items.csv?due_from=soon")
    assert response.status_code == 400 and not sent[-1].is_streamed
    assert "due_from" in response.get_data(as_text=True)


def test_the_workbook_writes_a_verified_moment_as_its_day(varied_items, rapporteur, tmp_path):
    # PostgreSQL hands back moments with their time zone, which a workbook cannot hold: the export failed there.
    response = rapporteur.get("/exports/items.xlsx?q=shelters")
    assert response.status_code == 200
    path = tmp_path / "items.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path)
    sheet = book[varied_items.pillar.name]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "STREAM-1")
    verified = row[header.index("verified_at")]
    assert verified.date() == varied_items.verified_at.date() and (verified.hour, verified.minute) == (0, 0)
    assert row[header.index("supporting_agencies")] == "=Streamed agency B; Streamed agency A"
    assert row[header.index("pending_status")] == "completed"
    assert "STREAM-1" in [r[0] for r in book["Overdue"].iter_rows(min_row=2, values_only=True)]
    assert sheet.auto_filter.ref == f"A1:T{sheet.max_row}" and sheet.freeze_panes == "A2"


def test_the_command_line_writes_what_the_download_sends(varied_items, rapporteur, runner, tmp_path):
    out = tmp_path / "items.csv"
    result = runner.invoke(args=["export", "--out", str(out), "--search", "shelters"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == rapporteur.get("/exports/items.csv?q=shelters").data == orm_csv({"q": "shelters"})
    assert not (tmp_path / "items.csv.part").exists()


def test_the_workbook_holds_the_rows_of_the_csv_in_its_order(varied_items, rapporteur, tmp_path):
    # Written in constant memory: a row written out of order would be dropped without a word.
    rows = read_csv(rapporteur.get("/exports/items.csv?sort=-due").get_data(as_text=True))
    path = tmp_path / "items.xlsx"
    path.write_bytes(rapporteur.get("/exports/items.xlsx?sort=-due").data)
    book = openpyxl.load_workbook(path)
    today = date.today()
    for pillar in ("prevention", "prosecution", "protection", "partnership"):
        sheet = book[pillar.capitalize()]
        assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
            row["ref"] for row in rows if row["pillar"] == pillar]
    overdue = [row["ref"] for row in rows if row["due_date"] and date.fromisoformat(row["due_date"]) < today
               and row["status"] not in ("completed", "superseded")]
    assert overdue and [r[0] for r in book["Overdue"].iter_rows(min_row=2, values_only=True)] == overdue
