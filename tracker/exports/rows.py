"""The exports' items as contract rows, read as they are written: the item's columns from one lean query whose
rows arrive a batch at a time (a server-side cursor on PostgreSQL), each batch's agencies and pending reports from
one keyed query each. No ORM object is built, and the memory held is one batch's, however many items there are."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from ..contract import ItemRecord, contract_row
from ..extensions import db
from ..items.services import ItemFilters, filtered_in_order
from ..models import ActionItem, Agency, Framework, ItemAgency, Pillar, Province, Report

# Items read, and rows written, at a time: big enough that the keyed queries are few (two per batch), small
# enough that a batch's tuples are a few hundred kilobytes.
BATCH = 1000

RECORD_COLUMNS = (
    ActionItem.ref, Framework.name.label("framework"), Framework.source_document, ActionItem.locator,
    Pillar.code.label("pillar"), ActionItem.section, ActionItem.title, ActionItem.text,
    Province.name.label("province"), ActionItem.status, ActionItem.progress, ActionItem.due_date,
    ActionItem.priority, ActionItem.last_update_at, ActionItem.response, ActionItem.cycle, ActionItem.verified_at,
)
assert tuple(column.key for column in RECORD_COLUMNS) == ItemRecord._fields


class ExportRow(NamedTuple):
    """An item as the exports write it: its contract row (dates kept as dates), and which sheets it goes to."""

    pillar_id: int
    overdue: bool
    row: dict[str, object]


def contract_rows(filters: ItemFilters, today: date | None = None) -> Iterator[ExportRow]:
    """Each filtered item, in the list's order, as its contract row with its pillar and whether it is overdue."""
    for batch in contract_row_batches(filters, today):
        yield from batch


def contract_row_batches(filters: ItemFilters, today: date | None = None) -> Iterator[list[ExportRow]]:
    """The same, a batch (BATCH items) at a time, each read when the one before has been used."""
    today = today or date.today()
    query = filtered_in_order(
        sa.select(ActionItem.id, ActionItem.pillar_id, ActionItem.is_overdue(today).label("overdue"),
                  *RECORD_COLUMNS)
        .select_from(ActionItem)
        .join(Framework, Framework.id == ActionItem.framework_id)
        .join(Pillar, Pillar.id == ActionItem.pillar_id)
        .outerjoin(Province, Province.id == ActionItem.province_id),
        filters, today,
    ).execution_options(yield_per=BATCH)  # stream_results: PostgreSQL sends the rows as they are read
    for batch in db.session.execute(query).partitions():
        ids = [row.id for row in batch]
        agencies, pending = _agencies(ids), _pending_reports(ids)
        yield [ExportRow(row.pillar_id, bool(row.overdue),
                         contract_row(ItemRecord(*row[3:]), agencies.get(row.id, ()), pending.get(row.id, ())))
               for row in batch]


def _agencies(item_ids: list[int]) -> dict[int, list[tuple]]:
    """The items' agencies, role and name, in the order they were assigned (as ActionItem.assignments)."""
    found = defaultdict(list)
    rows = db.session.execute(
        sa.select(ItemAgency.item_id, ItemAgency.role, Agency.name)
        .join(Agency, Agency.id == ItemAgency.agency_id)
        .where(ItemAgency.item_id.in_(item_ids))
        .order_by(ItemAgency.id)
    )
    for item_id, role, name in rows:
        found[item_id].append((role, name))
    return found


def _pending_reports(item_ids: list[int]) -> dict[int, list[sa.Row]]:
    """The items' reports awaiting a decision, oldest first (as ActionItem.pending_reports)."""
    found = defaultdict(list)
    rows = db.session.execute(
        sa.select(Report.item_id, Report.status, Report.progress, Report.submitted_at)
        .where(Report.item_id.in_(item_ids), Report.is_pending)
        .order_by(Report.id)
    )
    for row in rows:
        found[row.item_id].append(row)
    return found
