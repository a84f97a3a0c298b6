"""The Rapporteur's report written as Word and PDF files, and its chart images, from a Document made by hand.

The files are read back as a reader's software would (python-docx, pypdf, Pillow): what a reader finds, not how
the writers built it. The two files are written once for the module: each takes a second or so.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from tracker.rapporteur.charts import PALETTE, PRINT_DPI, PRINT_WIDTH_PX, chart_png, draw_png
from tracker.rapporteur.document import BarChart, Bullets, Document, Paragraph, Series, Table, cell_text
from tracker.rapporteur.docx_writer import write_docx
from tracker.rapporteur.pdf_writer import write_pdf

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHAPTERS = ["Summary of progress", "Victims’ protection and “safe houses”", "Agencies and provinces"]
LONG_TABLE_ROWS = 120
LONG_CELL = ("The Federal Investigation Agency reported that the anti-trafficking circles in Lahore, Karachi and "
             "Quetta shared case files through the new system; the provinces' police joined in the third quarter "
             "and the café-run helpline « Madadgar » referred 1,204 callers. ") * 3
URDU = "انسانی اسمگلنگ"  # "human trafficking"


def long_table() -> Table:
    rows = [[f"Row {number:03d} agency", number * 1000 + 7, number / 4, "" if number % 7 else "—"]
            for number in range(1, LONG_TABLE_ROWS + 1)]
    return Table(["Reporting agency", "Cases registered", "Share (%)", "Remark"], rows,
                 caption="Cases registered by each reporting agency", widths=[3, 2, 1.5, 1.5])


CHARTS = [
    BarChart("Status of items per pillar", ["Prevention", "Protection", "Prosecution", "Partnership"],
             [Series("Completed", [12, 5, None, 3], colour="#198754"), Series("In progress", [4, 9, 7, None]),
              Series("Blocked", [1, 0, 2, 1])], stacked=True, unit="Items"),
    BarChart("Victims identified per quarter against the target", ["Q1", "Q2", "Q3", "Q4"],
             [Series("Identified", [1200, 1530, None, 2100])], unit="Victims",
             line=Series("Target", [1500, 1500, 1800, None])),
    BarChart("Open items per agency", ["Federal Investigation Agency", "National Database and Registration Authority",
                                       "Punjab Police", "Ministry of Interior and Narcotics Control"],
             [Series("Open, on time", [20, 14, 8, 3]), Series("Overdue", [5, 2, 0, None])], horizontal=True,
             stacked=True, unit="Open items"),
    BarChart("Cases registered per province — 2025 and 2026", ["Punjab", "Sindh", "Balochistan"],
             [Series("2025", [10234, None, 2100]), Series("2026", [11002, 4321, None])], unit="Cases"),
]


def sample_document(**changes) -> Document:
    """A cover, three chapters with sections of levels 2 and 3, and every kind of block."""
    document = Document(**{
        "title": "Annual report of the National Rapporteur on trafficking in persons",
        "subtitle": "Implementation of the National Action Plan, 1 January – 31 December 2026",
        "cover_lines": ["Issued by the National Rapporteur", "Generated on 5 January 2027", "Verified values only"],
        "created": datetime(2027, 1, 5, 9, 30, tzinfo=UTC),
        **changes,
    })
    document.chapter(CHAPTERS[0]).add(
        Paragraph("Most commitments moved forward this year; the résumé below says where.", style="lead"),
        Paragraph("Plain text stays plain: <b>not bold</b> & R&D are written as they are."),
        Bullets(["Twelve items completed", "Four items blocked, each with its reason", f"Urdu: {URDU}"]),
        CHARTS[0],
    )
    document.section("Method").add(
        Paragraph("Figures are the agencies' verified values; pending reports are left out.", style="note"),
    )
    document.section("Sources", level=3).add(
        Paragraph("“We could not have traced the network without the provinces' records.”", style="quote"),
        Paragraph(f"A paragraph with an Urdu word, {URDU}, in the middle of English text."),
    )
    document.chapter(CHAPTERS[1]).add(
        Paragraph("Identification against the plan's target, quarter by quarter."),
        CHARTS[1],
        Table(["Measure", "Detail", "Value"], [["Helpline", LONG_CELL, 1204], ["Shelters", "Open all year", 14]],
              caption="Protection measures", widths=[1, 4, 1]),
    )
    document.section("Shelters").add(Paragraph("Fourteen shelters were open all year."))
    document.chapter(CHAPTERS[2]).add(CHARTS[2], CHARTS[3])
    document.section("Every agency").add(long_table())
    return document


def small_document(**changes) -> Document:
    """One chapter with a chart and a table: enough to show what could differ between two writes (dates, ids)."""
    document = Document(**{"title": "Brief", "subtitle": "Q1 2027", "cover_lines": ["Draft"],
                           "created": datetime(2027, 4, 2, 8, 0, tzinfo=UTC), **changes})
    document.chapter("Only chapter").add(Paragraph("Text."), CHARTS[1], Table(["Agency", "Cases"], [["FIA", 1204]]))
    return document


# --- Chart images ---------------------------------------------------------------------------------------------

def test_a_chart_is_a_png_of_the_requested_size():
    png = chart_png(CHARTS[0], width_px=800, dpi=100, height_px=420)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (800, 420)
    default = Image.open(io.BytesIO(chart_png(CHARTS[2], width_px=900, dpi=150)))
    assert default.size[0] == 900 and default.size[1] > 0


def test_a_chart_is_the_same_bytes_each_time_and_carries_no_software_stamp():
    first = draw_png(CHARTS[1], width_px=600, dpi=100)  # drawn twice, not taken from the cache
    assert first == draw_png(CHARTS[1], width_px=600, dpi=100)
    assert b"matplotlib" not in first.lower()
    assert first != draw_png(CHARTS[1], width_px=600, dpi=100, title=False)


def test_a_report_draws_each_chart_once_for_both_files(monkeypatch):
    from tracker.rapporteur import charts

    drawn = []
    real = charts.draw_png
    monkeypatch.setattr(charts, "draw_png", lambda *args: drawn.append(args[1:]) or real(*args))
    chart = BarChart("Drawn once", ["a", "b"], [Series("x", [1, 2])])
    assert chart_png(chart, width_px=500, dpi=100) == chart_png(chart, width_px=500, dpi=100)
    chart_png(chart, width_px=600, dpi=100)
    assert drawn == [(500, 100, None, True), (600, 100, None, True)]


def _bar_columns(png: bytes, colour: str) -> int:
    """How many separate runs of columns hold a pixel of exactly that colour (one run per bar)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    wanted = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    width, height = image.size
    pixels = image.load()
    present = [any(pixels[x, y] == wanted for y in range(0, height, 2)) for x in range(width)]
    return sum(1 for x in range(width) if present[x] and (x == 0 or not present[x - 1]))


def test_a_missing_value_is_a_gap_not_a_zero_bar():
    categories = ["North", "Centre", "South"]
    with_gap = BarChart("Gap", categories, [Series("Cases", [10, None, 10], colour="#ff0000")])
    with_value = BarChart("Gap", categories, [Series("Cases", [10, 4, 10], colour="#ff0000")])
    assert _bar_columns(chart_png(with_value, width_px=600, dpi=100), "#ff0000") == 3
    assert _bar_columns(chart_png(with_gap, width_px=600, dpi=100), "#ff0000") == 2


def test_series_take_the_palette_of_the_dashboard_in_turn():
    from tracker.dashboard.charts import BOOTSTRAP_COLOURS, STATUS_COLOURS

    assert {BOOTSTRAP_COLOURS[name] for name in ("primary", "success", "danger", "secondary")} == set(PALETTE[:4])
    # The dashboard's status colours, passed as series' colours, come out in the picture.
    chart = BarChart("Status", ["A", "B"], [Series("Completed", [3, 4], colour=STATUS_COLOURS["completed"])])
    assert _bar_columns(chart_png(chart, width_px=500, dpi=100), STATUS_COLOURS["completed"]) == 2
    uncoloured = BarChart("Status", ["A", "B"], [Series("First", [3, 4]), Series("Second", [1, 2])])
    png = chart_png(uncoloured, width_px=500, dpi=100)
    assert _bar_columns(png, PALETTE[0]) >= 2 and _bar_columns(png, PALETTE[1]) >= 2


def test_charts_of_every_shape_draw_without_error():
    shapes = [
        BarChart("Nothing yet", [], []),
        BarChart("All missing", ["A"], [Series("x", [None])], stacked=True, line=Series("Target", [])),
        BarChart("Many months", [f"2026-{month:02d}" for month in range(1, 13)], [Series("x", list(range(12)))]),
        BarChart(URDU, ["پنجاب", "Sindh"], [Series("x", [1, 2])], horizontal=True, line=Series("t", [2, None])),
    ]
    for chart in shapes:
        assert chart_png(chart, width_px=400, dpi=80).startswith(PNG_SIGNATURE)


def test_cells_are_written_as_the_pages_write_figures(app):
    from tracker.templating import format_number  # importable once an app has loaded the views it imports

    for value in (0, 7, 1234, 1234567, 2.5, 1234.0, 1234.75, -4321):
        assert cell_text(value) == format_number(value)
    assert cell_text("1234") == "1234" and cell_text(None) == "" and cell_text(True) == "True"
    assert long_table().numeric_columns == [False, True, True, False]


# --- The Word file ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return write_docx(sample_document())


@pytest.fixture(scope="module")
def word(docx_bytes):
    return docx.Document(io.BytesIO(docx_bytes))


def test_word_headings_use_the_built_in_styles_in_reading_order(word):
    document = sample_document()
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [(f"Heading {section.level}", section.title) for section in document.sections]
    assert [style for style, _ in headings] == ["Heading 1", "Heading 2", "Heading 3", "Heading 1", "Heading 2",
                                                "Heading 1", "Heading 2"]
    chapters = [p for p in word.paragraphs if p.style.name == "Heading 1"]
    assert all(p.paragraph_format.page_break_before for p in chapters)  # each chapter on a new page


def test_word_cover_and_contents(word, docx_bytes):
    paragraphs = word.paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", sample_document().title)
    assert paragraphs[1].style.name == "Subtitle" and paragraphs[1].text.endswith("31 December 2026")
    assert [p.text for p in paragraphs[2:5]] == sample_document().cover_lines
    contents = next(i for i, p in enumerate(paragraphs) if p.text == "Contents")
    assert paragraphs[contents].paragraph_format.page_break_before
    listed = [p.text for p in paragraphs if p.style.name == "List Number"]
    assert listed == CHAPTERS == sample_document().contents
    # After the list, a TOC field for Word to fill in with page numbers, and the setting that offers to.
    body = word.element.body.xml
    assert body.index(CHAPTERS[-1]) < body.index('TOC \\o "1-1"') < body.index('w:val="Heading1"')
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        settings = package.read("word/settings.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings
    # In the schema's place: before w:compat, which follows it in CT_Settings.
    assert settings.index("<w:updateFields") < settings.index("<w:compat>")


def test_word_blocks_keep_their_kinds(word):
    styles = {p.text: p.style for p in word.paragraphs}
    assert styles["Plain text stays plain: <b>not bold</b> & R&D are written as they are."].name == "Normal"
    assert styles["Twelve items completed"].name == "List Bullet"
    assert styles[f"Urdu: {URDU}"].name == "List Bullet"
    note = styles["Figures are the agencies' verified values; pending reports are left out."]
    assert note.font.size < Pt(10)  # smaller type than the body's
    quote = styles["“We could not have traced the network without the provinces' records.”"]
    assert quote.name == "Quote" and quote.font.italic and quote.paragraph_format.left_indent > 0
    lead = styles["Most commitments moved forward this year; the résumé below says where."]
    assert lead.font.size > Pt(11)


def test_word_tables_repeat_their_header_and_right_align_figures(word):
    tables = {table.rows[0].cells[0].text: table for table in word.tables}
    assert set(tables) == {"Measure", "Reporting agency"}
    long = tables["Reporting agency"]
    assert long.style.name == "Light Grid Accent 1"
    assert len(long.rows) == LONG_TABLE_ROWS + 1
    assert [cell.text for cell in long.rows[0].cells] == long_table().columns
    assert [cell.text for cell in long.rows[1].cells] == ["Row 001 agency", "1,007", "0.25", ""]
    assert [cell.text for cell in long.rows[-1].cells] == ["Row 120 agency", "120,007", "30", ""]
    header = long.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in long.rows[1:4])
    right = WD_ALIGN_PARAGRAPH.RIGHT
    assert [cell.paragraphs[0].alignment == right for cell in long.rows[0].cells] == [False, True, True, False]
    assert [cell.paragraphs[0].alignment == right for cell in long.rows[5].cells] == [False, True, True, False]
    widths = [cell.width for cell in long.rows[3].cells]
    assert widths[0] == 2 * widths[3]  # relative widths 3 : 2 : 1.5 : 1.5
    measures = tables["Measure"]
    assert measures.rows[1].cells[1].text == LONG_CELL
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert "Cases registered by each reporting agency" in captions and "Protection measures" in captions


def test_word_charts_are_the_chart_images_captioned_with_their_titles(word):
    pictures = [part for part in word.part.package.parts if part.partname.startswith("/word/media/")]
    assert len(pictures) == len(word.inline_shapes) == len(CHARTS)
    blobs = {part.blob for part in pictures}
    assert blobs == {chart_png(chart, width_px=PRINT_WIDTH_PX, dpi=PRINT_DPI, title=False) for chart in CHARTS}
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert all(chart.title in captions for chart in CHARTS)


def test_word_page_numbers_and_properties(word, docx_bytes):
    section = word.sections[0]
    assert "PAGE" in section.footer._element.xml and section.different_first_page_header_footer
    properties = word.core_properties
    assert properties.title == sample_document().title
    assert properties.author == properties.last_modified_by == "National Rapporteur"
    assert properties.created == datetime(2027, 1, 5, 9, 30, tzinfo=UTC) == properties.modified
    assert properties.comments == "" and "python-docx" not in docx_bytes.decode("latin-1")


def test_word_file_is_the_same_bytes_for_the_same_report():
    dated = write_docx(small_document())
    assert dated == write_docx(small_document())
    undated = write_docx(small_document(created=None))
    assert docx.Document(io.BytesIO(undated)).core_properties.created is None
    assert undated != dated
    with zipfile.ZipFile(io.BytesIO(undated)) as package:
        assert {entry.date_time for entry in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- The PDF ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return write_pdf(sample_document())


@pytest.fixture(scope="module")
def pdf(pdf_bytes):
    return PdfReader(io.BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """Each page's text laid out as on the page (lines in order, columns by position)."""
    return [page.extract_text(extraction_mode="layout") for page in pdf.pages]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_pdf_has_the_cover_then_the_contents_with_page_numbers_that_match(pdf, pages):
    assert len(pdf.pages) > 1
    assert _lines(pages[0])[0].startswith("Annual report of the National")
    assert "Issued by the National Rapporteur" in pages[0]
    assert _lines(pages[1])[0] == "Contents"
    listed = {}
    for title in CHAPTERS:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)$", pages[1], re.MULTILINE)
        assert match, f"{title!r} is not in the contents"
        listed[title] = int(match.group(1))
    for title in CHAPTERS:  # each chapter starts the page the contents gives
        found = [number for number, text in enumerate(pages, start=1) if number > 2 and title in text]
        assert found and found[0] == listed[title]
        assert _lines(pages[found[0] - 1])[0] == title
    assert list(listed.values()) == sorted(listed.values()) and len(set(listed.values())) == len(CHAPTERS)


def test_pdf_page_numbers_in_the_footer(pages):
    assert str(1) not in _lines(pages[0])  # the cover has none
    for number, text in enumerate(pages[1:], start=2):
        assert _lines(text)[-1] == str(number)


def test_pdf_outline_has_the_chapters_and_their_sections(pdf):
    def walk(entries, depth=0):
        for entry in entries:
            if isinstance(entry, list):
                yield from walk(entry, depth + 1)
            else:
                yield depth, entry.title, pdf.get_destination_page_number(entry) + 1

    outline = list(walk(pdf.outline))
    assert [(depth, title) for depth, title, _ in outline] == [
        (0, CHAPTERS[0]), (1, "Method"), (2, "Sources"), (0, CHAPTERS[1]), (1, "Shelters"), (0, CHAPTERS[2]),
        (1, "Every agency"),
    ]
    chapter_pages = [page for depth, _, page in outline if depth == 0]
    assert chapter_pages == sorted(chapter_pages) and chapter_pages[0] == 3


def _right_edges(page, pattern: str) -> list[float]:
    """Where each piece of text matching the pattern ends on the page, in points from the left."""
    edges = []

    def visit(text, matrix, text_matrix, font, size):
        if re.fullmatch(pattern, text.strip()):
            x = matrix[4] + text_matrix[4]
            edges.append(x + stringWidth(text.strip(), font["/BaseFont"].lstrip("/"), size))

    page.extract_text(visitor_text=visit)
    return edges


def test_pdf_long_table_splits_across_pages_with_its_header_on_each(pdf, pages):
    row = re.compile(r"^\s*Row (\d{3}) agency\s+([\d,]+)", re.MULTILINE)
    table_pages = [text for text in pages if row.search(text)]
    assert len(table_pages) >= 2
    seen = [int(match.group(1)) for text in table_pages for match in row.finditer(text)]
    assert seen == list(range(1, LONG_TABLE_ROWS + 1))  # every row once, in order, from both ends
    for text in table_pages:
        header = next(line for line in _lines(text) if "Reporting agency" in line)
        assert re.fullmatch(r"Reporting agency\s+Cases registered\s+Share \(%\)\s+Remark", header)
    for page in pdf.pages[pages.index(table_pages[0]):][:len(table_pages)]:
        edges = _right_edges(page, r"\d{1,3}(,\d{3})+")  # the cases: 1,007 … 120,007
        assert len(edges) >= 2 and max(edges) - min(edges) < 0.5  # figures are right-aligned


def test_pdf_long_cells_wrap_and_text_stays_plain(pages):
    text = " ".join(" ".join(pages).split())
    words = LONG_CELL.split()
    assert " ".join(words[:12]) in text and " ".join(words[-12:]) in text
    assert "Plain text stays plain: <b>not bold</b> & R&D are written as they are." in text
    assert "Victims’ protection and “safe houses”" in text and "résumé" in text
    assert all(chart.title in text for chart in CHARTS)  # the captions


def test_pdf_holds_one_picture_per_chart(pdf):
    assert sum(len(page.images) for page in pdf.pages) == len(CHARTS)


def test_pdf_properties(pdf):
    assert pdf.metadata.title == sample_document().title
    assert pdf.metadata.author == "National Rapporteur"
    assert pdf.metadata.subject == sample_document().subtitle
    assert pdf.metadata.creation_date == datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
    assert pdf.trailer["/Root"]["/PageMode"] == "/UseOutlines"  # readers open on the bookmarks


def test_pdf_is_the_same_bytes_for_the_same_report():
    first = write_pdf(small_document())
    assert first == write_pdf(small_document())
    assert PdfReader(io.BytesIO(first)).metadata.creation_date == datetime(2027, 4, 2, 8, 0, tzinfo=UTC)
    # Undated, the file carries reportlab's fixed date, not the clock's (two writes in one second would hide it).
    undated = PdfReader(io.BytesIO(write_pdf(small_document(created=None))))
    assert undated.metadata.creation_date == datetime(2000, 1, 1, tzinfo=UTC)


def test_pdf_survives_urdu_with_the_built_in_font(pages):
    # Helvetica has no Arabic-script glyphs: the Urdu word is drawn as blanks, the rest of the line is intact.
    line = next(line for line in _lines(pages[2]) if line.startswith("A paragraph with an Urdu word"))
    assert line.endswith("in the middle of English text.")


# --- Both files --------------------------------------------------------------------------------------------------

def test_documents_of_any_shape_are_written():
    bare = Document("Bare", "Nothing to report", [])
    assert len(PdfReader(io.BytesIO(write_pdf(bare))).pages) == 1  # the cover; no contents without chapters
    assert "Contents" not in [p.text for p in docx.Document(io.BytesIO(write_docx(bare))).paragraphs]

    odd = Document("Odd", "Shapes", [])
    odd.section("Before any chapter").add(Bullets([]))  # still starts a page of its own, after the cover
    odd.chapter("Evidence").add(
        Table(["Agency", "Evidence"], [["FIA", "A statement of many pages. " * 900], ["NDRA", "Short."]]),
        BarChart("Every agency", [f"Agency {number}" for number in range(60)], [Series("Open", list(range(60)))],
                 horizontal=True),
    )
    odd.section("First detail", level=3)
    odd.section("Second detail", level=3)
    reader = PdfReader(io.BytesIO(write_pdf(odd)))
    # Level 3s straight under a chapter sit one step below it in the outline, side by side.
    outline = [entry.title if not isinstance(entry, list) else [child.title for child in entry]
               for entry in reader.outline]
    assert outline == ["Before any chapter", "Evidence", ["First detail", "Second detail"]]
    texts = [page.extract_text() for page in reader.pages]
    assert texts[1].startswith("Contents") and texts[2].startswith("Before any chapter")
    evidence = [number for number, text in enumerate(texts) if "A statement of many pages" in text]
    assert len(evidence) > 1 and "NDRA" in texts[evidence[-1]]  # the row taller than a page split across pages
    word = docx.Document(io.BytesIO(write_docx(odd)))
    first = next(p for p in word.paragraphs if p.text == "Before any chapter")
    assert first.paragraph_format.page_break_before
    section = word.sections[0]
    usable = section.page_height - section.top_margin - section.bottom_margin
    assert word.inline_shapes[0].height < usable  # the tall chart fits the page
