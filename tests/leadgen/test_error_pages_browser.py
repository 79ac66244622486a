"""The site's error pages look like the site, in Russian and English."""

from __future__ import annotations

import pytest

from tests.support.staff import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_404_page_in_both_languages(live_server, browser, published_documents):
    for language, heading in (("en-US", "Page not found"), ("ru-RU", "Страница не найдена")):
        context = browser.new_context(locale=language)
        page = context.new_page()
        response = page.goto(live_server.url + "/no/such/page/")
        assert response.status == 404
        assert page.get_by_role("heading", name=heading).is_visible()
        screenshot(page, f"404-{language}")
        context.close()


def test_the_400_page_for_a_form_in_another_encoding(live_server, page, published_documents):
    page.goto(live_server.url + "/")
    response = page.request.post(
        live_server.url + "/",
        data="a=1",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"},
    )
    assert response.status == 400
    page.set_content(response.text())
    screenshot(page, "400-encoding")
