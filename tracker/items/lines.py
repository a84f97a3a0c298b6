"""The item list's lines, each written once per process for what it shows (tracker/remembered.py).

A line of /items is written from an `ItemLine`: the plain values it shows, read with the page. Its template
(items/_line.html) sees nothing else. A changed status, a renamed agency or a new due date is another line, so a
line is never shown stale: at worst it is written again.

Writing 50 lines through Jinja was a third of the list's time; most pages repeat lines the process wrote before.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from ..enums import AssignmentRole, GovernmentResponse, ReportStage, Status
from ..extensions import db
from ..i18n.content import in_language, is_translated
from ..models import ActionItem, Agency, Framework, ItemAgency, Pillar, Province, Report
from ..remembered import remembered_each
from ..search.services import SNIPPET_PARTS
from .services import ItemFilters, ItemPage, filtered_in_order


def _shown_name(named) -> str:
    return in_language(named.name, named.name_ur)


class Named(NamedTuple):
    """A framework, pillar or province as a line names it."""

    name: str
    name_ur: str | None
    shown_name = property(_shown_name)


class AgencyNamed(NamedTuple):
    """An agency as a line links to it (_macros/items.html's agency_link)."""

    id: int
    name: str
    name_ur: str | None
    short_name: str | None
    shown_name = property(_shown_name)


class Claim(NamedTuple):
    """What the newest report awaiting a decision says (_macros/items.html's pending_badge)."""

    status: Status
    progress: int
    stage: ReportStage


class ItemLine(NamedTuple):
    """Everything a line of the list shows, and nothing else."""

    ref: str
    title: str
    title_ur: str | None
    framework: Named
    section: str
    province: Named | None
    cycle: int | None
    response: GovernmentResponse | None
    pillar_code: str
    pillar: Named
    lead: AgencyNamed | None
    supporting: int
    status: Status
    pending: Claim | None
    progress: int
    due_date: date | None
    overdue: bool
    last_update_at: datetime | None
    recurring_since: int | None
    # Where a search found its words: the title with them marked, a snippet and the part it is from.
    found_title: Markup | None = None
    found_snippet: Markup | None = None
    found_in: str = ""  # the part of the item the snippet is from, in the page's language

    @property
    def title_translated(self) -> bool:
        return is_translated(self.title_ur)


def page_of_lines(filters: ItemFilters, page: int, per_page: int, total: int | None, today: date) -> ItemPage:
    """One page of the filtered items as rows of the columns their lines show, read without building items (a
    list page has no use for them, and building 50 was a fifth of its time); item_lines makes them lines."""
    # In the order item_lines reads them.
    columns = (ActionItem.id, ActionItem.ref, ActionItem.title, ActionItem.title_ur, Framework.name.label("framework"),
               Framework.name_ur.label("framework_ur"), ActionItem.section, Province.name.label("province"),
               Province.name_ur.label("province_ur"), ActionItem.cycle, ActionItem.response,
               Pillar.code.label("pillar_code"), Pillar.name.label("pillar"), Pillar.name_ur.label("pillar_ur"),
               ActionItem.status, ActionItem.progress, ActionItem.due_date,
               ActionItem.is_overdue(today).label("overdue"), ActionItem.last_update_at)
    select = filtered_in_order(sa.select(*columns).join(ActionItem.framework).join(ActionItem.pillar)
                               .outerjoin(ActionItem.province), filters, today)
    return ItemPage(select=select, rows=True, session=db.session, filters=filters, today=today, total=total,
                    page=page, per_page=per_page, max_per_page=None, error_out=False)


def item_lines(rows: Sequence[sa.Row], recurring: Mapping[int, int], highlights: Mapping) -> list[ItemLine]:
    """The lines of a page_of_lines' rows, with their agencies and pending reports (a query each), the years
    they recur since and what a search found in them."""
    ids = [row.id for row in rows]
    leads, supporting = {}, defaultdict(int)
    for item_id, role, *agency in db.session.execute(
            sa.select(ItemAgency.item_id, ItemAgency.role, Agency.id, Agency.name, Agency.name_ur, Agency.short_name)
            .join(ItemAgency.agency).where(ItemAgency.item_id.in_(ids)).order_by(ItemAgency.id)):
        if role == AssignmentRole.LEAD:
            leads.setdefault(item_id, AgencyNamed(*agency))
        else:
            supporting[item_id] += 1
    pending = {item_id: Claim(status, progress, stage) for item_id, status, progress, stage in db.session.execute(
        sa.select(Report.item_id, Report.status, Report.progress, Report.stage)
        .where(Report.item_id.in_(ids), Report.is_pending).order_by(Report.id))}  # the newest is kept
    named = {}  # a page's 50 lines name a few frameworks, pillars and provinces, over and over
    lines = []
    for (item_id, ref, title, title_ur, framework, framework_ur, section, province, province_ur, cycle, response,
         pillar_code, pillar, pillar_ur, status, progress, due_date, overdue, last_update_at) in rows:
        found = highlights.get(item_id)
        lines.append(ItemLine(
            ref, title, title_ur, named.setdefault((framework, framework_ur), Named(framework, framework_ur)),
            section, named.setdefault((province, province_ur), Named(province, province_ur)) if province else None,
            cycle, response, pillar_code, named.setdefault((pillar, pillar_ur), Named(pillar, pillar_ur)),
            leads.get(item_id), supporting[item_id], status, pending.get(item_id), progress, due_date, bool(overdue),
            last_update_at, recurring.get(item_id),
            *((found.title, found.snippet, str(SNIPPET_PARTS.get(found.where, ""))) if found else ()),
        ))
    return lines


def lines_html(lines: Iterable[ItemLine], selectable: bool) -> list[Markup]:
    """The lines' <tr>s, each with a tick box for the bulk change when `selectable`."""
    return remembered_each(_line_html, ((line, selectable) for line in lines))


def _line_html(line: ItemLine, selectable: bool) -> str:
    return current_app.jinja_env.get_template("items/_line.html").render(line=line, selectable=selectable)
