"""Campaigns reach exactly the people the gate allows, once each, and can be paused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from leads.campaigns import (
    CAMPAIGN_NOT_DRAFT,
    STALLED_AFTER,
    CampaignStateError,
    campaign_audience_count,
    campaign_fan_out_step,
    campaign_pause,
    campaign_progress,
    campaign_resume,
    campaign_start,
    campaigns_restart_stalled,
)
from leads.models import Campaign
from privacy.blocks.models import Block
from privacy.consent.models import ConsentMethod
from privacy.consent.services import ConsentEntry, consent_records_append, consent_withdraw
from privacy.outbox.models import Message, Suppression
from privacy.people.models import Decision, Person
from privacy.people.visits import Visit

pytestmark = pytest.mark.django_db

VISIT = Visit(ip="192.0.2.1")


def person_with(email: str, *methods: str, purpose: str = "marketing") -> Person:
    from privacy.documents.models import DocumentKind, DocumentVersion

    person = Person.objects.create(email=email)
    policy = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    consent_records_append(
        entries=[
            ConsentEntry(
                person=person,
                purpose=purpose,
                decision=Decision.GRANTED,
                method=method,
                wording_text="yes",
                visit=VISIT,
                policy_version=policy,
            )
            for method in methods
        ]
    )
    return person


@pytest.fixture
def audience(published_documents):
    """Six people, of whom exactly two may receive marketing."""
    reachable = [
        person_with("ok1@example.com", ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK),
        person_with("ok2@example.com", ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK),
    ]
    person_with("unconfirmed@example.com", ConsentMethod.WEB_FORM)
    person_with(
        "advertising-only@example.com",
        ConsentMethod.WEB_FORM,
        ConsentMethod.EMAIL_LINK,
        purpose="advertising",
    )
    withdrawn = person_with("gone@example.com", ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK)
    consent_withdraw(
        person=withdrawn, purpose="marketing", method=ConsentMethod.EMAIL_LINK, visit=VISIT
    )
    blocked = person_with("blocked@example.com", ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK)
    Block.objects.create(
        person=blocked, requested_by="person", reason="x", review_by=timezone.now().date()
    )
    person_with("Bounce@Example.com", ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK)
    Suppression.objects.create(email="bounce@example.com", reason="bounced")
    return reachable


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        name="Spring", purpose="marketing", subject="Spring offer", body_text="Twenty percent off."
    )


def test_the_audience_count_is_what_the_gate_allows(audience, campaign):
    assert campaign_audience_count(campaign=campaign) == 2


def test_a_campaign_reaches_the_allowed_people_once_each(
    audience, campaign, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("leads.campaigns.CHUNK_SIZE", 1)  # several keyset steps
    with django_capture_on_commit_callbacks(execute=True):
        campaign_start(campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == "done"
    assert sorted(m.to[0] for m in mail.outbox) == ["ok1@example.com", "ok2@example.com"]
    first = mail.outbox[0]
    assert first.subject == "Spring offer"
    assert "Twenty percent off." in first.body
    assert "List-Unsubscribe" in first.extra_headers
    assert campaign_progress(campaign=campaign)["sent"] == 2

    # Run again (a redelivered task, a resumed campaign): nobody gets it twice.
    Campaign.objects.filter(pk=campaign.pk).update(status="sending", cursor=0)
    with django_capture_on_commit_callbacks(execute=True):
        while campaign_fan_out_step(campaign_id=campaign.pk):
            pass
    assert len(mail.outbox) == 2
    assert Message.objects.filter(dedupe_key=campaign.dedupe_key).count() == 2


def test_withdrawal_after_fan_out_but_before_sending_stops_the_message(audience, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    campaign_fan_out_step(campaign_id=campaign.pk)  # on-commit hand-over not run: queued
    consent_withdraw(
        person=audience[0], purpose="marketing", method=ConsentMethod.REQUEST, visit=VISIT
    )
    from privacy.outbox.services import message_send

    for message in Message.objects.filter(dedupe_key=campaign.dedupe_key):
        message_send(message_id=message.pk)

    assert [m.to[0] for m in mail.outbox] == ["ok2@example.com"]
    assert campaign_progress(campaign=campaign)["skipped:withdrawn"] == 1


def test_a_paused_campaign_stops_fanning_out_and_resumes_where_it_stopped(
    audience, campaign, monkeypatch
):
    monkeypatch.setattr("leads.campaigns.CHUNK_SIZE", 1)
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    assert campaign_fan_out_step(campaign_id=campaign.pk)

    campaign_pause(campaign=campaign)
    assert not campaign_fan_out_step(campaign_id=campaign.pk)
    assert Message.objects.filter(dedupe_key=campaign.dedupe_key).count() == 1

    campaign_resume(campaign=campaign)
    while campaign_fan_out_step(campaign_id=campaign.pk):
        pass
    assert Message.objects.filter(dedupe_key=campaign.dedupe_key).count() == 2


def test_a_sent_campaign_cannot_be_started_again(audience, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status="done")

    with pytest.raises(CampaignStateError, match=CAMPAIGN_NOT_DRAFT):
        campaign_start(campaign=campaign)
    assert Message.objects.count() == 0


def test_a_material_policy_change_starts_a_reconsent_campaign_to_active_subscribers(
    audience, client, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from privacy.consent.models import ConsentRecord
    from tests.support.documents import publish

    version = publish("New terms.", summary="New purposes.", material=True)
    campaign = Campaign(
        name="Policy v2",
        purpose="reconsent",
        subject="Our policy changed",
        body_text="We changed our Privacy Policy.",
    )
    with pytest.raises(ValidationError):
        campaign.full_clean()  # a re-consent campaign names its policy version
    campaign.policy_version = version
    campaign.full_clean()
    campaign.save()
    assert campaign_audience_count(campaign=campaign) == 3  # marketing or advertising

    with django_capture_on_commit_callbacks(execute=True):
        campaign_start(campaign=campaign)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "advertising-only@example.com",
        "ok1@example.com",
        "ok2@example.com",
    ]
    notice = next(m for m in mail.outbox if m.to == ["ok1@example.com"])
    assert "List-Unsubscribe" not in notice.extra_headers  # a legal notice, not marketing
    link = notice.body.split("confirm here: ", 1)[1].split()[0].split("8000", 1)[1]
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 200
    kept = ConsentRecord.objects.filter(person=audience[0], source="reconsent")
    assert [(r.purpose, r.decision, r.policy_version.number) for r in kept] == [
        ("marketing", "granted", 2)
    ]


def test_a_campaign_whose_fan_out_was_lost_is_restarted_by_beat_and_finishes(
    audience, campaign, monkeypatch, django_capture_on_commit_callbacks
):
    started = []
    # The broker takes the first hand-over and loses it, as a worker lost with the task would.
    monkeypatch.setattr("leads.tasks.fan_out_campaign.delay", lambda pk: started.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        campaign_start(campaign=campaign)
    assert started == [campaign.pk]
    assert not Message.objects.exists()

    fresh = campaigns_restart_stalled(now=timezone.now())  # not stalled yet: nothing restarts
    later = campaigns_restart_stalled(now=timezone.now() + STALLED_AFTER + timedelta(seconds=1))
    monkeypatch.undo()
    while campaign_fan_out_step(campaign_id=campaign.pk):
        pass

    assert (fresh, later) == (0, 1)
    assert started == [campaign.pk, campaign.pk]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    assert Message.objects.filter(dedupe_key=campaign.dedupe_key).count() == 2


def test_a_paused_or_finished_campaign_is_never_restarted(audience, campaign, monkeypatch):
    monkeypatch.setattr("leads.tasks.fan_out_campaign.delay", lambda pk: None)
    campaign_start(campaign=campaign)
    campaign_pause(campaign=campaign)

    assert campaigns_restart_stalled(now=timezone.now() + STALLED_AFTER * 10) == 0
