"""Evidence files checked by content: a CSV must be a table of text, a Word or Excel file a sane archive."""
import functools
import io
import random
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from test_progress import ITEM, form_data, post_update, user_updates
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import Evidence
from tracker.progress import uploads
from tracker.progress.uploads import check_upload

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Minutes of the provincial task force.</w:t></w:r></w:p></w:body></w:document>"
)


def zipped(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def minimal_docx() -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES_XML, "_rels/.rels": RELS_XML,
                   "word/document.xml": DOCUMENT_XML})


def openpyxl_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["district", "rescued"])
    sheet.append(["Thatta", 40])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def zip_bomb(megabytes: int = 200) -> bytes:
    """An "Excel file" with the right parts whose one sheet inflates to `megabytes` of zeros.

    Written in 1 MB chunks at the fastest level: under a megabyte on the wire, a third of a second to build.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = bytes(1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return buffer.getvalue()


def cp1252_garbage() -> bytes:
    """Random bytes, every one of which Windows-1252 decodes (so a decode alone would call it text)."""
    undefined = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
    alphabet = bytes(b for b in range(1, 256) if b not in undefined)
    generator = random.Random(7)
    return bytes(generator.choice(alphabet) for _ in range(20_000))


def printable_garbage() -> bytes:
    """Random printable Windows-1252 characters broken into lines: text, but no table."""
    generator = random.Random(11)
    alphabet = bytes(range(0x20, 0x7F)) + bytes(range(0xA0, 0x100))
    lines = []
    for _ in range(200):
        line = bytearray(generator.choice(alphabet) for _ in range(generator.randint(10, 120)))
        for _ in range(generator.randint(0, 8)):
            line.insert(generator.randint(0, len(line)), ord(","))
        lines.append(bytes(line).replace(b'"', b"'"))
    return b"\n".join(lines)


def evidence_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Evidence))


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return list(folder.iterdir()) if folder.exists() else []


def post_file(client, name: str, content: bytes):
    data = form_data(client)
    data["files"] = [(io.BytesIO(content), name)]
    return post_update(client, data)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("figures.csv", b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n",
         "“figures.csv” is not a CSV file (it holds HTML)"),
        ("figures.csv", b"\xef\xbb\xbf\r\n  <HTML><script>fetch('/x')</script>", "(it holds HTML)"),
        ("figures.csv", b"<script>alert(1)</script>,a\n1,2\n", "(it holds HTML)"),
        ("figures.csv", b'<?xml version="1.0"?>\n<rows><row>1</row></rows>\n', "(it holds XML)"),
        ("figures.csv", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "(it holds SVG)"),
        ("figures.csv", cp1252_garbage(), "“figures.csv” is not a CSV file (it is not text)"),
        ("figures.csv", printable_garbage(), "is not a CSV file (its lines are not rows of a table)"),
        ("minutes.docx", zipped({"[Content_Types].xml": CONTENT_TYPES_XML, "notes.txt": "no document"}),
         "“minutes.docx” is not a Word file (it lacks the parts every such document has)"),
        ("minutes.docx", zipped({"word/document.xml": DOCUMENT_XML}), "is not a Word file"),
        ("figures.xlsx", minimal_docx(), "does not contain what its name says (XLSX)"),
        ("figures.xlsx", zip_bomb(), "“figures.xlsx” is not an Excel file (it is compressed far beyond"),
        ("figures.xlsx", b"PK\x03\x04" + b"\x00" * 200, "is not an Excel file (it is not a valid archive)"),
    ],
    ids=["html", "html-after-bom", "script-row", "xml", "svg", "cp1252-garbage", "ragged-text",
         "zip-without-office-parts", "zip-without-content-types", "docx-named-xlsx", "zip-bomb", "broken-zip"],
)
def test_content_that_is_not_what_its_name_says_is_refused_and_nothing_stored(as_role, app, name, content,
                                                                              message):
    client = as_role("coordinator")
    before = evidence_count()
    started = time.perf_counter()
    response = post_file(client, name, content)
    elapsed = time.perf_counter() - started
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert message in html
    assert user_updates() == [] and evidence_count() == before and stored_files(app) == []
    assert elapsed < 5  # the bomb is refused from its central directory, never inflated


@pytest.mark.parametrize(
    "name, content",
    [
        ("figures.csv", b"district,rescued\r\nThatta,40\r\nBadin,12\r\n"),
        ("figures.csv", "\ufeffdistrict;rescued\nKarachi;7\n".encode()),  # Excel's UTF-8 with a BOM
        ("figures.csv", "Province report\ndistrict\trescued\tnote\nQuetta\t3\t\"said \"\"soon\"\"\"\n"
                        "Zhob\t1\tcaf\u00e9\n".encode("cp1252")),
        ("figures.csv", b"names\nAyesha\nBilal\n"),  # one column
        ("figures.csv", b"<5 years,5-17 years\n3,9\n"),  # a "<" that is no tag
        ("minutes.docx", minimal_docx()),
        ("figures.xlsx", openpyxl_xlsx()),
    ],
    ids=["csv", "csv-bom-semicolon", "csv-cp1252-tabs-title", "csv-one-column", "csv-less-than", "docx", "xlsx"],
)
def test_real_documents_are_accepted_and_stored(as_role, app, name, content):
    client = as_role("agency", "NADRA")
    response = post_file(client, name, content)
    assert response.status_code == 302, response.get_data(as_text=True)
    (update,) = user_updates()
    (evidence,) = update.evidence
    assert evidence.original_name == name and evidence.size == len(content)
    assert (Path(app.config["UPLOAD_DIR"]) / evidence.stored_name).read_bytes() == content
    assert client.get(f"/evidence/{evidence.id}/download").data == content


def test_one_refused_file_stores_none_of_the_others(as_role, app):
    client = as_role("coordinator")
    data = form_data(client)
    data["files"] = [(io.BytesIO(minimal_docx()), "minutes.docx"), (io.BytesIO(b"<html></html>"), "x.csv")]
    response = post_update(client, data)
    assert response.status_code == 422 and "“x.csv” is not a CSV file (it holds HTML)" in response.get_data(
        as_text=True)
    assert user_updates() == [] and stored_files(app) == []
    assert client.get(f"/items/{ITEM}").status_code == 200


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(Invalid) as refused:
        check_upload(io.BytesIO(content), name, 10 * 1024 * 1024)
    (problem,) = refused.value.problems
    assert problem.field == "files"
    return problem.message


def test_the_bomb_is_judged_by_its_central_directory_alone(monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("an archive member was opened")

    bomb, docx = zip_bomb(), minimal_docx()
    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_reading)
    started = time.perf_counter()
    assert "compressed far beyond any real document" in refusal("figures.xlsx", bomb)
    assert time.perf_counter() - started < 0.5
    check_upload(io.BytesIO(docx), "minutes.docx", 10 * 1024 * 1024)


def test_archive_limits(monkeypatch):
    office = {"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": DOCUMENT_XML}
    assert "outside the document" in refusal("a.docx", zipped({**office, "../../evil.sh": "x"}))
    assert "outside the document" in refusal("a.docx", zipped({**office, "/etc/cron.d/x": "x"}))
    assert "outside the document" in refusal("a.docx", zipped({**office, "word\\..\\..\\x": "x"}))
    monkeypatch.setattr(uploads, "OOXML_MAX_ENTRIES", 3)
    assert "more than 3 parts" in refusal("a.docx", zipped({**office, "a": "1", "b": "2"}))
    monkeypatch.setattr(uploads, "OOXML_MAX_UNCOMPRESSED", 1024)
    assert "would unpack to more than" in refusal("a.docx", zipped({**office, "word/media/a.bin": bytes(2000)}))


def test_a_sheet_of_ordinary_compressibility_passes_the_ratio_check():
    # 3 MB of XML-like rows compresses well, but nowhere near 100:1.
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n * 7919 % 100003}</v></c></row>' for n in range(60_000))
    content = zipped({"[Content_Types].xml": CONTENT_TYPES_XML, "xl/workbook.xml": "<workbook/>",
                      "xl/worksheets/sheet1.xml": f"<sheetData>{rows}</sheetData>"})
    assert check_upload(io.BytesIO(content), "big.xlsx", 10 * 1024 * 1024).extension == "xlsx"
