"""The breach notice's preview, in each language, and its confirmation in a real Chromium."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from privacy.incidents.models import Incident
from privacy.outbox.models import Message
from privacy.people.models import Person
from tests.support.staff import screenshot, staff_in_browser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_officer_previews_the_notice_in_each_language_then_sends_it(
    live_server, page, make_lead, settings
):
    make_lead("anna@example.com", "+79160000001")
    ivan = make_lead("ivan@example.com", "+79160000002").person
    Person.objects.filter(pk=ivan.pk).update(language="ru")
    officer = staff_in_browser(page, live_server, Role.PRIVACY_OFFICER)
    incident = Incident.objects.create(
        title="Backup stolen",
        description="A backup disk was stolen from the office.",
        notice_subject="Your data may have been exposed",
        notice_body="On 1 March a backup disk with your e-mail and phone was stolen.",
        created_by=officer,
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    admin = f"{live_server.url}/{settings.ADMIN_URL}privacy/incident/{incident.pk}/"

    page.goto(admin + "change/")
    page.click("input[name=_preview]")
    page.wait_for_url(admin + "notice/")

    assert page.locator("text=It will go to 2 people").is_visible()
    assert page.get_by_role("heading", name="English · 1 person").is_visible()
    assert page.get_by_role("heading", name="Русский · 1 person").is_visible()
    screenshot(page, "incident-notice-preview")
    assert Incident.objects.get().notice_started_at is None

    page.get_by_role("button", name="Send the notice to 2 people").click()
    page.wait_for_url(admin + "change/")

    assert Incident.objects.get().notice_started_at is not None
    assert Message.objects.filter(dedupe_key=incident.dedupe_key).count() == 2
    screenshot(page, "incident-after-notice")
    assert errors == []
