"""A visitor fills in the form in a real Chromium."""

import pytest

from leads.models import Lead

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_visitor_submits_the_form_and_sees_the_thank_you_page(
    live_server, page, published_documents
):
    page.goto(live_server.url + "/?utm_source=browser-test")

    page.get_by_label("Account name").fill("Acme Trading")
    page.get_by_label("Contact phone").fill("8 912 345-67-89")
    page.get_by_label("E-mail").fill("ivan@example.com")
    page.get_by_label("I agree to the processing of my personal data").check()
    page.get_by_role("button", name="Send").click()

    assert page.get_by_role("heading", name="Thank you!").is_visible()
    assert page.get_by_role("link", name="Your consent receipt").is_visible()
    lead = Lead.objects.get()
    assert (lead.phone, lead.utm_source) == ("+79123456789", "browser-test")


def test_a_visitor_with_a_mistake_sees_the_error_beside_the_field(
    live_server, page, published_documents
):
    page.goto(live_server.url + "/")
    page.get_by_label("Account name").fill("Acme Trading")
    page.get_by_label("Contact phone").fill("12")
    page.get_by_label("E-mail").fill("ivan@example.com")
    page.get_by_label("I agree to the processing of my personal data").check()
    page.get_by_role("button", name="Send").click()

    phone = page.get_by_label("Contact phone")
    assert phone.get_attribute("aria-invalid") == "true"
    error = page.locator("#id_phone_error")
    assert "Enter a valid phone number" in error.inner_text()
    assert phone.input_value() == "12"
    assert page.get_by_label("Account name").input_value() == "Acme Trading"
    field_box, error_box = phone.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - field_box["y"] < 80, "the message sits right under the field"
    assert Lead.objects.count() == 0


def test_the_form_is_usable_with_the_keyboard_alone(live_server, page, published_documents):
    page.goto(live_server.url + "/")
    page.get_by_label("Account name").focus()
    page.keyboard.type("Keyboard Co")
    page.keyboard.press("Tab")
    page.keyboard.type("+7 912 345 67 89")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # tick consent to processing
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Thank you!").wait_for()
    assert Lead.objects.get().account_name == "Keyboard Co"
