"""gunicorn.conf.py as production runs it: threaded workers refused, a worker over the memory limit replaced."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from conftest import ROOT, free_port

GUNICORN = Path(sys.executable).parent / "gunicorn"


def gunicorn(tmp_path, *args, **env) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "SECRET_KEY": "conf-test",
                   "WEB_CONCURRENCY": "1", "GUNICORN_CMD_ARGS": "", **env}
    return subprocess.Popen([str(GUNICORN), "--config", "gunicorn.conf.py", *args], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_threaded_workers_are_refused_with_the_reason(tmp_path):
    process = gunicorn(tmp_path, "--threads", "4", TRACKER_BIND=f"127.0.0.1:{free_port()}")
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "worker class 'gthread' refused" in output and "Booting worker" not in output


def test_a_worker_over_the_memory_limit_is_replaced_after_its_request(tmp_path):
    port = free_port()
    process = gunicorn(tmp_path, TRACKER_BIND=f"127.0.0.1:{port}", TRACKER_WORKER_MAX_MIB="1",
                       TRACKER_ACCESS_LOG="/dev/null")
    try:
        answers, deadline = [], time.monotonic() + 60
        while len(answers) < 2 and time.monotonic() < deadline:
            try:
                answers.append(requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code)
            except requests.RequestException:  # not listening yet, or between two workers
                time.sleep(0.2)
        assert answers == [200, 200]
        time.sleep(1)  # the second worker's boot line
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    # Every request left its worker above 1 MiB: each was answered, then its worker replaced by a new one.
    replaced = re.findall(r"worker (\d+) above 1 MiB after /healthz: replaced", output)
    booted = re.findall(r"Booting worker with pid: (\d+)", output)
    assert len(replaced) >= 2 and len(set(replaced)) == len(replaced), output
    assert set(replaced) <= set(booted) and len(booted) >= 3, output
