"""Evidence files: checked by name and by content, stored under generated names."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass

import filetype
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import limits
from ..errors import Invalid
from ..storage import evidence_storage

# Extension -> the content types (as `filetype` detects them) a file so named may hold.
ALLOWED = {
    "pdf": {"pdf"},
    "doc": {"doc", "xls"},  # both are OLE compound files; the detector cannot always tell them apart
    # Office Open XML files are zip archives: the detector only peeks at the first entries, so a plain
    # "zip" is let through to the archive check below, which decides.
    "docx": {"docx", "zip"},
    "xls": {"xls", "doc"},
    "xlsx": {"xlsx", "zip"},
    "csv": {None},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED)
ALLOWED_DESCRIPTION = _l("PDF, Word, Excel, CSV, JPEG or PNG")


@dataclass
class CheckedFile:
    original_name: str
    extension: str
    content_type: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def display_name(raw: str) -> str:
    """The name as the user knows it, without any path and without control characters."""
    name = os.path.basename((raw or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return limits.shortened(name.strip(), 255) or "file"


# Markup at the start of a "CSV" file: a browser or spreadsheet that sniffs content would treat it as a page.
_MARKUP = re.compile(
    r"<(?:(?P<xml>\?xml)|(?P<svg>svg)|!doctype|!--|/?(?:html|head|body|script|iframe|frame|frameset|object|embed|"
    r"meta|link|style|base|form|img|a|div|span|p|table|title|template|math|xsl|xml)\b)",
    re.IGNORECASE,
)
# Control characters no text file holds (tab, line and page breaks, and the vertical tab some tools put
# for a line break inside a cell, are text).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The dialect is guessed from the start of the file only: the sniffer takes time growing with the square
# of what it reads on some inputs.
CSV_SNIFF_CHARS = 4096
CSV_DELIMITERS = ",;\t|"

# An Office Open XML file is a zip archive; these bound what its central directory may announce.
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
OOXML_MAX_ENTRIES = 10_000
OOXML_MAX_UNCOMPRESSED = 100 * 1024 * 1024
OOXML_MAX_RATIO = 100  # refused above this for a member larger than OOXML_RATIO_FROM
OOXML_RATIO_FROM = 1024 * 1024


def _decode_text(data: bytes) -> str | None:
    """The file as text (UTF-8 with or without a BOM, else Windows-1252), or None if it is not text."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # A DOS end-of-file mark may close an old export; other control characters mean binary content.
        return None if _CONTROL.search(text.rstrip("\x1a")) else text
    return None


def _markup_kind(text: str) -> str | None:
    match = _MARKUP.match(text.lstrip("\ufeff \t\r\n\f"))
    if not match:
        return None
    return "XML" if match.group("xml") else "SVG" if match.group("svg") else "HTML"


def _csv_rows_consistent(text: str, dialect) -> bool:
    """Whether the text parses with this dialect into at least one row, most of one width."""
    try:
        widths = Counter(len(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)
                         if any(cell.strip() for cell in row))
    except csv.Error:
        return False
    rows = sum(widths.values())
    # A title line above the header or a total line below it is common; a file of ragged lines is not a table.
    return rows > 0 and widths.most_common(1)[0][1] * 2 >= rows


def _csv_problem(data: bytes) -> str | None:
    """Why this is not a CSV file, or None if it is one."""
    text = _decode_text(data)
    if text is None:
        return _("it is not text")
    kind = _markup_kind(text)
    if kind:
        return _("it holds %(kind)s", kind=kind)
    dialects = [csv.excel]
    try:
        sample = text[:CSV_SNIFF_CHARS]
        if len(text) > CSV_SNIFF_CHARS and "\n" in sample:
            sample = sample[: sample.rindex("\n")]  # whole lines only
        dialects.insert(0, csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS))
    except csv.Error:
        pass  # one column, or too little to tell: the default dialect
    if not any(_csv_rows_consistent(text, dialect) for dialect in dialects):
        return _("its lines are not rows of a table")
    return None


def _ooxml_problem(data: bytes, extension: str) -> str | None:
    """Why this is not a Word or Excel file of the kind its name says, or None.

    Only the archive's central directory is read: nothing is unpacked, to disk or to memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError):
        return _("it is not a valid archive")
    if len(entries) > OOXML_MAX_ENTRIES:
        return _("it holds more than %(count)s parts", count=f"{OOXML_MAX_ENTRIES:,}")
    names = set()
    total = 0
    for entry in entries:
        name = entry.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
            return _("it holds a part outside the document")
        names.add(name)
        total += entry.file_size
        if entry.file_size > OOXML_RATIO_FROM and entry.file_size > OOXML_MAX_RATIO * entry.compress_size:
            return _("it is compressed far beyond any real document")
    if total > OOXML_MAX_UNCOMPRESSED:
        return _("it would unpack to more than %(size)s MB", size=OOXML_MAX_UNCOMPRESSED // (1024 * 1024))
    if "[Content_Types].xml" not in names or OOXML_MAIN_PART[extension] not in names:
        return _("it lacks the parts every such document has")
    return None


def _refused(message: str) -> Invalid:
    return Invalid({"files": message})


def check_upload(stream, raw_name: str, max_bytes: int) -> CheckedFile:
    """Read an uploaded file and check its size, its extension and that its content matches.

    A file that may not be stored raises Invalid naming it, as a problem of the `files` field.
    """
    name = display_name(raw_name)
    match = re.search(r"\.([A-Za-z0-9]+)$", name)
    extension = match.group(1).lower() if match else ""
    if extension not in ALLOWED:
        raise _refused(_("“%(name)s” is not a %(kinds)s file.", name=name, kinds=ALLOWED_DESCRIPTION))
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refused(_("“%(name)s” is larger than %(size)s MB.", name=name, size=max_bytes // (1024 * 1024)))
    if not data:
        raise _refused(_("“%(name)s” is empty.", name=name))
    kind = filetype.guess(data)
    detected = kind.extension if kind else None
    if detected not in ALLOWED[extension] or (extension == "csv" and b"\x00" in data):
        raise _refused(_("“%(name)s” does not contain what its name says (%(kind)s).", name=name,
                         kind=extension.upper()))
    if extension == "csv" and (problem := _csv_problem(data)):
        raise _refused(_("“%(name)s” is not a CSV file (%(problem)s).", name=name, problem=problem))
    if extension in OOXML_MAIN_PART and (problem := _ooxml_problem(data, extension)):
        if extension == "docx":
            raise _refused(_("“%(name)s” is not a Word file (%(problem)s).", name=name, problem=problem))
        raise _refused(_("“%(name)s” is not an Excel file (%(problem)s).", name=name, problem=problem))
    return CheckedFile(
        original_name=name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def upload_limits(max_bytes: int) -> dict:
    """What a file field's template shows: the types accepted, in words and for the browser, and the size."""
    return {"accept": ACCEPT_ATTRIBUTE, "allowed": ALLOWED_DESCRIPTION, "max_mb": max_bytes // (1024 * 1024)}


def store(checked: CheckedFile) -> str:
    """Keep the file under a fresh random name in the evidence storage; return that name."""
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    evidence_storage().put(stored_name, checked.data)
    return stored_name


def discard(stored_names: list[str]) -> None:
    """Remove files kept for a save that then failed."""
    storage = evidence_storage()
    for stored_name in stored_names:
        storage.delete(stored_name)
