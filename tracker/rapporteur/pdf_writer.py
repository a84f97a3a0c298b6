"""The Rapporteur's report as a PDF (reportlab's platypus), laid out from the same Document as the Word file.

Fonts: the PDF's built-in Helvetica, whose encoding covers English and Western European text (curly quotes,
dashes, accents) and keeps the text extractable. It has no Arabic-script glyphs: Urdu text is set in Noto
Nastaliq Urdu (a TrueType font from Debian's fonts-noto-core, see fonts.py), shaped by reportlab with HarfBuzz
(uharfbuzz), right-aligned, with the line height Nastaliq needs; runs of Latin letters and figures inside it are
set in DejaVu Sans (the Nastaliq font has no Latin letters). In an Urdu report the tables read from the right too.
Shaped glyphs carry no text of their own in the file: a PDF reader's text search finds the Urdu headings in the
bookmarks (the outline), which hold them as text.
"""
from __future__ import annotations

import io
import re
from contextvars import ContextVar
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from flask_babel import gettext as _
from reportlab import platypus  # as platypus.Paragraph, platypus.Table: our Document has its own of those names
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.tableofcontents import TableOfContents

from .charts import PRINT_DPI, PRINT_WIDTH_PX, chart_png
from .document import BarChart, Bullets, Document, Paragraph, Table, cell_text, is_number
from .fonts import require_shaping, urdu_font_files

AUTHOR = "National Rapporteur"
CREATOR = "Anti-trafficking action-plan tracker"
MARGIN = 2.5 * cm  # as the Word file's, on the same A4
TEXT = colors.HexColor("#212529")
MUTED = colors.HexColor("#595f66")
BRAND = colors.HexColor("#0b4f3c")  # the navigation bar's green (static/css/tracker.css)
RULE = colors.HexColor("#adb5bd")
BAND = colors.HexColor("#f1f3f5")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=14, textColor=TEXT, spaceAfter=6)
STYLES = {
    "title": ParagraphStyle("title", BODY, fontName="Helvetica-Bold", fontSize=26, leading=32, textColor=BRAND,
                            spaceBefore=5 * cm, spaceAfter=14),
    "subtitle": ParagraphStyle("subtitle", BODY, fontSize=14, leading=19, textColor=MUTED, spaceAfter=24),
    "cover": ParagraphStyle("cover", BODY, fontSize=11, leading=16, spaceAfter=4),
    "contents": ParagraphStyle("contents", BODY, fontName="Helvetica-Bold", fontSize=18, leading=24,
                               textColor=BRAND, spaceAfter=14),
    1: ParagraphStyle("heading1", BODY, fontName="Helvetica-Bold", fontSize=18, leading=24, textColor=BRAND,
                      spaceAfter=10, keepWithNext=1),
    2: ParagraphStyle("heading2", BODY, fontName="Helvetica-Bold", fontSize=14, leading=18, spaceBefore=10,
                      spaceAfter=6, keepWithNext=1),
    3: ParagraphStyle("heading3", BODY, fontName="Helvetica-BoldOblique", fontSize=11.5, leading=15, spaceBefore=8,
                      spaceAfter=4, keepWithNext=1),
    "body": BODY,
    "lead": ParagraphStyle("lead", BODY, fontSize=12.5, leading=17, spaceAfter=10),
    "note": ParagraphStyle("note", BODY, fontSize=8.5, leading=11, textColor=MUTED),
    "quote": ParagraphStyle("quote", BODY, fontName="Helvetica-Oblique", leftIndent=1 * cm, rightIndent=1 * cm,
                            spaceBefore=4, spaceAfter=10),
    "caption": ParagraphStyle("caption", BODY, fontName="Helvetica-Bold", fontSize=9, leading=12, textColor=BRAND,
                              spaceBefore=4, spaceAfter=10),
    "cell": ParagraphStyle("cell", BODY, fontSize=9, leading=11.5, spaceAfter=0),
    "footer": ParagraphStyle("footer", BODY, fontSize=9, alignment=TA_CENTER),
}
STYLES["table caption"] = ParagraphStyle("table caption", STYLES["caption"], spaceBefore=8, spaceAfter=4,
                                         keepWithNext=1)
STYLES["cell right"] = ParagraphStyle("cell right", STYLES["cell"], alignment=TA_RIGHT)
STYLES["header"] = ParagraphStyle("header", STYLES["cell"], fontName="Helvetica-Bold", textColor=colors.white)
STYLES["header right"] = ParagraphStyle("header right", STYLES["header"], alignment=TA_RIGHT)
TOC_STYLE = ParagraphStyle("toc", BODY, fontSize=11.5, leading=20)

RIGHT_TO_LEFT_LANGUAGES = frozenset({"ur"})
# Whether the document being written reads right to left: its tables then run from the right.
_right_to_left: ContextVar[bool] = ContextVar("right_to_left", default=False)
ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"  # the Arabic script's blocks
ARABIC_SCRIPT = re.compile(f"[{ARABIC}]")
# Words (between spaces) with a Latin letter and no Arabic-script one, one after another: set in a Latin face.
LATIN_WORD = f"[^\\s{ARABIC}]*[A-Za-z][^\\s{ARABIC}]*"
LATIN_RUN = re.compile(f"(?<!\\S){LATIN_WORD}(?:\\s+{LATIN_WORD})*(?!\\S)")
# Where a Latin letter touches an Arabic-script one ("FIA۔"): reportlab changes font only between words.
SCRIPT_CHANGE = re.compile(f"(?<=[A-Za-z])(?=[{ARABIC}])|(?<=[{ARABIC}])(?=[A-Za-z])")
NASTALIQ_LEADING = 2.1  # times the type size: Nastaliq's letters climb and descend far more than Latin ones
_urdu_styles: dict[str, ParagraphStyle] = {}
LATIN_FONTS = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"


def _rise_at_line_start(set_rise):
    """reportlab's PDFTextObject.setRise as it is, but for a line's first glyph: Nastaliq's shaped glyphs sit
    above or below the baseline (y offsets), and reportlab 5.1 looks at the previous operator when there is
    none yet (an IndexError that stops the whole PDF). There, the rise is simply set."""
    def setRise(self, rise):
        if not self._code:
            self._rise = rise
            self._y -= rise
            self._code.append(f"{fp_str(rise)} Ts")
            return
        set_rise(self, rise)
    setRise.patched = True
    return setRise


if not getattr(PDFTextObject.setRise, "patched", False):
    PDFTextObject.setRise = _rise_at_line_start(PDFTextObject.setRise)


def _register_urdu_fonts() -> None:
    """Noto Nastaliq Urdu as the fonts "Urdu" and "Urdu-Bold", once; a clear error when it is not installed."""
    if "Urdu" in pdfmetrics.getRegisteredFontNames():
        return
    require_shaping()
    files = urdu_font_files()
    pdfmetrics.registerFont(TTFont("Urdu", str(files["regular"])))
    pdfmetrics.registerFont(TTFont("Urdu-Bold", str(files["bold"])))
    # Latin words among Urdu ones: a TrueType face too (DejaVu Sans, which matplotlib's wheel carries), so that
    # reportlab can shape every word of an Urdu paragraph.
    pdfmetrics.registerFont(TTFont("UrduLatin", str(LATIN_FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("UrduLatin-Bold", str(LATIN_FONTS / "DejaVuSans-Bold.ttf")))


def _urdu_style(style: ParagraphStyle) -> ParagraphStyle:
    """The style for Urdu text: Nastaliq (bold where the style is), shaped, from the right, with room above."""
    if style.name not in _urdu_styles:
        bold = style.fontName.endswith("Bold")
        _urdu_styles[style.name] = ParagraphStyle(
            f"{style.name} urdu", style, fontName="Urdu-Bold" if bold else "Urdu",
            leading=max(style.leading, style.fontSize * NASTALIQ_LEADING), shaping=1,
            alignment=style.alignment if style.alignment == TA_CENTER else TA_RIGHT)
    return _urdu_styles[style.name]


def _urdu_markup(text: str, style: ParagraphStyle) -> str:
    """Urdu text as reportlab markup: escaped, and its Latin runs in DejaVu Sans (Nastaliq has no Latin letters)."""
    latin = "UrduLatin-Bold" if style.fontName.endswith("Bold") else "UrduLatin"
    return LATIN_RUN.sub(lambda run: f'<font name="{latin}">{run.group(0)}</font>',
                         escape(SCRIPT_CHANGE.sub(" ", text)))


def write_pdf(document: Document) -> bytes:
    """The report as the bytes of a PDF file."""
    buffer = io.BytesIO()
    right_to_left = document.language in RIGHT_TO_LEFT_LANGUAGES
    if right_to_left:
        _register_urdu_fonts()
    token = _right_to_left.set(right_to_left)
    try:
        template = _ReportTemplate(buffer, document)
        # A second pass numbers the contents.
        template.multiBuild(_story(document, template.width, template.height))
    finally:
        _right_to_left.reset(token)
    return buffer.getvalue()


class _ReportTemplate(platypus.BaseDocTemplate):
    """A4 pages with the page number at the foot (not on the cover); headings become bookmarks, chapters entries
    of the contents."""

    def __init__(self, buffer: io.BytesIO, document: Document):
        super().__init__(
            buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
            title=document.title, author=AUTHOR, subject=document.subtitle, creator=CREATOR,
            lang=document.language,
            # No clock in the file (nor in its ID): the same report gives the same bytes; a date only if given.
            invariant=True,
        )
        self.created = document.created
        frame = platypus.Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="text")
        self.addPageTemplates([platypus.PageTemplate("page", [frame], onPageEnd=_footer)])
        self._open_levels: list[int] = []  # the levels of the sections the next heading may sit under

    def beforeDocument(self) -> None:
        """At the start of each pass of multiBuild, on its new canvas."""
        self._open_levels = []
        self.canv.showOutline()  # readers open with the bookmarks shown
        if self.created is not None:
            stamp = self.created.strftime("D:%Y%m%d%H%M%S") + _offset(self.created)
            self.canv.setDateFormatter(lambda *_parts: stamp)

    def afterFlowable(self, flowable) -> None:
        heading = getattr(flowable, "heading", None)
        if heading is None:
            return
        level, title, key = heading
        # An outline goes down one step at a time: a level 3 straight under a chapter sits one step below it,
        # beside the level 2s and 3s that follow, as deep as the sections it is inside.
        while self._open_levels and self._open_levels[-1] >= level:
            self._open_levels.pop()
        depth = len(self._open_levels)
        self._open_levels.append(level)
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(title, key, level=depth, closed=level > 1)
        if level == 1:
            urdu = _right_to_left.get() and ARABIC_SCRIPT.search(title)
            self.notify("TOCEntry", (0, _urdu_markup(title, TOC_STYLE) if urdu else escape(title), self.page, key))


def _offset(moment) -> str:
    """The time zone of a PDF date, as +05'00' (Pakistan); a time without a zone counts as UTC, as in Word."""
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _footer(canvas, template) -> None:
    if template.page == 1:
        return  # the cover
    canvas.saveState()
    canvas.setFont("Helvetica", 9)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(template.pagesize[0] / 2, MARGIN / 2, str(template.page))
    canvas.restoreState()


def _text(text: str, style: str | ParagraphStyle, paragraph=platypus.Paragraph) -> platypus.Paragraph:
    """Plain text as a paragraph: reportlab reads its own markup in paragraphs, so <, > and & are escaped. In an
    Urdu report, Urdu text is set in Nastaliq, shaped, from the right (an English report keeps Helvetica)."""
    style = STYLES[style] if isinstance(style, str) else style
    if _right_to_left.get() and ARABIC_SCRIPT.search(text):
        return paragraph(_urdu_markup(text, style), _urdu_style(style))
    return paragraph(escape(text), style)


class UrduContents(TableOfContents):
    """The contents of an Urdu report: each chapter's title from the right, its page number (a link) on the left.

    reportlab's own list ends each title with a drawing mark in the same word, which its shaping of Urdu words
    cannot take; here the number is a cell of its own.
    """

    def wrap(self, availWidth, availHeight):
        urdu, english = self.getLevelStyle(0), ParagraphStyle("toc right", TOC_STYLE, alignment=TA_RIGHT)
        rows = [[platypus.Paragraph(f'<a href="#{key}">{page}</a>' if key else str(page), TOC_STYLE),
                 platypus.Paragraph(text, urdu if ARABIC_SCRIPT.search(text) else english)]
                for _level, text, page, key in self._lastEntries]
        self._table = platypus.Table(rows or [["", ""]], colWidths=(1.5 * cm, availWidth - 1.5 * cm),
                                     style=self.tableStyle)
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height


def _story(document: Document, width: float, height: float) -> list:
    story = [_text(document.title, "title"), _text(document.subtitle, "subtitle")]
    story += [_text(line, "cover") for line in document.cover_lines]
    if document.contents:  # without chapters, reportlab would print its placeholder text
        urdu = _right_to_left.get() and any(ARABIC_SCRIPT.search(title) for title in document.contents)
        contents = (UrduContents(levelStyles=[_urdu_style(TOC_STYLE)]) if urdu
                    else TableOfContents(levelStyles=[TOC_STYLE], dotsMinLevel=0, rightColumnWidth=1.5 * cm))
        story += [platypus.PageBreak(), _text(_("Contents"), "contents"), contents]
    for index, section in enumerate(document.sections):
        if section.level == 1 or index == 0:  # chapters, and whatever comes first, start a page
            story.append(platypus.PageBreak())
        heading = _text(section.title, STYLES[min(max(section.level, 1), 3)])
        heading.heading = (section.level, section.title, f"section-{index}")
        story.append(heading)
        for block in section.blocks:
            story += _block(block, width, height)
    return story


def _block(block, width: float, height: float) -> list:
    if isinstance(block, Paragraph):
        return [_text(block.text, block.style)]
    if isinstance(block, Bullets):
        if not block.items:
            return []
        items = [platypus.ListItem(_text(item, "body"), leftIndent=14) for item in block.items]
        return [platypus.ListFlowable(items, bulletType="bullet", start="•", leftIndent=14, bulletFontSize=9),
                platypus.Spacer(0, 4)]
    if isinstance(block, Table):
        return _table(block, width)
    if isinstance(block, BarChart):
        return [_chart(block, width, height)]
    raise TypeError(f"no PDF layout for {type(block).__name__}")


def _table(table: Table, width: float) -> list:
    """Cells as paragraphs where they wrap, figures on the right, the header row again on every page.

    A long table is laid out in pieces of ROWS_PER_PIECE rows, each with its header: reportlab measures every
    row left over each time a table splits across a page, so one table of 10,000 rows took minutes; in pieces
    it takes seconds, and the header still heads every page (and, where a piece begins, part of one)."""
    if _right_to_left.get():  # the first column on the right, as the page reads
        table = Table(table.columns[::-1], [row[::-1] for row in table.rows], table.caption,
                      table.widths[::-1] if table.widths else None)
    numeric = table.numeric_columns
    header = [_text(name, "header right" if numeric[index] else "header") for index, name in enumerate(table.columns)]
    shares = table.widths or [1] * len(table.columns)
    widths = [width * share / sum(shares) for share in shares]
    style = platypus.TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, BAND]),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        # Cells short enough for one line are plain strings (see _cell), set in the cell paragraphs' type.
        ("FONT", (0, 1), (-1, -1), STYLES["cell"].fontName, STYLES["cell"].fontSize, STYLES["cell"].leading),
        *(("ALIGN", (column, 1), (column, -1), "RIGHT") for column, right in enumerate(numeric) if right),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])
    rows = [[_cell(value, column_width) for value, column_width in zip(row, widths, strict=True)]
            for row in table.rows]
    pieces = []
    for first in range(0, max(len(rows), 1), ROWS_PER_PIECE):
        # A row may split across pages only where at least four lines stay on each side: a row taller than a
        # page (long evidence) would otherwise stop the whole report, and short rows stay whole.
        grid = platypus.Table([header, *rows[first:first + ROWS_PER_PIECE]], colWidths=widths, repeatRows=1,
                              splitInRow=4 * STYLES["cell"].leading, hAlign="LEFT")
        grid.setStyle(style)
        pieces.append(grid)
    caption = [_text(table.caption, "table caption")] if table.caption else []
    return [*caption, *pieces, platypus.Spacer(0, 8)]


ROWS_PER_PIECE = 60
CELL_PADDING = 6  # reportlab's default left and right padding of a table cell


class CellParagraph(platypus.Paragraph):
    """A table cell's paragraph, broken into lines once per width: reportlab measures the rows left over each
    time a long table splits across a page, which broke every cell's lines again and again (a table of
    10,000 rows took minutes)."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth, availHeight):
        if self._wrapped is None or self._wrapped[0] != availWidth:
            self._wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self._wrapped[1]


def _cell(value, column_width: float):
    """A table cell: a paragraph where the text may wrap; a plain string where it fits on one line, which
    reportlab lays out many times faster (the annex of a national plan has tens of thousands of cells)."""
    text = cell_text(value)
    style = STYLES["cell right" if is_number(value) else "cell"]
    if _right_to_left.get() and ARABIC_SCRIPT.search(text):  # Helvetica has no Urdu letters: shaped Nastaliq
        return _text(text, style, CellParagraph)
    fits = "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= column_width - 2 * CELL_PADDING
    return text if fits else CellParagraph(escape(text), style)


def _chart(chart: BarChart, width: float, height: float) -> platypus.KeepTogether:
    """The chart's picture across the text (smaller if it would not fit a page), its title as the caption."""
    png = chart_png(chart, width_px=PRINT_WIDTH_PX, dpi=PRINT_DPI, title=False)
    pixels_wide, pixels_high = ImageReader(io.BytesIO(png)).getSize()
    scale = min(width / pixels_wide, height * 0.85 / pixels_high)
    picture = platypus.Image(io.BytesIO(png), width=pixels_wide * scale, height=pixels_high * scale)
    return platypus.KeepTogether([picture, _text(chart.title, "caption")])
