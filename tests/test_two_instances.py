"""Two gunicorn instances, as two machines behind a load balancer would run them: one PostgreSQL database, one
upload folder, one SECRET_KEY. A user logged in through one is logged in on the other, a file uploaded through
one downloads from the other, and two saves of the same item from forms of the same version, one through each,
never overwrite each other."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from conftest import ROOT, TEST_DATABASE_URL, free_port
from factories import PASSWORD
from test_progress import PDF
from tracker.enums import UpdateOrigin
from tracker.extensions import db
from tracker.models import ActionItem, Evidence, Update

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="PostgreSQL only (TEST_DATABASE_URL): two servers need a database server they both reach",
)

ITEM = "PAPER-g"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def start_instance(database_url: str, upload_dir: Path, port: int, log: Path) -> subprocess.Popen:
    """gunicorn with the repository's configuration, one worker, on a loopback port."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "two-instances-share-this-key",
           "TRACKER_UPLOAD_DIR": str(upload_dir), "TRACKER_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1", "GUNICORN_CMD_ARGS": ""}
    with open(log, "wb") as output:
        return subprocess.Popen([str(GUNICORN), "--config", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its worker still booting
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer in {timeout} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def instances(seeded, tmp_path, make_user):
    """The base URLs of two running instances sharing the test's database and an upload folder."""
    make_user("coordinator")
    db.session.commit()
    url = db.engine.url.render_as_string(hide_password=False)
    ports = [free_port()]
    while len(ports) < 2:  # two ports asked for one after the other may be the same one
        ports = [*ports, port] if (port := free_port()) not in ports else ports
    processes = []
    try:
        for n, port in enumerate(ports):
            processes.append(start_instance(url, tmp_path / "uploads", port, tmp_path / f"gunicorn-{n}.log"))
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process, n in zip(bases, processes, range(2), strict=True):
            wait_until_healthy(base, process, tmp_path / f"gunicorn-{n}.log")
        yield bases
    finally:
        for process in processes:
            stop(process)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def log_in(session: requests.Session, base: str) -> None:
    page = session.get(f"{base}/login")
    answer = session.post(f"{base}/login", allow_redirects=False, data={
        "csrf_token": csrf(page.text), "email": "coordinator@example.org", "password": PASSWORD})
    assert answer.status_code == 302, answer.text


def update_form(session: requests.Session, base: str) -> dict:
    """The update form's fields as loaded from this instance."""
    page = session.get(f"{base}/items/{ITEM}/update", allow_redirects=False)
    assert page.status_code == 200
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)
    return {"csrf_token": csrf(page.text), "version": version, "links": "", "figure_value": "",
            "figure_unit": "", "figure_as_of": ""}


def user_updates() -> list[Update]:
    db.session.rollback()  # read what the servers committed since
    return db.session.scalars(sa.select(Update).join(ActionItem).where(
        ActionItem.ref == ITEM, Update.origin == UpdateOrigin.USER).order_by(Update.id)).all()


def test_two_instances_share_logins_files_and_refuse_a_lost_update(instances):
    first, second = instances
    browser = requests.Session()  # cookies are per host, not per port: one browser, as behind one address
    log_in(browser, first)
    # The login made on the first is a login on the second: the session is signed with the shared key and the
    # login it names is kept in the database.
    assert requests.get(f"{second}/items", allow_redirects=False).status_code == 302
    page = browser.get(f"{second}/items", allow_redirects=False)
    assert page.status_code == 200 and "Coordinator" in page.text

    # A file uploaded through the first downloads, the same bytes, from the second.
    form = update_form(browser, first)
    answer = browser.post(f"{first}/items/{ITEM}/update", allow_redirects=False,
                          data={**form, "status": "in_progress", "progress": "10", "note": "Minutes attached."},
                          files={"files": ("minutes.pdf", PDF, "application/pdf")})
    assert answer.status_code == 302, answer.text
    (uploaded,) = user_updates()
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.update_id == uploaded.id,
                                                           Evidence.stored_name.is_not(None)))
    download = browser.get(f"{second}/evidence/{evidence.id}/download")
    assert download.status_code == 200 and download.content == PDF

    # Two saves from forms loaded at the same version, one through each instance, at the same moment.
    forms = [update_form(browser, first), update_form(browser, second)]
    assert forms[0]["version"] == forms[1]["version"]
    saves = [{**forms[0], "status": "in_progress", "progress": "40", "note": "Saved through the first."},
             {**forms[1], "status": "blocked", "progress": "10", "note": "Saved through the second."}]
    answers: dict[int, requests.Response] = {}
    together = threading.Barrier(2)

    def save(n: int, base: str) -> None:
        together.wait()
        answers[n] = browser.post(f"{base}/items/{ITEM}/update", data=saves[n], allow_redirects=False)

    threads = [threading.Thread(target=save, args=(n, base)) for n, base in enumerate(instances)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answer.status_code for answer in answers.values()) == [302, 409]
    winner = next(n for n, answer in answers.items() if answer.status_code == 302)
    loser = 1 - winner
    # The refused save is told so, with the change that got in first, and its own input kept to re-apply.
    refused = answers[loser].text
    assert saves[winner]["note"] in refused and saves[loser]["note"] in refused
    # The history holds the upload and the winner; the item's state is the winner's, not a mix of both.
    assert [u.note for u in user_updates()] == ["Minutes attached.", saves[winner]["note"]]
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == ITEM))
    assert (item.status.value, str(item.progress)) == (saves[winner]["status"], saves[winner]["progress"])
