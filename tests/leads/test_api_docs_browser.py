"""The API's interactive documentation runs under the site's strict CSP, from local files."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def test_the_docs_work_under_the_strict_csp_with_nothing_from_elsewhere(live_server, page):
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    errors: list[str] = []
    requested: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(live_server.url + "/api/v1/docs/")
    page.get_by_text("/api/v1/forms/{slug}/submissions/").click()
    page.get_by_role("button", name="Try it out").click()

    csp = response.headers["content-security-policy"]
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
    assert page.get_by_role("button", name="Execute").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=True)
    assert page.evaluate("window.__violations") == []
    assert errors == []
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested)


def test_the_schema_documents_both_calls_and_the_key(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert set(schema["paths"]) == {
        "/api/v1/forms/{slug}/",
        "/api/v1/forms/{slug}/submissions/",
    }
    post = schema["paths"]["/api/v1/forms/{slug}/submissions/"]["post"]
    assert {"201", "200", "400", "401", "403", "404", "409", "413", "429"} <= set(
        post["responses"]
    )
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
