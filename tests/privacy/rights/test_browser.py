"""A person submits a request in a real Chromium and confirms it by the link in the e-mail."""

from __future__ import annotations

import pytest

from privacy.rights.models import RightsRequest
from tests.support.mail import link_in, mails_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_person_asks_a_question_and_confirms_it_by_the_emailed_link(
    live_server, page, published_documents
):
    page.goto(live_server.url + "/privacy/requests/")
    page.get_by_label("A question or a suggestion").check()
    page.get_by_label("Your e-mail").fill("ivan@example.com")
    page.get_by_label("Details").fill("Which cookies do you set?")
    page.get_by_role("button", name="Send the request").click()

    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    [message] = mails_to("ivan@example.com")
    page.goto(live_server.url + link_in(message))
    page.get_by_role("button", name="Confirm my request").click()

    assert page.get_by_role("heading", name="Your request").is_visible()
    rights_request = RightsRequest.objects.get()
    assert rights_request.status == RightsRequest.Status.VERIFIED
    assert rights_request.due_on.isoformat() in page.content()
