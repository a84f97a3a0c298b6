"""The item list's lines, each written once per process for what it shows.

A line of /items is written from an `ItemLine`: the plain values it shows, read off the loaded item. Its template
(items/_line.html) sees nothing else, so its HTML is a function of those values and of how the page is written
(language, digits, the app's root); a process keeps it under all of them. A changed status, a renamed agency or a
new due date is a new key, so a line is never shown stale: at worst it is written again.

Writing 50 lines through Jinja was a third of the list's time; most pages repeat lines the process wrote before.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from flask import Flask, current_app, request
from markupsafe import Markup

from ..display import locale
from ..enums import GovernmentResponse, ReportStage, Status
from ..i18n import page_digits
from ..i18n.content import in_language, is_translated
from ..models import ActionItem, Agency
from ..search.services import SNIPPET_PARTS

# Lines a process keeps: a few pages' worth in each language, some 2 KB each.
LINES_KEPT = 4096


class Named(NamedTuple):
    """A framework, pillar or province as a line names it."""

    name: str
    name_ur: str | None

    @property
    def shown_name(self) -> str:
        return in_language(self.name, self.name_ur)


class AgencyNamed(NamedTuple):
    """An agency as a line links to it (_macros/items.html's agency_link)."""

    id: int
    name: str
    name_ur: str | None
    short_name: str | None

    @property
    def shown_name(self) -> str:
        return in_language(self.name, self.name_ur)


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
    found_where: str = ""

    @property
    def title_translated(self) -> bool:
        return is_translated(self.title_ur)


def item_lines(items: Iterable[ActionItem], today: date, recurring: Mapping[int, int],
               highlights: Mapping) -> list[ItemLine]:
    """The lines of these items (loaded as items_query loads them), with the years they recur since and what a
    search found in them."""
    lines = []
    for item in items:
        lead = item.lead
        pending = item.pending_reports
        found = highlights.get(item.id)
        lines.append(ItemLine(
            ref=item.ref, title=item.title, title_ur=item.title_ur,
            framework=Named(item.framework.name, item.framework.name_ur), section=item.section,
            province=Named(item.province.name, item.province.name_ur) if item.province else None,
            cycle=item.cycle, response=item.response,
            pillar_code=item.pillar.code, pillar=Named(item.pillar.name, item.pillar.name_ur),
            lead=_agency(lead.agency) if lead else None, supporting=len(item.supporting),
            status=item.status, pending=Claim(pending[-1].status, pending[-1].progress, pending[-1].stage)
            if pending else None,
            progress=item.progress, due_date=item.due_date, overdue=item.is_overdue(today),
            last_update_at=item.last_update_at, recurring_since=recurring.get(item.id),
            found_title=found.title if found else None, found_snippet=found.snippet if found else None,
            found_where=found.where if found else "",
        ))
    return lines


def _agency(agency: Agency) -> AgencyNamed:
    return AgencyNamed(agency.id, agency.name, agency.name_ur, agency.short_name)


def lines_html(lines: Iterable[ItemLine], selectable: bool) -> list[Markup]:
    """The lines' <tr>s, each with a tick box for the bulk change when `selectable`."""
    written = current_app.extensions["item_lines"]
    how = (str(locale()), page_digits(), request.script_root)
    return [written(line, selectable, *how) for line in lines]


def register(app: Flask) -> None:
    # One store per app: two apps in one process (the tests) may write their lines differently.
    app.extensions["item_lines"] = lru_cache(maxsize=LINES_KEPT)(_line_html)


def _line_html(line: ItemLine, selectable: bool, _language: str, _digits: str, _root: str) -> Markup:
    # The last three are part of the key only: the request in which a line is first written is written in them.
    template = current_app.jinja_env.get_template("items/_line.html")
    return Markup(template.render(line=line, selectable=selectable, snippet_parts=SNIPPET_PARTS))
