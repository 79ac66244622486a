"""A visitor accepts analytics in Chromium, sees the script load, then withdraws."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy.consent.models import ConsentMethod, ConsentRecord
from tests.support.cookies import METRICA_ID

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

STUB = (Path(__file__).parent / "stub_metrica.js").read_text()


def _serve_stub_metrica(page) -> list[str]:
    """Answer the real counter URL with the local stub, so the real CSP decides if it loads."""
    loads: list[str] = []

    def fulfil(route):
        loads.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=STUB)

    page.route("https://mc.yandex.ru/**", fulfil)
    return loads


def _wait_for_stub(page) -> None:
    # An async script delays the load event; wait_for_function would need 'unsafe-eval'.
    page.wait_for_load_state("load")
    assert page.evaluate("window.__metricaStubLoaded") is True


def _ym_cookie(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == "_ym_uid"]


def test_a_visitor_accepts_analytics_sees_it_load_then_withdraws_and_it_is_gone(
    live_server, page, published_documents, settings
):
    settings.YANDEX_METRICA_ID = METRICA_ID
    loads = _serve_stub_metrica(page)
    page.goto(live_server.url + "/")

    banner = page.get_by_role("region", name="Cookies on this site")
    assert banner.is_visible()
    assert loads == [] and _ym_cookie(page) == []

    # With the keyboard: Tab to "Accept all" and press Enter.
    banner.get_by_role("button", name="Accept all").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _wait_for_stub(page)

    assert loads == ["https://mc.yandex.ru/metrika/tag.js"]
    assert _ym_cookie(page), "the script set its cookie"
    assert not banner.is_visible()

    page.get_by_role("link", name="Cookie settings").click()
    assert banner.is_visible(), "the footer link reopens the banner in place"
    with page.expect_navigation():
        banner.get_by_role("button", name="Reject all").click()

    assert page.evaluate("window.__metricaStubLoaded") is None
    assert page.locator("script[data-analytics]").count() == 0
    assert _ym_cookie(page) == [], "withdrawal deleted the analytics cookie"
    assert len(loads) == 1
    assert list(
        ConsentRecord.objects.order_by("seq").values_list("purpose", "decision", "method")
    ) == [
        ("analytics", "granted", ConsentMethod.COOKIE_BANNER),
        ("analytics", "denied", ConsentMethod.COOKIE_BANNER),
    ]


def test_the_choice_by_category_works_in_the_browser_and_csp_blocks_nothing_it_allows(
    live_server, page, published_documents, settings
):
    settings.YANDEX_METRICA_ID = METRICA_ID
    loads = _serve_stub_metrica(page)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(live_server.url + "/privacy/")

    page.get_by_text("Choose by category").click()
    page.get_by_label("Analytics").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my choice").click()
    _wait_for_stub(page)

    assert page.url == live_server.url + "/privacy/"
    assert len(loads) == 1
    assert violations == []


def test_the_demos_stand_in_scripts_show_the_banner_and_make_no_network_request(
    live_server, page, published_documents, settings
):
    settings.STANDIN_SCRIPTS = True
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/")

    banner = page.get_by_role("region", name="Cookies on this site")
    assert banner.is_visible()
    assert page.locator("script[data-standin]").count() == 0  # nothing before the choice
    with page.expect_navigation():
        banner.get_by_role("button", name="Accept all").click()
    page.wait_for_load_state("load")

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert page.locator("script[data-standin]").count() == 2
    assert cookies.get("demo_statistics") == "1" and cookies.get("demo_advertising") == "1"
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert errors == []  # the strict CSP let the stand-ins run, with nothing widened

    page.get_by_role("link", name="Cookie settings").click()
    with page.expect_navigation():
        banner.get_by_role("button", name="Reject all").click()

    names = {c["name"] for c in page.context.cookies()}
    assert not names & {"demo_statistics", "demo_advertising"}, "withdrawal deleted them"
    assert page.locator("script[data-standin]").count() == 0
