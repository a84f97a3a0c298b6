"""The gthread soak: production's gunicorn with threaded workers under 16 clients, watched for workers that die.

    .venv/bin/python -m bench.soak [--db sqlite|postgresql] [--seconds 90] [--threads 4] [--worker-class gthread]

Issue 18 saw gthread workers die of SIGSEGV (in libpython, loading SQLAlchemy rows) within a minute, on both
databases, while sync workers never did. This serves the 10,000-item plan with `--worker-class gthread
--threads 4`, PYTHONFAULTHANDLER=1 and core dumps allowed, sends 16 clients at a mix of pages for a bounded
time, and reports every worker gunicorn saw die, with the faulthandler tracebacks from its log. Exit status 1
when a worker died.
"""
from __future__ import annotations

import argparse
import multiprocessing
import re
import sys
import time
from datetime import UTC, datetime

from bench import generate, serve
from bench.run import LOG_DIR, long_history_ref

DEATHS = re.compile(r"was sent SIG\w+|exited with code -?\d+|WORKER TIMEOUT")


def _mixed_client(port: int, cookie: str, paths: list[str], stop_at: float, offset: int) -> dict:
    counts = {"ok": 0, "failed": 0}
    n = offset
    while time.time() < stop_at:
        path = paths[n % len(paths)]
        n += 1
        try:
            status, _, _ = serve.get(port, path, cookie)
            counts["ok" if status == 200 else "failed"] += 1
        except OSError:
            counts["failed"] += 1
    return counts


def soak(kind: str, seconds: float, worker_class: str, threads: int, clients: int = 16) -> dict:
    url = generate.ensure_plan(kind, 10_000)
    item = f"/items/{long_history_ref(url)}"
    paths = ["/items", "/items?page=7", "/items?sort=due", item, "/dashboard", "/api/v1/items?per_page=50",
             "/items?q=shelters", "/items?page=150"]
    log_path = LOG_DIR / f"soak-{kind}-{worker_class}-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    args = ["--worker-class", worker_class] + (["--threads", str(threads)] if worker_class == "gthread" else [])
    server = serve.Server(url, log_path, extra_args=args, extra_env={"PYTHONFAULTHANDLER": "1"}, core_dumps=True)
    with server:
        cookie = serve.login(server.port, generate.COORDINATOR, generate.PASSWORD)
        first_workers = server.worker_pids()
        stop_at = time.time() + seconds
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            results = pool.starmap(_mixed_client, [(server.port, cookie, paths, stop_at, n) for n in range(clients)])
        last_workers = server.worker_pids()
    text = log_path.read_text(errors="replace")
    deaths = [line for line in text.splitlines() if DEATHS.search(line)]
    # faulthandler's dumps: from "Fatal Python error" to the first blank line after it.
    tracebacks = re.findall(r"Fatal Python error.*?(?:\n\s*\n|\Z)", text, flags=re.S)
    return {"database": kind, "worker_class": worker_class, "threads": threads, "seconds": seconds,
            "clients": clients, "requests": sum(r["ok"] for r in results),
            "failed": sum(r["failed"] for r in results), "workers_at_start": first_workers,
            "workers_at_end": last_workers, "deaths": deaths, "faulthandler": tracebacks,
            "log": str(log_path.relative_to(generate.ROOT))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    args = parser.parse_args()
    report = soak(args.db, args.seconds, args.worker_class, args.threads)
    for name, value in report.items():
        if name not in ("deaths", "faulthandler"):
            print(f"{name}: {value}")
    print(f"workers that died: {len(report['deaths'])}")
    for line in report["deaths"]:
        print(f"  {line}")
    for traceback in report["faulthandler"]:
        print(traceback)
    sys.exit(1 if report["deaths"] else 0)


if __name__ == "__main__":
    main()
