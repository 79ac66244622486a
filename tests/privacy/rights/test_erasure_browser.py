"""The second look before an erasure, in a real Chromium under the CSP."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.roles import Role
from privacy.people.models import Person
from privacy.rights.models import RightsRequest
from tests.support.staff import screenshot, staff_in_browser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_officer_reads_what_goes_and_what_stays_then_erases(
    live_server, page, make_lead, settings
):
    lead = make_lead("zoe@example.com", "+79161112233", account_name="Zyx Trading")
    officer = staff_in_browser(page, live_server, Role.PRIVACY_OFFICER)
    rights_request = RightsRequest.objects.create(
        kind=RightsRequest.Kind.ERASURE,
        email="zoe@example.com",
        email_digest="x",
        person=lead.person,
        status=RightsRequest.Status.VERIFIED,
        verified_at=timezone.now(),
        due_on=timezone.localdate(),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    admin = f"{live_server.url}/{settings.ADMIN_URL}privacy/rightsrequest/{rights_request.pk}/"

    page.goto(admin + "change/")
    page.fill("#id_answer", "We also asked our mail provider to forget you.")
    page.click("input[name=_erase]")
    page.wait_for_url(admin + "erase/")

    assert page.get_by_role("heading", name="What will be erased").is_visible()
    assert page.get_by_role("heading", name="What is kept as proof").is_visible()
    assert "forget you" in page.locator("#id_answer").input_value()
    screenshot(page, "erase-confirmation")
    assert Person.objects.get(pk=lead.person_id).erased_at is None

    page.get_by_role("button", name="Yes, erase and send the answer").click()
    page.wait_for_url(admin + "change/")

    assert Person.objects.get(pk=lead.person_id).erased_at is not None
    assert page.locator("text=Erased, and the answer is on its way").is_visible()
    assert errors == []
    assert officer.pk
