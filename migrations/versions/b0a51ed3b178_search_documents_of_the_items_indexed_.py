"""Search documents of the items, indexed by FTS5 or a GIN index, and the synonym list

Revision ID: b0a51ed3b178
Revises: 9db2f004b612
Create Date: 2026-11-30 10:31:17.769577

Each item gets a search document (its ref, title and source text, the notes of its official entries and of its
verified reports, its agencies' names and aliases), written here for the items already held; from now on the app
rewrites a document whenever what it holds changes (tracker/search/documents.py). SQLite indexes the documents
with an FTS5 table (porter stemming) kept in step by triggers, PostgreSQL with a GIN index over a weighted
tsvector (English configuration) stored in a generated column. The statements are those of
tracker/search/documents.py at this revision.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b0a51ed3b178'
down_revision = '9db2f004b612'
branch_labels = None
depends_on = None

COLUMNS = ("ref", "title", "body", "notes", "agencies")
_values = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE search_fts USING fts5({_values}, content='search_documents', content_rowid='item_id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    f"INSERT INTO search_fts(rowid, {_values}) VALUES (new.item_id, {_new}); END",
    f"CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {_values}) VALUES ('delete', old.item_id, {_old}); END",
    f"CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {_values}) VALUES ('delete', old.item_id, {_old}); "
    f"INSERT INTO search_fts(rowid, {_values}) VALUES (new.item_id, {_new}); END",
)
PG_DDL = (
    "ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', ref || ' ' || title), 'A') || "
    "setweight(to_tsvector('english', agencies), 'B') || "
    "setweight(to_tsvector('english', body), 'C') || "
    "setweight(to_tsvector('english', notes), 'D')) STORED",
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
)


def upgrade():
    op.create_table('synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_no', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonyms'))
    )
    with op.batch_alter_table('synonyms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_synonyms_group_no'), ['group_no'], unique=False)

    op.create_table('search_documents',
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('agencies', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_search_documents_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_search_documents'))
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DDL if dialect == "sqlite" else PG_DDL if dialect == "postgresql" else ():
        op.execute(statement)
    _write_documents(op.get_bind())


def _write_documents(connection):
    """Every item's document, as the app writes one (the triggers or the index take them in)."""
    read = lambda sql: connection.execute(sa.text(sql)).all()  # noqa: E731
    aliases = defaultdict(list)
    for agency_id, alias in read("SELECT agency_id, alias FROM agency_aliases ORDER BY alias"):
        aliases[agency_id].append(alias)
    agencies = defaultdict(list)
    for item_id, agency_id, name, short_name in read(
            "SELECT ia.item_id, a.id, a.name, a.short_name FROM item_agencies ia JOIN agencies a ON a.id = ia.agency_id "
            "ORDER BY ia.item_id, ia.role, ia.id"):
        agencies[item_id].append("; ".join(n for n in (name, short_name, *aliases[agency_id]) if n))
    notes = defaultdict(list)
    for item_id, note in read("SELECT item_id, note FROM updates WHERE kind = 'progress' "
                              "AND (step IS NULL OR step != 'verified') AND note != '' ORDER BY created_at, id"):
        notes[item_id].append(note)
    for item_id, note, comment in read("SELECT item_id, note, comment FROM reports WHERE item_id IS NOT NULL "
                                       "AND stage = 'verified' ORDER BY decided_at, id"):
        notes[item_id].extend(text for text in (note, comment) if text)
    rows = [{"item_id": item_id, "ref": ref, "title": title, "body": text, "notes": "\n".join(notes[item_id]),
             "agencies": "\n".join(agencies[item_id])}
            for item_id, ref, title, text in read("SELECT id, ref, title, text FROM action_items ORDER BY id")]
    documents = sa.table("search_documents", *(sa.column(name) for name in ("item_id", *COLUMNS)))
    for start in range(0, len(rows), 500):
        connection.execute(documents.insert(), rows[start:start + 500])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")  # its triggers go with search_documents
    op.drop_table('search_documents')
    with op.batch_alter_table('synonyms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_synonyms_group_no'))

    op.drop_table('synonyms')
