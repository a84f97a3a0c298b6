"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server."""
import os
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from conftest import PASSWORD, SEED_DIR, make_app
from tracker.auth.services import create_user
from tracker.extensions import db
from tracker.seeding.loader import seed_catalogue

CHROMIUM = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
COORDINATOR = "coordinator@example.org"
NADRA = "nadra@example.org"
FIA = "fia@example.org"  # a focal person of the FIA, whose reports go to …
FIA_VALIDATOR = "fia-validator@example.org"  # … the FIA's validating authority first
RAPPORTEUR = "rapporteur@example.org"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on a free loopback port, on its own seeded SQLite file, in a background thread."""
    tmp = tmp_path_factory.mktemp("browser")
    app = make_app(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'browser.db'}", UPLOAD_DIR=str(tmp / "uploads"),
                   TESTING=False)
    with app.app_context():
        db.create_all()
        seed_catalogue(str(SEED_DIR))
        create_user(ADMIN, "admin", PASSWORD)
        create_user(COORDINATOR, "coordinator", PASSWORD)
        create_user(NADRA, "agency", PASSWORD, agency_name="NADRA")
        create_user(FIA, "agency", PASSWORD, agency_name="FIA")
        create_user(FIA_VALIDATOR, "agency", PASSWORD, name="Joint Secretary", agency_name="FIA").validator = True
        create_user(RAPPORTEUR, "rapporteur", PASSWORD, name="National Rapporteur")
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


@pytest.fixture(scope="module")
def sessions(browser, live_server):
    """Each user logs in once, through the login form; every test then starts from the cookies it got."""
    states = {}
    for email in (COORDINATOR, NADRA, FIA, FIA_VALIDATOR, RAPPORTEUR):
        context = browser.new_context(base_url=live_server)
        log_in(context.new_page(), email)
        states[email] = context.storage_state()
        context.close()
    return states


@pytest.fixture(scope="module")
def admin_session(browser, live_server):
    """The admin's login, once, kept apart: its shorter idle limit and its own pages."""
    context = browser.new_context(base_url=live_server)
    log_in(context.new_page(), ADMIN)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page_as(browser, live_server, sessions):
    """A fresh browser page (its own context) of a logged-in user; none may reach out of the machine."""
    contexts, external = [], []

    def open_page(email):
        context = browser.new_context(base_url=live_server, viewport={"width": 1400, "height": 1000},
                                      storage_state=sessions[email])
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: external.append(request.url)
                if not request.url.startswith((live_server, "data:", "blob:")) else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert external == [], f"the page reached out of the machine: {external}"


def test_dashboard_draws_every_chart_and_a_bar_opens_its_items(page_as):
    page = page_as(COORDINATOR)
    page.goto("/dashboard")
    page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 7")
    assert page.locator("[data-chart]").count() == 7
    bar = page.locator("#pillar-status .bars path").first
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/items?pillar=*&status=*")
    assert "pillar=prevention" in page.url
    assert page.locator("table.table-items tbody tr").count() > 0


def test_agency_reports_progress_with_a_file(page_as, tmp_path):
    page = page_as(NADRA)
    page.goto("/")
    assert page.get_by_role("heading", name="My items").is_visible()
    page.goto("/items/PAPER-g/update")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Progress (%)").fill("35")
    page.get_by_label("What happened").fill("Records exchange agreed with FIA.")
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Files").set_input_files(str(evidence))
    page.get_by_role("button", name="Save update").click()
    page.wait_for_url("**/items/PAPER-g")
    # The report waits beside the official state, which has not changed.
    facts = page.get_by_role("complementary", name="Item facts")
    assert facts.get_by_text("Records exchange agreed with FIA.").is_visible()
    assert facts.get_by_role("link", name="minutes.pdf").is_visible()
    assert facts.get_by_text("awaiting a coordinator").is_visible()
    assert facts.locator("dd").first.get_by_text("Not started").is_visible()


def test_rejected_form_keeps_what_was_typed(page_as):
    page = page_as(COORDINATOR)
    page.goto("/items/PAPER-h/update")
    page.get_by_label("Status").select_option("completed")
    page.get_by_label("Progress (%)").fill("60")
    page.get_by_label("What happened").fill("Typed with care.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("A completed item is 100% done")).to_be_visible()
    assert page.get_by_label("What happened").input_value() == "Typed with care."
    assert page.get_by_label("Progress (%)").input_value() == "60"


def axe_violations(page) -> list[str]:
    """What axe-core finds serious or critical on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", ["/", "/items", "/items/PAPER-g", "/items/PAPER-g/update", "/dashboard",
                                  f"/dashboard?as_of={date.today() - timedelta(days=1)}", "/changes",
                                  "/changes?start=2026-09-30&end=2026-07-01", "/agencies", "/pillars/prevention",
                                  "/context", "/notifications", "/assessments", "/coverage", "/items/PAPER-l"])
def test_pages_pass_axe_accessibility_checks(page_as, path):
    page = page_as(COORDINATOR)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    serious = axe_violations(page)
    assert serious == [], "\n".join(serious)


ADMIN = "admin@example.org"


def test_a_coordinator_addresses_a_gap_and_the_coverage_counts_it(page_as):
    page = page_as(COORDINATOR)
    page.goto("/coverage")
    gaps = int(page.locator("#count-gaps").inner_text())
    page.goto("/items/PAPER-g")
    form = page.get_by_role("form", name="Add an action that addresses PAPER-g")
    form.get_by_label("Action's ref").fill("NAP05-PREV-d-ii")
    form.get_by_label("How it addresses the recommendation").fill("High-security identity documents, a first step.")
    serious = axe_violations(page)  # the page with the coordinator's form
    form.get_by_role("button", name="Add the action").click()
    page.wait_for_url("**/items/PAPER-g#coverage")
    assert "NAP05-PREV-d-ii" in page.locator("#coverage").inner_text()
    page.goto("/coverage")
    page.get_by_label("Gaps only").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/coverage?*gaps=1*")
    assert int(page.locator("#count-gaps").inner_text()) == gaps - 1
    assert page.locator("#recommendation-PAPER-g").count() == 0 and page.locator("#recommendation-PAPER-b").count() == 1
    serious += axe_violations(page)
    assert serious == [], "\n".join(serious)


def test_the_rapporteur_assesses_an_item_and_everyone_sees_the_disagreement(page_as):
    page = page_as(RAPPORTEUR)
    page.goto("/items/PAPER-i")  # not started officially
    form = page.get_by_role("form", name="Record your assessment of PAPER-i")
    assert form.get_by_label("Year assessed").input_value() == str(date.today().year)
    form.get_by_label("Rating").select_option("substantial")
    form.get_by_label("Reason").fill("Rules drafted and training under way in two provinces.")
    serious = axe_violations(page)  # the page with the rapporteur's form
    form.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url("**/items/PAPER-i#assessment")
    section = page.locator("#assessment")
    assert "Government: Not started · Rapporteur: Substantial" in section.inner_text()
    assert serious == [], "\n".join(serious)
    reader = page_as(NADRA)
    reader.goto("/assessments")
    reader.get_by_label("Disagreements only").check()
    reader.get_by_role("button", name="Filter").click()
    reader.wait_for_url("**/assessments?*disagreements=1*")
    assert reader.locator("table tbody tr", has_text="PAPER-i").count() == 1
    assert reader.get_by_role("form", name="Record your assessment of PAPER-i").count() == 0


def test_the_audit_log_fits_a_phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 800})
    page = context.new_page()
    log_in(page, ADMIN)
    page.goto("/admin/audit?event=login")
    assert page.locator(".table-responsive table tbody tr").count() >= 1
    # The table scrolls inside its box; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.get_by_label("User e-mail contains").fill("admin@")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/admin/audit?user=admin%40&event=login*")
    assert page.locator(".table-responsive table tbody tr").count() == 1
    serious = axe_violations(page)
    context.close()
    assert serious == [], "\n".join(serious)


def test_swagger_ui_draws_the_operations_and_calls_the_api_with_the_session(page_as):
    # The API's docs page: its scripts run under the CSP, and nothing is fetched from elsewhere.
    page = page_as(COORDINATOR)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-summary", timeout=20_000)
    assert page.locator(".opblock").count() == 12
    stats = page.locator(".opblock", has_text="/stats")
    stats.locator(".opblock-summary").click()
    stats.get_by_role("button", name="Try it out").click()
    stats.get_by_role("button", name="Execute").click()
    status = stats.locator(".live-responses-table tbody .response-col_status")
    status.wait_for(timeout=20_000)
    assert status.inner_text().strip() == "200"
    assert errors == []  # a script refused by the CSP would show here
    # A change sends the page's CSRF token: the example report gets past it to the report's own checks.
    report = page.locator(".opblock", has_text="/items/{ref}/updates")
    report.locator(".opblock-summary").click()
    report.get_by_role("button", name="Try it out").click()
    report.locator("input[placeholder='ref']").fill("PAPER-g")
    report.get_by_role("button", name="Execute").click()
    status = report.locator(".live-responses-table tbody .response-col_status")
    status.wait_for(timeout=20_000)
    assert status.inner_text().strip() in ("201", "409", "422")


def completed_in(page, pillar: str) -> str:
    """The dashboard's count of completed items in a pillar, as its table shows it."""
    page.goto("/dashboard")
    table = page.get_by_role("table", name="Items per pillar and status")
    columns = [th.inner_text().strip() for th in table.locator("thead th").all()]
    row = table.locator("tbody tr", has=page.get_by_role("rowheader", name=pillar, exact=True))
    return row.locator("th, td").nth(columns.index("Completed")).inner_text().strip()


def test_a_report_goes_through_validator_and_coordinator_and_counts_only_when_verified(page_as):
    item = "NAP05-PROS-a-ii"  # the FIA leads it
    focal, validator, coordinator = page_as(FIA), page_as(FIA_VALIDATOR), page_as(COORDINATOR)
    before = completed_in(coordinator, "Prosecution")

    # The focal person reports it completed; the official state stays as it was.
    focal.goto(f"/items/{item}/update")
    assert focal.get_by_text("your agency's validator, then to a coordinator").is_visible()
    focal.get_by_label("Status").select_option("completed")
    focal.get_by_label("Progress (%)").fill("100")
    focal.get_by_label("What happened").fill("Joint task force met monthly all year.")
    focal.get_by_role("button", name="Save update").click()
    focal.wait_for_url(f"**/items/{item}")
    facts = focal.get_by_role("complementary", name="Item facts")
    assert facts.get_by_text("awaiting the agency's validator").is_visible()
    assert facts.locator("dd").first.get_by_text("Not started").is_visible()

    def in_queue(page):
        """The entry of this item in the page's queue (other tests leave reports there too)."""
        page.goto("/queue")
        return page.locator("ol > li", has=page.get_by_role("link", name=item, exact=True))

    # The validator forwards it from the queue.
    entry = in_queue(validator)
    entry.get_by_label("Comment (needed to return)").fill("Minutes seen.")
    entry.get_by_role("button", name="Forward").click()
    expect(validator.get_by_text("forwarded to the coordinators").first).to_be_visible()
    assert completed_in(coordinator, "Prosecution") == before

    # The coordinator returns it with a comment; the agency sees it and corrects it.
    entry = in_queue(coordinator)
    entry.get_by_label("Comment (needed to return)").fill("Attach the minutes of the last meeting.")
    entry.get_by_role("button", name="Return").click()
    expect(coordinator.get_by_text("returned to the agency").first).to_be_visible()
    focal.goto("/")
    returned = focal.get_by_role("region", name="Reports returned to you")
    assert returned.get_by_text("Attach the minutes of the last meeting.").is_visible()
    returned.get_by_role("link", name="Correct and submit again").click()
    assert focal.get_by_label("Status").input_value() == "completed"
    assert focal.get_by_label("What happened").input_value() == "Joint task force met monthly all year."
    focal.get_by_label("What happened").fill("Joint task force met monthly all year; minutes attached.")
    focal.get_by_role("button", name="Save update").click()
    focal.wait_for_url(f"**/items/{item}")
    assert completed_in(coordinator, "Prosecution") == before

    # Forwarded again and verified: only now does the dashboard count it.
    in_queue(validator).get_by_role("button", name="Forward").click()
    assert completed_in(coordinator, "Prosecution") == before
    in_queue(coordinator).get_by_role("button", name="Verify").click()
    expect(coordinator.get_by_text("verified: it is the official state now")).to_be_visible()
    assert int(completed_in(coordinator, "Prosecution")) == int(before) + 1
    coordinator.goto(f"/items/{item}")
    steps = coordinator.locator(".history-step").all_inner_texts()
    assert steps[:6] == ["verified: now the official state", "forwarded to the coordinators", "report submitted",
                         "returned to the agency", "forwarded to the coordinators", "report submitted"]


def test_an_agency_enters_a_period_in_the_grid_and_it_counts_once_verified(page_as):
    code = "PROS-PSMA-CONVICTIONS"  # the FIA reports it quarterly, by province
    focal, validator, coordinator = page_as(FIA), page_as(FIA_VALIDATOR), page_as(COORDINATOR)
    focal.goto(f"/indicators/{code}")
    focal.get_by_role("link", name="Report values").click()
    period = focal.get_by_label("Period").input_value()
    focal.get_by_label("Sindh").fill("4")
    focal.get_by_label("Punjab").fill("6")
    focal.get_by_label("Total").fill("11")
    focal.get_by_role("button", name="Send the values").click()
    # Refused whole, and nothing typed is lost.
    expect(focal.get_by_text("The total (11) is not the sum of the values (10).")).to_be_visible()
    assert focal.get_by_label("Sindh").input_value() == "4" and focal.get_by_label("Total").input_value() == "11"
    focal.get_by_label("Total").fill("10")
    focal.get_by_role("button", name="Send the values").click()
    focal.wait_for_url(f"**/indicators/{code}")
    assert focal.get_by_text("awaiting the agency's validator").first.is_visible()
    assert focal.locator("#no-values").is_visible()  # nothing counts yet

    subject = f"{code} {period}"
    validator.goto("/queue")
    validator.locator("ol > li", has=validator.get_by_role("link", name=subject)).get_by_role(
        "button", name="Forward").click()
    coordinator.goto("/queue")
    coordinator.locator("ol > li", has=coordinator.get_by_role("link", name=subject)).get_by_role(
        "button", name="Verify").click()
    coordinator.goto(f"/indicators/{code}")
    row = coordinator.get_by_role("table", name="Per period").locator("tr", has=coordinator.get_by_role(
        "rowheader", name=period))
    assert row.inner_text().split("\t")[1] == "10"  # the total given, now counted
