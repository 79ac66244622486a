from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.consent.models import ConsentRecord
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.services import (
    NOT_ALLOWED_TO_PUBLISH,
    PublishError,
    document_draft_create,
    document_publish,
)
from privacy.people.integrity import ImmutableRecordError

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/privacy/documentversion/"


def change_url(version: DocumentVersion) -> str:
    return f"{CHANGELIST}{version.pk}/change/"


def test_a_publisher_drafts_a_new_version_in_admin(client, publisher, published_documents):
    client.force_login(publisher)

    response = client.post(
        f"{CHANGELIST}add/",
        {
            "kind": DocumentKind.PRIVACY_POLICY,
            "title": "Privacy Policy",
            "body": "New text.",
            "change_summary": "Shorter.",
            "effective_at_0": "",
            "effective_at_1": "",
        },
    )

    assert response.status_code == 302
    draft = DocumentVersion.objects.get(status=DocumentVersion.Status.DRAFT)
    assert (draft.title, draft.body, draft.number) == ("Privacy Policy", "New text.", None)


def test_a_draft_cannot_be_scheduled_in_the_past(client, publisher, draft):
    client.force_login(publisher)
    yesterday = timezone.localtime() - timedelta(days=1)

    response = client.post(
        change_url(draft),
        {
            "kind": draft.kind,
            "title": draft.title,
            "body": "Changed.",
            "change_summary": "",
            "effective_at_0": yesterday.strftime("%Y-%m-%d"),
            "effective_at_1": yesterday.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 200
    assert "cannot take effect in the past" in response.text
    draft.refresh_from_db()
    assert (draft.body, draft.effective_at) == (
        "## 1. Terms\n\nWe keep your data **safe** and never sell it.\n",
        None,
    )


def test_the_preview_shows_the_draft_as_the_public_will_see_it(client, editor, draft):
    client.force_login(editor)

    response = client.get(f"{CHANGELIST}{draft.pk}/preview/")

    assert response.status_code == 200
    assert response.templates[0].name == "privacy/version.html"
    assert "<strong>safe</strong>" in response.text
    assert "Version 2" in response.text
    assert draft.compute_sha256() in response.text
    assert "this draft is not published" in response.text
    assert "Changes since version 1" in response.text
    assert '<p class="diff-added"' in response.text


def test_publishing_asks_for_confirmation_first(client, publisher, draft):
    client.force_login(publisher)

    response = client.get(f"{CHANGELIST}{draft.pk}/publish/")

    assert response.status_code == 200
    assert "can never be changed or deleted" in response.text
    assert "Yes, publish it" in response.text
    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT


def test_confirming_publishes_the_version_and_records_who_and_when(client, publisher, draft):
    client.force_login(publisher)

    response = client.post(f"{CHANGELIST}{draft.pk}/publish/", follow=True)

    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.PUBLISHED
    assert draft.number == 2
    assert draft.published_by == publisher
    assert abs(draft.published_at - timezone.now()) < timedelta(seconds=30)
    assert draft.is_in_force()
    assert "Published Privacy Policy v2" in response.text


def test_a_staff_member_without_the_permission_cannot_publish(client, editor, draft):
    client.force_login(editor)

    page = client.get(change_url(draft))
    confirmation = client.get(f"{CHANGELIST}{draft.pk}/publish/")
    attempt = client.post(f"{CHANGELIST}{draft.pk}/publish/")

    assert page.status_code == 200
    assert "/publish/" not in page.text
    assert confirmation.status_code == 403
    assert attempt.status_code == 403
    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT


def test_the_service_refuses_a_publisher_without_the_permission(editor, draft):
    with pytest.raises(PublishError, match=NOT_ALLOWED_TO_PUBLISH):
        document_publish(version=draft, published_by=editor)

    draft.refresh_from_db()
    assert (draft.status, draft.number) == (DocumentVersion.Status.DRAFT, None)


def test_the_service_publishes_without_a_user_for_pipelines(draft):
    version = document_publish(version=draft)

    assert (version.number, version.published_by) == (2, None)


def test_a_published_version_is_read_only_in_admin(client, publisher, published_documents):
    client.force_login(publisher)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    page = client.get(change_url(policy))
    edit = client.post(
        change_url(policy),
        {"kind": policy.kind, "title": "Rewritten", "body": "Rewritten", "change_summary": ""},
    )
    delete = client.post(f"{CHANGELIST}{policy.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert '<input type="text" name="title"' not in page.text
    assert "Copy into a new draft" in page.text
    assert edit.status_code == 403
    assert delete.status_code == 403
    policy.refresh_from_db()
    assert policy.title == "Privacy Policy"


def test_bulk_delete_refuses_published_versions(client, publisher, published_documents, draft):
    client.force_login(publisher)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [policy.pk, draft.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert DocumentVersion.objects.filter(pk__in=[policy.pk, draft.pk]).count() == 2


def test_the_copy_button_makes_a_new_draft_of_a_published_version(
    client, publisher, published_documents
):
    client.force_login(publisher)
    policy = published_documents[DocumentKind.PRIVACY_POLICY]

    response = client.post(f"{CHANGELIST}{policy.pk}/copy/")

    copy = DocumentVersion.objects.get(status=DocumentVersion.Status.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == change_url(copy)
    assert (copy.kind, copy.title, copy.body) == (policy.kind, policy.title, policy.body)


def test_the_copy_action_makes_one_draft_per_selected_version(
    client, publisher, published_documents
):
    client.force_login(publisher)
    chosen = [
        published_documents[DocumentKind.PRIVACY_POLICY],
        published_documents[DocumentKind.CONSENT_MARKETING],
    ]

    client.post(
        CHANGELIST,
        {"action": "copy_into_new_draft", "_selected_action": [v.pk for v in chosen]},
    )

    drafts = DocumentVersion.objects.filter(status=DocumentVersion.Status.DRAFT)
    assert sorted(d.kind for d in drafts) == sorted(v.kind for v in chosen)


def test_a_draft_whose_date_has_passed_is_not_published(client, publisher, draft):
    client.force_login(publisher)
    DocumentVersion.objects.filter(pk=draft.pk).update(
        effective_at=timezone.now() - timedelta(hours=1)
    )

    response = client.post(f"{CHANGELIST}{draft.pk}/publish/", follow=True)

    assert "cannot take effect before it is published" in response.text
    draft.refresh_from_db()
    assert draft.status == DocumentVersion.Status.DRAFT


@pytest.mark.parametrize("model", ["person", "consentrecord", "consentwording", "consentreceipt"])
def test_the_consent_evidence_is_read_only_in_admin(admin_client, submission, model):
    from privacy.consent.receipts import receipt_issue

    receipt_issue(person=submission[0].person, records=submission)
    listing = admin_client.get(f"/admin/privacy/{model}/")
    add = admin_client.get(f"/admin/privacy/{model}/add/")

    assert listing.status_code == 200
    assert add.status_code == 403


def test_a_consent_record_page_shows_its_chain_fields_and_cannot_be_changed(
    admin_client, submission
):
    record = submission[1]
    url = f"/admin/privacy/consentrecord/{record.pk}/change/"

    page = admin_client.get(url)
    edit = admin_client.post(url, {"decision": "denied"})
    delete = admin_client.post(f"/admin/privacy/consentrecord/{record.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert record.record_hash in page.text
    assert record.prev_hash in page.text
    assert record.personal_digest in page.text
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert ConsentRecord.objects.get(pk=record.pk).decision == "granted"


def test_the_model_refuses_to_change_a_published_version(published_documents):
    policy = published_documents[DocumentKind.PRIVACY_POLICY]
    policy.title = "Rewritten"

    with pytest.raises(ImmutableRecordError):
        policy.save()
    with pytest.raises(ImmutableRecordError):
        policy.delete()
    with pytest.raises(ImmutableRecordError):
        DocumentVersion.objects.filter(pk=policy.pk).update(title="Rewritten")
    with pytest.raises(ImmutableRecordError):
        DocumentVersion.objects.filter(pk=policy.pk).delete()

    assert DocumentVersion.objects.get(pk=policy.pk).title == "Privacy Policy"


def test_a_draft_can_be_deleted(client, publisher, published_documents):
    client.force_login(publisher)
    draft = document_draft_create(kind=DocumentKind.PRIVACY_POLICY, title="T", body="B")

    client.post(f"{CHANGELIST}{draft.pk}/delete/", {"post": "yes"})

    assert not DocumentVersion.objects.filter(pk=draft.pk).exists()
