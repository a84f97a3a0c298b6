"""The CSV export: the contract's columns, one row per item, filters, safe cells."""
import csv
import io
from datetime import date

import sqlalchemy as sa

from tracker.exports.services import CSV_COLUMNS
from tracker.extensions import db
from tracker.models import ActionItem

CONTRACT = "ref,framework,pillar,section,title,text,lead_agency,supporting_agencies,province,status,progress,due_date,priority,last_update,source"


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
