"""Finding and filtering action items: the rules behind the list, the item page and the exports."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.orm import joinedload, selectinload

from ..catalogue.services import frameworks_with_items
from ..catalogue.version import catalogue_read
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
from ..pickers.options import AgencyOption, all_agencies

# The filters are declared with their schema; imported here for the code that reads them with the rules.
from .filters import SORTS, ItemFilters, ItemListing  # noqa: F401
from .ordering import document_order


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
    """ORDER BY terms of a sort. Reference, due date and last update are each the columns of one index of
    action_items (models.py), term for term, so that a page reads its rows from it rather than sorting them all."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    in_document_order = document_order()
    if key == "rank" and ranking is not None:
        return [ranking.c.rank.desc() if descending else ranking.c.rank, *in_document_order]
    if key == "due":
        column = ActionItem.due_date.desc() if descending else ActionItem.due_date.asc()
        return [ActionItem.due_date.is_(None), column, *in_document_order]
    if key == "status":
        rank = sa.case({value: index for index, value in enumerate(Status.codes())}, value=ActionItem.status)
        return [rank.desc() if descending else rank, *in_document_order]
    if key == "updated":
        # Most recent first is what "sort by last update" means to a reader.
        column = ActionItem.last_update_at.asc() if descending else ActionItem.last_update_at.desc()
        return [ActionItem.last_update_at.is_(None), column, *in_document_order]
    return document_order(descending)


def items_query(filters: ItemFilters, today: date | None = None) -> sa.Select:
    """The filtered, sorted items with what a list shows of each loaded eagerly; the most relevant first when
    searching, unless another order was chosen."""
    return (
        filtered_in_order(db.select(ActionItem), filters, today)
        .options(
            joinedload(ActionItem.framework),
            joinedload(ActionItem.pillar),
            joinedload(ActionItem.province),
            # An agency as the list and the API name it: whole agencies cost a tenth of the page's loading.
            selectinload(ActionItem.assignments).joinedload(ItemAgency.agency)
            .load_only(Agency.name, Agency.name_ur, Agency.short_name),
            selectinload(ActionItem.reports),  # the pending report beside the official values
        )
    )


def filtered_in_order(query: sa.Select, filters: ItemFilters, today: date | None = None) -> sa.Select:
    """A select of items (whole, or some of their columns) narrowed to the filtered ones, in the chosen order."""
    ranking = None
    if filters.search is not None and filters.order.lstrip("-") == "rank":
        ranking = filters.search.ranking()
        if ranking is not None:
            query = query.join(ranking, ranking.c.item_id == ActionItem.id)
    return query.where(*filter_clauses(filters, today)).order_by(*_ordering(filters.order, ranking))


class ItemPage(SelectPagination):
    """A page of items whose total is counted on action_items alone (no join, no ranking), or given by a caller
    that counted the same filters already (the list's status counts). Its items are those of its select: whole
    items, or rows of columns (`rows=True`).

    The page's ids are chosen first, from the order's index alone, and only those rows are joined to what the list
    shows: page 150 skips 7,450 index entries, not 7,450 joined rows.
    """

    def _query_items(self) -> list:
        select = self._query_args["select"]
        if self._query_args["filters"].order.lstrip("-") == "rank":  # the ranking is computed once, in the page
            page = select.limit(self.per_page).offset(self._query_offset)
        else:
            filters, today = self._query_args["filters"], self._query_args.get("today")
            ids = (filtered_in_order(sa.select(ActionItem.id), filters, today).limit(self.per_page)
                   .offset(self._query_offset).scalar_subquery())
            page = select.where(ActionItem.id.in_(ids))
        result = db.session.execute(page)
        return list(result) if self._query_args.get("rows") else list(result.unique().scalars())

    def _query_count(self) -> int:
        if self._query_args.get("total") is not None:
            return self._query_args["total"]
        return count_items(self._query_args["filters"])


def count_items(filters: ItemFilters, today: date | None = None) -> int:
    """How many items the filters select, counted on action_items alone (no join, no ranking)."""
    return db.session.scalar(db.select(sa.func.count()).select_from(ActionItem).where(*filter_clauses(filters, today)))


def list_items(filters: ItemFilters, page: int, per_page: int, total: int | None = None) -> ItemPage:
    """One page of the filtered items (a Flask-SQLAlchemy Pagination); `total`, when the caller has counted them."""
    return ItemPage(select=items_query(filters), session=db.session, filters=filters, total=total, page=page,
                    per_page=per_page, max_per_page=None, error_out=False)


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


# An entry of the history with what it shows: who wrote it, for which agency, its evidence and report.
HISTORY_ENTRY = (joinedload(Update.author), joinedload(Update.agency), selectinload(Update.evidence),
                 joinedload(Update.report))
# What the item page shows, loaded with the item in a fixed number of queries (its history apart: item_history).
ITEM_PAGE = (
    joinedload(ActionItem.framework),
    joinedload(ActionItem.pillar),
    joinedload(ActionItem.province),
    selectinload(ActionItem.related).joinedload(ActionItem.pillar),
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


# The newest entries the item page shows at first: an item reported on weekly for years has hundreds.
HISTORY_SHOWN = 50


def item_or_404(ref: str, *, page: bool = False, history: bool = False) -> ActionItem:
    """The item with this reference and its agencies (with `page`, all its page shows; with `history`, every entry
    of its history too); NotFound otherwise."""
    options = [selectinload(ActionItem.assignments).joinedload(ItemAgency.agency), *(ITEM_PAGE if page else ())]
    if history:
        options += [selectinload(ActionItem.updates).options(*HISTORY_ENTRY)]
    item = db.session.scalar(db.select(ActionItem).where(ActionItem.ref == ref).options(*options))
    if item is None:
        raise NotFound(_("There is no item with the reference “%(ref)s”.", ref=ref))
    return item


def item_history(item: ActionItem, limit: int | None = HISTORY_SHOWN) -> tuple[list[Update], bool]:
    """The item's history, newest first: the `limit` newest entries (None: all), and whether older ones remain.
    One more entry than shown is read to know that, so the page never counts the whole history."""
    query = (db.select(Update).where(Update.item_id == item.id).order_by(Update.created_at.desc(), Update.id.desc())
             .options(*HISTORY_ENTRY))
    entries = list(db.session.scalars(query if limit is None else query.limit(limit + 1)).unique())
    if limit is not None and len(entries) > limit:
        return entries[:limit], True
    return entries, False


def section_notes(item: ActionItem) -> list[SectionNote]:
    """The observations recorded beside the item in its section of the source."""
    return list(
        db.session.scalars(
            db.select(SectionNote)
            .where(SectionNote.framework_id == item.framework_id, SectionNote.section == item.section)
            .order_by(SectionNote.position)
        )
    )


class Choice(NamedTuple):
    """A framework, pillar or province as a filter offers it."""

    code: str
    name: str


@dataclass
class FilterOptions:
    frameworks: list[Choice]
    pillars: list[Choice]
    agencies: list[AgencyOption]
    provinces: list[Choice]
    statuses: list[Status]
    responses: list[GovernmentResponse] = field(default_factory=list)
    cycles: list[int] = field(default_factory=list)
    recurring: bool = False


def filter_options(agencies: list[AgencyOption] | None = None) -> FilterOptions:
    """The choices the item filters offer, each one that selects items: the frameworks and agencies that have items,
    the responses and cycles that recommendations carry, "recurring" once one repeats another. `agencies`: every
    agency as a picker offers it, when the page has read them already (the list's bulk form offers them all).
    Read once per change of the catalogue by each process (catalogue/version.py)."""
    frameworks, pillars, provinces, responses, cycles, recurring = catalogue_read("filter options",
                                                                                  _read_filter_options)
    return FilterOptions(
        frameworks=list(frameworks), pillars=list(pillars), provinces=list(provinces), statuses=list(Status),
        responses=list(responses), cycles=list(cycles), recurring=recurring,
        agencies=[agency for agency in (all_agencies() if agencies is None else agencies) if agency.has_items],
    )


def _read_filter_options() -> tuple:
    # Each read from its own index: the few distinct values of two indexed columns.
    given = db.session.execute(sa.union(
        db.select(ActionItem.response, sa.null()).where(ActionItem.response.is_not(None)),
        db.select(sa.null(), ActionItem.cycle).where(ActionItem.cycle.is_not(None))))
    responses, cycles = set(), set()
    for response, cycle in given:
        responses.add(response)
        cycles.add(cycle)
    return (
        tuple(Choice(framework.code, framework.name) for framework in frameworks_with_items()),
        tuple(Choice(*row) for row in db.session.execute(
            db.select(Pillar.code, Pillar.name).order_by(Pillar.position))),
        tuple(Choice(*row) for row in db.session.execute(
            db.select(Province.code, Province.name).order_by(Province.name))),
        tuple(response for response in GovernmentResponse if response in responses),
        tuple(sorted((cycle for cycle in cycles if cycle is not None), reverse=True)),
        db.session.scalar(db.select(RecommendationRepeat.id).limit(1)) is not None,
    )
