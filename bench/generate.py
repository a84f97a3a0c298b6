"""The synthetic national plan the benchmark serves: the seeded catalogue grown to a national scale.

    .venv/bin/python -m bench.generate --db sqlite|postgresql [--items 10000] [--force]

At 10,000 items: 200 agencies, each with one or two focal persons (277 agency users, whom reminders reach) and
a coordinator; every item led by an agency, half of them supported by a second; 100,000 updates spread over the
years since 2019 (one item has 272 of them, for the item page's row), a link of evidence behind every tenth;
due dates spread from 2020 to 2029, so a reminder run today has an e-mail for every agency user and the
coordinator (278). Smaller plans keep the agencies and users and scale the updates (10 an item).

Shapes come from tests/factories.py; rows are written in bulk (`session.execute(insert(Model), rows)`), so what
the session hooks would keep current (the search documents) is written afterwards by `rebuild_derived()`.

Each plan is kept: a SQLite file under build/bench/, or a PostgreSQL database (`tracker_bench`, and
`tracker_bench_<items>` for other sizes), named or labelled with the migration head and GENERATOR_VERSION, so a
later run reuses it until either changes.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import factory  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from factories import PASSWORD, PASSWORD_HASH_METHOD, ActionItemFactory  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.enums import AgencyKind, AssignmentRole, Basis, Role, Status, UpdateKind, UpdateOrigin  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import ActionItem, Agency, Evidence, Framework, ItemAgency, Pillar, Update, User  # noqa: E402

# Raise it whenever what is generated changes: every kept plan is then built again.
GENERATOR_VERSION = 1

BUILD_DIR = ROOT / "build" / "bench"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_bench"

AGENCIES = 200
AGENCY_USERS = 277  # with the coordinator, a reminder run's 278 e-mails
UPDATES_AT_10000 = 100_000
UPDATES_PER_ITEM = 10  # below 10,000 items
LONG_HISTORY = 272  # the updates of the item whose page the benchmark reads
HISTORY_START = datetime(2019, 1, 1, tzinfo=UTC)

# Who the benchmark logs in as (all share factories.PASSWORD).
COORDINATOR = "bench-coordinator@example.org"
ADMIN = "bench-admin@example.org"

WORDS = ("shelters", "prosecutions", "training", "border", "victims", "helpline", "awareness", "brick kilns",
         "labour inspectors", "identification", "referral", "compensation", "registration", "data", "courts",
         "investigators", "recruitment agencies", "child labour", "debt bondage", "smuggling")


def migration_head() -> str:
    """The head revision of migrations/: a kept plan is built for one schema."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def plan_key(items: int) -> str:
    return f"items{items}-{migration_head()}-g{GENERATOR_VERSION}"


def postgres_url(items: int, base_url: str | None = None) -> str:
    """The PostgreSQL database of a plan of this size: the base URL's at 10,000 items, `<name>_<items>` else."""
    url = sa.engine.make_url(base_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES_URL)
    if items != 10_000:
        url = url.set(database=f"{url.database}_{items}")
    return url.render_as_string(hide_password=False)


def create_missing_database(url: str) -> None:
    """A plan's PostgreSQL database made when it does not exist yet (the role needs CREATEDB, as the throwaway
    server's has), through the base database of BENCH_DATABASE_URL."""
    target = sa.engine.make_url(url)
    engine = sa.create_engine(postgres_url(10_000), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": target.database})
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        engine.dispose()


def sqlite_url(items: int) -> str:
    return f"sqlite:///{BUILD_DIR / f'plan-{plan_key(items)}.db'}"


def bench_app(url: str):
    """The app on a plan's database, as the benchmark's in-process parts use it."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD, "UPLOAD_DIR": str(BUILD_DIR / "uploads"),
                       "REPORT_DIR": str(BUILD_DIR / "reports"),
                       # The in-process parts log in run after run (see serve.py): not the throttle's business.
                       "LOGIN_FREE_ATTEMPTS": 1_000_000, "LOGIN_FREE_ATTEMPTS_PER_ADDRESS": 1_000_000})


# The cache: which plan a database holds.

def _postgres_label(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return connection.scalar(sa.text(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"))


def ensure_plan(kind: str, items: int, force: bool = False, log=print) -> str:
    """The URL of a database holding the plan of `items` items, generated unless kept from an earlier run."""
    key = plan_key(items)
    if kind == "sqlite":
        url = sqlite_url(items)
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists() and not force:
            return url
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        for old in BUILD_DIR.glob(f"plan-items{items}-*.db*"):
            old.unlink()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        generate(f"sqlite:///{partial}", items, log)
        partial.rename(path)
        return url
    url = postgres_url(items)
    create_missing_database(url)
    engine = sa.create_engine(url)
    try:
        if _postgres_label(engine) == key and not force:
            return url
        with engine.begin() as connection:
            # The database's owner may replace its public schema (PostgreSQL 15); the database itself stays.
            connection.exec_driver_sql("COMMENT ON DATABASE " + engine.url.database + " IS NULL")
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    generate(url, items, log)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"COMMENT ON DATABASE {engine.url.database} IS '{key}'")
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return url


# The plan.

def generate(url: str, items: int, log=print) -> None:
    """Build the plan in an empty database: schema by the migrations, the seeded catalogue, then the growth."""
    from flask_migrate import upgrade

    from tracker.seeding.loader import seed_catalogue

    started = time.perf_counter()
    app = bench_app(url)
    rng = random.Random(18)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_catalogue(app.config["SEED_DIR"])
        agencies = add_agencies(AGENCIES)
        add_items(items, agencies)
        add_supporting(agencies, rng)
        users = add_users(agencies)
        updates = UPDATES_AT_10000 if items >= 10_000 else items * UPDATES_PER_ITEM
        written = add_history(updates, users, rng)
        db.session.commit()
        rebuild_derived()
        counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                  for name, model in (("items", ActionItem), ("agencies", Agency), ("users", User),
                                      ("updates", Update), ("evidence", Evidence))}
        db.session.remove()
        db.engine.dispose()
    log(f"generated {url.rsplit('/', 1)[-1]} in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + f" ({written:,} updates written)")


def add_agencies(total: int) -> list[int]:
    """Synthetic federal and provincial bodies until there are `total` agencies; all their ids."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Agency))
    rows = [{"name": f"Synthetic Agency {n}", "short_name": f"SA{n}", "kind": AgencyKind.FEDERAL_AGENCY,
             "note": "", "named_in": "", "curated": "Benchmark."} for n in range(1, total - have + 1)]
    if rows:
        db.session.execute(sa.insert(Agency), rows)
    return list(db.session.scalars(sa.select(Agency.id).order_by(Agency.id)))


def add_items(total: int, agency_ids: list[int]) -> None:
    """Items built by the factory until the plan holds `total`, each led by the next agency in turn."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    count = max(0, total - have)
    framework = db.session.scalar(sa.select(Framework).order_by(Framework.position, Framework.id))
    pillars = db.session.scalars(sa.select(Pillar).order_by(Pillar.position)).all()
    agencies = [db.session.get(Agency, agency_id) for agency_id in agency_ids]
    for start in range(0, count, 2000):
        batch = ActionItemFactory.build_batch(
            min(2000, count - start), varied=True, framework=framework, pillar=factory.Iterator(pillars),
            ref=factory.Sequence(lambda n: f"SYN-{n}"),
            lead__agency=factory.Iterator(agencies),
        )
        for item in batch:
            item.created_at = HISTORY_START
        db.session.add_all(batch)
        db.session.flush()
        db.session.expunge_all()
        agencies = [db.session.get(Agency, agency_id) for agency_id in agency_ids]
        framework = db.session.get(Framework, framework.id)
        pillars = [db.session.get(Pillar, pillar.id) for pillar in pillars]


def add_supporting(agency_ids: list[int], rng: random.Random) -> None:
    """A supporting agency for every other item, one it is not led by."""
    leads = dict(db.session.execute(sa.select(ItemAgency.item_id, ItemAgency.agency_id)
                                    .where(ItemAgency.role == AssignmentRole.LEAD)).all())
    taken = set(db.session.execute(sa.select(ItemAgency.item_id, ItemAgency.agency_id)).tuples())
    rows = []
    for item_id in sorted(leads)[::2]:
        agency_id = rng.choice(agency_ids)
        if (item_id, agency_id) in taken:
            continue
        rows.append({"item_id": item_id, "agency_id": agency_id, "role": AssignmentRole.SUPPORTING,
                     "basis": Basis.ASSIGNED, "created_at": HISTORY_START})
    db.session.execute(sa.insert(ItemAgency), rows)


def add_users(agency_ids: list[int]) -> dict[int, list[int]]:
    """The coordinator and admin the benchmark logs in as, and focal persons: one per agency, two for the first
    77. Per agency, its users' ids."""
    password_hash = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
    rows = [{"email": COORDINATOR, "name": "Benchmark Coordinator", "role": Role.COORDINATOR},
            {"email": ADMIN, "name": "Benchmark Admin", "role": Role.ADMIN}]
    for n in range(AGENCY_USERS):
        agency_id = agency_ids[n % len(agency_ids)]
        rows.append({"email": f"focal{n + 1}@agency{agency_id}.example.org", "name": f"Focal Person {n + 1}",
                     "role": Role.AGENCY, "agency_id": agency_id})
    for row in rows:
        row.update(password_hash=password_hash, created_at=HISTORY_START)
        row.setdefault("agency_id", None)
    db.session.execute(sa.insert(User), rows)
    by_agency: dict[int, list[int]] = {}
    for user_id, agency_id in db.session.execute(sa.select(User.id, User.agency_id)
                                                 .where(User.role == Role.AGENCY)):
        by_agency.setdefault(agency_id, []).append(user_id)
    return by_agency


def add_history(total: int, users: dict[int, list[int]], rng: random.Random) -> int:
    """Updates until the plan holds `total`, spread from 2019 to yesterday: each item's history climbs from not
    started to its current status and progress, reported by its lead agency's focal person. The first item gets
    LONG_HISTORY of them. A link of evidence backs every tenth. Returns the updates written."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Update))
    items = db.session.execute(
        sa.select(ActionItem.id, ActionItem.status, ActionItem.progress, ItemAgency.agency_id)
        .join(ItemAgency, sa.and_(ItemAgency.item_id == ActionItem.id, ItemAgency.role == AssignmentRole.LEAD),
              isouter=True)
        .order_by(ActionItem.id)
    ).all()
    wanted = max(0, total - have)
    first, rest = items[0], items[1:]
    shares = {first[0]: min(LONG_HISTORY, wanted)}
    each, extra = divmod(wanted - shares[first[0]], len(rest))
    for n, row in enumerate(rest):
        shares[row[0]] = each + (1 if n < extra else 0)
    span = (datetime.now(UTC) - timedelta(days=1) - HISTORY_START).total_seconds()
    written, rows, last_at = 0, [], {}
    for item_id, status, progress, agency_id in items:
        count = shares[item_id]
        if not count:
            continue
        moments = sorted(HISTORY_START + timedelta(seconds=rng.random() * span) for _ in range(count))
        authors = users.get(agency_id) or [None]
        before_status, before_progress = Status.NOT_STARTED, 0
        for step, moment in enumerate(moments, start=1):
            if step == count:
                after_status, after_progress = status, progress
            else:
                after_status = Status.IN_PROGRESS if step % 7 else Status.BLOCKED
                after_progress = min(99, progress * step // count)
            rows.append({"item_id": item_id, "kind": UpdateKind.PROGRESS, "origin": UpdateOrigin.USER,
                         "created_at": moment, "status_before": before_status, "progress_before": before_progress,
                         "status_after": after_status, "progress_after": after_progress,
                         "author_id": authors[step % len(authors)], "agency_id": agency_id,
                         "note": f"{rng.choice(WORDS).capitalize()}: {rng.choice(WORDS)} and {rng.choice(WORDS)} "
                                 f"reported, step {step}.",
                         "source_document": "", "reason": ""})
            before_status, before_progress = after_status, after_progress
        last_at[item_id] = moments[-1]
        if len(rows) >= 20_000:
            written += _write_updates(rows)
            rows = []
    written += _write_updates(rows)
    # The items' last official update, as the history writer would have left it.
    items_table = ActionItem.__table__
    db.session.execute(sa.update(items_table).where(items_table.c.id == sa.bindparam("item_id_"))
                       .values(last_update_at=sa.bindparam("moment")),
                       [{"item_id_": item_id, "moment": moment} for item_id, moment in last_at.items()])
    return written


def _write_updates(rows: list[dict]) -> int:
    if not rows:
        return 0
    ids = db.session.scalars(sa.insert(Update).returning(Update.id, sort_by_parameter_order=True), rows).all()
    evidence = [{"item_id": row["item_id"], "update_id": update_id, "origin": UpdateOrigin.USER,
                 "url": f"https://example.org/evidence/{update_id}", "note": "Minutes of the meeting.",
                 "as_of": row["created_at"].date(), "created_at": row["created_at"]}
                for n, (row, update_id) in enumerate(zip(rows, ids, strict=True)) if n % 10 == 0]
    db.session.execute(sa.insert(Evidence), evidence)
    return len(rows)


def rebuild_derived() -> None:
    """HOOK: everything kept beside the rows that the bulk inserts above bypassed, rebuilt from them.

    The search documents, and the history's monthly counts (kept by a flush hook, which bulk inserts skip).
    """
    from tracker.items import monthly_counts
    from tracker.search import documents

    with db.engine.begin() as connection:
        documents.rebuild(connection)
        monthly_counts.rebuild(connection)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--force", action="store_true", help="generate again even if a kept plan matches")
    args = parser.parse_args()
    print(ensure_plan(args.db, args.items, force=args.force))


if __name__ == "__main__":
    main()
