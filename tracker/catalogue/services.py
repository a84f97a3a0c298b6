"""Agencies and pillars: lookups and the counts their pages show."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..enums import AssignmentRole, FindingKind, Status
from ..extensions import db
from ..models import ActionItem, Agency, AgencyAlias, Finding, ItemAgency, Law, Pillar, name_key


def find_agency(name: str) -> Agency | None:
    """An agency by its name, short name or any alias (case and spacing ignored)."""
    key = name_key(name)
    if not key:
        return None
    agencies = list(db.session.scalars(db.select(Agency)))
    for attribute in ("name", "short_name"):
        matches = [a for a in agencies if getattr(a, attribute) and name_key(getattr(a, attribute)) == key]
        if len(matches) == 1:
            return matches[0]
    alias = db.session.scalar(db.select(AgencyAlias).where(AgencyAlias.key == key))
    return alias.agency if alias is not None else None


def agencies_with_counts() -> list[tuple[Agency, int, int]]:
    """Every agency with its number of items as lead and as supporting body."""
    counts = (
        db.select(
            ItemAgency.agency_id,
            sa.func.count().filter(ItemAgency.role == AssignmentRole.LEAD).label("lead"),
            sa.func.count().filter(ItemAgency.role == AssignmentRole.SUPPORTING).label("supporting"),
        )
        .group_by(ItemAgency.agency_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Agency, sa.func.coalesce(counts.c.lead, 0), sa.func.coalesce(counts.c.supporting, 0))
        .outerjoin(counts, counts.c.agency_id == Agency.id)
        .options(selectinload(Agency.province))
        .order_by(Agency.name)
    )
    return [(agency, lead, supporting) for agency, lead, supporting in rows]


def agency_items_by_pillar(agency: Agency) -> list[tuple[Pillar, list[ItemAgency]]]:
    """The agency's assignments grouped by the pillar of their item, in pillar order."""
    assignments = db.session.scalars(
        db.select(ItemAgency)
        .join(ItemAgency.item)
        .where(ItemAgency.agency_id == agency.id)
        .options(
            joinedload(ItemAgency.item).joinedload(ActionItem.pillar),
            joinedload(ItemAgency.item).joinedload(ActionItem.framework),
        )
        .order_by(ActionItem.position)
    )
    grouped: dict[int, list[ItemAgency]] = defaultdict(list)
    for assignment in assignments:
        grouped[assignment.item.pillar_id].append(assignment)
    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position))
    return [(pillar, grouped[pillar.id]) for pillar in pillars if grouped[pillar.id]]


def pillar_items_by_status(pillar: Pillar) -> list[tuple[Status, list[ActionItem]]]:
    """The pillar's items grouped by status, in the order statuses progress."""
    items = db.session.scalars(
        db.select(ActionItem)
        .where(ActionItem.pillar_id == pillar.id)
        .options(
            joinedload(ActionItem.framework),
            selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
        )
        .order_by(ActionItem.position)
    )
    grouped: dict[Status, list[ActionItem]] = defaultdict(list)
    for item in items:
        grouped[item.status].append(item)
    return [(status, grouped[status]) for status in Status if grouped[status]]


def pillars_with_counts() -> list[tuple[Pillar, dict[str, int]]]:
    """Every pillar with its item counts per status, counted in SQL."""
    rows = db.session.execute(
        db.select(ActionItem.pillar_id, ActionItem.status, sa.func.count()).group_by(
            ActionItem.pillar_id, ActionItem.status
        )
    )
    counts: dict[int, dict[str, int]] = defaultdict(Status.zero_counts)
    for pillar_id, status, count in rows:
        counts[pillar_id][status.value] = count
    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position))
    return [(pillar, counts[pillar.id]) for pillar in pillars]


def findings_and_laws() -> tuple[list[Finding], list[Finding], list[Law]]:
    """The paper's challenges and achievements, and the laws, with their item counts loaded."""
    findings = list(
        db.session.scalars(db.select(Finding).options(selectinload(Finding.items)).order_by(Finding.code))
    )
    laws = list(
        db.session.scalars(
            db.select(Law)
            .options(selectinload(Law.items), joinedload(Law.province), joinedload(Law.repealed_by))
            .order_by(Law.province_id.is_not(None), Law.year, Law.name)
        )
    )
    return (
        [f for f in findings if f.kind == FindingKind.CHALLENGE],
        [f for f in findings if f.kind == FindingKind.ACHIEVEMENT],
        laws,
    )


def get_finding(kind: FindingKind, code: str) -> Finding | None:
    return db.session.scalar(
        db.select(Finding)
        .where(Finding.kind == kind, Finding.code == code)
        .options(selectinload(Finding.items).selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
    )


def get_law(code: str) -> Law | None:
    return db.session.scalar(
        db.select(Law)
        .where(Law.code == code)
        .options(selectinload(Law.items).selectinload(ActionItem.assignments).joinedload(ItemAgency.agency))
    )
