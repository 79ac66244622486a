"""Campaigns in admin: compose, see the audience, start; only the roles allowed to."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from leads.models import Campaign
from privacy.consent.models import ConsentMethod
from privacy.consent.services import ConsentEntry, consent_records_append
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.people.models import Decision, Person
from privacy.people.visits import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(published_documents):
    person = Person.objects.create(email="subscriber@example.com")
    policy = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    consent_records_append(
        entries=[
            ConsentEntry(
                person=person,
                purpose="marketing",
                decision=Decision.GRANTED,
                method=method,
                wording_text="yes",
                visit=Visit(),
                policy_version=policy,
            )
            for method in (ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK)
        ]
    )
    return person


def test_the_campaign_manager_composes_a_campaign_sees_its_audience_and_starts_it(
    client, campaign_manager, subscriber, django_capture_on_commit_callbacks
):
    client.force_login(campaign_manager)
    response = client.post(
        reverse("admin:leads_campaign_add"),
        {
            "name": "Autumn",
            "purpose": "marketing",
            "subject": "Autumn news",
            "body_text": "New prices.",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    page = client.get(reverse("admin:leads_campaign_change", args=[campaign.pk])).text
    audience = page.split("Audience the gate allows now", 1)[1][:400]
    assert '<div class="readonly">1</div>' in audience

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:leads_campaign_changelist"),
            {"action": "start", "_selected_action": [campaign.pk]},
        )

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    assert [m.to for m in mail.outbox] == [["subscriber@example.com"]]
    page = client.get(reverse("admin:leads_campaign_change", args=[campaign.pk])).text
    assert "sent: 1" in page
    assert "subscriber@example.com" not in page  # counts, never who


def test_the_campaign_manager_sees_campaigns_and_nothing_personal(client, campaign_manager):
    client.force_login(campaign_manager)

    index = client.get(reverse("admin:index")).text
    assert "/admin/leads/campaign/" in index
    for other in ("/admin/leads/lead/", "/admin/privacy/", "/admin/accounts/"):
        assert other not in index
    for name in ("leads_lead", "privacy_person", "privacy_message"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403


def test_an_officer_sees_campaigns_but_neither_composes_nor_starts_one(
    client, officer, subscriber
):
    campaign = Campaign.objects.create(name="X", purpose="marketing", subject="S", body_text="B")
    client.force_login(officer)

    assert client.get(reverse("admin:leads_campaign_changelist")).status_code == 200
    assert client.get(reverse("admin:leads_campaign_add")).status_code == 403
    client.post(
        reverse("admin:leads_campaign_changelist"),
        {"action": "start", "_selected_action": [campaign.pk]},
    )

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert mail.outbox == []


def test_a_lead_reviewer_has_no_access_to_campaigns(client, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("admin:leads_campaign_changelist")).status_code == 403
    assert client.get(reverse("admin:leads_campaign_add")).status_code == 403


def test_staff_without_the_send_permission_cannot_start_a_campaign(
    client, django_user_model, subscriber
):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor@example.com", "x" * 16, is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_campaign", "change_campaign"])
    )
    campaign = Campaign.objects.create(name="X", purpose="marketing", subject="S", body_text="B")
    client.force_login(editor)

    listing = client.get(reverse("admin:leads_campaign_changelist")).text
    assert 'value="start"' not in listing  # the action is not even offered
    response = client.post(
        reverse("admin:leads_campaign_changelist"),
        {"action": "start", "_selected_action": [campaign.pk]},
        follow=True,
    )

    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert mail.outbox == []
