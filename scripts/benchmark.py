"""Measure the main pages at a given catalogue and results size: median and 95th-percentile times, and queries.

    .venv/bin/python scripts/benchmark.py [--items 2000] [--indicators 300] [--repeat 20]

Runs in-process against a temporary SQLite file (or DATABASE_URL): the seeded catalogue plus
synthetic items up to --items. Figures are for comparing commits on one machine, not pass/fail.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
# The app, and the tests' factories (factory_boy is in the `test` extra: `make bench` installs it).
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from factories import synthetic_indicators, synthetic_items  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.auth.services import create_user  # noqa: E402
from tracker.enums import Status, UpdateKind, UpdateOrigin  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.items import monthly_counts  # noqa: E402
from tracker.models import ActionItem, Update  # noqa: E402
from tracker.seeding.loader import seed_catalogue  # noqa: E402

PAGES = [
    "/items",
    "/items?pillar=prevention&sort=due",
    # Searches: a few matches; an agency with its many names; a word every synthetic item has ("The text of …").
    "/items?q=shelters",
    "/items?q=FIA",
    "/items?q=text",
    "/items/PAPER-g",
    "/dashboard",
    "/api/v1/items?per_page=50",
    "/api/v1/items?per_page=50&q=FIA",
    "/api/v1/stats",
    "/exports/items.csv",
    "/exports/items.xlsx",
    "/indicators",
    "/indicators/SYN-1",
    "/indicators/rates",
    "/api/v1/indicators/SYN-1",
]
# Measured once the items have a year of history (add_history): the pages that read the past from it.
HISTORY_PAGES = [
    f"/dashboard?as_of={date.today() - timedelta(days=30)}",
    "/changes",
    "/changes?preset=year",
    "/changes.csv?preset=year",
]


def grow(total: int) -> None:
    """Add synthetic items until the catalogue holds `total`."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    db.session.add_all(synthetic_items(max(0, total - have)))
    db.session.commit()


def add_history() -> int:
    """Take every item in a year and a half ago and give each two official changes within the last year, written
    in bulk: what the comparison of dates and the dashboard as of a day read. Returns the entries written."""
    now = datetime.now(UTC)
    db.session.execute(sa.update(ActionItem).values(created_at=now - timedelta(days=540)))
    items = db.session.execute(sa.select(ActionItem.id, ActionItem.status, ActionItem.progress)).all()
    rows = []
    for n, (item_id, status, progress) in enumerate(items):
        middle = Status.IN_PROGRESS if status != Status.IN_PROGRESS else Status.BLOCKED
        for step, (before, after, days) in enumerate((((Status.NOT_STARTED, 0), (middle, 10), 300 - n % 200),
                                                       ((middle, 10), (status, progress), 100 - n % 90))):
            rows.append({"item_id": item_id, "kind": UpdateKind.PROGRESS, "origin": UpdateOrigin.USER,
                         "created_at": now - timedelta(days=days, minutes=step), "status_before": before[0],
                         "progress_before": before[1], "status_after": after[0], "progress_after": after[1],
                         "note": "Benchmark change.", "source_document": "", "reason": ""})
    db.session.execute(sa.insert(Update), rows)
    # Written in bulk around the ORM, so the flush that counts entries by month never saw them: recount.
    monthly_counts.rebuild(db.session.connection())
    db.session.commit()
    return len(rows)


def measure(client, path: str, repeat: int) -> tuple[float, float, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    timings = []
    for run in range(repeat + 1):
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
        sa.event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
        if run:  # the first run warms caches
            timings.append(elapsed * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
    return statistics.median(timings), p95, len(statements)


def time_report(year: int) -> None:
    """The Rapporteur's report of a year, timed step by step as its progress reports them."""
    from datetime import date

    from tracker.rapporteur.services import ReportOptions, build_files

    start = last = time.perf_counter()

    def progress(percent: int, step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        print(f"  {now - start:6.1f} s  (+{now - last:5.1f})  {percent:3d}% {step}")
        last = now

    print(f"The Rapporteur's report of {year}:")
    docx, pdf = build_files(ReportOptions.year(year), date.today(), progress)
    print(f"  {time.perf_counter() - start:6.1f} s in all: Word {len(docx) / 1e6:.1f} MB, PDF {len(pdf) / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--indicators", type=int, default=300,
                        help="synthetic indicators, each with 20 quarters × 4 provinces × 7 forms of values")
    parser.add_argument("--report", type=int, metavar="YEAR", default=None,
                        help="also time the Rapporteur's report of this year (Word and PDF), once")
    parser.add_argument("--no-pages", action="store_true", help="time the report only")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="tracker-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "UPLOAD_DIR": f"{workdir}/uploads"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_catalogue(str(ROOT / "seed"))
        grow(args.items)
        synthetic_indicators(args.indicators)
        create_user("rapporteur@example.org", "rapporteur", "benchmark-pw")
        client = app.test_client()
        client.post("/login", data={"email": "rapporteur@example.org", "password": "benchmark-pw"})
        print(f"{args.items} items, {args.indicators} indicators × 560 values, {args.repeat} runs each, "
              f"{db.engine.dialect.name}")
        print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for path in [] if args.no_pages else PAGES:
            median, p95, queries = measure(client, path, args.repeat)
            print(f"{path:<40} {median:>10.1f} {p95:>8.1f} {queries:>8}")
        print(f"with {add_history()} history entries over the last year:")
        for path in [] if args.no_pages else HISTORY_PAGES:
            median, p95, queries = measure(client, path, args.repeat)
            print(f"{path:<40} {median:>10.1f} {p95:>8.1f} {queries:>8}")
        if args.report:
            time_report(args.report)
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
