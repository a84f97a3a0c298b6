"""The API's rules beyond what the items' services give: counting items."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..enums import Status
from ..extensions import db
from ..items.filters import ItemFilters
from ..items.services import filter_clauses
from ..models import ActionItem, Agency, ItemAgency, Pillar


def item_stats(filters: ItemFilters, today: date | None = None) -> dict:
    """Counts of the filtered items by pillar × status and by agency × status, in four queries.

    An item counts once for every agency responsible for it, lead or supporting.
    """
    today = today or date.today()
    where = filter_clauses(filters, today)
    total, overdue = db.session.execute(
        db.select(sa.func.count(), sa.func.count(sa.case((ActionItem.is_overdue(today), 1))))
        .select_from(ActionItem)
        .where(*where)
    ).one()
    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position)).all()
    by_pillar = {p.id: {"pillar": p.code, "name": p.name, "counts": Status.zero_counts(), "total": 0}
                 for p in pillars}
    for pillar_id, status, count in db.session.execute(
        db.select(ActionItem.pillar_id, ActionItem.status, sa.func.count())
        .where(*where)
        .group_by(ActionItem.pillar_id, ActionItem.status)
    ):
        by_pillar[pillar_id]["counts"][status.value] = count
        by_pillar[pillar_id]["total"] += count
    by_agency: dict[int, dict] = {}
    for agency_id, name, short_name, status, count in db.session.execute(
        db.select(Agency.id, Agency.name, Agency.short_name, ActionItem.status, sa.func.count())
        .join(ItemAgency, ItemAgency.item_id == ActionItem.id)
        .join(Agency, Agency.id == ItemAgency.agency_id)
        .where(*where)
        .group_by(Agency.id, Agency.name, Agency.short_name, ActionItem.status)
        .order_by(Agency.name)
    ):
        row = by_agency.setdefault(agency_id, {"id": agency_id, "name": name, "short_name": short_name,
                                               "counts": Status.zero_counts(), "total": 0})
        row["counts"][status.value] = count
        row["total"] += count
    return {
        "statuses": Status.codes(),
        "total": total,
        "overdue": overdue,
        "by_pillar": list(by_pillar.values()),
        "by_agency": list(by_agency.values()),
    }
