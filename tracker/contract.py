"""The CSV contract: the columns of an item row, how a row is built and how its cells are kept inert.

The exports write it, the plan import reads it back, and the API's item shape extends it; they all
take it from here, so a column added here is added everywhere at once.
"""
from __future__ import annotations

from datetime import date, datetime

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
    return {key: iso(value) if isinstance(value, (date, datetime)) else value
            for key, value in typed_item_row(item).items()}


def typed_item_row(item: ActionItem) -> dict[str, object]:
    """One item as the contract's columns, dates kept as dates (for spreadsheets)."""
    lead = item.lead
    pending = max(item.pending_reports, key=lambda report: report.submitted_at, default=None)
    source = item.framework.source_document
    if item.locator:
        source = f"{source}: {item.locator}" if source else item.locator
    return {
        "ref": item.ref,
        "framework": item.framework.name,
        "pillar": item.pillar.code,
        "section": item.section,
        "title": item.title,
        "text": item.text,
        "lead_agency": lead.agency.name if lead else "",
        "supporting_agencies": f"{AGENCY_SEPARATOR} ".join(a.agency.name for a in item.supporting),
        "province": item.province.name if item.province else "",
        "status": item.status.value,
        "progress": item.progress,
        "due_date": item.due_date,
        "priority": item.priority.value if item.priority else "",
        "last_update": item.last_update_at.date() if item.last_update_at else None,
        "source": source,
        "response": item.response.value if item.response else None,
        "cycle": item.cycle,
        "verified_at": item.verified_at,
        "pending_status": pending.status.value if pending else None,
        "pending_progress": pending.progress if pending else None,
    }
