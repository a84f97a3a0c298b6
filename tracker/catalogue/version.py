"""What every page reads of the whole catalogue, read once per change of it by each process.

The agency pickers and the item filters read every agency with its other names and whether any item names it,
the frameworks and provinces, the responses and cycles items carry, and whether a recommendation repeats
another: a few milliseconds of every list and form, for data that changes a few times a day.

`CatalogueVersion` is a counter in the database. A transaction that changes any of that data moves it as it
commits: its flushes note the change (the ORM's objects, and statements run through the session on those
tables), and the counter is moved last, just before the commit, so its row is locked only for that instant and
after every other lock the transaction holds (no deadlock with another writer). Whichever page, command, import
or test made the change, the next read of the counter sees it, in every process.

`catalogue_read` keeps a read under the counter's value and the page's language. The counter is read first, so
what is kept under a value is at least as new as it. A transaction that changed the catalogue and has not
committed yet reads afresh: it sees its own changes.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..extensions import db
from ..i18n.content import showing_urdu
from ..models import (
    ActionItem,
    Agency,
    AgencyAlias,
    CatalogueVersion,
    Framework,
    ItemAgency,
    Pillar,
    Province,
    RecommendationRepeat,
)

T = TypeVar("T")

# Changed in any way, these change what the catalogue's readers read; an item, when added or removed, or when its
# framework, response or cycle changes.
WATCHED = (Agency, AgencyAlias, ItemAgency, Framework, Pillar, Province, RecommendationRepeat)
WATCHED_TABLES = frozenset(model.__tablename__ for model in (*WATCHED, ActionItem))
ITEM_COLUMNS = ("framework_id", "response", "cycle")
CHANGED = "catalogue_changed"  # the session's note that its transaction changed the catalogue
READ = "catalogue_version"  # the counter as the session's transaction read it (the page's readers share one read)


def changes_catalogue(session: Session) -> bool:
    """Whether the session's pending objects change the catalogue (as they stand before a flush)."""
    for obj in session.new | session.deleted:
        if isinstance(obj, (*WATCHED, ActionItem)):
            return True
    for obj in session.dirty:
        if isinstance(obj, WATCHED) and session.is_modified(obj):
            return True
        if isinstance(obj, ActionItem):
            attrs = sa.inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in ITEM_COLUMNS):
                return True
    return False


@sa.event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _flush_context) -> None:
    if changes_catalogue(session):
        session.info[CHANGED] = True


@sa.event.listens_for(Session, "do_orm_execute")
def _note_statements(state) -> None:
    statement = state.statement
    if (state.is_insert or state.is_update or state.is_delete) and statement.table.name in WATCHED_TABLES:
        state.session.info[CHANGED] = True


@sa.event.listens_for(Session, "before_commit")
def _move_the_version(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook: its changes must be noted first
    if session.info.pop(CHANGED, False):
        session.execute(sa.update(CatalogueVersion).values(version=CatalogueVersion.version + 1))


@sa.event.listens_for(Session, "after_commit")
def _forget_the_version_read(session: Session) -> None:
    session.info.pop(READ, None)


@sa.event.listens_for(Session, "after_rollback")
def _forget_the_changes(session: Session) -> None:
    session.info.pop(CHANGED, None)
    session.info.pop(READ, None)


def catalogue_version() -> int | None:
    return db.session.scalar(sa.select(CatalogueVersion.version))


class CatalogueReads:
    """One app's reads of the catalogue, at one version of it."""

    def __init__(self):
        self.version: int | None = None
        self.reads: dict = {}


def catalogue_read(name: str, read: Callable[[], T]) -> T:
    """`read()`, done once per version of the catalogue and language of the page by this process. `read` must
    return plain values (never ORM objects: they belong to one request's session) that no caller changes."""
    session = db.session()
    if session.info.get(CHANGED) or changes_catalogue(session):
        return read()
    kept = current_app.extensions.setdefault("catalogue_reads", CatalogueReads())
    if READ not in session.info:
        session.info[READ] = catalogue_version()
    version = session.info[READ]
    if version is None:  # a database without the counter's row: nothing can be kept
        return read()
    if version != kept.version:
        kept.version, kept.reads = version, {}
    key = (name, showing_urdu())
    if key not in kept.reads:
        kept.reads[key] = read()
    return kept.reads[key]
