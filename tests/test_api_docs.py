"""The API's documentation page: Swagger UI on the generated document, served from this server alone."""
import re
from pathlib import Path

import pytest

from tracker.api.docs import SWAGGER_UI_DIR

ATTRIBUTE_URLS = re.compile(r'(?:src|href|action)="([^"]*)"')


def test_the_page_serves_swagger_ui_from_this_server(as_role):
    client = as_role("rapporteur")
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and "text/html" in response.content_type
    html = response.get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    urls = ATTRIBUTE_URLS.findall(html)
    assert "/vendor/swagger-ui/swagger-ui-bundle.js" in urls and "/vendor/swagger-ui/swagger-ui.css" in urls
    # Every address on the page is of this server; no script runs inline (the CSP allows none).
    assert urls and all(url.startswith(("/", "#")) and not url.startswith("//") for url in urls), urls
    assert not re.search(r"https?://", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for url in (u for u in urls if u.startswith(("/vendor/", "/static/"))):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_vendor_files_come_from_the_installed_package(as_role):
    client = as_role("coordinator")
    script = client.get("/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.content_type
    with open(f"{SWAGGER_UI_DIR}/swagger-ui-bundle.js", "rb") as bundled:
        assert script.data == bundled.read()
    assert client.get("/vendor/swagger-ui/../../swagger_ui_bundle/__init__.py").status_code == 404


def test_the_page_is_for_people_logged_in(seeded, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 302
    assert client.get("/api/v2/docs").status_code == 404


@pytest.mark.parametrize("role, agency, linked", [("coordinator", None, True), ("rapporteur", None, True),
                                                  ("admin", None, True), ("agency", "NADRA", False)])
def test_the_menu_links_the_page(as_role, role, agency, linked):
    html = as_role(role, agency).get("/").get_data(as_text=True)
    assert ('href="/api/v1/docs"' in html) is linked


# In a real browser: the page's scripts run under its CSP, and nothing is fetched from elsewhere.

from test_browser import CHROMIUM, browser, live_server, log_in, page  # noqa: E402,F401 (fixtures)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_swagger_ui_draws_the_operations_and_calls_the_api_with_the_session(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, "coordinator@example.org")
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock-summary", timeout=20_000)
    assert page.locator(".opblock").count() == 5
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
