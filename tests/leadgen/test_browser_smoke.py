"""A real Chromium opens the home page and switches the language."""

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_visitor_switches_the_site_to_russian_and_back(live_server, page, published_documents):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Privacy Policy").first.is_visible()

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("link", name="Политика конфиденциальности").first.is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_visitor_reads_the_policy_in_force(live_server, page, published_documents):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Privacy Policy").first.click()
    page.wait_for_url("**/privacy/")

    assert page.get_by_role("heading", name="Privacy Policy", level=1).is_visible()
    assert page.get_by_text("Version 1").first.is_visible()
    assert page.get_by_text("2.4. The Site Administration does not verify").is_visible()
