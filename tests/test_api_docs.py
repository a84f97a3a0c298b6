"""The API's documentation page: Swagger UI on the generated document, served from this server alone."""
import re

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
