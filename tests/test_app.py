"""The factory, configuration, migrations and error pages."""
import os
import stat

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from conftest import make_app
from tracker.config import instance_secret_key, normalise_database_url
from tracker.extensions import db
from tracker.items.filters import ItemFilters
from tracker.models import ActionItem


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    key = instance_secret_key(str(tmp_path))
    assert len(key) >= 64
    assert instance_secret_key(str(tmp_path)) == key
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_name_the_psycopg_driver(url, expected):
    assert normalise_database_url(url) == expected


def compared(app, connection) -> list:
    """What differs between the models and the database, judged as `flask db check` judges it (the search's index
    objects, which each database builds its own way, left aside by the same filter)."""
    options = {"include_name": app.extensions["migrate"].configure_args["include_name"]}
    return compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)


def test_migrations_build_exactly_the_models_schema(tmp_path, blank_database_url):
    """`flask db upgrade` on an empty database, then `flask db check` finds no drift from the models: on the run's
    database, so on SQLite and on PostgreSQL alike."""
    runner = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url).test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output


def test_500_page_hides_the_error(tmp_path):
    app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.before_request_funcs.clear()  # reach the route without logging in
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def _row_for(table) -> dict:
    """A row filling every required column of a table with a value of its type (ids point at row 1)."""
    import datetime as dt

    values = {}
    for column in table.columns:
        if column.nullable or column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.Enum):
            values[column.name] = kind.enums[0]
        elif isinstance(kind, sa.Boolean):
            values[column.name] = False
        elif isinstance(kind, sa.Integer):
            values[column.name] = 1
        elif isinstance(kind, sa.DateTime):
            values[column.name] = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        elif isinstance(kind, sa.Date):
            values[column.name] = dt.date(2025, 1, 1)
        else:
            values[column.name] = "x"
    return values


def test_upgrading_a_database_in_use_keeps_its_rows(tmp_path, blank_database_url):
    """Every migration after the first runs on tables that already hold rows."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url)
    with app.app_context():
        upgrade(revision="ab993e880ee3")  # the first schema
        metadata = sa.MetaData()
        metadata.reflect(bind=db.engine)
        tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(table.insert().values(**_row_for(table)))
        upgrade()
        with db.engine.connect() as connection:
            for table in tables:
                assert connection.execute(sa.select(sa.func.count()).select_from(sa.table(table.name))).scalar() == 1
            user = connection.execute(sa.text("SELECT email_reminders FROM users")).one()
            assert tuple(user) == (1,)
            assert connection.execute(sa.text("SELECT kind FROM updates")).scalar() == "progress"
            # The item already held has its search document, its ref found by the index.
            assert connection.execute(sa.text("SELECT ref FROM search_documents")).scalar() == "x"
            diff = compared(app, connection)
        assert diff == []
        found = db.session.scalars(sa.select(ActionItem.ref).where(ItemFilters(q="X").search.clause())).all()
        assert found == ["x"]
