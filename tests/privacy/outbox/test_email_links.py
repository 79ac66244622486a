"""Every e-mail to a person shows the way to their rights (clause 6.1.2) and the policy in the
e-mail's language; staff alerts, which go to staff, do not carry the person's links."""

from __future__ import annotations

import pytest

from privacy.outbox.models import Message, MessageKind
from privacy.outbox.rendering import message_render
from privacy.people.services import person_find_or_create

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
TO_A_PERSON = {
    MessageKind.ACKNOWLEDGMENT: {"receipt_token": ""},
    MessageKind.MARKETING: {"subject": "News", "body_text": "Hello."},
    MessageKind.ADVERTISING: {"subject": "Offer", "body_text": "Hello."},
    MessageKind.LEGAL_NOTICE: {"subject": "Notice", "body_text": "We lost a laptop."},
    MessageKind.DOUBLE_OPT_IN: {"purposes": ["marketing"]},
    MessageKind.RIGHTS: {"event": "acknowledged", "due_on": "2027-01-15"},
}


def rendered(kind: str, context: dict, language: str = "ru"):
    person = person_find_or_create(email="anna@example.com", phone="")
    message = Message.objects.create(
        kind=kind, person=person, to_email="anna@example.com", language=language, context=context
    )
    email = message_render(message)
    return email.body, email.alternatives[0][0]


@pytest.mark.parametrize("kind", list(TO_A_PERSON))
def test_every_email_to_a_person_links_the_rights_request_page(settings, kind):
    settings.SITE_URL = SITE

    text, html = rendered(kind, TO_A_PERSON[kind])

    for body in (text, html):
        assert f"{SITE}/privacy/requests/" in body
        assert f"{SITE}/privacy/?lang=ru" in body
    assert "Ваши данные и ваши права" in text


def test_a_staff_alert_carries_no_rights_link(settings):
    settings.SITE_URL = SITE

    text, html = rendered(
        MessageKind.STAFF_ALERT, {"admin_url": f"{SITE}/admin/leads/lead/1/change/"}, "en"
    )

    assert "/privacy/requests/" not in text + html
