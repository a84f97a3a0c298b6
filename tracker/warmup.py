"""What a production server does with the app before and after forking its workers (gunicorn.conf.py)."""
from __future__ import annotations

import os
import time

import sqlalchemy as sa
from flask import Flask

from .extensions import db
from .i18n import LANGUAGES
from .storage import parse_storage_url


def warm(app: Flask) -> None:
    """Do once, in the master, the work every worker would otherwise do on its first requests: the mappers
    configured, every template compiled, the message catalogues read. The workers inherit it ready."""
    sa.orm.configure_mappers()
    # A mistyped TRACKER_STORAGE_URL stops the server at start, not the first upload. (Only parsed: a boto3
    # client made before the fork would be shared by the workers.)
    parse_storage_url(app.config["STORAGE_URL"], app.config["UPLOAD_DIR"])
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    with app.test_request_context():
        from flask_babel import force_locale, gettext

        for language in LANGUAGES:
            with force_locale(language):
                gettext("Items")


def after_fork(app: Flask) -> None:
    """A worker never uses a database connection opened before the fork: the master's pool is left to the master
    (SQLAlchemy's advice for forked processes), and the worker opens its own."""
    with app.app_context():
        db.engine.dispose(close=False)


class CollectionStats:
    """The garbage collector's runs in this process, per generation: how many and how long (gc.callbacks)."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.requests = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.runs[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._started

    def summary(self) -> str:
        per_request = max(self.requests, 1)
        return f"{self.requests} requests; " + ", ".join(
            f"generation {n}: {self.runs[n]} runs, {self.seconds[n] * 1000 / per_request:.2f} ms a request"
            for n in range(3))


def resident_mib() -> float:
    """This process's resident memory, in MiB (Linux's /proc; 0 elsewhere, so no limit applies)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
