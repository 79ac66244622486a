"""Rights requests from people: identity by a one-time link, clocks, answers by e-mail."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.consent.services import consent_record_append
from privacy.outbox.gate import message_for_sending, message_gate
from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import message_queue
from privacy.people.models import Decision, Purpose
from privacy.people.visits import Visit
from privacy.rights.models import RightsRequest
from privacy.rights.services import (
    ALREADY_EXTENDED,
    CANNOT_EXTEND,
    NOT_OPEN,
    REASON_REQUIRED,
    RightsError,
    request_answer,
    request_extend,
    request_reject,
    request_take,
    requests_due_notify,
    requests_purge_unconfirmed,
)
from tests.support.mail import link_in, mails_to, rights_messages, send_outbox

pytestmark = pytest.mark.django_db


def page_text(client, path: str) -> str:
    """The page without its per-response tokens (CSRF, CSP nonces)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", client.get(path).text)


Status = RightsRequest.Status


def test_the_form_offers_every_right_with_csrf(client, published_documents):
    response = client.get("/privacy/requests/")

    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.text
    for kind in RightsRequest.Kind:
        assert f'value="{kind.value}"' in response.text


def test_known_and_unknown_addresses_get_the_same_answer_after_the_same_work(
    client, submit_request, lead
):
    with CaptureQueriesContext(connection) as known_queries:
        known = submit_request("access", "anna@example.com")
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = submit_request("access", "nobody@example.com")

    assert known.status_code == unknown.status_code == 303
    assert known["Location"] == unknown["Location"]
    assert page_text(client, known["Location"]) == page_text(client, unknown["Location"])
    assert len(known_queries) == len(unknown_queries)
    assert RightsRequest.objects.filter(status=Status.NEW).count() == 2
    send_outbox()
    known_mail, unknown_mail = mails_to("anna@example.com"), mails_to("nobody@example.com")
    assert len(known_mail) == len(unknown_mail) == 1
    assert known_mail[0].subject == unknown_mail[0].subject
    assert "Anna" not in known_mail[0].body and "+7912" not in known_mail[0].body


def test_an_unconfirmed_requester_sees_nothing(client, submit_request, lead):
    submit_request("access", "anna@example.com")
    rights_request = RightsRequest.objects.get()
    send_outbox()

    page = client.get(f"/privacy/requests/{rights_request.public_id}/")
    confirm_page = client.get(link_in(mails_to("anna@example.com")[0]))

    assert page.status_code == 400
    assert "anna@example.com" not in page.text
    assert confirm_page.status_code == 200
    assert "anna@example.com" not in confirm_page.text and "Anna" not in confirm_page.text
    rights_request.refresh_from_db()
    assert rights_request.status == Status.NEW and rights_request.due_on is None
    assert not rights_messages("export")


def test_confirming_starts_the_clock_and_acknowledges_with_the_due_date(client, confirmed, lead):
    rights_request = confirmed("claim", "anna@example.com", details="You called me at night.")

    assert rights_request.status == Status.VERIFIED
    assert rights_request.person == lead.person
    assert rights_request.due_on == timezone.localdate() + timedelta(days=30)
    page = client.get(f"/privacy/requests/{rights_request.public_id}/")
    assert rights_request.due_on.isoformat() in page.text
    send_outbox()
    [ack] = [m for m in mails_to("anna@example.com") if "received" in m.subject]
    assert rights_request.due_on.isoformat() in ack.body


def test_a_used_link_is_refused_and_changes_nothing(client, submit_request, lead):
    submit_request("question", "anna@example.com", details="Where do you keep my data?")
    send_outbox()
    path = link_in(mails_to("anna@example.com")[0])
    assert client.post(path).status_code == 303
    before = RightsRequest.objects.values().get()

    again = client.post(path)

    assert again.status_code == 400
    assert "not valid" in again.text
    assert RightsRequest.objects.values().get() == before


def test_an_expired_link_is_refused_and_changes_nothing(client, submit_request, lead, monkeypatch):
    submit_request("access", "anna@example.com")
    send_outbox()
    path = link_in(mails_to("anna@example.com")[0])
    later = time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(path)

    assert response.status_code == 400
    assert RightsRequest.objects.get().status == Status.NEW


def test_a_damaged_link_is_refused(client, published_documents):
    response = client.post("/privacy/requests/confirm/not-a-token/")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"kind": "access", "email": "not-an-address"}, "valid e-mail"),
        ({"kind": "access", "email": '"a\x01b"@example.org'}, "valid e-mail"),
        ({"kind": "withdrawal", "email": "anna@example.com"}, "consent to withdraw"),
        ({"kind": "claim", "email": "anna@example.com"}, "Write your claim"),
        ({"kind": "nonsense", "email": "anna@example.com"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(
    client, published_documents, data, field_error
):
    response = client.post("/privacy/requests/", data)

    assert response.status_code == 400
    assert field_error in response.text
    assert RightsRequest.objects.count() == 0
    assert Message.objects.count() == 0


def test_the_form_is_rate_limited_per_address(client, published_documents, settings):
    settings.RIGHTS_REQUEST_RATE_LIMIT = "2/h"
    data = {"kind": "access", "email": "anna@example.com"}
    statuses = [client.post("/privacy/requests/", data).status_code for _ in range(3)]

    assert statuses == [303, 303, 429]
    assert RightsRequest.objects.count() == 2


def test_access_sends_a_signed_expiring_link_never_the_data_in_the_mail(
    client, confirmed, lead, monkeypatch
):
    rights_request = confirmed("access", "anna@example.com")
    send_outbox()

    assert rights_request.status == Status.ANSWERED
    [answer] = [m for m in mails_to("anna@example.com") if "ready" in m.subject]
    assert answer.attachments == []
    assert "+79123456789" not in answer.body and "Anna" not in answer.body
    page = client.get(link_in(answer, "export"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    download = client.get(link_in(answer, "export") + "json/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["person"]["email"] == "anna@example.com"
    assert data["leads"][0]["account_name"] == "Anna"
    assert data["leads"][0]["visit"]["ip"] == "203.0.113.7"
    assert (data["leads"][0]["form"], data["leads"][0]["channel"]) == ("Main page", "web_form")
    assert {r["purpose"] for r in data["consent_records"]} >= {"processing", "marketing"}
    assert data["messages"] and data["rights_requests"][0]["kind"] == "access"
    assert data["blocks"] == [] and data["disclosures"] == []

    later = time.time() + 73 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.get(link_in(answer, "export")).status_code == 400
    assert client.get(link_in(answer, "export") + "json/").status_code == 400


def test_an_unknown_address_confirmed_gets_an_export_holding_nothing(client, confirmed):
    confirmed("access", "nobody@example.com")
    send_outbox()
    [answer] = [m for m in mails_to("nobody@example.com") if "ready" in m.subject]

    data = json.loads(client.get(link_in(answer, "export") + "json/").content)

    assert data["person"] is None
    assert [r["kind"] for r in data["rights_requests"]] == ["access"]


def test_withdrawal_records_a_request_consent_record_and_stops_unsent_marketing(
    client, submit_request, lead
):
    consent_record_append(
        person=lead.person,
        purpose=Purpose.MARKETING,
        decision=Decision.GRANTED,
        method=ConsentMethod.EMAIL_LINK,
        wording_text="I confirm by the link.",
        visit=Visit(),
    )
    submit_request("withdrawal", "anna@example.com", purpose="marketing")
    send_outbox()
    queued = message_queue(
        kind=MessageKind.MARKETING, to_email="anna@example.com", person=lead.person
    )
    assert message_gate(message_for_sending(queued.pk)).allowed

    assert client.post(link_in(mails_to("anna@example.com")[0])).status_code == 303

    record = ConsentRecord.objects.filter(person=lead.person, purpose=Purpose.MARKETING).last()
    assert (record.decision, record.method) == (Decision.DENIED, ConsentMethod.REQUEST)
    assert RightsRequest.objects.get().status == Status.ANSWERED
    send_outbox()
    queued.refresh_from_db()
    assert (queued.status, queued.skip_reason) == ("skipped", "withdrawn")


def test_withdrawing_the_processing_consent_leaves_the_destruction_to_an_officer(confirmed, lead):
    rights_request = confirmed("withdrawal", "anna@example.com", purpose="processing")

    lead.person.refresh_from_db()
    assert lead.person.consent_processing == Decision.DENIED
    assert lead.person.consent_marketing == Decision.DENIED
    assert rights_request.status == Status.IN_PROGRESS
    assert rights_request.due_on == timezone.localdate() + timedelta(days=30)


def test_an_officer_answers_a_claim_and_the_person_gets_the_answer(confirmed, officer, lead):
    rights_request = confirmed("claim", "anna@example.com", details="Refund me.")

    request_answer(request=rights_request, staff=officer, answer="We refund you in full.")
    send_outbox()

    rights_request.refresh_from_db()
    assert rights_request.status == Status.ANSWERED
    assert rights_request.answered_by == officer and rights_request.answered_at
    assert any("We refund you in full." in m.body for m in mails_to("anna@example.com"))


def test_a_rejection_needs_a_reason_and_without_one_changes_nothing(confirmed, officer, lead):
    rights_request = confirmed("erasure", "anna@example.com")

    with pytest.raises(RightsError, match=REASON_REQUIRED):
        request_reject(request=rights_request, staff=officer, reason="  ")
    rights_request.refresh_from_db()
    assert rights_request.status == Status.VERIFIED

    request_reject(request=rights_request, staff=officer, reason="A court ordered us to keep it.")
    send_outbox()
    assert rights_request.__class__.objects.get().status == Status.REJECTED
    assert any("A court ordered" in m.body for m in mails_to("anna@example.com"))


def test_access_extends_once_by_five_working_days_with_a_reasoned_notice(
    client, submit_request, officer, lead, settings
):
    settings.RIGHTS_CLOCKS = {**settings.RIGHTS_CLOCKS, "access_working_days": 10}
    submit_request("access", "anna@example.com")
    rights_request = RightsRequest.objects.get()
    # Held back from the automatic answer so an officer can extend it.
    RightsRequest.objects.filter(pk=rights_request.pk).update(
        status=Status.IN_PROGRESS, due_on=timezone.localdate()
    )
    rights_request.refresh_from_db()

    request_extend(request=rights_request, staff=officer, reason="The archive is offline.")
    with pytest.raises(RightsError, match=ALREADY_EXTENDED):
        request_extend(request=rights_request, staff=officer, reason="Again.")

    rights_request.refresh_from_db()
    assert rights_request.due_on > timezone.localdate() + timedelta(days=4)
    send_outbox()
    assert any("The archive is offline." in m.body for m in mails_to("anna@example.com"))


def test_claims_cannot_be_extended_under_russian_law(confirmed, officer, lead):
    rights_request = confirmed("claim", "anna@example.com", details="Refund me.")

    with pytest.raises(RightsError, match=CANNOT_EXTEND):
        request_extend(request=rights_request, staff=officer, reason="Busy.")
    assert RightsRequest.objects.get().due_on == rights_request.due_on


def test_officers_see_overdue_requests_highlighted_and_get_a_morning_reminder(
    client, confirmed, officer, lead, settings
):
    rights_request = confirmed("claim", "anna@example.com", details="Refund me.")
    RightsRequest.objects.filter(pk=rights_request.pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    client.force_login(officer)

    page = client.get("/admin/privacy/rightsrequest/?due=overdue")

    assert page.status_code == 200
    assert "rights-overdue" in page.text and "overdue by 2" in page.text
    assert requests_due_notify() == 1
    assert requests_due_notify() == 0  # once a day
    send_outbox()
    [reminder] = mails_to("officer@example.com")
    assert "OVERDUE" in reminder.body and "anna@example.com" not in reminder.body
    schedule = settings.CELERY_BEAT_SCHEDULE["mail-due-rights-requests"]
    assert schedule["task"] == "privacy.rights.tasks.mail_due_requests"


def test_an_officer_answers_from_the_admin_page(client, confirmed, officer, lead):
    rights_request = confirmed("question", "anna@example.com", details="Who are you?")
    client.force_login(officer)
    url = f"/admin/privacy/rightsrequest/{rights_request.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_answer"' in page.text

    inlines = {
        f"{prefix}-{name}": "0"
        for prefix in ("corrections", "destructions")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = client.post(
        url, {"answer": "We are Leadgen.", "assignee": "", "_answer": "1", **inlines}
    )

    assert response.status_code == 302
    assert RightsRequest.objects.get().status == Status.ANSWERED


def test_an_officer_takes_a_request_from_the_admin_page_and_it_is_assigned_to_them(
    client, confirmed, officer, lead
):
    rights_request = confirmed("question", "anna@example.com", details="Who are you?")
    client.force_login(officer)
    url = f"/admin/privacy/rightsrequest/{rights_request.pk}/change/"
    inlines = {
        f"{prefix}-{name}": "0"
        for prefix in ("corrections", "destructions")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }

    response = client.post(url, {"answer": "", "assignee": "", "_take": "1", **inlines})

    assert response.status_code == 302
    rights_request.refresh_from_db()
    assert (rights_request.status, rights_request.assignee) == (Status.IN_PROGRESS, officer)
    assert rights_request.due_on is not None  # the clock keeps running
    assert not rights_messages("answered")  # taking it tells the person nothing yet


def test_an_answered_request_cannot_be_taken(confirmed, officer, lead):
    rights_request = confirmed("question", "anna@example.com", details="Who are you?")
    request_answer(request=rights_request, staff=officer, answer="We are Leadgen.")

    with pytest.raises(RightsError, match=NOT_OPEN):
        request_take(request=rights_request, staff=officer)
    rights_request.refresh_from_db()
    assert (rights_request.status, rights_request.assignee) == (Status.ANSWERED, None)


def test_a_reviewer_cannot_see_rights_requests(client, confirmed, reviewer, lead):
    confirmed("question", "anna@example.com", details="Who are you?")
    client.force_login(reviewer)

    assert client.get("/admin/privacy/rightsrequest/").status_code == 403


def test_unconfirmed_requests_are_purged_with_their_address_after_the_link_expires(
    submit_request, published_documents
):
    submit_request("access", "stranger@example.com")
    send_outbox()

    assert requests_purge_unconfirmed(now=timezone.now() + timedelta(hours=25)) == 1
    assert RightsRequest.objects.count() == 0
    assert not Message.objects.filter(to_email="stranger@example.com").exists()
