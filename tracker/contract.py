"""The CSV contract: the columns of an item row, how a row is built and how its cells are kept inert.

The exports write it, the plan import reads it back, and the API's item shape extends it; they all
take it from here, so a column added here is added everywhere at once.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import chain
from typing import NamedTuple, Protocol

from flask import Response

from .enums import AssignmentRole, GovernmentResponse, Priority, Status
from .models import ActionItem

# Exactly these columns, in this order.
CSV_COLUMNS = (
    "ref",
    "framework",
    "pillar",
    "section",
    "title",
    "text",
    "lead_agency",
    "supporting_agencies",
    "province",
    "status",
    "progress",
    "due_date",
    "priority",
    "last_update",
    "source",
    # A recommendation's: the government's response (a code) and the year of its review cycle; empty for a plan's
    # item. Optional in an import: a file without them imports as before.
    "response",
    "cycle",
    # Beside the official values above: when they became official, and the latest report awaiting a
    # decision (empty if none). The import accepts these three and ignores them.
    "verified_at",
    "pending_status",
    "pending_progress",
)
REPORTED_COLUMNS = ("verified_at", "pending_status", "pending_progress")
IMPORTED_COLUMNS = tuple(column for column in CSV_COLUMNS if column not in REPORTED_COLUMNS)
OPTIONAL_COLUMNS = ("response", "cycle")
# What a plan file must have: the columns of the first contract.
REQUIRED_COLUMNS = tuple(column for column in IMPORTED_COLUMNS if column not in OPTIONAL_COLUMNS)
AGENCY_SEPARATOR = ";"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Excel opens a CSV as UTF-8 only when it begins with a byte-order mark; without one it reads the bytes in the
# computer's ANSI code page, and Urdu or accented names come out garbled. Every CSV the tracker writes begins
# with it; Python's csv with "utf-8-sig", pandas, LibreOffice and the tracker's own imports read it either way.
BOM = "\ufeff"


def with_bom(content: bytes) -> bytes:
    """A CSV file's UTF-8 bytes, beginning with the byte-order mark (once)."""
    return content if content.startswith(codecs.BOM_UTF8) else codecs.BOM_UTF8 + content


def with_bom_first(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A CSV file's UTF-8 bytes in chunks, the first beginning with the byte-order mark (once)."""
    chunks = iter(chunks)
    first = next(chunks, b"")
    yield with_bom(first)
    yield from chunks


def csv_response(content: str | bytes | Iterable[str], filename: str) -> Response:
    """Every CSV download: UTF-8 with a byte-order mark, as an attachment named `filename`. Text given whole or
    in chunks (a stream the caller wraps in stream_with_context)."""
    if isinstance(content, bytes):
        body = with_bom(content)
    elif isinstance(content, str):
        body = content if content.startswith(BOM) else BOM + content
    else:
        body = chain([BOM], content)
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_chunks(header: Iterable[str], batches: Iterable[Iterable[Iterable[object]]]) -> Iterator[str]:
    """CSV text (CRLF lines) a batch of rows at a time, as the batches come: the header, then each batch of rows,
    so that an export of any size is never held whole in memory. The header alone when there is no row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for rows in batches:
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def neutralise(value: str) -> str:
    """Make a text cell inert in a spreadsheet by prefixing a quote to a would-be formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def inert(row: dict[str, object]) -> dict[str, object]:
    """A row whose text cells a spreadsheet will never run as formulas."""
    return {key: neutralise(value) if isinstance(value, str) else value for key, value in row.items()}


def restore_cell(value: str) -> str:
    """A cell as it was before `neutralise` (the leading quote dropped), trimmed."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return value.strip()


def iso(value: date | datetime | None) -> str:
    """A date as ISO 8601 (a moment as its day), empty when unknown."""
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def item_row(item: ActionItem) -> dict[str, object]:
    """One item as the contract's columns (plain values, dates as ISO 8601)."""
    return plain_row(typed_item_row(item))


def plain_row(typed_row: dict[str, object]) -> dict[str, object]:
    """A contract row with its dates as ISO 8601, as the CSV and the API write them."""
    return {key: iso(value) if isinstance(value, (date, datetime)) else value for key, value in typed_row.items()}


def typed_item_row(item: ActionItem) -> dict[str, object]:
    """One item as the contract's columns, dates kept as dates (for spreadsheets)."""
    return contract_row(
        ItemRecord(
            ref=item.ref, framework=item.framework.name, source_document=item.framework.source_document,
            locator=item.locator, pillar=item.pillar.code, section=item.section, title=item.title, text=item.text,
            province=item.province.name if item.province else None, status=item.status, progress=item.progress,
            due_date=item.due_date, priority=item.priority, last_update_at=item.last_update_at,
            response=item.response, cycle=item.cycle, verified_at=item.verified_at,
        ),
        [(assignment.role, assignment.agency.name) for assignment in item.assignments],
        item.pending_reports,
    )


class ItemRecord(NamedTuple):
    """The item's own values a contract row is made of: an item's attributes, or a row of the exports' lean query
    (tracker/exports/rows.py) that selects these columns by these names."""

    ref: str
    framework: str
    source_document: str
    locator: str
    pillar: str
    section: str
    title: str
    text: str
    province: str | None
    status: Status
    progress: int
    due_date: date | None
    priority: Priority | None
    last_update_at: datetime | None
    response: GovernmentResponse | None
    cycle: int | None
    verified_at: datetime | None


class PendingReport(Protocol):
    """What a contract row reads of a report awaiting a decision: a Report, or a row of its columns."""

    submitted_at: datetime
    status: Status | None
    progress: int


def contract_row(record: ItemRecord, assignments: Iterable[tuple[AssignmentRole, str]],
                 pending_reports: Iterable[PendingReport]) -> dict[str, object]:
    """The contract's columns of an item, dates kept as dates: from its values, its agencies (role and name, in the
    order they were assigned) and its reports awaiting a decision (oldest first)."""
    lead = ""
    supporting = []
    for role, name in assignments:
        if role == AssignmentRole.LEAD:
            lead = lead or name
        elif role == AssignmentRole.SUPPORTING:
            supporting.append(name)
    # The latest report stands beside the official values (the first of those submitted at the same moment).
    pending = max(pending_reports, key=lambda report: report.submitted_at, default=None)
    source = record.source_document
    if record.locator:
        source = f"{source}: {record.locator}" if source else record.locator
    return {
        "ref": record.ref,
        "framework": record.framework,
        "pillar": record.pillar,
        "section": record.section,
        "title": record.title,
        "text": record.text,
        "lead_agency": lead,
        "supporting_agencies": f"{AGENCY_SEPARATOR} ".join(supporting),
        "province": record.province or "",
        "status": record.status.value,
        "progress": record.progress,
        "due_date": record.due_date,
        "priority": record.priority.value if record.priority else "",
        "last_update": record.last_update_at.date() if record.last_update_at else None,
        "source": source,
        "response": record.response.value if record.response else None,
        "cycle": record.cycle,
        "verified_at": record.verified_at,
        "pending_status": pending.status.value if pending else None,
        "pending_progress": pending.progress if pending else None,
    }
