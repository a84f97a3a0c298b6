"""The Rapporteur's report: asked for on its page, written in the background with its progress visible, kept
to download again — a Word document and a PDF that say the same, counted from the verified history."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from docx import Document as WordDocument
from pypdf import PdfReader

from conftest import csrf_token, fresh_item
from tracker.assessments.services import assess
from tracker.enums import AuditEventKind, GenerationState, Status, UpdateKind, UpdateOrigin
from tracker.extensions import db
from tracker.items import history
from tracker.models import ActionItem, AuditEvent, Evidence, Pillar, RapporteurReport
from tracker.rapporteur import services
from tracker.rapporteur.services import ReportOptions, build_files, run_queued_reports

PILLAR = "protection"
SECRET = "SECRET-WITNESS-7731"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


@pytest.fixture
def year_2025(seeded, make_user):
    """Three commitments of one pillar that existed through 2025, and a hand-counted year: one verified
    complete in it (after progressing), one changed only before it, one with evidence only — a figure, and a
    confidential note that must never be printed."""
    coordinator = make_user("coordinator", email="coord@example.org")
    pillar = db.session.scalar(sa.select(Pillar).where(Pillar.code == PILLAR))
    first, second, third = db.session.scalars(sa.select(ActionItem).where(ActionItem.pillar_id == pillar.id)
                                              .order_by(ActionItem.ref).limit(3)).all()
    db.session.execute(sa.update(ActionItem).where(ActionItem.id.in_([first.id, second.id, third.id]))
                       .values(created_at=at("2024-01-01")))
    # The seed's own entries were written today, after 2025: the year's states come from these.
    seeded_state = {item.ref: f"{item.status.label}, {item.progress}%" for item in (first, second, third)}
    history.record(second, coordinator, UpdateKind.PROGRESS, "Drafting began.", at("2024-06-01"),
                   status=Status.IN_PROGRESS, progress=20)
    history.record(first, coordinator, UpdateKind.PROGRESS, "Shelter opened in Multan.", at("2025-03-10"),
                   status=Status.IN_PROGRESS, progress=40)
    history.record(first, coordinator, UpdateKind.PROGRESS, "All four shelters open.", at("2025-09-01"),
                   status=Status.COMPLETED, progress=100)
    rapporteur = make_user("rapporteur", email="rapp@example.org")
    assess(rapporteur, first, 2025, "limited", "Two of the four shelters have no staff.")
    assess(rapporteur, second, 2024, "substantial", "Last year's, not this report's.")
    common = {"item": third, "origin": UpdateOrigin.USER, "created_at": at("2025-05-05")}
    db.session.add_all([Evidence(value=650, unit="labourers rescued", as_of=date(2025, 4, 30), **common),
                        Evidence(note=SECRET, confidential=True, **common)])
    db.session.commit()
    return first.ref, second.ref, third.ref, seeded_state


def texts(docx: bytes, pdf: bytes) -> tuple[str, str]:
    word = WordDocument(io.BytesIO(docx))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return ("\n".join([p.text for p in word.paragraphs] + cells),
            "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_a_years_report_counts_what_the_history_says_and_never_prints_confidential_evidence(year_2025):
    first, second, third, seeded_state = year_2025
    docx, pdf = build_files(ReportOptions.year(2025, pillars=[PILLAR]), date(2026, 11, 30))
    word_text, pdf_text = texts(docx, pdf)
    for text in (word_text, pdf_text):
        assert "Executive summary" in text and "Protection" in text and "The agencies" in text
        assert "Annex: every item and the method" in text
        assert SECRET not in text
        assert "650 labourers rescued (as of 30 Apr 2025) — given 5 May 2025" in " ".join(text.split())
    word = WordDocument(io.BytesIO(docx))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Executive summary", "Protection"] and headings[-1] == "Annex: every item and the method"
    summary = next(t for t in word.tables if t.rows[0].cells[0].text == "Pillar")
    assert [c.text for c in summary.rows[1].cells] == ["Protection", "3", "1", "1", "0", "1"]
    assert "Commitments covered: 3. In the period, 1 item verified complete and 1 item changed" in word_text
    assert f"{first} " in word_text and f"{seeded_state[first]} → Completed, 100%" in word_text
    assert "Shelter opened in Multan." in word_text and "All four shelters open." in word_text
    assert "Drafting began." not in word_text  # 2024's, outside the year
    assert ("The Rapporteur's assessment (2025): Limited — disagreeing with the official status. Two of the four "
            "shelters have no staff.") in word_text and "Last year's, not this report's." not in word_text
    disagreements = next(t for t in word.tables if t.rows[0].cells[0].text == "Item"
                         and t.rows[0].cells[1].text == "Government says")
    assert [[c.text for c in row.cells][1:3] for row in disagreements.rows[1:]] == [["Completed", "Limited"]]
    annex = word.tables[-1]
    rows = {row.cells[0].text.split()[0]: row.cells[3].text for row in annex.rows[1:]}
    assert rows == {first: "Completed, 100%", second: "In progress, 20%", third: seeded_state[third]}


def test_a_period_with_no_activity_says_so_plainly(year_2025):
    docx, pdf = build_files(ReportOptions.year(2012), date(2026, 11, 30))
    for text in texts(docx, pdf):
        assert "Nothing was recorded in this period" in " ".join(text.split())


def test_the_report_is_asked_for_followed_and_downloaded_again(year_2025, as_role, app):
    rapporteur = as_role("rapporteur")
    page = rapporteur.get("/rapporteur/reports")
    assert page.status_code == 200 and "None yet" in page.get_data(as_text=True)
    asked = rapporteur.post("/rapporteur/reports", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                         "year": "2025", "pillars": [PILLAR]})
    assert asked.status_code == 302
    report = db.session.scalar(sa.select(RapporteurReport))
    assert asked.headers["Location"].endswith(f"/rapporteur/reports/{report.id}")
    waiting = rapporteur.get(f"/rapporteur/reports/{report.id}/progress.json").json
    assert (waiting["state"], waiting["downloads"]) == ("queued", {})
    assert "The scheduler process writes it" in rapporteur.get(asked.headers["Location"]).get_data(as_text=True)

    assert run_queued_reports(date(2026, 11, 30)) == 1
    done = rapporteur.get(f"/rapporteur/reports/{report.id}/progress.json").json
    assert (done["state"], done["progress"]) == ("done", 100) and set(done["downloads"]) == {"docx", "pdf"}
    word = rapporteur.get(done["downloads"]["docx"])
    assert word.status_code == 200 and word.data[:2] == b"PK" and "2025-01-01-2025-12-31.docx" in word.headers[
        "Content-Disposition"]
    pdf = rapporteur.get(done["downloads"]["pdf"])
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    listed = rapporteur.get("/rapporteur/reports").get_data(as_text=True)
    assert "1 Jan 2025 – 31 Dec 2025" in listed and done["downloads"]["pdf"] in listed and "protection" in listed
    details = db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.event == AuditEventKind.RAPPORTEUR_REPORT).order_by(AuditEvent.id)).all()
    assert [d.split(" (")[0] for d in details] == [
        "asked for the report of 2025; pillars protection", "generated the report of 2025",
        "downloaded the report of 2025 as docx", "downloaded the report of 2025 as pdf"]
    assert run_queued_reports() == 0  # nothing is written twice


def test_a_report_that_fails_says_why_and_the_next_one_is_still_written(year_2025, as_role, monkeypatch):
    coordinator = as_role("coordinator")
    token = csrf_token(coordinator.get("/rapporteur/reports").get_data(as_text=True))
    for year in ("2024", "2025"):
        coordinator.post("/rapporteur/reports", data={"csrf_token": token, "year": year})
    real = services.build_files
    calls = []

    def failing_once(options, today, progress=None):
        calls.append(options.start.year)
        if len(calls) == 1:
            raise RuntimeError("the disk is full")
        return real(options, today, progress)

    monkeypatch.setattr(services, "build_files", failing_once)
    assert run_queued_reports(date(2026, 11, 30)) == 2
    failed, written = db.session.scalars(sa.select(RapporteurReport).order_by(RapporteurReport.id)).all()
    assert (failed.state, written.state) == (GenerationState.FAILED, GenerationState.DONE) and calls == [2024, 2025]
    assert "the disk is full" in failed.error
    page = coordinator.get(f"/rapporteur/reports/{failed.id}").get_data(as_text=True)
    assert "It could not be written: RuntimeError: the disk is full" in page
    assert coordinator.get(f"/rapporteur/reports/{failed.id}/report.pdf").status_code == 404


def test_a_report_is_claimed_once_and_one_cut_short_is_failed_not_stuck(year_2025, make_user):
    user = make_user("rapporteur", email="r@example.org")
    report = services.request_report(user, ReportOptions.year(2025))
    now = datetime.now(UTC)
    assert services.claim_next(now) == report.id and services.claim_next(now) is None
    assert services.abandon_stale(now) == 0
    assert services.abandon_stale(now + services.ABANDONED_AFTER + timedelta(minutes=1)) == 1
    db.session.expire_all()
    assert report.state == GenerationState.FAILED and "stopped before it was done" in report.error


def test_only_the_rapporteur_and_coordinators_build_it_and_bad_options_keep_the_form(year_2025, as_role):
    for role, agency in (("agency", "FIA"), ("admin", None)):
        assert as_role(role, agency).get("/rapporteur/reports").status_code == 403
    rapporteur = as_role("rapporteur")
    token = csrf_token(rapporteur.get("/rapporteur/reports").get_data(as_text=True))
    half = rapporteur.post("/rapporteur/reports", data={"csrf_token": token, "year": "2025", "start": "2025-03-01"})
    assert half.status_code == 422 and "Give both dates of the period, or neither." in half.get_data(as_text=True)
    assert 'value="2025-03-01"' in half.get_data(as_text=True)
    backwards = rapporteur.post("/rapporteur/reports", data={"csrf_token": token, "year": "2025",
                                                             "start": "2025-03-01", "end": "2025-01-01"})
    assert backwards.status_code == 422 and "The period ends before it starts." in backwards.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RapporteurReport)) == 0


def test_the_command_writes_the_report(year_2025, app, tmp_path):
    out = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(args=["report", "--year", "2025", "--pillar", PILLAR, "--format", "pdf",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "Executive summary" in PdfReader(str(out)).pages[1].extract_text()
    bad = app.test_cli_runner().invoke(args=["report", "--pillar", "nowhere", "--format", "pdf", "--out", str(out)])
    assert bad.exit_code != 0 and "No pillar has the code nowhere" in bad.output
    assert fresh_item(year_2025[0]).status == Status.COMPLETED  # writing a report changes nothing


def test_an_example_report_of_the_seeded_catalogue_is_kept_as_an_artefact(seeded):
    """The report of the whole plan so far (2005 to today) from the catalogue as seeded, saved where CI keeps
    artefacts (build/artifacts, or TRACKER_ARTIFACTS): what a reader of the README's picture gets."""
    import os
    from pathlib import Path

    today = date.today()
    docx, pdf = build_files(ReportOptions(date(2005, 1, 1), today), today)
    word_text, pdf_text = texts(docx, pdf)
    for text in (word_text, pdf_text):
        assert all(name in text for name in ("Prevention", "Prosecution", "Protection", "Partnership"))
        assert "Every item, as it stood at the end of the period" in text
    items = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    assert f"{items:,} items" in word_text  # the annex lists every one
    # A source document is named by its title in the register, never by the file's name in the seed folder.
    assert ".txt" not in word_text and ".txt" not in pdf_text
    chapters, sources = word_text.split("Data sources:")
    assert "Combating Human Trafficking in Pakistan: Synopsis of Steps and National Action Plan: " in chapters
    assert "Trafficking in Persons Interim Assessment – Pakistan (United States Department of State, " \
           "24 February 2010)" in sources
    # Evidence from the sources is dated by them, not by the day the seed loaded it.
    assert "(law enforcement and legal reform), line 14\n" in chapters + "\n" and "line 14 — given" not in chapters
    folder = Path(os.environ.get("TRACKER_ARTIFACTS") or Path(__file__).resolve().parent.parent / "build" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "example-report.docx").write_bytes(docx)
    (folder / "example-report.pdf").write_bytes(pdf)
