"""Each role can do its job and nothing more; the services refuse what the pages hide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from leads.review import NOT_ALLOWED_TO_REVIEW, ReviewError, lead_review
from privacy.audit.models import AuditEntry
from privacy.blocks.models import Block, BlockRequester
from privacy.blocks.services import NOT_ALLOWED_TO_BLOCK, BlockError, person_block
from privacy.documents.services import NOT_ALLOWED_TO_PUBLISH, PublishError, document_publish
from privacy.oversight.models import DataExport
from privacy.oversight.services import NOT_ALLOWED_TO_EXPORT, ExportError, data_export_start
from tests.support.documents import draft as make_draft

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def status_of(client, user, address: str) -> int:
    client.force_login(user)
    return client.get(address).status_code


def test_a_lead_reviewer_sees_people_leads_consent_and_messages(client, reviewer, lead):
    for address in (
        url("leads_lead_changelist"),
        url("leads_lead_change", lead.pk),
        url("privacy_person_changelist"),
        url("privacy_person_change", lead.person_id),
        url("privacy_consentrecord_changelist"),
        url("privacy_message_changelist"),
    ):
        assert status_of(client, reviewer, address) == 200, address


def test_a_lead_reviewer_cannot_export_block_audit_or_edit_policies(client, reviewer, lead):
    for address in (
        url("leads_lead_export"),
        url("privacy_person_block", lead.person_id),
        url("privacy_block_changelist"),
        url("privacy_auditentry_changelist"),
        url("privacy_dataexport_changelist"),
        url("privacy_documentversion_changelist"),
        url("privacy_documentversion_add"),
    ):
        assert status_of(client, reviewer, address) == 403, address
    page = client.get(url("leads_lead_changelist")).content.decode()
    assert "Export to CSV" not in page
    person_page = client.get(url("privacy_person_change", lead.person_id)).content.decode()
    assert "Block…" not in person_page
    assert not DataExport.objects.exists()
    assert not Block.objects.exists()


def test_a_lead_reviewer_is_refused_by_the_services_too(reviewer, lead):
    audited = AuditEntry.objects.count()  # publishing the documents in force is on the trail
    with pytest.raises(BlockError, match=NOT_ALLOWED_TO_BLOCK):
        person_block(
            person=lead.person,
            requested_by=BlockRequester.PERSON,
            reason="Disputed",
            review_by=timezone.localdate() + timedelta(days=30),
            staff=reviewer,
        )
    with pytest.raises(ExportError, match=NOT_ALLOWED_TO_EXPORT):
        data_export_start(
            staff=reviewer,
            source="leads",
            queryset=Lead.objects.all(),
            header=["email"],
            row=lambda lead: [lead.email],
        )
    assert not Block.objects.exists()
    assert not DataExport.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_a_privacy_officer_sees_and_may_do_everything_a_reviewer_may_and_more(
    client, officer, lead
):
    for address in (
        url("leads_lead_changelist"),
        url("privacy_person_change", lead.person_id),
        url("privacy_person_block", lead.person_id),
        url("privacy_block_changelist"),
        url("privacy_auditentry_changelist"),
        url("privacy_dataexport_changelist"),
        url("leads_lead_export"),
    ):
        assert status_of(client, officer, address) == 200, address


def test_a_privacy_officer_cannot_edit_or_publish_policies(client, officer, published_documents):
    assert status_of(client, officer, url("privacy_documentversion_add")) == 403
    with pytest.raises(PublishError, match=NOT_ALLOWED_TO_PUBLISH):
        draft = make_draft("B", title="T")
        document_publish(version=draft, published_by=officer)
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_policy_publisher_drafts_and_publishes_but_sees_no_personal_data(client, publisher, lead):
    assert status_of(client, publisher, url("privacy_documentversion_changelist")) == 200
    assert status_of(client, publisher, url("privacy_documentversion_add")) == 200
    for address in (
        url("leads_lead_changelist"),
        url("leads_lead_change", lead.pk),
        url("privacy_person_changelist"),
        url("privacy_person_change", lead.person_id),
        url("privacy_consentrecord_changelist"),
        url("privacy_message_changelist"),
        url("privacy_auditentry_changelist"),
        url("leads_lead_export"),
    ):
        assert status_of(client, publisher, address) == 403, address
    index = client.get(url("index")).content.decode()
    # Legal texts only: campaigns, re-consent included, are the campaign manager's.
    assert "/admin/privacy/documentversion/" in index
    assert "/admin/leads/" not in index and "People" not in index
    assert status_of(client, publisher, url("leads_campaign_add")) == 403
    with pytest.raises(ReviewError, match=NOT_ALLOWED_TO_REVIEW):
        lead_review(lead=lead, status=Lead.Status.REJECTED, notes="", staff=publisher)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_a_publisher_can_publish_a_draft(publisher, published_documents):
    draft = make_draft("B", title="T")
    assert document_publish(version=draft, published_by=publisher).number == 2


def test_a_superuser_can_do_everything(client, superuser, lead):
    for address in (
        url("leads_lead_export"),
        url("privacy_person_block", lead.person_id),
        url("privacy_auditentry_changelist"),
        url("privacy_documentversion_add"),
    ):
        assert status_of(client, superuser, address) == 200, address


def test_staff_without_a_role_see_nothing(client, django_user_model, lead):
    nobody = django_user_model.objects.create_user("new@example.com", "x" * 20, is_staff=True)
    assert status_of(client, nobody, url("leads_lead_changelist")) == 403
    assert status_of(client, nobody, url("privacy_person_change", lead.person_id)) == 403
