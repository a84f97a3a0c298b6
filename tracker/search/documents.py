"""The search documents: what each item is found by, rewritten in the transaction of every change to it.

An item's document holds its ref and title, its source text, the notes of its history that count, and the names,
short names and aliases of its lead and supporting agencies. The notes that count are those of its official
entries (a coordinator's own update, the source's first entry, an import) and, for each verified report, what the
agency wrote and the coordinator's comment. A report still pending, returned or withdrawn is not in it, nor is
any evidence: a search never shows a reader what the item's page would not.

The documents are kept current by a session hook rather than by each writer: a flush that changes an item's ref,
title or text, its assignments, an agency's names or aliases, its official entries or a report's verification
rewrites the documents of the items concerned, in the same transaction, whichever page, command, import or test
made the change. `rebuild` writes them all again (`flask --app app search reindex`).

Each database indexes the documents its own way, made here for `create_all` and by the migration for `db upgrade`:
SQLite an FTS5 table over them (porter stemming), kept in step by triggers; PostgreSQL a GIN index over a weighted
tsvector (English configuration).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..enums import ReportStage, ReportStep, UpdateKind
from ..models import ActionItem, Agency, AgencyAlias, ItemAgency, Report, SearchDocument, Update

DOCUMENTS = SearchDocument.__table__
COLUMNS = ("ref", "title", "body", "notes", "agencies")

# SQLite: FTS5 over the documents table (external content: the text is stored once), kept in step by triggers.
FTS_TABLE = "search_fts"
_values = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_values}, content='search_documents', content_rowid='item_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {_values}) VALUES (new.item_id, {_new}); END",
    f"CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_values}) VALUES ('delete', old.item_id, {_old}); END",
    f"CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_values}) VALUES ('delete', old.item_id, {_old}); "
    f"INSERT INTO {FTS_TABLE}(rowid, {_values}) VALUES (new.item_id, {_new}); END",
)

# PostgreSQL: one weighted tsvector per document, A the ref and title, B the agencies, C the source text, D the
# notes, in a generated column (not in the model, whose table SQLite shares) with a GIN index. Stored, it is
# computed once per change: ranking and the recheck of a phrase read it instead of parsing every document again.
PG_DOCUMENT = ("setweight(to_tsvector('english', ref || ' ' || title), 'A') || "
               "setweight(to_tsvector('english', agencies), 'B') || "
               "setweight(to_tsvector('english', body), 'C') || "
               "setweight(to_tsvector('english', notes), 'D')")
PG_COLUMN = "document"
PG_INDEX = "ix_search_documents_document"
PG_DDL = (
    f"ALTER TABLE search_documents ADD COLUMN {PG_COLUMN} tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED",
    f"CREATE INDEX {PG_INDEX} ON search_documents USING gin ({PG_COLUMN})",
)

for _statement in SQLITE_DDL:
    sa.event.listen(DOCUMENTS, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
sa.event.listen(DOCUMENTS, "before_drop", sa.DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))
for _statement in PG_DDL:
    sa.event.listen(DOCUMENTS, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))


def is_index_object(name: str | None) -> bool:
    """Whether a table or index is one the databases build for the search themselves (FTS5's table and its
    shadow tables, the GIN index): not in the models, so migrations' comparisons and the restore's check of an
    empty database leave them aside."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_INDEX)


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic's filter of reflected names: the search's own index objects are not the models' to compare."""
    if type_ == "column":
        return not (name == PG_COLUMN and parent_names.get("table_name") == DOCUMENTS.name)
    return not (type_ in ("table", "index") and is_index_object(name))


# What goes into a document.

NOTE_ENTRIES = sa.and_(Update.kind == UpdateKind.PROGRESS, sa.or_(Update.step.is_(None),
                                                                   Update.step != ReportStep.VERIFIED))


def _chunks(ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    """Ids a few hundred at a time: an IN list of a whole national plan is too long for one statement."""
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def build(connection: sa.Connection, item_ids: list[int]) -> list[dict]:
    """The documents of these items, as rows of search_documents, read from the database as it stands."""
    items = connection.execute(sa.select(ActionItem.id, ActionItem.ref, ActionItem.title, ActionItem.text)
                               .where(ActionItem.id.in_(item_ids))).all()
    if not items:
        return []
    assigned = connection.execute(
        sa.select(ItemAgency.item_id, Agency.id, Agency.name, Agency.short_name)
        .join(Agency, Agency.id == ItemAgency.agency_id)
        .where(ItemAgency.item_id.in_(item_ids))
        .order_by(ItemAgency.item_id, ItemAgency.role, ItemAgency.id)  # "lead" sorts before "supporting"
    ).all()
    aliases: dict[int, list[str]] = defaultdict(list)
    for agency_id, alias in connection.execute(
        sa.select(AgencyAlias.agency_id, AgencyAlias.alias)
        .where(AgencyAlias.agency_id.in_({row[1] for row in assigned})).order_by(AgencyAlias.alias)
    ):
        aliases[agency_id].append(alias)
    agencies: dict[int, list[str]] = defaultdict(list)
    for item_id, agency_id, name, short_name in assigned:
        agencies[item_id].append("; ".join(n for n in (name, short_name, *aliases[agency_id]) if n))
    notes: dict[int, list[str]] = defaultdict(list)
    for item_id, note in connection.execute(
        sa.select(Update.item_id, Update.note).where(Update.item_id.in_(item_ids), NOTE_ENTRIES, Update.note != "")
        .order_by(Update.created_at, Update.id)
    ):
        notes[item_id].append(note)
    for item_id, note, comment in connection.execute(
        sa.select(Report.item_id, Report.note, Report.comment)
        .where(Report.item_id.in_(item_ids), Report.stage == ReportStage.VERIFIED)
        .order_by(Report.decided_at, Report.id)
    ):
        notes[item_id].extend(text for text in (note, comment) if text)
    return [{"item_id": item_id, "ref": ref, "title": title, "body": text, "notes": "\n".join(notes[item_id]),
             "agencies": "\n".join(agencies[item_id])}
            for item_id, ref, title, text in items]


def refresh(connection: sa.Connection, item_ids: Iterable[int], gone: Iterable[int] = ()) -> None:
    """Write the documents of these items again (and drop those of items deleted)."""
    gone = set(gone)
    for chunk in _chunks(set(item_ids) - gone - {None}):
        rows = build(connection, chunk)
        connection.execute(sa.delete(DOCUMENTS).where(DOCUMENTS.c.item_id.in_(chunk)))
        if rows:
            connection.execute(sa.insert(DOCUMENTS), rows)
    for chunk in _chunks(gone - {None}):
        connection.execute(sa.delete(DOCUMENTS).where(DOCUMENTS.c.item_id.in_(chunk)))


def rebuild(connection: sa.Connection) -> int:
    """Every item's document written afresh, and the index rebuilt from them; the number of documents."""
    connection.execute(sa.delete(DOCUMENTS))
    refresh(connection, connection.scalars(sa.select(ActionItem.id)))
    if connection.dialect.name == "sqlite":
        # Read every document again and merge the index's segments: whatever happened to the index, it is whole.
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    return connection.scalar(sa.select(sa.func.count()).select_from(DOCUMENTS))


# Keeping them current: which items a flush changed the documents of.


def _changed(obj, *names: str) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _before(obj, name: str) -> list:
    """The values an attribute had before this flush changed it."""
    return list(sa.inspect(obj).attrs[name].history.deleted)


def stale_documents(session: Session) -> tuple[set[int], set[int], set[int]]:
    """What a flush changed: items whose documents are stale, agencies whose items' documents are, items deleted.

    Read in `after_flush`, where the flushed objects still carry their changes and new rows have their ids.
    """
    items: set[int] = set()
    agencies: set[int] = set()
    gone: set[int] = set()
    for obj in session.new:
        if isinstance(obj, ActionItem | ItemAgency):
            items.add(obj.id if isinstance(obj, ActionItem) else obj.item_id)
        elif isinstance(obj, AgencyAlias):
            agencies.add(obj.agency_id)
        elif isinstance(obj, Update) and obj.kind == UpdateKind.PROGRESS:
            items.add(obj.item_id)
        elif isinstance(obj, Report) and obj.stage == ReportStage.VERIFIED:
            items.add(obj.item_id)
    for obj in session.dirty:
        if isinstance(obj, ActionItem) and _changed(obj, "ref", "title", "text"):
            items.add(obj.id)
        elif isinstance(obj, ItemAgency) and _changed(obj, "item_id", "agency_id"):
            items.update([obj.item_id, *_before(obj, "item_id")])
        elif isinstance(obj, Agency) and _changed(obj, "name", "short_name"):
            agencies.add(obj.id)
        elif isinstance(obj, AgencyAlias) and _changed(obj, "alias", "agency_id"):
            agencies.update([obj.agency_id, *_before(obj, "agency_id")])
        elif isinstance(obj, Update) and _changed(obj, "note", "kind", "step"):
            items.add(obj.item_id)
        elif isinstance(obj, Report) and _changed(obj, "stage", "note", "comment"):
            items.add(obj.item_id)
    for obj in session.deleted:
        if isinstance(obj, ActionItem):
            gone.add(obj.id)
        elif isinstance(obj, ItemAgency | Update | Report):
            items.add(obj.item_id)
        elif isinstance(obj, AgencyAlias):
            agencies.add(obj.agency_id)
    return items - {None}, agencies - {None}, gone


@sa.event.listens_for(Session, "after_flush")
def _keep_documents_current(session: Session, _flush_context) -> None:
    """Rewrite, in the flush's transaction, the documents of the items it changed."""
    items, agencies, gone = stale_documents(session)
    if not (items or agencies or gone):
        return
    connection = session.connection()
    if agencies:
        items |= set(connection.scalars(sa.select(ItemAgency.item_id).where(ItemAgency.agency_id.in_(agencies))))
    refresh(connection, items, gone)
