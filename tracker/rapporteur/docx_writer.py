"""The Rapporteur's report as a Word file (python-docx), laid out from the same Document as the PDF.

Word's own styles throughout — Title, Heading 1–3, List Bullet, Quote, Caption, a built-in table style — so that
the navigation pane, a page-numbered table of contents and restyling in Word all work on the file as given.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC

from docx import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from flask_babel import gettext as _
from PIL import Image

from .charts import PRINT_DPI, PRINT_WIDTH_PX, chart_png
from .document import BarChart, Bullets, Document, Paragraph, Table, cell_text, is_number

AUTHOR = "National Rapporteur"
RIGHT_TO_LEFT = {"ur": "ur-PK"}  # the languages written right to left, with the tag Word's proofing knows them by
# Urdu's type in Word: the Nastaliq face where it is installed (Word substitutes its own Urdu face elsewhere).
URDU_FONT = "Noto Nastaliq Urdu"
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# What follows w:bidi in a paragraph's properties (CT_PPr, ECMA-376 part 1, 17.3.1.26): it goes before these.
AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
# What follows w:lang in a run's properties (CT_RPr): it goes before these.
AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2.5)  # A4, as printed in Pakistan's offices
TEXT_WIDTH, TEXT_HEIGHT = PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN
TABLE_STYLE = "Light Grid Accent 1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry: the same bytes for the same report
# What follows w:updateFields in the settings' schema (CT_Settings, ECMA-376 part 1, 17.15.1.78), in order.
AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
    "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)


def write_docx(document: Document) -> bytes:
    """The report as the bytes of a .docx file."""
    word = WordDocument()
    _set_up_page(word)
    _set_up_styles(word)
    _cover(word, document)
    _contents(word, document)
    styles = StyleCache(word)
    for index, section in enumerate(document.sections):
        heading = styles.paragraph(section.title, f"Heading {section.level}")
        if section.level == 1 or index == 0:  # chapters, and whatever comes first, start a page
            heading.paragraph_format.page_break_before = True
        for block in section.blocks:
            _block(word, block, styles)
    if document.language in RIGHT_TO_LEFT:
        _right_to_left(word, RIGHT_TO_LEFT[document.language])
    _core_properties(word, document)
    _ask_to_update_fields(word)
    _drop_thumbnail(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return _without_dates(buffer.getvalue())


def _set_up_page(word) -> None:
    """A4 with even margins; the page number in the footer of every page but the cover."""
    section = word.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")


def _set_up_styles(word) -> None:
    """The two styles Word lacks (a lead paragraph, a note), built on Normal; the quote set in from both sides."""
    styles = word.styles
    lead = styles.add_style("Lead", WD_STYLE_TYPE.PARAGRAPH)
    lead.base_style = styles["Normal"]
    lead.font.size = Pt(13)
    lead.paragraph_format.space_after = Pt(10)
    note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = styles["Normal"]
    note.font.size = Pt(8.5)
    note.font.color.rgb = RGBColor(0x59, 0x5F, 0x66)
    quote = styles["Quote"]
    quote.font.italic = True
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Cm(1)


def _cover(word, document: Document) -> None:
    title = word.add_paragraph(document.title, style="Title")
    title.paragraph_format.space_before = Cm(6)
    word.add_paragraph(document.subtitle, style="Subtitle")
    for line in document.cover_lines:
        word.add_paragraph(line)


def _contents(word, document: Document) -> None:
    """The chapters as a numbered list, then a TOC field: Word fills in page numbers when fields are updated,
    which it offers to do on opening (see _ask_to_update_fields); other readers show the list."""
    if not document.contents:
        return
    heading = word.add_paragraph(_("Contents"), style="TOC Heading")  # not in the navigation pane, nor in the TOC
    heading.paragraph_format.page_break_before = True
    for title in document.contents:
        word.add_paragraph(title, style="List Number")
    toc = word.add_paragraph()
    toc.paragraph_format.space_before = Pt(12)
    # \o "1-1": the chapters, as the list above and the PDF's contents; \h links; \z \u as Word writes its own.
    _field(toc, 'TOC \\o "1-1" \\h \\z \\u', _("Page numbers: update fields in Word (F9) to list them here."))


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, result, end): the form Word itself writes and updates."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


class StyleCache(dict):
    """Word's styles by name, each looked up once, and paragraphs added at the body's end in constant time.

    python-docx searches every style of the document at each lookup by name, again to set a paragraph's style,
    and looks through the whole body for where it ends to add one: a report of thousands of items spent nine
    tenths of its Word time there.
    """

    def __init__(self, word):
        super().__init__()
        self.word = word
        self.end = word.element.body.sectPr  # the body's last element: paragraphs go just before it

    def __missing__(self, name: str):
        self[name] = style = self.word.styles[name]
        return style

    def paragraph(self, text: str, style: str) -> DocxParagraph:
        element = OxmlElement("w:p")
        self.end.addprevious(element)
        # The style's id written straight in: python-docx's own setter looks for the default style among them all.
        element.style = self[style].style_id
        paragraph = DocxParagraph(element, self.word._body)
        if text:
            paragraph.add_run(text)
        return paragraph


def _block(word, block, styles: StyleCache) -> None:
    if isinstance(block, Paragraph):
        style = {"body": "Normal", "lead": "Lead", "note": "Note", "quote": "Quote"}[block.style]
        styles.paragraph(block.text, style)
    elif isinstance(block, Bullets):
        for item in block.items:
            styles.paragraph(item, "List Bullet")
    elif isinstance(block, Table):
        _table(word, block, styles)
    elif isinstance(block, BarChart):
        _chart(word, block, styles)
    else:
        raise TypeError(f"no Word layout for {type(block).__name__}")


def _table(word, table: Table, styles: StyleCache) -> None:
    """A built-in table style; the header row repeated on every page; no row split across two; figures right."""
    if table.caption:
        caption = styles.paragraph(table.caption, "Caption")
        caption.paragraph_format.keep_with_next = True
    numeric = table.numeric_columns
    shares = table.widths or [1] * len(table.columns)
    widths = [int(TEXT_WIDTH * share / sum(shares)) for share in shares]
    grid = word.add_table(rows=len(table.rows) + 1, cols=len(table.columns))
    grid.style = styles[TABLE_STYLE]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    look = grid._tbl.tblPr.find(qn("w:tblLook"))
    if look is not None:  # the header row styled, but not the first column (a name, as plain as the rest)
        look.set(qn("w:firstColumn"), "0")
        look.set(qn("w:val"), "0420")  # the same as the older bit mask: first row, no vertical bands
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for index, row in enumerate(grid.rows):
        header = index == 0
        values = table.columns if header else table.rows[index - 1]
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if header:
            properties.append(OxmlElement("w:tblHeader"))  # after cantSplit, as the schema orders them
        for column, (cell, value, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.text = cell_text(value)
            if (numeric[column] if header else is_number(value)):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word.add_paragraph()  # a table followed straight by another block would touch it


def _chart(word, chart: BarChart, styles: StyleCache) -> None:
    """The chart's picture across the text width, its title as the caption beneath (not in the picture twice)."""
    png = chart_png(chart, width_px=PRINT_WIDTH_PX, dpi=PRINT_DPI, title=False)
    width, height = Image.open(io.BytesIO(png)).size
    if TEXT_WIDTH * height / width <= TEXT_HEIGHT * 0.85:
        word.add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    else:  # a tall chart (many agencies down the side) is made to fit the page with its caption
        word.add_picture(io.BytesIO(png), height=int(TEXT_HEIGHT * 0.85))
    picture = word.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    styles.paragraph(chart.title, "Caption")


def _right_to_left(word, tag: str) -> None:
    """An Urdu report as Word shapes and lays it out: every paragraph right to left (w:bidi), every table's
    columns from the right (w:bidiVisual), and each run of Urdu text marked right to left in Urdu (w:rtl,
    w:lang w:bidi) with the Nastaliq face for complex script. Runs in Latin letters (the plan's own English
    texts, refs, figures) stay left to right inside their paragraphs."""
    body = word.element.body
    for paragraph in [*body.iter(qn("w:p")), *word.sections[0].footer._element.iter(qn("w:p"))]:
        properties = paragraph.get_or_add_pPr()
        if properties.find(qn("w:bidi")) is None:
            properties.insert_element_before(OxmlElement("w:bidi"), *AFTER_BIDI)
        for run in paragraph.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            if not ARABIC_SCRIPT.search(text):
                continue
            run_properties = run.get_or_add_rPr()
            run_properties.get_or_add_rtl()
            fonts = run_properties.get_or_add_rFonts()
            fonts.set(qn("w:cs"), URDU_FONT)
            language = run_properties.find(qn("w:lang"))
            if language is None:
                language = OxmlElement("w:lang")
                run_properties.insert_element_before(language, *AFTER_LANG)
            language.set(qn("w:bidi"), tag)
    for table in body.iter(qn("w:tbl")):
        table.bidiVisual_val = True


def _core_properties(word, document: Document) -> None:
    """Title, author and subject for Word's Info pane and search; dated only when the document says when."""
    properties = word.core_properties
    properties.title = document.title
    properties.subject = document.subtitle
    properties.author = properties.last_modified_by = AUTHOR
    properties.language = document.language
    properties.comments = ""  # the template's "generated by python-docx"
    properties.revision = 1
    if document.created is not None:
        created = document.created if document.created.tzinfo else document.created.replace(tzinfo=UTC)
        properties.created = properties.modified = created
    else:  # the template's own 2013 dates would be wrong: none at all
        element = word.core_properties._element
        for name in ("dcterms:created", "dcterms:modified"):
            for child in element.findall(qn(name)):
                element.remove(child)


def _ask_to_update_fields(word) -> None:
    """<w:updateFields w:val="true"/> in the settings: Word offers to update the fields (the TOC's page numbers)
    on opening. Put in its place in the schema's order, ahead of the template's later settings."""
    settings = word.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    settings.insert_element_before(element, *AFTER_UPDATE_FIELDS)


def _drop_thumbnail(word) -> None:
    """The template's preview picture is of an empty page: better none (file browsers then draw their own)."""
    relationships = word.part.package.rels
    for key, relationship in list(relationships.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del relationships[key]


def _without_dates(package: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01 (python-docx stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
