"""Failed messages are retried by privacy officers only, through message_retry, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from privacy.audit.models import AuditAction, AuditEntry
from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import NOT_ALLOWED_TO_RETRY, RetryError, message_queue, messages_retry

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(lead):
    message = message_queue(
        kind=MessageKind.ACKNOWLEDGMENT, to_email=lead.email, person=lead.person
    )
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED, attempts=5, error="AnymailAPIError: 503"
    )
    return message


def test_an_officer_retries_a_failed_message_from_the_messages_list(
    client, officer, failed, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("admin:privacy_message_changelist"),
            {"action": "retry", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("queued", 0, "")
    assert AuditEntry.objects.filter(action=AuditAction.MESSAGE_RETRIED, actor=officer).exists()


def test_the_persons_page_links_officers_to_their_failed_messages(client, officer, failed):
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_person_change", args=[failed.person_id]))
    assert "1 failed message: retry…" in page.content.decode()
    assert "AnymailAPIError: 503" in page.content.decode()


def test_a_reviewer_sees_failures_but_cannot_retry_them(client, reviewer, failed):
    client.force_login(reviewer)
    page = client.get(reverse("admin:privacy_message_changelist")).content.decode()
    assert "Retry the failed messages" not in page
    client.post(
        reverse("admin:privacy_message_changelist"),
        {"action": "retry", "_selected_action": [failed.pk]},
    )
    with pytest.raises(RetryError, match=NOT_ALLOWED_TO_RETRY):
        messages_retry(messages=[failed], staff=reviewer)
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED
    assert not AuditEntry.objects.filter(action=AuditAction.MESSAGE_RETRIED).exists()
