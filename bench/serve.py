"""Production's gunicorn on loopback, and the HTTP clients that measure it (stdlib only: the load generator shares
the two cores with the server, so it is kept as light as a Python client can be)."""
from __future__ import annotations

import http.client
import math
import multiprocessing
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (the value below which p% of the sample lies)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1)}


@dataclass
class Server:
    """gunicorn with gunicorn.conf.py (the production configuration) on a free loopback port."""

    database_url: str
    log_path: Path
    workers: int = 2
    extra_args: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    core_dumps: bool = False
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=self.database_url, WEB_CONCURRENCY=str(self.workers),
                   TRACKER_BIND=f"127.0.0.1:{self.port}", SECRET_KEY="bench-secret",
                   # Measured workers are not replaced midway: max_requests would restart them every few
                   # seconds under the bare endpoint's load (their CPU time would be lost), and the memory
                   # ceiling would hide the memory the row measures.
                   TRACKER_MAX_REQUESTS="0", TRACKER_WORKER_MAX_MIB="100000",
                   # Every run logs in from loopback, run after run, into the same plan: the login throttle
                   # would make one run wait for the last (it is not what this measures).
                   TRACKER_LOGIN_FREE_ATTEMPTS="1000000", TRACKER_LOGIN_FREE_ATTEMPTS_PER_ADDRESS="1000000",
                   **self.extra_env)
        env.pop("GUNICORN_CMD_ARGS", None)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 — gunicorn writes it while it runs
        preexec = _allow_core_dumps if self.core_dumps else None
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", *self.extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=preexec, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _, _ = get(self.port, "/healthz")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _allow_core_dumps() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def memory_mib(pid: int) -> dict:
    """A process's resident memory now (VmRSS) and at its highest (VmHWM), in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = round(int(rest.split()[0]) / 1024, 1)
    return values


# HTTP. gunicorn's sync workers close every connection after its response: each request connects afresh.

def get(port: int, path: str, cookie: str = "", body: bytes | None = None,
        content_type: str = "") -> tuple[int, bytes, list[str]]:
    """One request; its status, body and Set-Cookie headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if content_type:
            headers["Content-Type"] = content_type
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, response.headers.get_all("Set-Cookie") or []
    finally:
        connection.close()


def _cookies(set_cookies: list[str], jar: dict[str, str]) -> str:
    for header in set_cookies:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value
    return "; ".join(f"{name}={value}" for name, value in jar.items() if value)


def login(port: int, email: str, password: str) -> str:
    """A logged-in session's Cookie header: the login form's CSRF token, then the form posted."""
    jar: dict[str, str] = {}
    status, page, set_cookies = get(port, "/login")
    cookie = _cookies(set_cookies, jar)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page)
    form = urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": password}).encode()
    status, _, set_cookies = get(port, "/login", cookie, form, "application/x-www-form-urlencoded")
    if status != 302:
        raise RuntimeError(f"login as {email} answered {status}")
    return _cookies(set_cookies, jar)


def timed(port: int, path: str, cookie: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    status, data, _ = get(port, path, cookie)
    return time.perf_counter() - start, status, len(data)


def one_client(port: int, path: str, cookie: str, requests: int, warmup: int = 3) -> tuple[list[float], int]:
    """Latencies of `requests` requests in a row after `warmup` unmeasured ones, and the last body's size."""
    size = 0
    for _ in range(warmup):
        timed(port, path, cookie)
    latencies = []
    for _ in range(requests):
        elapsed, status, size = timed(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        latencies.append(elapsed)
    return latencies, size


def _client_loop(port: int, path: str, cookie: str, start_at: float, stop_at: float) -> tuple[list[float], int]:
    latencies, errors = [], 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        try:
            elapsed, status, _ = timed(port, path, cookie)
        except OSError:
            errors += 1
            continue
        if status == 200:
            latencies.append(elapsed)
        else:
            errors += 1
    return latencies, errors


def under_load(port: int, path: str, cookie: str, clients: int, seconds: float, pids: list[int]) -> dict:
    """`clients` clients, each a process requesting `path` in a loop for `seconds`: latencies, throughput and
    the workers' CPU time per request."""
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 1.0
    with context.Pool(clients) as pool:
        cpu_before = cpu_seconds(pids)
        results = pool.starmap(_client_loop, [(port, path, cookie, start_at, start_at + seconds)] * clients)
        cpu_after = cpu_seconds(pids)
    latencies = [s for lat, _ in results for s in lat]
    errors = sum(e for _, e in results)
    if not latencies:
        return {"clients": clients, "seconds": seconds, "requests": 0, "errors": errors}
    return {"clients": clients, "seconds": seconds, "requests": len(latencies), "errors": errors,
            "throughput_rps": round(len(latencies) / seconds, 1), **summary_ms(latencies),
            "cpu_ms_per_request": round((cpu_after - cpu_before) * 1000 / len(latencies), 2)}


def log_problems(log_path: Path) -> list[str]:
    """gunicorn's lines about workers that died or were killed."""
    if not log_path.exists():
        return []
    pattern = re.compile(r"was sent SIG|exited with code|WORKER TIMEOUT|Fatal Python error|Segmentation fault"
                         r"|Booting worker")
    return [line for line in log_path.read_text(errors="replace").splitlines() if pattern.search(line)]


if __name__ == "__main__":
    sys.exit("bench/run.py drives this module")
