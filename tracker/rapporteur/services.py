"""Generating the Rapporteur's report: asked for on a page (or the command line), written by the scheduler
process in the background with its progress visible, and kept so that the same files can be downloaded again.

A request is a row in `rapporteur_reports`, queued. The scheduler process claims queued rows one at a time
(an UPDATE that only one claimant can win), composes the document, writes it as Word and as PDF, and records
its progress as it goes — in transactions of their own, so that the page sees them while the work runs.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..audit.services import record
from ..auth.permissions import can_export
from ..enums import AuditEventKind, GenerationState
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Framework, Pillar, RapporteurReport, User

log = logging.getLogger(__name__)

# A report still "being written" this long after it started was cut short (the process stopped): it failed.
ABANDONED_AFTER = timedelta(hours=1)
# The languages a report's headings are written in (the interface's), by their English names for the audit log.
REPORT_LANGUAGES = {"en": "English", "ur": "Urdu"}
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "pdf": "application/pdf"}

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ReportOptions:
    """What a report covers: a period (a calendar year by default), and frameworks and pillars (all when empty);
    and the language of its headings, labels and fixed sentences (the plan's own texts are as they are written)."""

    start: date
    end: date
    frameworks: list[str] = field(default_factory=list)
    pillars: list[str] = field(default_factory=list)
    language: str = "en"

    @classmethod
    def year(cls, year: int, **choices) -> ReportOptions:
        return cls(date(year, 1, 1), date(year, 12, 31), **choices)

    @property
    def title_period(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:
            return str(self.start.year)
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

    def problems(self) -> dict[str, str]:
        """What is wrong with the options, by field: an inverted period, codes that name nothing."""
        errors = {}
        if self.start > self.end:
            errors["end"] = _("The period ends before it starts.")
        known = set(db.session.scalars(sa.select(Framework.code)))
        if unknown := [code for code in self.frameworks if code not in known]:
            errors["frameworks"] = _("No framework has the code %(codes)s.", codes=", ".join(unknown))
        known = set(db.session.scalars(sa.select(Pillar.code)))
        if unknown := [code for code in self.pillars if code not in known]:
            errors["pillars"] = _("No pillar has the code %(codes)s.", codes=", ".join(unknown))
        if self.language not in REPORT_LANGUAGES:
            errors["language"] = _("The report is written in English or Urdu.")
        return errors


def options_of(report: RapporteurReport) -> ReportOptions:
    return ReportOptions(report.period_start, report.period_end, report.framework_codes, report.pillar_codes,
                         report.language or "en")


def reports_folder() -> Path:
    return Path(current_app.config["REPORT_DIR"])


def request_report(user: User, options: ReportOptions) -> RapporteurReport:
    """Queue a report for the scheduler process to write; the request is in the audit log."""
    if not can_export(user):
        raise NotAllowed(_("Only the National Rapporteur and the coordinators build the report."))
    if errors := options.problems():
        raise Invalid(errors)
    report = RapporteurReport(period_start=options.start, period_end=options.end,
                              frameworks=",".join(options.frameworks), pillars=",".join(options.pillars),
                              language=options.language, requested_by=user)
    db.session.add(report)
    db.session.flush()
    record(AuditEventKind.RAPPORTEUR_REPORT, user=user, subject=f"rapporteur_report:{report.id}",
           detail=f"asked for the report of {options.title_period}" + _scope(options))
    db.session.commit()
    return report


def _scope(options: ReportOptions) -> str:
    parts = [f"frameworks {', '.join(options.frameworks)}" if options.frameworks else "",
             f"pillars {', '.join(options.pillars)}" if options.pillars else "",
             f"headings in {REPORT_LANGUAGES[options.language]}" if options.language != "en" else ""]
    return "".join(f"; {part}" for part in parts if part)


def build_files(options: ReportOptions, today: date, progress: Progress | None = None) -> tuple[bytes, bytes]:
    """The report as a Word document and as a PDF, from one composition of the data, in the options' language
    (its headings, labels, fixed sentences and the steps of its progress)."""
    from .compose import compose  # the writers and their libraries load only when a report is written
    from .docx_writer import write_docx
    from .pdf_writer import write_pdf

    progress = progress or (lambda percent, step: None)
    with force_locale(options.language):
        document = compose(options, today, progress)
        progress(80, _("Writing the Word document"))
        docx = write_docx(document)
        progress(90, _("Writing the PDF"))
        pdf = write_pdf(document)
    return docx, pdf


def _set(report_id: int, **values) -> None:
    """Record a report's state in a transaction of its own, so that the page sees it while the work runs."""
    with db.engine.begin() as connection:
        connection.execute(sa.update(RapporteurReport).where(RapporteurReport.id == report_id).values(**values))


def claim_next(now: datetime) -> int | None:
    """The oldest queued report, now this process's to write; None when none waits. Of two processes that try
    at once, the one whose UPDATE finds it still queued wins."""
    while True:
        report_id = db.session.scalar(sa.select(RapporteurReport.id)
                                      .where(RapporteurReport.state == GenerationState.QUEUED)
                                      .order_by(RapporteurReport.requested_at, RapporteurReport.id).limit(1))
        db.session.rollback()  # end the read, so that the claim below starts from what is committed
        if report_id is None:
            return None
        with db.engine.begin() as connection:
            claimed = connection.execute(
                sa.update(RapporteurReport)
                .where(RapporteurReport.id == report_id, RapporteurReport.state == GenerationState.QUEUED)
                .values(state=GenerationState.RUNNING, started_at=now, progress=1, step="Starting")).rowcount
        if claimed:
            return report_id


def generate(report_id: int, today: date | None = None) -> None:
    """Write a claimed report's files and keep them; a failure is recorded on the report (and logged), never
    raised, so that one bad report does not stop the next."""
    report = db.session.get(RapporteurReport, report_id)
    options = options_of(report)
    requested_by = report.requested_by
    db.session.rollback()

    def progress(percent: int, step: str) -> None:
        _set(report_id, progress=max(1, min(percent, 99)), step=step[:200])

    folder = reports_folder()
    try:
        docx, pdf = build_files(options, today or date.today(), progress)
        folder.mkdir(parents=True, exist_ok=True)
        names = {}
        for extension, content in (("docx", docx), ("pdf", pdf)):
            names[extension] = f"{secrets.token_hex(16)}.{extension}"
            (folder / names[extension]).write_bytes(content)
        _set(report_id, state=GenerationState.DONE, progress=100, step="Done", finished_at=datetime.now(UTC),
             docx_name=names["docx"], docx_size=len(docx), pdf_name=names["pdf"], pdf_size=len(pdf))
        detail = f"generated the report of {options.title_period} ({len(docx):,} and {len(pdf):,} bytes)"
    except Exception as exc:  # noqa: BLE001 — recorded on the report for whoever asked, and logged in full
        db.session.rollback()
        log.exception("the Rapporteur's report %s failed", report_id)
        _set(report_id, state=GenerationState.FAILED, step="Failed", finished_at=datetime.now(UTC),
             error=f"{type(exc).__name__}: {exc}"[:2000])
        detail = f"the report of {options.title_period} failed: {type(exc).__name__}"
    record(AuditEventKind.RAPPORTEUR_REPORT, user=requested_by, subject=f"rapporteur_report:{report_id}",
           detail=detail)
    db.session.commit()


def abandon_stale(now: datetime) -> int:
    """Mark as failed the reports whose writing stopped with its process (a restart, a crash): never stuck."""
    with db.engine.begin() as connection:
        return connection.execute(
            sa.update(RapporteurReport)
            .where(RapporteurReport.state == GenerationState.RUNNING,
                   RapporteurReport.started_at < now - ABANDONED_AFTER)
            .values(state=GenerationState.FAILED, finished_at=now, step="Failed",
                    error="The process writing it stopped before it was done: ask for it again.")).rowcount


def run_queued_reports(today: date | None = None) -> int:
    """Write every queued report, oldest first; how many were written (the scheduler's job, every few seconds)."""
    abandon_stale(datetime.now(UTC))
    written = 0
    while (report_id := claim_next(datetime.now(UTC))) is not None:
        generate(report_id, today)
        written += 1
    return written


def report_page(page: int, per_page: int = 20):
    """The reports asked for, newest first."""
    return db.paginate(sa.select(RapporteurReport).order_by(RapporteurReport.requested_at.desc(),
                                                            RapporteurReport.id.desc()),
                       page=page, per_page=per_page, error_out=False)
