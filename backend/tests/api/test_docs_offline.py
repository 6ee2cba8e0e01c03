"""/docs works offline: Swagger UI's files come from this process, never from a CDN.

The first test reads the page and its assets through the app; the second opens it in
Chromium with every request that leaves 127.0.0.1 aborted and waits for Swagger UI to
draw the operations. Without a Chromium it skips, unless REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from driftwatch_testing import until_ready
from driftwatch_testing.browser import chromium

PATIENCE_MS = 60_000  # a cold 1.5 MB script on a busy machine


@pytest.fixture
def anonymous(settings, clean_db):
    """The docs are for anyone who reaches the service: no credential is sent."""
    with TestClient(create_app(settings)) as c:
        yield until_ready(c)


def test_docs_page_and_its_assets_are_served_by_the_app(anonymous):
    page = anonymous.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<title>Driftwatch API - Swagger UI</title>" in html
    assert "cdn.jsdelivr.net" not in html and "http" not in html, "the page must name no other host"
    assert "url: '/openapi.json'" in html
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in html

    assets = {
        "css": re.findall(r'<link type="text/css" rel="stylesheet" href="([^"]+)"', html),
        "favicon": re.findall(r'<link rel="shortcut icon" href="([^"]+)"', html),
        "js": re.findall(r'<script src="([^"]+)"', html),
    }
    assert all(len(urls) == 1 for urls in assets.values()), assets
    assert len(re.findall(r'(?:href|src)="', html)) == 3, "an asset the test does not check"
    expected = {"css": "text/css", "favicon": "image/png", "js": "javascript"}
    for kind, (url,) in assets.items():
        assert url.startswith("/docs-assets/"), (kind, url)
        answer = anonymous.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        assert expected[kind] in answer.headers["content-type"], (url, answer.headers["content-type"])
        assert len(answer.content) > 1_000, url
    assert "SwaggerUIBundle" in anonymous.get(assets["js"][0]).text

    redirect = anonymous.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "oauth2" in redirect.text
    assert anonymous.get("/docs-assets/nothing-here.js").status_code == 404
    document = anonymous.get("/openapi.json")
    assert document.status_code == 200 and "/api/v1/predict" in document.json()["paths"]


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


@pytest.mark.slow
@pytest.mark.e2e
def test_docs_render_in_a_browser_with_no_network_beyond_the_backend(browser, database_url, demo_model, tmp_path):
    from playwright.sync_api import Route, expect

    from driftwatch_testing import run_backend

    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with run_backend(database_url, tmp_path / "backend.log") as base:
        page = browser.new_page()
        try:
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", only_loopback)
            page.goto(f"{base}/docs")
            expect(page).to_have_title("Driftwatch API - Swagger UI")
            expect(page.locator(".information-container .title")).to_contain_text("Driftwatch API", timeout=PATIENCE_MS)
            for path in (r"^/api/v1/predict$", r"^/api/v1/models/\{name\}/predict$"):  # an alias and its twin
                predict = page.locator(".opblock-post .opblock-summary-path", has_text=re.compile(path))
                expect(predict).to_be_visible(timeout=PATIENCE_MS)
            expect(page.locator(".auth-wrapper .authorize")).to_be_visible()  # the security schemes
            assert page.locator(".opblock").count() > 20
        finally:
            page.close()
    assert blocked == [], f"the docs asked other hosts: {blocked}"
    assert errors == [], errors
