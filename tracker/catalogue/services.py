"""Agencies, pillars and frameworks: lookups and the counts their pages show."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..enums import AssignmentRole, FindingKind, GovernmentResponse, Status
from ..errors import NotFound
from ..extensions import db
from ..models import (
    ActionItem,
    Agency,
    AgencyAlias,
    Finding,
    Framework,
    ItemAgency,
    Law,
    Pillar,
    RecommendationRepeat,
    name_key,
)


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


def agency_called(word: str) -> sa.ColumnElement[bool]:
    """An agency whose name, short name or another name holds `word` (case ignored): what a search of agencies
    matches each word it is given against, as the agency pickers do in the browser."""
    return sa.or_(Agency.name.icontains(word, autoescape=True), Agency.short_name.icontains(word, autoescape=True),
                  Agency.aliases.any(AgencyAlias.alias.icontains(word, autoescape=True)))


def _assignment_counts() -> sa.Select:
    """Per agency, its number of items as lead and as supporting body."""
    return (
        db.select(
            ItemAgency.agency_id,
            sa.func.count().filter(ItemAgency.role == AssignmentRole.LEAD).label("lead"),
            sa.func.count().filter(ItemAgency.role == AssignmentRole.SUPPORTING).label("supporting"),
        )
        .group_by(ItemAgency.agency_id)
    )


def assignment_counts(agency_ids: list[int]) -> dict[int, tuple[int, int]]:
    """The number of items each of these agencies leads and supports (agencies with none are left out)."""
    rows = db.session.execute(_assignment_counts().where(ItemAgency.agency_id.in_(agency_ids))) if agency_ids else []
    return {agency_id: (lead, supporting) for agency_id, lead, supporting in rows}


def agencies_with_counts() -> list[tuple[Agency, int, int]]:
    """Every agency with its number of items as lead and as supporting body."""
    counts = _assignment_counts().subquery()
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


def frameworks_with_items() -> list[Framework]:
    """The frameworks that hold items, in the plans' order: the only ones a filter offers, as one without items
    could only return nothing (its page still shows it, with what it is)."""
    return list(db.session.scalars(
        db.select(Framework).where(sa.exists().where(ActionItem.framework_id == Framework.id))
        .order_by(Framework.position)))


def frameworks_with_counts() -> list[tuple[Framework, int]]:
    """Every framework, in the plans' order, with its number of items (0 for one known only by its description)."""
    counts = db.select(ActionItem.framework_id, sa.func.count().label("total")).group_by(
        ActionItem.framework_id).subquery()
    rows = db.session.execute(
        db.select(Framework, sa.func.coalesce(counts.c.total, 0))
        .outerjoin(counts, counts.c.framework_id == Framework.id)
        .order_by(Framework.position)
    )
    return [(framework, items) for framework, items in rows]


def framework_or_404(code: str) -> Framework:
    framework = db.session.scalar(db.select(Framework).where(Framework.code == code))
    if framework is None:
        raise NotFound(_("There is no framework with the code “%(code)s”.", code=code))
    return framework


def pillars_source() -> Framework | None:
    """The plan whose 4P framework the pillars are (the NAP 2021–2025)."""
    return db.session.scalar(db.select(Framework).where(Framework.source_of_pillars).limit(1))


@dataclass
class FrameworkSummary:
    """What a framework's page counts of its items: by status, and for a set of recommendations, by the
    government's response, by cycle, and how many repeat an earlier recommendation."""

    statuses: dict[str, int] = field(default_factory=Status.zero_counts)
    responses: dict[GovernmentResponse | None, int] = field(default_factory=dict)
    cycles: dict[int | None, int] = field(default_factory=dict)
    recurring: int = 0

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def framework_summary(framework: Framework) -> FrameworkSummary:
    """The counts of the framework's page, each a GROUP BY in SQL."""
    summary = FrameworkSummary()
    of_framework = ActionItem.framework_id == framework.id
    for status, count in db.session.execute(
            db.select(ActionItem.status, sa.func.count()).where(of_framework).group_by(ActionItem.status)):
        summary.statuses[status.value] = count
    if framework.is_recommendations and summary.total:
        responses = db.session.execute(db.select(ActionItem.response, sa.func.count()).where(of_framework)
                                       .group_by(ActionItem.response))
        summary.responses = dict(sorted(responses.tuples(), key=lambda pair: (
            pair[0] is None, list(GovernmentResponse).index(pair[0]) if pair[0] else 0)))
        cycles = db.session.execute(db.select(ActionItem.cycle, sa.func.count()).where(of_framework)
                                    .group_by(ActionItem.cycle))
        summary.cycles = dict(sorted(cycles.tuples(), key=lambda pair: (pair[0] is None, -(pair[0] or 0))))
        summary.recurring = db.session.scalar(
            db.select(sa.func.count(sa.distinct(RecommendationRepeat.item_id)))
            .join(ActionItem, ActionItem.id == RecommendationRepeat.item_id).where(of_framework)) or 0
    return summary
