"""Template databases: the schema, and the schema with the catalogue, built once per test session.

Each test starts from a copy of one of them instead of building the schema and loading the catalogue
again (a third of a second, times every test):

- SQLite: a template is a database file; a test copies it to its own tmp_path (milliseconds).
- PostgreSQL: the tests of a process share one database: TEST_DATABASE_URL's, or under pytest-xdist one per
  worker made beside it (worker_database_url). The seeded tables are copied
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


def worker_database_url(url: str, worker: str | None) -> str:
    """The database a pytest-xdist worker uses: the given one alone, or one of its own named after the worker
    (tracker_test_gw0), since every test empties and refills the tables and two processes cannot share them."""
    if not worker:
        return url
    given = sa.make_url(url)
    return given.set(database=f"{given.database}_{worker}").render_as_string(hide_password=False)


class PostgresTemplates:
    """The tables of the test database, restored before each test from copies kept in TEMPLATE_SCHEMA.

    `url` names the database the tests use; when it is not `given_url` (a worker's), it is created through the
    given one for the session, and dropped at the end."""

    def __init__(self, url: str, given_url: str):
        self.database_url = url
        self.given_url = given_url
        if url != given_url:
            self._recreate_worker_database(drop_only=False)
        self.engine = sa.create_engine(url, poolclass=sa.NullPool)

    def _recreate_worker_database(self, drop_only: bool) -> None:
        name = sa.make_url(self.database_url).database
        given = sa.create_engine(self.given_url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
        try:
            with given.connect() as connection:
                # FORCE: a run stopped half-way may have left a connection open to it.
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if not drop_only:
                    try:
                        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
                    except sa.exc.ProgrammingError as error:
                        raise RuntimeError(
                            f"Each pytest-xdist worker needs a database of its own ({name}), and the role of "
                            "TEST_DATABASE_URL may not create one: give it CREATEDB, or run in one process (-n 0)."
                        ) from error
        finally:
            given.dispose()

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
        if self.database_url != self.given_url:
            self._recreate_worker_database(drop_only=True)


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
