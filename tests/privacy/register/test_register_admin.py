"""Officers keep the register in the admin: each save a revision with its audit entry, the
project's integrations listed by themselves, the clocks on the overview and in the morning
mail, consent drafts a click away."""

from __future__ import annotations

import pytest
from django.core import mail

from privacy.audit.models import AuditAction, AuditEntry
from privacy.documents.models import DocumentVersion
from privacy.outbox.models import Message
from privacy.register.alerts import register_clocks_notify
from privacy.register.models import ProcessingPurpose, Processor, RegisterChange, RegisterRevision
from tests.support.cookies import GA_ID

pytestmark = pytest.mark.django_db

OVERVIEW = "/admin/privacy/operator/"


def test_saving_the_operator_records_a_revision_and_an_audit_entry(officer, client):
    client.force_login(officer)

    answer = client.post(
        "/admin/privacy/operator/1/change/",
        {"full_name_ru": "ООО «Лидген»", "inn": "7707083893"},
    )

    assert answer.status_code == 302
    revision = RegisterRevision.objects.get()
    assert revision.created_by == officer
    changes = {c.field: (c.old, c.new, c.item) for c in revision.changes.all()}
    assert changes["inn"] == ("", "7707083893", "1")
    entry = AuditEntry.objects.get(action=AuditAction.REGISTER_CHANGED)
    assert entry.actor == officer and entry.detail["art22_items"] == ["1"]


def test_a_wrong_inn_is_refused_and_changes_nothing(officer, client):
    client.force_login(officer)

    answer = client.post("/admin/privacy/operator/1/change/", {"inn": "7707083894"})

    assert answer.status_code == 200
    assert "check digit is wrong" in answer.text
    assert not RegisterRevision.objects.exists()


def test_the_overview_lists_the_integrations_the_code_uses(officer, client, settings):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.postmark.EmailBackend"}}
    client.force_login(officer)

    page = client.get(OVERVIEW)

    assert page.status_code == 200
    keys = set(Processor.objects.values_list("integration_key", flat=True))
    assert keys == {"script:google_analytics", "email:postmark"}
    assert "Google LLC" in page.text and "ActiveCampaign" in page.text
    assert "Art. 12" in page.text  # why each is held back
    assert set(ProcessingPurpose.objects.values_list("code", flat=True)) == {
        "processing",
        "marketing",
        "advertising",
        "analytics",
    }


def test_an_integration_switched_off_stays_in_the_register_as_unused(officer, client, settings):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    client.force_login(officer)
    client.get(OVERVIEW)
    settings.GOOGLE_ANALYTICS_ID = ""

    client.get(OVERVIEW)

    ga = Processor.objects.get(integration_key="script:google_analytics")
    assert not ga.enabled
    assert RegisterChange.objects.filter(field="enabled", new="no", item="10").exists()


def test_an_integration_in_use_cannot_be_deleted(officer, client, settings):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    client.force_login(officer)
    client.get(OVERVIEW)
    ga = Processor.objects.get(integration_key="script:google_analytics")

    answer = client.post(f"/admin/privacy/processor/{ga.pk}/delete/", {"post": "yes"})

    assert answer.status_code == 403
    assert Processor.objects.filter(pk=ga.pk).exists()


def test_the_officer_drafts_consent_texts_from_the_purposes_list(filled_register, officer, client):
    client.force_login(officer)
    purpose = ProcessingPurpose.objects.get(code="processing")

    client.post(
        "/admin/privacy/processingpurpose/",
        {"action": "draft_consent_texts", "_selected_action": [purpose.pk]},
    )

    draft = DocumentVersion.objects.get(kind="consent_processing")
    assert draft.status == DocumentVersion.Status.DRAFT
    assert "ООО «Лидген»" in draft.text("ru").body and "Lidgen LLC" in draft.text("en").body


def test_a_reviewer_cannot_draft_consent_texts(filled_register, reviewer, client):
    client.force_login(reviewer)
    purpose = ProcessingPurpose.objects.get(code="processing")

    answer = client.post(
        "/admin/privacy/processingpurpose/",
        {"action": "draft_consent_texts", "_selected_action": [purpose.pk]},
    )

    assert answer.status_code == 403
    assert not DocumentVersion.objects.exists()


def test_officers_get_a_morning_mail_of_the_clocks_once_a_day(filled_register, officer):
    assert register_clocks_notify() == 1  # the Art. 22 notification is not recorded
    assert register_clocks_notify() == 0  # not twice on one day

    message = Message.objects.get(to_email=officer.email)
    assert message.context["alert"] == "register_clocks"
    from privacy.outbox.services import message_send

    message_send(message_id=message.pk)
    assert "Notification of processing to Roskomnadzor" in mail.outbox[-1].body
