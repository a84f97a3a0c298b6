"""Finding and filtering action items: the rules behind the list, the item page and the exports."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..catalogue.services import frameworks_with_items
from ..cycles.services import recurring_clause
from ..enums import GovernmentResponse, Status
from ..errors import NotFound
from ..extensions import db
from ..models import (
    ActionItem,
    Agency,
    Assessment,
    Framework,
    ItemAgency,
    Pillar,
    Province,
    RecommendationRepeat,
    Report,
    SectionNote,
    Update,
)
from ..pickers.options import pickable

# The filters are declared with their schema; imported here for the code that reads them with the rules.
from .filters import SORTS, ItemFilters, ItemListing  # noqa: F401


def filter_clauses(filters: ItemFilters, today: date | None = None, status: sa.ColumnElement | None = None) -> list:
    """WHERE clauses for the filters, shared by the list, the API and the exports.

    `status` is the official status the status and overdue filters judge by: the item's own column unless
    told otherwise (the status at a past moment, read from the history, joined by the caller).
    """
    today = today or date.today()
    status = ActionItem.status if status is None else status
    clauses = []
    if filters.framework:
        clauses.append(ActionItem.framework.has(Framework.code == filters.framework))
    if filters.pillar:
        clauses.append(ActionItem.pillar.has(Pillar.code == filters.pillar))
    if filters.province:
        clauses.append(ActionItem.province.has(Province.code == filters.province))
    if filters.status:
        clauses.append(status == Status(filters.status))
    if filters.agency is not None:
        clauses.append(ActionItem.assignments.any(ItemAgency.agency_id == filters.agency))
    if filters.overdue:
        clauses.append(ActionItem.overdue_with(status, today))
    if filters.due_from:
        clauses.append(ActionItem.due_date >= filters.due_from)
    if filters.due_to:
        clauses.append(ActionItem.due_date <= filters.due_to)
    if filters.response:
        clauses.append(ActionItem.response == GovernmentResponse(filters.response))
    if filters.cycle is not None:
        clauses.append(ActionItem.cycle == filters.cycle)
    if filters.recurring:
        clauses.append(recurring_clause())
    if filters.search is not None:  # the full-text search (tracker/search): stemmed, names and synonyms matched
        clauses.append(filters.search.clause())
    return clauses


def _ordering(sort: str, ranking: sa.Subquery | None = None) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    document_order = [Framework.position, ActionItem.position]
    if key == "rank" and ranking is not None:
        return [ranking.c.rank.desc() if descending else ranking.c.rank, *document_order]
    if key == "due":
        column = ActionItem.due_date.desc() if descending else ActionItem.due_date.asc()
        return [ActionItem.due_date.is_(None), column, *document_order]
    if key == "status":
        rank = sa.case({value: index for index, value in enumerate(Status.codes())}, value=ActionItem.status)
        return [rank.desc() if descending else rank, *document_order]
    if key == "updated":
        # Most recent first is what "sort by last update" means to a reader.
        column = ActionItem.last_update_at.asc() if descending else ActionItem.last_update_at.desc()
        return [ActionItem.last_update_at.is_(None), column, *document_order]
    if descending:
        return [Framework.position.desc(), ActionItem.position.desc()]
    return document_order


def items_query(filters: ItemFilters, today: date | None = None) -> sa.Select:
    """The filtered, sorted items with what a list shows of each loaded eagerly; the most relevant first when
    searching, unless another order was chosen."""
    return (
        filtered_in_order(db.select(ActionItem), filters, today)
        .options(
            joinedload(ActionItem.framework),
            joinedload(ActionItem.pillar),
            joinedload(ActionItem.province),
            selectinload(ActionItem.assignments).joinedload(ItemAgency.agency),
            selectinload(ActionItem.reports),  # the pending report beside the official values
        )
    )


def filtered_in_order(query: sa.Select, filters: ItemFilters, today: date | None = None) -> sa.Select:
    """A select of items (whole, or some of their columns) narrowed to the filtered ones, in the chosen order."""
    query = query.join(ActionItem.framework)
    ranking = None
    if filters.search is not None and filters.order.lstrip("-") == "rank":
        ranking = filters.search.ranking()
        if ranking is not None:
            query = query.join(ranking, ranking.c.item_id == ActionItem.id)
    return query.where(*filter_clauses(filters, today)).order_by(*_ordering(filters.order, ranking))


def list_items(filters: ItemFilters, page: int, per_page: int):
    """One page of the filtered items (a Flask-SQLAlchemy Pagination)."""
    return db.paginate(items_query(filters), page=page, per_page=per_page, error_out=False)


def status_counts(filters: ItemFilters, today: date | None = None) -> dict[str, int]:
    """How many of the filtered items are in each status, counted in SQL."""
    rows = db.session.execute(
        db.select(ActionItem.status, sa.func.count())
        .where(*filter_clauses(filters, today))
        .group_by(ActionItem.status)
    )
    counts = Status.zero_counts()
    for status, count in rows:
        counts[status.value] = count
    return counts


# What the item page shows, loaded with the item in a fixed number of queries.
ITEM_PAGE = (
    joinedload(ActionItem.framework),
    joinedload(ActionItem.pillar),
    joinedload(ActionItem.province),
    selectinload(ActionItem.related).joinedload(ActionItem.pillar),
    selectinload(ActionItem.updates).joinedload(Update.author),
    selectinload(ActionItem.updates).joinedload(Update.agency),
    selectinload(ActionItem.updates).selectinload(Update.evidence),
    selectinload(ActionItem.updates).joinedload(Update.report),
    selectinload(ActionItem.reports).joinedload(Report.agency),
    selectinload(ActionItem.reports).joinedload(Report.author),
    selectinload(ActionItem.reports).joinedload(Report.decided_by),
    selectinload(ActionItem.reports).selectinload(Report.evidence),
    joinedload(ActionItem.verified_by),
    selectinload(ActionItem.evidence),
    selectinload(ActionItem.laws),
    selectinload(ActionItem.indicators),
    selectinload(ActionItem.findings),
    selectinload(ActionItem.assessments).joinedload(Assessment.author),
    selectinload(ActionItem.repeats).joinedload(RecommendationRepeat.earlier).joinedload(ActionItem.framework),
    selectinload(ActionItem.repeats).joinedload(RecommendationRepeat.confirmed_by),
    selectinload(ActionItem.repeated_by).joinedload(RecommendationRepeat.item).joinedload(ActionItem.framework),
)


def item_or_404(ref: str, *, page: bool = False) -> ActionItem:
    """The item with this reference and its agencies (with `page`, all its page shows); NotFound otherwise."""
    options = [selectinload(ActionItem.assignments).joinedload(ItemAgency.agency), *(ITEM_PAGE if page else ())]
    item = db.session.scalar(db.select(ActionItem).where(ActionItem.ref == ref).options(*options))
    if item is None:
        raise NotFound(_("There is no item with the reference “%(ref)s”.", ref=ref))
    return item


def section_notes(item: ActionItem) -> list[SectionNote]:
    """The observations recorded beside the item in its section of the source."""
    return list(
        db.session.scalars(
            db.select(SectionNote)
            .where(SectionNote.framework_id == item.framework_id, SectionNote.section == item.section)
            .order_by(SectionNote.position)
        )
    )


@dataclass
class FilterOptions:
    frameworks: list[Framework]
    pillars: list[Pillar]
    agencies: list[Agency]
    provinces: list[Province]
    statuses: list[Status]
    responses: list[GovernmentResponse] = field(default_factory=list)
    cycles: list[int] = field(default_factory=list)
    recurring: bool = False


def filter_options() -> FilterOptions:
    """The choices the item filters offer, each one that selects items: the frameworks and agencies that have items,
    the responses and cycles that recommendations carry, "recurring" once one repeats another."""
    agencies_with_items = db.select(ItemAgency.agency_id).distinct()
    given = db.session.execute(db.select(ActionItem.response, ActionItem.cycle).distinct()
                               .where(sa.or_(ActionItem.response.is_not(None), ActionItem.cycle.is_not(None))))
    responses, cycles = set(), set()
    for response, cycle in given:
        responses.add(response)
        cycles.add(cycle)
    return FilterOptions(
        responses=[response for response in GovernmentResponse if response in responses],
        cycles=sorted((cycle for cycle in cycles if cycle is not None), reverse=True),
        recurring=db.session.scalar(db.select(RecommendationRepeat.id).limit(1)) is not None,
        frameworks=frameworks_with_items(),
        pillars=list(db.session.scalars(db.select(Pillar).order_by(Pillar.position))),
        agencies=list(db.session.scalars(
            pickable(db.select(Agency).where(Agency.id.in_(agencies_with_items)).order_by(Agency.name)))),
        provinces=list(db.session.scalars(db.select(Province).order_by(Province.name))),
        statuses=list(Status),
    )
