"""The benchmark of issue 18's table: the synthetic national plan served by production's gunicorn on loopback.

    .venv/bin/python -m bench.run [--db sqlite|postgresql|both] [--items 10000] [--quick] [--only ROW ...]
                                  [--baseline] [--no-readme]

For each database: builds (or reuses) the plan (bench/generate.py), counts each page's queries in-process at
1,000 items and at --items, times a reminder run against an SMTP server on loopback, then serves the plan with
`gunicorn -c gunicorn.conf.py` (2 sync workers) and measures each row over HTTP. Writes bench/results.json
(bench/baseline.json with --baseline) and the table between README's bench markers. Nothing passes or fails:
the figures are compared with the issue's targets and with the baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import generate, serve
from bench.table import write_readme

ROOT = generate.ROOT
RESULTS = ROOT / "bench" / "results.json"
BASELINE = ROOT / "bench" / "baseline.json"
LOG_DIR = generate.BUILD_DIR / "logs"

ROWS = ("queries", "reminders", "items", "items-load", "item-page", "dashboard", "exports", "memory")
# The pages whose queries are counted, at 1,000 and at --items.
QUERY_PAGES = ("/items", "{item}", "/dashboard", "/api/v1/items?per_page=50", "/exports/items.csv",
               "/exports/items.xlsx")


def repetitions(quick: bool) -> dict:
    """How much of each row is measured: the full run stays within ~15 minutes per database on 2 cores."""
    if quick:
        return {"page": 20, "dashboard": 10, "load_seconds": 8, "bare_seconds": 5, "csv": 2, "xlsx": 1,
                "exports": 6, "reminder_runs": 1}
    return {"page": 50, "dashboard": 30, "load_seconds": 20, "bare_seconds": 10, "csv": 5, "xlsx": 3,
            "exports": 30, "reminder_runs": 3}


def long_history_ref(url: str) -> str:
    """The ref of the item with the most updates (generate.LONG_HISTORY of them)."""
    from tracker.models import ActionItem, Update

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        ref = connection.scalar(
            sa.select(ActionItem.ref).join(Update, Update.item_id == ActionItem.id).group_by(ActionItem.id)
            .order_by(sa.func.count().desc()).limit(1))
    engine.dispose()
    return ref


def count_queries(url: str) -> dict:
    """Statements each page issues, through the app in-process (the test client) on this plan."""
    from tracker.extensions import db

    app = generate.bench_app(url)
    item = f"/items/{long_history_ref(url)}"
    counts = {}
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"email": generate.COORDINATOR, "password": generate.PASSWORD})
        assert response.status_code == 302, response.status_code
        statements = []

        def count(*_args):
            statements.append(1)

        for page in QUERY_PAGES:
            path = page.format(item=item)
            client.get(path)  # warm: the first request of a process loads what later ones reuse
            statements.clear()
            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                response = client.get(path)
                response.get_data()  # a streamed download runs its queries as it is read
                status = response.status_code
                response.close()
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
            counts[page.format(item="/items/<272 updates>")] = len(statements) if status == 200 else f"HTTP {status}"
        db.session.remove()
        db.engine.dispose()
    return counts


def time_reminders(url: str, runs: int = 3) -> dict:
    """A reminder run after the log is emptied (every e-mail due), then a second run that has nothing to send,
    in-process against an SMTP server on loopback; `runs` times, each pair's figures and the median's. One run
    alone varies by a third on PostgreSQL (autovacuum after the emptied log, the server's own caches)."""
    from aiosmtpd.controller import Controller

    from tracker.extensions import db
    from tracker.models import MailStatus, Notification, ReminderLog
    from tracker.reminders.delivery import run_reminders

    class Inbox:
        def __init__(self):
            self.count = 0

        async def handle_DATA(self, server, session, envelope):
            self.count += 1
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=serve.free_port(), server_hostname="localhost")
    controller.start()
    app = generate.bench_app(url)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="tracker@example.org",
                      TRACKER_BASE_URL="https://tracker.example.gov.pk")
    measured: dict[str, list[dict]] = {"first_run": [], "nothing_to_send": []}
    try:
        for _ in range(runs):
            with app.app_context():
                for model in (ReminderLog, Notification, MailStatus):
                    db.session.execute(sa.delete(model))
                db.session.commit()
                db.session.remove()  # the run starts as a scheduled one would: nothing loaded
                for figures in measured.values():  # first_run, then nothing_to_send
                    before = inbox.count
                    start = time.perf_counter()
                    report = run_reminders(date.today())
                    elapsed = time.perf_counter() - start
                    db.session.remove()
                    figures.append({"seconds": round(elapsed, 2), "emails": inbox.count - before,
                                    "failed": sum(report.failed.values())})
        with app.app_context():
            db.engine.dispose()
    finally:
        controller.stop()
    result = {}
    for name, figures in measured.items():
        median = sorted(figures, key=lambda each: each["seconds"])[len(figures) // 2]
        result[name] = {**median, "runs_seconds": [each["seconds"] for each in figures]}
    return result


def measure_http(url: str, rows: set[str], reps: dict, log) -> dict:
    """The rows served by gunicorn: one client, 16 clients, the bare endpoint, exports, memory."""
    results: dict = {}
    item_path = f"/items/{long_history_ref(url)}"
    log_path = LOG_DIR / f"gunicorn-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    with serve.Server(url, log_path) as server:
        port, pids = server.port, server.worker_pids()
        cookie = serve.login(port, generate.COORDINATOR, generate.PASSWORD)
        results["worker_rss_at_start_mib"] = [serve.memory_mib(pid)["VmRSS"] for pid in pids]

        def single(path: str, requests: int) -> dict:
            cpu_before = serve.cpu_seconds(pids)
            latencies, size = serve.one_client(port, path, cookie, requests)
            cpu = serve.cpu_seconds(pids) - cpu_before
            return {"path": path, **serve.summary_ms(latencies), "bytes": size,
                    "cpu_ms_per_request": round(cpu * 1000 / (requests + 3), 1)}

        if "items" in rows:
            results["items"] = single("/items", reps["page"])
            log(f"  /items, one client: {results['items']}")
        if "item-page" in rows:
            results["item_page"] = single(item_path, reps["page"])
            log(f"  item page: {results['item_page']}")
        if "dashboard" in rows:
            results["dashboard"] = single("/dashboard", reps["dashboard"])
            log(f"  /dashboard: {results['dashboard']}")
        if "items-load" in rows:
            bare = serve.under_load(port, "/healthz", "", 16, reps["bare_seconds"], pids)
            items = serve.under_load(port, "/items", cookie, 16, reps["load_seconds"], pids)
            ratio = items.get("throughput_rps", 0) / bare["throughput_rps"] if bare.get("throughput_rps") else None
            results["items_load"] = {"items": items, "bare": bare,
                                     "ratio_percent": round(ratio * 100, 2) if ratio is not None else None}
            log(f"  16 clients: /items {items}\n  /healthz {bare}")
        exports = 0
        if "exports" in rows:
            for kind, runs in (("csv", reps["csv"]), ("xlsx", reps["xlsx"])):
                path = f"/exports/items.{kind}"
                peaks_before = [serve.memory_mib(pid)["VmHWM"] for pid in pids]
                latencies, size = serve.one_client(port, path, cookie, runs, warmup=1)
                exports += runs + 1
                peaks_after = [serve.memory_mib(pid)["VmHWM"] for pid in pids]
                results[f"export_{kind}"] = {
                    "path": path, **serve.summary_ms(latencies), "bytes": size,
                    # How far the export pushed a worker's highest resident memory above where it was.
                    "peak_rss_growth_mib": round(max(a - b for a, b in zip(peaks_after, peaks_before,
                                                                            strict=True)), 1)}
                log(f"  {path}: {results[f'export_{kind}']}")
        if "memory" in rows:
            kinds = ("csv", "xlsx")
            while exports < reps["exports"]:
                status, _, _ = serve.get(port, f"/exports/items.{kinds[exports % 2]}", cookie)
                exports += 1
            results["memory"] = {"exports": exports,
                                 "workers": [serve.memory_mib(pid) for pid in server.worker_pids()]}
            log(f"  memory after {exports} exports: {results['memory']}")
        results["gunicorn_problems"] = [line for line in serve.log_problems(log_path)
                                        if "Booting worker" not in line]
        results["log"] = str(log_path.relative_to(ROOT))
    return results


def database_info(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            version = connection.scalar(sa.text("SELECT sqlite_version()"))
        else:
            version = connection.scalar(sa.text("SHOW server_version"))
    engine.dispose()
    return {"dialect": engine.dialect.name, "version": version,
            "url": engine.url.render_as_string(hide_password=True)}


def machine_info() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "tracker", "migrations"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip())
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": memory, "python": platform.python_version(),
            "load_average": os.getloadavg(), "commit": commit, "uncommitted_app_changes": dirty,
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def postgres_available() -> bool:
    engine = sa.create_engine(generate.postgres_url(10_000), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def run_database(kind: str, items: int, rows: set[str], reps: dict, log) -> dict:
    started = time.perf_counter()
    url = generate.ensure_plan(kind, items, log=log)
    # The machine is shared: how busy it was when the run began says how far to trust its figures.
    result: dict = {"database": database_info(url), "plan_items": items, "load_average_at_start": os.getloadavg()}
    if "queries" in rows:
        small = generate.ensure_plan(kind, 1000, log=log)
        result["queries"] = {"1000": count_queries(small), str(items): count_queries(url)}
        log(f"  queries: {result['queries']}")
    if "reminders" in rows:
        result["reminders"] = time_reminders(url, reps["reminder_runs"])
        log(f"  reminders: {result['reminders']}")
    result.update(measure_http(url, rows, reps, log))
    result["machine"] = machine_info()
    result["repetitions"] = reps
    result["seconds"] = round(time.perf_counter() - started)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions: a first look, not figures")
    parser.add_argument("--only", nargs="+", choices=ROWS, help="measure only these rows")
    parser.add_argument("--baseline", action="store_true",
                        help="store the figures as bench/baseline.json: the 'before' of every later run")
    parser.add_argument("--no-readme", action="store_true", help="leave README's table as it is")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not postgres_available():
        if args.db == "postgresql":
            sys.exit(f"PostgreSQL does not answer at {generate.postgres_url(10_000)} (set BENCH_DATABASE_URL)")
        print(f"PostgreSQL does not answer at {generate.postgres_url(10_000)}: SQLite only.")
        kinds = ["sqlite"]
    rows = set(args.only or ROWS)
    reps = repetitions(args.quick)
    target = BASELINE if args.baseline else RESULTS
    stored = json.loads(target.read_text()) if target.exists() else {}
    for kind in kinds:
        print(f"{kind}, {args.items:,} items:", flush=True)
        result = run_database(kind, args.items, rows, reps, lambda text: print(text, flush=True))
        # A run of some rows keeps the other rows' figures of the last run.
        stored[kind] = {**stored.get(kind, {}), **result} if args.only else result
        target.write_text(json.dumps(stored, indent=2, default=str) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    if not args.no_readme:
        write_readme()


if __name__ == "__main__":
    main()
