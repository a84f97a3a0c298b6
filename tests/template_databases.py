"""Template databases: the schema, and the schema with the catalogue, built once per test session.

Each test starts from a copy of one of them instead of building the schema and loading the catalogue
again (a third of a second, times every test):

- SQLite: a template is a database file; a test copies it to its own tmp_path (milliseconds).
- PostgreSQL: the tests share the one database of TEST_DATABASE_URL. The seeded tables are copied
  once into a schema of their own (`test_templates`); before each test a function there empties every
  table and copies the catalogue's rows back, and sets the id sequences to what they were after
  seeding, so a test sees exactly the database a fresh seed would give (ids included). It is one
  statement, tens of milliseconds, and needs no privilege beyond owning the tables.

Tests really commit (the views do), so this works for threads and second connections alike.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from tracker.extensions import db

SCHEMA = "schema"  # the models' tables, empty
CATALOGUE = "catalogue"  # the same, with the catalogue from seed/ loaded
TEMPLATE_SCHEMA = "test_templates"
BLANK_SCHEMA = "test_blank"


class SqliteTemplates:
    """Template database files in a session folder, copied to each test's folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, template: str) -> Path:
        return self.folder / f"{template}.db"

    def url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'test.db'}"

    def build(self, make_app: Callable, fill: Callable[[], None]) -> None:
        """Create the schema, save it as SCHEMA; run `fill` on it and save the result as CATALOGUE."""
        schema = self.path(SCHEMA)
        self._make(make_app, schema, fill=None)
        shutil.copyfile(schema, self.path(CATALOGUE))
        self._make(make_app, self.path(CATALOGUE), fill=fill)

    def _make(self, make_app: Callable, path: Path, fill: Callable[[], None] | None) -> None:
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        with app.app_context():
            if fill is None:
                db.create_all()
            else:
                fill()
            db.session.remove()
            # One self-contained file: a copy must not need a -wal file beside it.
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode = DELETE")
            db.engine.dispose()

    def reset(self, template: str) -> None:
        """Give the current app's database file the template's content (before its first connection)."""
        db.engine.dispose()
        target = Path(db.engine.url.database)
        for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(self.path(template), target)

    def blank_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'blank.db'}"

    def drop_blank(self) -> None:
        pass

    def close(self) -> None:
        pass


class PostgresTemplates:
    """The tables of TEST_DATABASE_URL, restored before each test from copies kept in TEMPLATE_SCHEMA."""

    def __init__(self, url: str):
        self.database_url = url
        self.engine = sa.create_engine(url, poolclass=sa.NullPool)

    def url(self, tmp_path: Path) -> str:
        return self.database_url

    def build(self, make_app: Callable, fill: Callable[[], None]) -> None:
        """Drop what an earlier run left, create the schema, fill it, copy the rows and sequences aside."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {TEMPLATE_SCHEMA} CASCADE")
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {BLANK_SCHEMA} CASCADE")
            _drop_public_tables(connection)
        app = make_app(SQLALCHEMY_DATABASE_URI=self.database_url)
        with app.app_context():
            db.create_all()
            fill()
            db.session.remove()
            db.engine.dispose()
        tables = db.metadata.sorted_tables
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {TEMPLATE_SCHEMA}")
            sequences = {}
            for table in tables:
                connection.exec_driver_sql(f'CREATE TABLE {TEMPLATE_SCHEMA}."{table.name}" AS TABLE "{table.name}"')
                for column in table.primary_key.columns:
                    sequence = connection.execute(
                        sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                        {"table": f'"{table.name}"', "column": column.name},
                    ).scalar()
                    if sequence:
                        sequences[sequence] = connection.exec_driver_sql(
                            f"SELECT last_value, is_called FROM {sequence}"
                        ).one()
            connection.exec_driver_sql(_restore_function(tables, sequences))

    def reset(self, template: str) -> None:
        """Empty every table of the current app's database, then put the template's rows back."""
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(f"SELECT {TEMPLATE_SCHEMA}.restore(:seeded)"), {"seeded": template == CATALOGUE}
            )

    def blank_url(self, tmp_path: Path) -> str:
        """A schema of its own, first on the search path: an empty database as far as a test can tell."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {BLANK_SCHEMA} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {BLANK_SCHEMA}")
        url = sa.make_url(self.database_url)
        return url.update_query_dict({"options": f"-csearch_path={BLANK_SCHEMA}"}).render_as_string(
            hide_password=False
        )

    def drop_blank(self) -> None:
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {BLANK_SCHEMA} CASCADE")

    def close(self) -> None:
        """Leave the database as empty as it was given."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {TEMPLATE_SCHEMA} CASCADE")
            _drop_public_tables(connection)
        self.engine.dispose()


def _drop_public_tables(connection: sa.Connection) -> None:
    existing = sa.MetaData()
    existing.reflect(bind=connection)
    existing.drop_all(bind=connection)


def _restore_function(tables: list[sa.Table], sequences: dict[str, tuple[int, bool]]) -> str:
    """A PL/pgSQL function emptying every table and, if `seeded`, copying the template's rows back."""
    deletes = "\n".join(f'DELETE FROM "{t.name}";' for t in reversed(tables))
    copies = "\n".join(
        f'INSERT INTO "{t.name}" ({cols}) SELECT {cols} FROM {TEMPLATE_SCHEMA}."{t.name}";'
        for t in tables
        for cols in [", ".join(f'"{c.name}"' for c in t.columns)]
    )
    seeded = "\n".join(f"PERFORM setval('{seq}', {value}, {called});" for seq, (value, called) in sequences.items())
    empty = "\n".join(f"PERFORM setval('{seq}', 1, false);" for seq in sequences)
    return f"""
CREATE FUNCTION {TEMPLATE_SCHEMA}.restore(seeded boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- A connection a test left open in a transaction would otherwise block the next test for ever.
    SET LOCAL lock_timeout = '10s';
    {deletes}
    IF seeded THEN
        {copies}
        {seeded}
    ELSE
        {empty}
    END IF;
END
$$;
"""
