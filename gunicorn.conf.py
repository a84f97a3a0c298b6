"""gunicorn's configuration for production (`make serve`, the systemd unit in README's Production section).

Every setting can be changed without editing this file: the environment variables named below, or gunicorn's own
GUNICORN_CMD_ARGS (command-line flags win over this file).
"""
from __future__ import annotations

import gc
import os

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
# Sync workers: each request has a process to itself. The pages are CPU-bound (rendering, queries answered from a
# local database), so more workers than 2 × cores buys queueing, not throughput.
# The CPUs this process may run on (a container's or systemd's CPU set), not the machine's count.
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0)) * 2 + 1))
worker_class = "sync"

# Requests: a slow client cannot hold a worker forever; the longest page (the Excel export of a national plan)
# takes seconds, so a minute means something is wrong.
timeout = int(os.environ.get("TRACKER_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Memory: each worker is replaced after this many requests (jittered, so they do not all restart at once), and
# after any request that leaves it above TRACKER_WORKER_MAX_MIB (see post_request).
max_requests = int(os.environ.get("TRACKER_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
worker_max_mib = int(os.environ.get("TRACKER_WORKER_MAX_MIB", "300"))

# gunicorn's control socket (gunicornc) is off: its default path is one per user ($HOME/.gunicorn/gunicorn.ctl), so
# a second instance on the machine takes it from the first, and systemd's signals already do what production needs
# (reload: HUP; more or fewer workers: TTIN/TTOU). TRACKER_CONTROL_SOCKET=/run/tracker/gunicorn.ctl turns it on.
control_socket = os.environ.get("TRACKER_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

accesslog = os.environ.get("TRACKER_ACCESS_LOG", "-")
# %(M)s: the request's duration in milliseconds.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"

# The app is imported once, in the master, and its warm heap (modules, mappers, compiled templates, the message
# catalogues) is shared by the workers copy-on-write.
preload_app = True
wsgi_app = "app:app"

# Young-generation collections rarer than the default 700 allocations: a page allocates tens of thousands of
# short-lived objects, and each collection of the young generation costs more than it frees.
gc_thresholds = tuple(int(n) for n in os.environ.get("TRACKER_GC_THRESHOLDS", "50000,20,100").split(","))


# Threaded workers (gthread) are refused. Reported: their workers died of SIGSEGV in libpython, in SQLAlchemy's
# row loading, within a minute under load, on SQLite and PostgreSQL. Not reproduced here: SQLite at 3,000 items
# and PostgreSQL at 10,000, 2 workers × 4 threads, 16 clients on /items, the item page, /dashboard, the CSV export
# and the API, five runs of 90–120 s (about 2,700 requests, 20 workers replaced), faulthandler and core dumps on,
# gunicorn 27.0.1, Python 3.11.7: no crash, so its cause is not known. Found instead: a threaded
# worker over TRACKER_WORKER_MAX_MIB is not replaced until every thread's and kept-alive connection's requests
# are done (over 100 "replaced" messages from a handful of workers), and pages that are CPU-bound gain nothing
# from threads under the GIL. TRACKER_ALLOW_THREADED_WORKERS=1 lets a soak test look for the crash.
allow_threaded_workers = os.environ.get("TRACKER_ALLOW_THREADED_WORKERS") == "1"


def on_starting(server):
    if server.cfg.worker_class_str != "sync" and not allow_threaded_workers:
        raise SystemExit(f"gunicorn.conf.py: worker class {server.cfg.worker_class_str!r} refused; the tracker "
                         "runs sync workers (see the comment above allow_threaded_workers)")
    # No collections in the master while the app loads: a collection frees holes in pages that the workers
    # would then copy (the recipe in the gc module's documentation for processes that fork).
    gc.disable()


def when_ready(server):
    from tracker.warmup import warm

    warm(server.app.wsgi())


def pre_fork(server, worker):
    # Everything the master holds now is moved out of the collector's sight: full collections in the workers
    # no longer walk the whole warm heap, and never touch (and so copy) its pages.
    gc.freeze()


# TRACKER_GC_STATS=1: each worker logs its collections every 200 requests and when it stops (a measuring aid).
gc_stats = os.environ.get("TRACKER_GC_STATS") == "1"


def post_fork(server, worker):
    from tracker.warmup import CollectionStats, after_fork

    after_fork(server.app.wsgi())
    gc.set_threshold(*gc_thresholds)
    gc.enable()
    if gc_stats:
        worker.gc_stats = CollectionStats()
        gc.callbacks.append(worker.gc_stats)


def worker_exit(server, worker):
    if gc_stats and hasattr(worker, "gc_stats"):
        worker.log.info("gc of worker %s: %s", worker.pid, worker.gc_stats.summary())


def post_request(worker, req, environ, resp):
    from tracker.warmup import resident_mib

    if gc_stats:
        worker.gc_stats.requests += 1
        if worker.gc_stats.requests % 200 == 0:
            worker.log.info("gc of worker %s: %s", worker.pid, worker.gc_stats.summary())

    if resident_mib() > worker_max_mib:
        worker.log.info("worker %s above %s MiB after %s: replaced after this request", worker.pid,
                        worker_max_mib, req.path)
        worker.alive = False
