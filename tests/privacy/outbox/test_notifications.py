"""Messages a submission causes, the one gate at send time, unsubscribe and double opt-in."""

from __future__ import annotations

import json

import pytest
from django.core import mail, signing
from django.utils import timezone

from leads.models import Lead
from privacy.blocks.models import Block
from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.consent.services import consent_confirm, consent_withdraw
from privacy.outbox.gate import message_gate
from privacy.outbox.models import Message, MessageKind, SkipReason, Suppression
from privacy.outbox.services import message_queue, message_send
from privacy.people.links import CONFIRM_CONSENT, UNSUBSCRIBE
from privacy.people.models import Decision, Person, Purpose
from privacy.people.visits import Visit

pytestmark = pytest.mark.django_db

VISIT = Visit(ip="192.0.2.1", user_agent="test")


@pytest.fixture
def post_lead(client, published_documents, settings, django_capture_on_commit_callbacks):
    """Submit the form and run the on-commit hand-over (tasks run in-process in tests)."""
    from tests.support.forms import form_token

    settings.STAFF_ALERT_EMAILS = ["sales@example.com"]

    def _post(**extra):
        data = {
            "account_name": "Acme Trading",
            "phone": "+7 912 345-67-89",
            "email": "ivan@example.com",
            "consent_processing": "on",
            **extra,
        }
        data["form_token"] = form_token(client.get("/"))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/", data)
        assert response.status_code == 303
        return Lead.objects.order_by("-pk").first()

    return _post


def sent_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def test_a_submission_sends_an_acknowledgment_with_the_receipt_and_a_staff_alert(post_lead):
    lead = post_lead()

    [ack] = sent_to("ivan@example.com")
    assert "We have received your request" in ack.subject
    assert ack.attachments[0][0] == "consent-receipt.json"
    receipt = json.loads(ack.attachments[0][1])
    assert receipt["consentReceiptID"] == str(lead.receipt.receipt_id)
    assert "privacy@example.com" in ack.body
    html = ack.alternatives[0][0]
    assert "/privacy/" in html
    [alert] = sent_to("sales@example.com")
    assert f"/admin/leads/lead/{lead.pk}/change/" in alert.body
    for personal in ("ivan@example.com", "Acme", "912"):
        assert personal not in alert.body and personal not in alert.subject
    statuses = set(Message.objects.values_list("kind", "status"))
    assert statuses == {("acknowledgment", "sent"), ("staff_alert", "sent")}
    assert Message.objects.get(kind="acknowledgment").esp_message_id


def test_the_acknowledgment_is_in_the_persons_language(post_lead, client):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    post_lead()

    [ack] = sent_to("ivan@example.com")
    assert "Мы получили вашу заявку" in ack.subject


def test_marketing_consent_sends_one_confirmation_and_nothing_else_until_clicked(post_lead, client):
    post_lead(consent_marketing="on", consent_advertising="on")

    [confirmation] = [m for m in sent_to("ivan@example.com") if "confirm" in m.subject.lower()]
    person = Person.objects.get()
    marketing = message_queue(
        kind=MessageKind.MARKETING,
        person=person,
        to_email=person.email,
        context={"subject": "Offer", "body_text": "Hi"},
    )
    assert message_send(message_id=marketing.pk) == "skipped"
    marketing.refresh_from_db()
    assert marketing.skip_reason == SkipReason.UNCONFIRMED

    link = confirmation.body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    assert client.get(link).status_code == 200  # a link scanner's GET confirms nothing
    assert message_gate(marketing).reason == SkipReason.UNCONFIRMED
    assert client.post(link).status_code == 200

    confirmed = ConsentRecord.objects.filter(person=person, method=ConsentMethod.EMAIL_LINK)
    assert set(confirmed.values_list("purpose", "decision")) == {
        ("marketing", "granted"),
        ("advertising", "granted"),
    }
    again = message_queue(
        kind=MessageKind.MARKETING,
        person=person,
        to_email=person.email,
        context={"subject": "Offer", "body_text": "Hi"},
    )
    assert message_send(message_id=again.pk) == "sent"


def test_a_second_submission_after_confirmation_asks_nothing_again(post_lead):
    post_lead(consent_marketing="on")
    person = Person.objects.get()
    consent_confirm(
        person=person, purposes=["marketing"], method=ConsentMethod.EMAIL_LINK, visit=VISIT
    )
    mail.outbox.clear()

    post_lead(consent_marketing="on")

    assert not [m for m in mail.outbox if "confirm" in m.subject.lower()]
    # Decided when the second submission was stored, not only skipped by the gate later.
    assert Message.objects.filter(kind=MessageKind.DOUBLE_OPT_IN).count() == 1


def test_a_new_grant_after_a_withdrawal_asks_for_confirmation_again(post_lead):
    post_lead(consent_marketing="on")
    person = Person.objects.get()
    consent_confirm(
        person=person, purposes=["marketing"], method=ConsentMethod.EMAIL_LINK, visit=VISIT
    )
    consent_withdraw(
        person=person, purpose="marketing", method=ConsentMethod.EMAIL_LINK, visit=VISIT
    )
    mail.outbox.clear()

    post_lead(consent_marketing="on")

    [confirmation] = [m for m in mail.outbox if "confirm" in m.subject.lower()]
    assert confirmation.to == ["ivan@example.com"]
    assert Message.objects.filter(kind=MessageKind.DOUBLE_OPT_IN).count() == 2


def test_a_submission_hands_its_messages_to_the_queue_in_one_task(post_lead, monkeypatch):
    from privacy.outbox import tasks

    batches = []
    monkeypatch.setattr(
        tasks.send_message_batch, "apply_async", lambda args: batches.append(args[0])
    )
    monkeypatch.setattr(tasks.send_message, "apply_async", lambda args: batches.append(args))

    post_lead(consent_marketing="on")

    kinds = {m.pk: m.kind for m in Message.objects.all()}
    assert [sorted(kinds[pk] for pk in batch) for batch in batches] == [
        sorted([MessageKind.ACKNOWLEDGMENT, MessageKind.STAFF_ALERT, MessageKind.DOUBLE_OPT_IN])
    ]


def confirmed_person(purpose: str = Purpose.MARKETING) -> Person:
    from privacy.consent.services import consent_record_append

    person = Person.objects.create(email="anna@example.com", phone="+79990000000")
    for method in (ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK):
        consent_record_append(
            person=person,
            purpose=purpose,
            decision=Decision.GRANTED,
            method=method,
            wording_text="yes",
            visit=VISIT,
        )
    return person


def queue(kind: str, person: Person) -> Message:
    return message_queue(
        kind=kind,
        person=person,
        to_email=person.email,
        context={"subject": "Hello", "body_text": "News"},
    )


@pytest.mark.parametrize(
    ("state", "marketing", "legal_notice", "acknowledgment"),
    [
        ("consenting", "sent", "sent", "sent"),
        ("withdrawn", SkipReason.WITHDRAWN, "sent", "sent"),
        ("unsubscribed", SkipReason.UNSUBSCRIBED, "sent", "sent"),
        ("blocked", SkipReason.BLOCKED, "sent", SkipReason.BLOCKED),
        ("suppressed", SkipReason.SUPPRESSED, SkipReason.SUPPRESSED, SkipReason.SUPPRESSED),
    ],
)
def test_the_gate_decides_from_the_state_at_send_time(
    published_documents, state, marketing, legal_notice, acknowledgment
):
    person = confirmed_person()
    messages = {
        "marketing": queue(MessageKind.MARKETING, person),
        "legal_notice": queue(MessageKind.LEGAL_NOTICE, person),
        "acknowledgment": queue(MessageKind.ACKNOWLEDGMENT, person),
    }
    # The state changes after the messages were queued: the gate must see the new state.
    if state == "withdrawn":
        consent_withdraw(
            person=person, purpose="marketing", method=ConsentMethod.REQUEST, visit=VISIT
        )
    elif state == "unsubscribed":
        consent_withdraw(
            person=person, purpose="marketing", method=ConsentMethod.EMAIL_LINK, visit=VISIT
        )
    elif state == "blocked":
        Block.objects.create(
            person=person, requested_by="person", reason="dispute", review_by=timezone.now().date()
        )
    elif state == "suppressed":
        Suppression.objects.create(email="anna@example.com", reason="bounced")

    outcome = {}
    for name, message in messages.items():
        message_send(message_id=message.pk)
        message.refresh_from_db()
        outcome[name] = message.status if message.status == "sent" else message.skip_reason

    assert outcome == {
        "marketing": marketing,
        "legal_notice": legal_notice,
        "acknowledgment": acknowledgment,
    }
    assert len(mail.outbox) == list(outcome.values()).count("sent")


def test_marketing_without_any_consent_is_skipped_for_no_consent(published_documents):
    person = Person.objects.create(email="none@example.com")
    message = queue(MessageKind.ADVERTISING, person)

    message_send(message_id=message.pk)

    message.refresh_from_db()
    assert (message.status, message.skip_reason) == ("skipped", SkipReason.NO_CONSENT)
    assert mail.outbox == []


def test_marketing_mail_carries_one_click_unsubscribe_headers_and_footer(published_documents):
    person = confirmed_person()
    message = queue(MessageKind.MARKETING, person)

    message_send(message_id=message.pk)

    [email] = mail.outbox
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/privacy/unsubscribe/" in link
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body
    assert link in email.alternatives[0][0]


def test_one_click_unsubscribe_by_post_without_cookies_withdraws_consent(
    published_documents, client
):
    person = confirmed_person()
    path = UNSUBSCRIBE.url(p=person.pk, u="marketing").split("8000", 1)[1]
    pending = queue(MessageKind.MARKETING, person)

    assert client.get(path).status_code == 200  # the confirm page changes nothing
    assert message_gate(pending).allowed
    response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    latest = ConsentRecord.objects.filter(person=person, purpose="marketing").last()
    assert (latest.decision, latest.method) == ("denied", "email_link")
    message_send(message_id=pending.pk)
    pending.refresh_from_db()
    assert pending.skip_reason == SkipReason.UNSUBSCRIBED


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps({"p": 1, "u": "marketing"}, salt="another-purpose"),
        signing.dumps({"p": 1, "u": "processing"}, salt=UNSUBSCRIBE.salt),
        # Correctly signed, wrongly shaped: an id that is not a number, a list for a purpose.
        signing.dumps({"p": "1 OR 1=1", "u": "marketing"}, salt=UNSUBSCRIBE.salt),
        signing.dumps({"p": 1, "u": ["marketing"]}, salt=UNSUBSCRIBE.salt),
        signing.dumps(["p", 1], salt=UNSUBSCRIBE.salt),
    ],
)
def test_a_forged_or_foreign_unsubscribe_link_is_refused_and_changes_nothing(
    published_documents, client, token
):
    confirmed_person()
    before = ConsentRecord.objects.count()

    response = client.post(f"/privacy/unsubscribe/{token}/")

    assert response.status_code == 400
    assert "This link is not valid" in response.text
    assert ConsentRecord.objects.count() == before


def test_an_expired_confirmation_link_is_refused(published_documents, client, monkeypatch):
    person = confirmed_person()
    token = CONFIRM_CONSENT.url(p=person.pk, u=["marketing"], m=1).rsplit("/", 2)[1]
    monkeypatch.setattr("privacy.people.links.CONSENT_LINK_MAX_AGE", -1)

    response = client.post(f"/privacy/confirm/{token}/")

    assert response.status_code == 400


POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Description": "The server was unable to deliver your message.",
    "Details": "smtp;550 5.1.1 user unknown",
    "Email": "Anna@Example.com",
    "BouncedAt": "2026-11-25T10:00:00Z",
    "Metadata": {"message_id": "1"},
}


def test_a_bounce_webhook_suppresses_the_address(published_documents, client, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:s3cret"}
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.postmark.EmailBackend"}}
    person = confirmed_person()

    refused = client.post(
        "/anymail/postmark/tracking/", POSTMARK_BOUNCE, content_type="application/json"
    )
    assert refused.status_code in {400, 401, 403}
    assert not Suppression.objects.exists()

    response = client.post(
        "/anymail/postmark/tracking/",
        POSTMARK_BOUNCE,
        content_type="application/json",
        headers={"Authorization": "Basic aG9vazpzM2NyZXQ="},  # hook:s3cret
    )

    assert response.status_code == 200
    assert Suppression.objects.get().email == "anna@example.com"
    assert message_gate(queue(MessageKind.LEGAL_NOTICE, person)).reason == SkipReason.SUPPRESSED
