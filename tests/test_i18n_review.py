"""The review pages in Urdu: the dashboard and its charts, the indicators, what changed, the assessments, the
exports and the Rapporteur's report (its Word file and PDF with Urdu headings, right to left)."""
from __future__ import annotations

import io
import json
import os
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document as WordDocument
from docx.oxml.ns import qn
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import csrf_token
from test_rapporteur_report import PILLAR, SECRET, year_2025  # noqa: F401 — the fixture, hand-counted
from tracker.extensions import db
from tracker.models import RapporteurReport
from tracker.rapporteur import fonts
from tracker.rapporteur.charts import draw_png
from tracker.rapporteur.document import BarChart, Series
from tracker.rapporteur.services import ReportOptions, build_files, run_queued_reports

RTL = re.compile(r'<html lang="ur" dir="rtl">')


def urdu_page(client, path: str, *urdu: str) -> str:
    """The page in Urdu: right to left, with the Urdu words given, and no English fallback of a crash."""
    response = client.get(path + ("&" if "?" in path else "?") + "lang=ur")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, (path, response.status_code)
    assert RTL.search(html), path
    assert "Traceback" not in html
    for words in urdu:
        assert words in html, (path, words)
    return html


def test_the_review_pages_read_in_urdu(as_role):
    rapporteur = as_role("rapporteur")
    urdu_page(rapporteur, "/dashboard", "<h1 class=\"h3\">ڈیش بورڈ</h1>", "ستون وار اقدامات کی صورتِ حال",
              "تاخیر شدہ اقدامات", "اعداد و شمار")
    urdu_page(rapporteur, "/indicators", "<h1 class=\"h3\">اشاریے</h1>", "کوڈ، نام اور تعریف میں تلاش کریں")
    urdu_page(rapporteur, "/indicators/PREV-AWARENESS-ACTIVITIES", "قدریں اور ان کے ماخذ", "اشاریے کی تفصیلات")
    urdu_page(rapporteur, "/indicators/rates", "رپورٹنگ کی شرح")
    urdu_page(rapporteur, "/changes", "<h1 class=\"h3\">کیا بدلا</h1>", "دو تاریخوں پر منصوبے کا موازنہ کریں",
              "گزشتہ سہ ماہی")
    urdu_page(rapporteur, "/assessments", "رپورٹیئر کے تجزیے")
    builder = urdu_page(rapporteur, "/rapporteur/reports", "رپورٹیئر کی رپورٹ", "عنوانات کی زبان")
    # The report's language offered by its own name, the page's language chosen.
    assert re.search(r'<option selected value="ur">اردو</option>|<option value="ur" selected>اردو</option>', builder)
    coordinator = as_role("coordinator")
    urdu_page(coordinator, "/indicators/new", "نیا اشاریہ", "اشاریہ محفوظ کریں")


def test_a_refused_indicator_and_a_bad_window_say_why_in_urdu(as_role):
    coordinator = as_role("coordinator")
    page = coordinator.get("/indicators/new?lang=ur")
    refused = coordinator.post("/indicators/new?lang=ur", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "code": "bad code", "name": "", "kind": "count",
        "direction": "up", "frequency": "yearly", "targets": "2025 is 10"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and RTL.search(html)
    assert "اشاریہ محفوظ نہیں ہوا" in html and "جس چیز کی پیمائش کی جاتی ہے اس کا نام درج کریں۔" in html
    assert "“2025 is 10” “مدت = قدر” کی صورت میں نہیں" in html
    backwards = coordinator.get("/changes?start=2026-03-01&end=2026-01-01&lang=ur")
    assert backwards.status_code == 422 and "آغاز کی ایسی تاریخ منتخب کریں" in backwards.get_data(as_text=True)


def test_a_chart_in_urdu_reads_from_the_right_in_nastaliq(as_role):
    rapporteur = as_role("rapporteur")

    def chart(lang: str) -> dict:
        html = rapporteur.get(f"/dashboard?lang={lang}").get_data(as_text=True)
        found = re.search(r'<script type="application/json" id="pillar-status-data">(.*?)</script>', html, re.S)
        return json.loads(found.group(1))

    urdu, english = chart("ur"), chart("en")
    layout = urdu["layout"]
    assert layout["xaxis"]["autorange"] == "reversed" and layout["yaxis"]["side"] == "right"
    assert layout["legend"]["xanchor"] == "right" and "Noto Nastaliq Urdu" in layout["font"]["family"]
    assert layout["yaxis"]["title"]["text"] == "اقدامات"
    assert "autorange" not in english["layout"]["xaxis"] and "Nastaliq" not in english["layout"]["font"]["family"]
    assert english["layout"]["yaxis"]["title"]["text"] == "Items"
    html = rapporteur.get("/dashboard?lang=ur").get_data(as_text=True)
    assert '<h2 class="h5" id="pillar-status-title">ستون وار اقدامات کی صورتِ حال</h2>' in html


def test_the_exports_headings_in_urdu_and_the_csv_columns_unchanged(as_role):
    coordinator = as_role("coordinator")
    workbook = load_workbook(io.BytesIO(coordinator.get("/exports/items.xlsx?lang=ur").data))
    summary = workbook["خلاصہ"]
    assert summary["A1"].value == "اقدامات" and summary["A4"].value == "ستون" and summary.sheet_view.rightToLeft
    assert "تاخیر شدہ" in workbook.sheetnames
    english = load_workbook(io.BytesIO(coordinator.get("/exports/items.xlsx?lang=en").data))
    assert english["Summary"]["A1"].value == "Action items" and not english["Summary"].sheet_view.rightToLeft
    report = coordinator.get("/exports/items.html?lang=ur").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in report and "انسانی اسمگلنگ کے خلاف ایکشن پلان: پیش رفت کی رپورٹ" in report
    csv = coordinator.get("/exports/items.csv?lang=ur").data.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("ref,")  # a file format: its columns stay as they are


needs_urdu_fonts = pytest.mark.skipif(
    not any((folder / fonts.URDU_FILES["regular"]).is_file() for folder in fonts.FONT_DIRS),
    reason="Noto Nastaliq Urdu is not installed (Debian's fonts-noto-core; .ci/run installs it)")


@needs_urdu_fonts
def test_an_urdu_report_has_urdu_headings_right_to_left_in_word_and_pdf(year_2025):  # noqa: F811
    docx, pdf = build_files(ReportOptions.year(2025, pillars=[PILLAR], language="ur"), date(2026, 11, 30))
    word = WordDocument(io.BytesIO(docx))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "انتظامی خلاصہ" and headings[-1] == "ضمیمہ: تمام اقدامات اور طریقۂ کار"
    assert "Protection" in headings  # the plan's own names stay as written
    summary = next(p for p in word.paragraphs if p.text == "انتظامی خلاصہ")
    assert summary._p.pPr.find(qn("w:bidi")) is not None  # the paragraph runs right to left
    run = summary.runs[0]._r
    assert run.rPr.find(qn("w:rtl")) is not None and run.rPr.find(qn("w:lang")).get(qn("w:bidi")) == "ur-PK"
    assert all(table._tbl.bidiVisual_val for table in word.tables)  # columns from the right
    text = "\n".join(p.text for p in word.paragraphs)
    assert "زیرِ احاطہ اقدامات: 3۔" in text and SECRET not in text
    assert word.core_properties.language == "ur"

    reader = PdfReader(io.BytesIO(pdf))
    outline = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert outline[0] == "انتظامی خلاصہ" and "Protection" in outline
    assert reader.metadata.title == "انسانی اسمگلنگ کے خلاف قومی ایکشن پلان پر عمل درآمد"
    fonts_used = {str(font.get_object()["/BaseFont"]) for page in reader.pages[:3]
                  for font in page["/Resources"]["/Font"].values()}
    assert any("NotoNastaliqUrdu" in name for name in fonts_used), fonts_used
    assert SECRET not in "\n".join(page.extract_text() for page in reader.pages)
    # Kept beside the English example, for a reader of Urdu to look at.
    folder = Path(os.environ.get("TRACKER_ARTIFACTS") or Path(__file__).resolve().parent.parent / "build" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "example-report-ur.docx").write_bytes(docx)
    (folder / "example-report-ur.pdf").write_bytes(pdf)


def test_an_english_report_stays_left_to_right(year_2025):  # noqa: F811
    docx, pdf = build_files(ReportOptions.year(2025, pillars=[PILLAR]), date(2026, 11, 30))
    word = WordDocument(io.BytesIO(docx))
    assert [p.text for p in word.paragraphs if p.style.name == "Heading 1"][0] == "Executive summary"
    assert word.element.body.find(".//" + qn("w:bidi")) is None
    assert not any(table._tbl.bidiVisual_val for table in word.tables)
    assert PdfReader(io.BytesIO(pdf)).outline[0].title == "Executive summary"


@needs_urdu_fonts
def test_the_builder_keeps_the_reports_language_and_writes_it_in_urdu(year_2025, as_role):  # noqa: F811
    rapporteur = as_role("rapporteur")
    page = rapporteur.get("/rapporteur/reports?lang=ur").get_data(as_text=True)
    asked = rapporteur.post("/rapporteur/reports", data={"csrf_token": csrf_token(page), "year": "2025",
                                                         "pillars": [PILLAR], "language": "ur"})
    assert asked.status_code == 302
    report = db.session.scalar(sa.select(RapporteurReport))
    assert report.language == "ur"
    status = urdu_page(rapporteur, f"/rapporteur/reports/{report.id}", "عنوانات اردو میں")
    assert "شیڈولر" in status
    assert run_queued_reports(date(2026, 11, 30)) == 1
    db.session.refresh(report)
    assert report.step == "Done" and report.docx_name
    listed = urdu_page(rapporteur, "/rapporteur/reports", '<td class="small" lang="ur">اردو</td>')
    assert "تیار شدہ رپورٹیں" in listed
    # The English page says the same report's language in English words about it.
    assert "headings in اردو" in rapporteur.get(f"/rapporteur/reports/{report.id}?lang=en").get_data(as_text=True)
    refused = rapporteur.post("/rapporteur/reports", data={"csrf_token": csrf_token(page), "year": "2025",
                                                           "language": "fr"})
    assert refused.status_code == 422


@needs_urdu_fonts
def test_an_urdu_chart_image_is_drawn_from_the_right(app):
    chart = BarChart("اقدامات", ["روک تھام", "تحفظ"], [Series("مکمل", [2, 3])])
    with app.app_context():
        with force_locale("ur"):
            urdu = draw_png(chart, width_px=600, dpi=100)
        english = draw_png(chart, width_px=600, dpi=100)
    assert urdu.startswith(b"\x89PNG") and urdu != english


def test_an_urdu_report_without_its_font_says_what_to_install(year_2025, monkeypatch, app):  # noqa: F811
    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    from reportlab.pdfbase import pdfmetrics
    monkeypatch.setattr(pdfmetrics, "getRegisteredFontNames", lambda: [])
    with pytest.raises(fonts.MissingUrduSupport, match="fonts-noto-core"):
        build_files(ReportOptions.year(2025, pillars=[PILLAR], language="ur"), date(2026, 11, 30))
