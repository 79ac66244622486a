"""Publishing a material change needs a second publisher when SECOND_APPROVAL_FOR says so."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from privacy.audit.approvals import ApprovalPending
from privacy.audit.models import Approval, AuditAction, AuditEntry
from privacy.documents.models import DocumentText
from privacy.documents.services import document_publish
from tests.support.documents import draft as make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_publisher(django_user_model):
    user = django_user_model.objects.create_user("second@example.com", "x" * 20, is_staff=True)
    user.groups.add(Group.objects.get(name="Policy publisher"))
    return user


@pytest.fixture
def material_draft(published_documents):
    return make_draft(
        "We now also share data with our parent company.",
        summary="A new recipient.",
        material=True,
    )


def publish_page(version) -> str:
    return reverse("admin:privacy_documentversion_publish", args=[version.pk])


def test_without_the_setting_one_publisher_publishes_a_material_change(publisher, material_draft):
    assert document_publish(version=material_draft, published_by=publisher).number == 2
    assert not Approval.objects.exists()


def test_with_the_setting_the_first_publisher_only_asks(
    settings, client, publisher, material_draft
):
    settings.SECOND_APPROVAL_FOR = ["material_change"]
    client.force_login(publisher)

    assert "Ask a second publisher to approve" in client.get(publish_page(material_draft)).text
    response = client.post(publish_page(material_draft))

    assert response.status_code == 302
    material_draft.refresh_from_db()
    assert not material_draft.is_published
    assert Approval.objects.get().requested_by == publisher
    assert AuditEntry.objects.filter(action=AuditAction.APPROVAL_REQUESTED).count() == 1
    assert "Withdraw my request for approval" in client.get(publish_page(material_draft)).text


def test_a_second_publisher_approves_the_same_text_and_it_is_published(
    settings, client, publisher, second_publisher, material_draft
):
    settings.SECOND_APPROVAL_FOR = ["material_change"]
    with pytest.raises(ApprovalPending):
        document_publish(version=material_draft, published_by=publisher)
    client.force_login(second_publisher)

    assert "Approve and publish it" in client.get(publish_page(material_draft)).text
    client.post(publish_page(material_draft))

    material_draft.refresh_from_db()
    assert material_draft.is_published and material_draft.published_by == second_publisher
    entry = AuditEntry.objects.get(
        action=AuditAction.VERSION_PUBLISHED, object_id=material_draft.pk
    )
    assert entry.detail["asked_by"] == "publisher@example.com"
    assert entry.detail["approved_by"] == "second@example.com"
    assert AuditEntry.objects.filter(action=AuditAction.APPROVAL_GIVEN).count() == 1


def test_an_edit_after_the_request_voids_it(settings, publisher, second_publisher, material_draft):
    settings.SECOND_APPROVAL_FOR = ["material_change"]
    with pytest.raises(ApprovalPending):
        document_publish(version=material_draft, published_by=publisher)
    DocumentText.objects.filter(version=material_draft, language="ru").update(body="Иначе.")
    material_draft.refresh_from_db()

    with pytest.raises(ApprovalPending):  # not an approval of what the first one asked for
        document_publish(version=material_draft, published_by=second_publisher)

    material_draft.refresh_from_db()
    assert not material_draft.is_published
    statuses = dict(Approval.objects.values_list("requested_by__email", "status"))
    assert statuses == {"publisher@example.com": "superseded", "second@example.com": "pending"}


def test_a_change_that_is_not_material_needs_no_second_publisher(
    settings, publisher, published_documents
):
    settings.SECOND_APPROVAL_FOR = ["material_change"]
    draft = make_draft("Typo fixed.")

    assert document_publish(version=draft, published_by=publisher).is_published
