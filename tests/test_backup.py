"""Backup and restore through the commands: a snapshot taken while the app serves, restored into an empty database."""
import hashlib
import io
import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import SEED_DIR, TEST_DATABASE_URL, clean_request_globals, log_in, make_app
from test_progress import PDF, PNG, form_data, post_update
from tracker.auth.services import create_user
from tracker.enums import UpdateOrigin
from tracker.extensions import db
from tracker.models import CatalogueVersion, Evidence, Update
from tracker.seeding.loader import seed_catalogue

ON_POSTGRES = bool(TEST_DATABASE_URL)
PG_TOOLS = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
needs_pg_tools = pytest.mark.skipif(ON_POSTGRES and bool(PG_TOOLS),
                                    reason=f"{' and '.join(PG_TOOLS)} not on PATH: install the PostgreSQL client tools")
REPORTERS = {"NADRA": "PAPER-g", "FIA": "PAPER-g"}  # NADRA leads PAPER-g, FIA supports it


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report(client, note: str, name: str, content: bytes) -> None:
    data = form_data(client, ref="PAPER-g", note=note)
    data["files"] = [(io.BytesIO(content), name)]
    response = post_update(client, data, ref="PAPER-g")
    assert response.status_code == 302, response.get_data(as_text=True)


def user_reports() -> list[Update]:
    return db.session.scalars(sa.select(Update).where(Update.origin == UpdateOrigin.USER).order_by(Update.id)).all()


def fresh_database_url(template_databases, tmp_path: Path) -> str:
    """An empty database to restore into: a new SQLite file, or on PostgreSQL the blank schema dropped and made
    again (a dump names its schema, so the restore recreates the source's tables under the same name)."""
    if ON_POSTGRES:
        return template_databases.blank_url(tmp_path)
    return f"sqlite:///{tmp_path / 'restored.db'}"


@pytest.fixture
def serving_app(tmp_path, blank_database_url):
    """An app serving the catalogue on a database of its own, with two agency users logged in."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url, UPLOAD_DIR=str(tmp_path / "uploads"))
    app.before_request_funcs.setdefault(None, []).insert(0, clean_request_globals)
    with app.app_context():
        db.create_all()
        seed_catalogue(str(SEED_DIR))
        clients = {}
        for agency in REPORTERS:
            email = f"{agency.lower()}@example.org"
            create_user(email, "agency", "correct horse battery", agency_name=agency)
            clients[agency] = app.test_client()
            assert log_in(clients[agency], email).status_code == 302
        if not ON_POSTGRES:
            with db.engine.connect() as connection:  # from here on the file alone holds none of the reports
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        app.config["TEST_CLIENTS"] = clients
        yield app
        db.session.remove()
        db.engine.dispose()


@needs_pg_tools
def test_backup_while_serving_restores_every_report_and_file(serving_app, template_databases, tmp_path):
    nadra, fia = serving_app.config["TEST_CLIENTS"].values()
    for number in range(3):
        report(nadra, f"NADRA report {number}", f"minutes-{number}.pdf", PDF + bytes([number]))
    before = {u.note for u in user_reports()}
    if not ON_POSTGRES:
        # The reports are committed but still only in the write-ahead log: a copy of the file misses them.
        copy = tmp_path / "copied.db"
        shutil.copyfile(Path(db.engine.url.database), copy)
        with sqlite3.connect(copy) as copied:
            assert copied.execute("SELECT count(*) FROM updates WHERE origin = 'user'").fetchone() == (0,)

    # FIA keeps reporting from another thread while the backup is taken.
    stop, started, written, failures = threading.Event(), threading.Event(), [], []

    def keep_reporting():
        try:
            while not stop.is_set() and len(written) < 40:
                report(fia, f"FIA report {len(written)}", f"photo-{len(written)}.png", PNG + bytes([len(written)]))
                written.append(1)
                started.set()
        except Exception as exc:  # surfaced in the test's thread below
            failures.append(exc)

    writer = threading.Thread(target=keep_reporting)
    writer.start()
    try:
        assert started.wait(10), failures
        result = serving_app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "backup")])
    finally:
        stop.set()
        writer.join()
    assert failures == [] and result.exit_code == 0, result.output
    assert len(written) >= 2, "FIA's reports should have gone on during the backup"
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"] == ("postgresql" if ON_POSTGRES else "sqlite") and manifest["created_at"]
    assert "alembic_revision" in manifest  # None: the test database was built from the models, not migrations
    for name, entry in manifest["files"].items():
        assert sha256(tmp_path / "backup" / name) == entry["sha256"]
    source_files = {p.name: sha256(p) for p in (tmp_path / "uploads").iterdir()}
    source_version = db.session.scalar(sa.select(CatalogueVersion.version))
    db.session.remove()
    db.engine.dispose()

    target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_database_url(template_databases, tmp_path),
                      UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    with target.app_context():
        # An empty schema, as `db upgrade` leaves it (its revision noted), is still an empty database.
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
            connection.execute(sa.text("INSERT INTO alembic_version VALUES ('f503313176dc')"))
            connection.execute(sa.text("UPDATE catalogue_version SET version = 7"))  # its own, moved before
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        # Moved past the replaced database's and the backup's: what processes kept of either is read again.
        assert db.session.scalar(sa.select(CatalogueVersion.version)) == max(7, source_version) + 1
        restored = user_reports()
        notes = {u.note for u in restored}
        assert before <= notes and len(notes) == len(restored) >= 3
        files = db.session.scalars(sa.select(Evidence).where(Evidence.stored_name != "")).all()
        assert len(files) == len(restored)  # a report, its file: none missing from the snapshot
        for evidence in files:
            path = tmp_path / "restored-uploads" / evidence.stored_name
            assert sha256(path) == evidence.sha256 == source_files[evidence.stored_name]
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def backup_of_app(app, runner, tmp_path):
    """A backup of the test's app (the schema and one uploaded file)."""
    uploads = Path(app.config["UPLOAD_DIR"])
    uploads.mkdir(parents=True)
    (uploads / "evidence.pdf").write_bytes(PDF)
    if ON_POSTGRES and PG_TOOLS:
        pytest.skip(f"{' and '.join(PG_TOOLS)} not on PATH: install the PostgreSQL client tools")
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    return tmp_path / "backup"


@pytest.mark.parametrize("damage, named", [
    (lambda folder: (folder / "uploads" / "evidence.pdf").write_bytes(PDF + b"x"), "uploads/evidence.pdf"),
    (lambda folder: (folder / "uploads" / "evidence.pdf").unlink(), "uploads/evidence.pdf: missing"),
    (lambda folder: (folder / "uploads" / "stray.pdf").write_bytes(PDF), "uploads/stray.pdf: not in the manifest"),
])
def test_a_damaged_backup_is_refused_and_nothing_changes(backup_of_app, template_databases, tmp_path, damage, named):
    damage(backup_of_app)
    target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_database_url(template_databases, tmp_path),
                      UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    result = target.test_cli_runner().invoke(args=["restore", str(backup_of_app)])
    assert result.exit_code == 1 and named in result.output and "nothing was restored" in result.output
    with target.app_context():
        with db.engine.connect() as connection:
            assert sa.inspect(connection).get_table_names() == []
        db.engine.dispose()
    assert not (tmp_path / "restored-uploads").exists()


def test_restoring_over_data_is_refused(seeded, runner, backup_of_app):
    result = runner.invoke(args=["restore", str(backup_of_app)])
    assert result.exit_code == 1 and "not empty" in result.output and "action_items" in result.output


def test_backup_into_a_folder_in_use_is_refused(app, runner, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1 and "not an empty folder" in result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only (TEST_DATABASE_URL)")
def test_missing_pg_dump_is_named(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(args=["backup", "--out", str(tmp_path / "backup")])
    assert result.exit_code == 1 and "pg_dump was not found on PATH" in result.output
    assert not (tmp_path / "backup").exists()
