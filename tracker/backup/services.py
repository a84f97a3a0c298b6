"""Backup and restore: the database snapshot (SQLite's backup API or pg_dump), the uploads, the manifest.

A backup folder holds `database.sqlite3` or `database.dump`, `uploads/`, and `manifest.json` naming every
file with its SHA-256 and size. A restore checks every file against the manifest before it changes anything,
and only ever fills an empty database.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ..audit.services import record
from ..catalogue.version import catalogue_version
from ..enums import AuditEventKind
from ..errors import Invalid, Unavailable
from ..extensions import db
from ..models import AuditEvent, CatalogueVersion
from ..search.documents import is_index_object
from ..storage import copy_out, evidence_storage

MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
FORMAT = 1


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup: its SHA-256 and size in bytes."""

    sha256: str
    size: int


@dataclass
class Manifest:
    """What a backup holds: the database kind, when it was taken, the schema's revision, every file."""

    database: str
    created_at: str
    alembic_revision: str | None
    files: dict[str, FileEntry] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.database]

    @property
    def upload_count(self) -> int:
        return sum(1 for name in self.files if name.startswith(f"{UPLOADS}/"))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of a backup folder; Invalid if it is missing or not one."""
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text())
            files = {name: FileEntry(**entry) for name, entry in data["files"].items()}
            manifest = cls(database=data["database"], created_at=data["created_at"],
                           alembic_revision=data["alembic_revision"], files=files, format=data["format"])
        except FileNotFoundError:
            raise Invalid(f"{path} is missing: {folder} is not a backup folder") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise Invalid(f"{path} is not a backup manifest ({exc})") from None
        if manifest.format != FORMAT or manifest.database not in DATABASE_FILES:
            raise Invalid(f"{path}: unknown backup format {manifest.format} or database {manifest.database!r}")
        return manifest


def make_backup(out_dir: str | os.PathLike) -> Manifest:
    """Write a consistent snapshot of the database, a copy of the uploads and the manifest into `out_dir`."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Invalid(f"{out} already exists and is not an empty folder; back up into a new one")
    kind = database_kind()
    if kind == "postgresql":
        tool = require_tool("pg_dump")  # before anything is written
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(database=kind, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        alembic_revision=alembic_revision())
    database_file = out / manifest.database_file
    if kind == "sqlite":
        snapshot_sqlite(sqlite_path(), database_file)
    else:
        schema = db.session.scalar(sa.text("SELECT current_schema()"))
        db.session.rollback()
        run_tool([tool, "--format=custom", "--no-owner", f"--schema={schema}", f"--file={database_file}"],
                 db.engine.url)
    # The uploads after the database: every file the snapshot's rows name was stored before its row was
    # committed, so it is already there; files of later reports are harmless extras.
    copy_out(evidence_storage(), out / UPLOADS)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        manifest.files[path.relative_to(out).as_posix()] = FileEntry(sha256_of(path), path.stat().st_size)
    (out / MANIFEST).write_text(manifest.to_json())
    record(AuditEventKind.BACKUP, subject=f"backup:{out.name}",
           detail=f"{out.resolve()}: the {kind} database and {manifest.upload_count} uploaded file(s)")
    db.session.commit()
    return manifest


def restore_backup(src_dir: str | os.PathLike) -> Manifest:
    """Check every file of a backup, then restore it into the configured (empty) database and upload folder."""
    folder = Path(src_dir)
    manifest = Manifest.read(folder)
    verify_files(folder, manifest)
    kind = database_kind()
    if manifest.database != kind:
        raise Invalid(f"The backup holds a {manifest.database} database; the configured database is {kind}")
    tool = require_tool("pg_restore") if kind == "postgresql" else None
    require_empty_database()
    replaced_version = stored_catalogue_version()
    database_file = folder / manifest.database_file
    if kind == "sqlite":
        db.engine.dispose()
        snapshot_sqlite(database_file, sqlite_path())
        db.engine.dispose()
    else:
        restore_postgresql(tool, database_file)
    storage = evidence_storage()
    for name in manifest.files:
        if name.startswith(f"{UPLOADS}/"):
            storage.put(name.removeprefix(f"{UPLOADS}/"), (folder / name).read_bytes())
    # Processes may keep reads of the database just replaced under its catalogue version: the restored one's
    # counter is moved past both, so that nothing kept passes for it (catalogue/version.py).
    restored_version = stored_catalogue_version()
    if restored_version is not None:
        db.session.execute(sa.update(CatalogueVersion).values(version=max(replaced_version or 0, restored_version) + 1))
        db.session.commit()
    # Into the restored database, the log it brought back; a backup older than the log has none until `db upgrade`.
    if sa.inspect(db.engine).has_table(AuditEvent.__tablename__):
        record(AuditEventKind.RESTORE, subject=f"backup:{folder.name}",
               detail=f"{folder.resolve()}: the {kind} database of {manifest.created_at} and "
                      f"{manifest.upload_count} uploaded file(s)")
        db.session.commit()
    return manifest


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Refuse a backup with any file missing, changed, or not named in its manifest (naming each)."""
    problems = []
    for name, entry in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry.size or sha256_of(path) != entry.sha256:
            problems.append(f"{name}: its checksum or size differs from the manifest's")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{name}: not in the manifest" for name in sorted(present - manifest.files.keys())]
    if manifest.database_file not in manifest.files:
        problems.append(f"{manifest.database_file}: not in the manifest")
    if problems:
        raise Invalid(problems, message=f"The backup in {folder} does not match its manifest; nothing was restored:\n"
                      + "\n".join(f"  {p}" for p in problems))


# What a new schema holds from the start and a restore replaces: the migrations' revision, the catalogue's version.
BOOKKEEPING = frozenset({"alembic_version", CatalogueVersion.__tablename__})


def require_empty_database() -> None:
    """Refuse to restore over data: every table of the target database must be empty — but for the bookkeeping
    that `db upgrade` on a new database fills and the restore replaces."""
    with db.engine.connect() as connection:
        names = sorted(name for name in set(sa.inspect(connection).get_table_names()) - BOOKKEEPING
                       if not is_index_object(name))  # FTS5's own tables hold its settings from the start
        filled = [name for name in names
                  if connection.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first()]
    if filled:
        raise Invalid(f"The target database is not empty ({len(filled)} table(s) hold rows: {', '.join(filled)}); "
                      "a backup is only restored into an empty database")


def stored_catalogue_version() -> int | None:
    """The database's catalogue version; None for a database older than it."""
    if not sa.inspect(db.engine).has_table(CatalogueVersion.__tablename__):
        return None
    version = catalogue_version()
    db.session.rollback()
    return version


def database_kind() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_FILES:
        raise Invalid(f"Backups support SQLite and PostgreSQL, not {name}")
    return name


def alembic_revision() -> str | None:
    """The schema's Alembic revision, or None for a database built without migrations."""
    with db.engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise Invalid("An in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def snapshot_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API: one consistent read,
    including what is still in the source's write-ahead log, while others keep writing."""
    with closing(sqlite3.connect(source)) as from_db, closing(sqlite3.connect(target)) as to_db:
        from_db.execute("PRAGMA busy_timeout = 30000")
        to_db.execute("PRAGMA busy_timeout = 30000")
        from_db.backup(to_db)  # all pages in one step: a writer cannot make it start again
        # One self-contained file: a WAL-mode header copied from the source would want a -wal file beside it.
        to_db.execute("PRAGMA journal_mode = DELETE")


def restore_postgresql(tool: str, dump: Path) -> None:
    """pg_restore the dump; a schema that already exists in the target (public, say) is kept, not created, and
    empty tables already there (a schema made by `db upgrade`) are replaced by the dump's."""
    existing = set(db.session.scalars(sa.text("SELECT nspname FROM pg_namespace")))
    db.session.rollback()
    listing = run_tool([tool, "--list", str(dump)], None).stdout
    kept = [line for line in listing.splitlines()
            if not (" SCHEMA - " in line and line.split(" SCHEMA - ")[1].split()[0] in existing)]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(kept) + "\n")
    try:
        run_tool([tool, "--no-owner", "--no-privileges", "--clean", "--if-exists", "--exit-on-error",
                  "--single-transaction", f"--use-list={handle.name}", str(dump)], db.engine.url)
    finally:
        os.unlink(handle.name)
    db.engine.dispose()


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Unavailable(f"{name} was not found on PATH; install the PostgreSQL client tools "
                          f"(e.g. the postgresql-client package) of the server's version")
    return path


def libpq_url(url: sa.URL) -> tuple[str, dict[str, str]]:
    """SQLAlchemy's URL (postgresql+psycopg://…) as a libpq URL, and the password as PGPASSWORD
    (kept off the command line, where any user could read it)."""
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_tool(args: list[str], url: sa.URL | None) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client tool on the database at `url`; Unavailable with its message if it fails."""
    env = dict(os.environ)
    if url is not None:
        target, password = libpq_url(url)
        env.update(password)
        args = [*args[:1], f"--dbname={target}", *args[1:]]
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Unavailable(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.returncode}")
    return result


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
