"""Evidence files: checked by name and by content, stored under generated names."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

from ..errors import Invalid

# Extension -> the content types (as `filetype` detects them) a file so named may hold.
ALLOWED = {
    "pdf": {"pdf"},
    "doc": {"doc", "xls"},  # both are OLE compound files; the detector cannot always tell them apart
    "docx": {"docx"},
    "xls": {"xls", "doc"},
    "xlsx": {"xlsx"},
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
ALLOWED_DESCRIPTION = "PDF, Word, Excel, CSV, JPEG or PNG"


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
    return name.strip()[:255] or "file"


def _looks_like_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


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
        raise _refused(f"“{name}” is not a {ALLOWED_DESCRIPTION} file.")
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refused(f"“{name}” is larger than {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise _refused(f"“{name}” is empty.")
    kind = filetype.guess(data)
    detected = kind.extension if kind else None
    if detected not in ALLOWED[extension] or (extension == "csv" and not _looks_like_text(data)):
        raise _refused(f"“{name}” does not contain what its name says ({extension.upper()}).")
    return CheckedFile(
        original_name=name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def store(checked: CheckedFile, upload_dir: str) -> str:
    """Write the file under a fresh random name; return that name."""
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    with open(folder / stored_name, "xb") as handle:
        handle.write(checked.data)
    return stored_name


def discard(stored_names: list[str], upload_dir: str) -> None:
    """Remove files written for a save that then failed."""
    for stored_name in stored_names:
        try:
            (Path(upload_dir) / stored_name).unlink()
        except FileNotFoundError:
            pass
