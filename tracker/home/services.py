"""What each home page shows, counted in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..catalogue.services import pillars_with_counts
from ..enums import UpdateOrigin
from ..extensions import db
from ..items.services import ItemFilters, status_counts
from ..models import ActionItem, ItemAgency, Pillar, Report, Update, User
from ..verification.services import awaiting_count, awaiting_decision, returned_reports


def agency_items(agency_id: int, today: date) -> list[ActionItem]:
    """The agency's items, overdue first, then by due date, then in document order."""
    return list(
        db.session.scalars(
            db.select(ActionItem)
            .where(ActionItem.assignments.any(ItemAgency.agency_id == agency_id))
            .options(
                joinedload(ActionItem.pillar),
                joinedload(ActionItem.framework),
                selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
                selectinload(ActionItem.reports),
            )
            .order_by(
                sa.case((ActionItem.is_overdue(today), 0), else_=1),
                ActionItem.due_date.is_(None),
                ActionItem.due_date,
                ActionItem.position,
            )
        )
    )


@dataclass
class AgencyHome:
    items: list[ActionItem]
    counts: dict[str, int]
    returned: list[Report]
    awaiting: list[Report]  # a validator's queue
    awaiting_total: int


def agency_home(user: User, today: date) -> AgencyHome:
    agency_id = user.agency_id
    return AgencyHome(
        items=agency_items(agency_id, today),
        counts=status_counts(ItemFilters(agency=agency_id), today),
        returned=returned_reports(agency_id),
        awaiting=awaiting_decision(user, 15),
        awaiting_total=awaiting_count(user),
    )


@dataclass
class Overview:
    counts: dict[str, int]
    pillars: list[tuple[Pillar, dict[str, int]]]
    overdue: list[ActionItem]
    overdue_total: int
    awaiting: list[Report]  # reports awaiting the user's decision
    awaiting_total: int
    pending_total: int  # every agency's report awaiting anyone's decision
    latest: list[Update]


def overview(user: User, today: date, limit: int = 15) -> Overview:
    overdue_query = db.select(ActionItem).where(ActionItem.is_overdue(today))
    return Overview(
        counts=status_counts(ItemFilters(), today),
        pillars=pillars_with_counts(),
        overdue=list(
            db.session.scalars(
                overdue_query.options(selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
                .order_by(ActionItem.due_date, ActionItem.position)
                .limit(limit)
            )
        ),
        overdue_total=db.session.scalar(sa.select(sa.func.count()).select_from(overdue_query.subquery())),
        awaiting=awaiting_decision(user, limit),
        awaiting_total=awaiting_count(user),
        pending_total=db.session.scalar(sa.select(sa.func.count()).select_from(Report).where(Report.is_pending)),
        latest=list(
            db.session.scalars(
                db.select(Update)
                .where(Update.origin == UpdateOrigin.USER)
                .options(joinedload(Update.item), joinedload(Update.author), joinedload(Update.agency))
                .order_by(Update.created_at.desc(), Update.id.desc())
                .limit(limit)
            )
        ),
    )
