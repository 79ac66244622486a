"""Blocking a person for verification (6.2.4): frozen, silent but for legal notices, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from leads.review import lead_review
from privacy.audit.models import AuditAction, AuditEntry
from privacy.blocks.models import Block, BlockRequester
from privacy.blocks.services import (
    ALREADY_BLOCKED,
    ALREADY_LIFTED,
    RECORD_IS_BLOCKED,
    REVIEW_DATE_IN_THE_PAST,
    BlockError,
    RecordBlocked,
    block_lift,
    blocks_overdue,
    person_block,
)
from privacy.outbox.alerts import blocks_overdue_notify
from privacy.outbox.models import Message, MessageKind, SkipReason
from privacy.outbox.services import message_queue, message_send

pytestmark = pytest.mark.django_db


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def block(officer, lead):
    return person_block(
        person=lead.person,
        requested_by=BlockRequester.AUTHORITY,
        reason="Roskomnadzor asks to verify the data.",
        reference="RKN-2026/118",
        review_by=in_days(30),
        staff=officer,
        ip="198.51.100.9",
    )


def test_blocking_records_who_asked_why_the_reference_and_the_review_date(block, officer):
    assert block.requested_by == BlockRequester.AUTHORITY
    assert (block.reference, block.review_by, block.created_by) == (
        "RKN-2026/118",
        in_days(30),
        officer,
    )
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_BLOCKED)
    assert (entry.actor, entry.person, entry.ip) == (officer, block.person, "198.51.100.9")


def test_nothing_but_legal_notices_reaches_a_blocked_person(block, lead):
    kinds = [
        MessageKind.ACKNOWLEDGMENT,
        MessageKind.MARKETING,
        MessageKind.ADVERTISING,
        MessageKind.DOUBLE_OPT_IN,
        MessageKind.LEGAL_NOTICE,
    ]
    queued = {
        kind: message_queue(kind=kind, to_email=lead.email, person=lead.person) for kind in kinds
    }
    for message in queued.values():
        message_send(message_id=message.pk)
    fate = {kind: Message.objects.get(pk=m.pk) for kind, m in queued.items()}
    assert fate[MessageKind.LEGAL_NOTICE].status == Message.Status.SENT
    for kind in kinds[:-1]:
        assert (fate[kind].status, fate[kind].skip_reason) == ("skipped", SkipReason.BLOCKED)
    assert len(mail.outbox) == 1


def test_a_blocked_persons_lead_cannot_be_changed_by_service_or_page(client, block, lead, officer):
    with pytest.raises(RecordBlocked, match=RECORD_IS_BLOCKED):
        lead_review(lead=lead, status=Lead.Status.REJECTED, notes="x", staff=officer)
    client.force_login(officer)
    client.post(
        reverse("admin:leads_lead_change", args=[lead.pk]), {"status": "rejected", "notes": "x"}
    )
    lead.refresh_from_db()
    assert (lead.status, lead.notes) == (Lead.Status.NEW, "")
    page = client.get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
    assert "BLOCKED" in page


def test_a_blocked_person_is_flagged_in_the_lists_and_on_their_page(client, block, lead, officer):
    client.force_login(officer)
    leads = client.get(reverse("admin:leads_lead_changelist"), {"blocked": "yes"})
    assert "Anna" in leads.content.decode() and 'alt="True"' in leads.content.decode()
    person = client.get(reverse("admin:privacy_person_change", args=[lead.person_id]))
    assert "BLOCKED since" in person.content.decode()
    assert "Lift the block" in person.content.decode()


def test_a_second_block_on_the_same_person_is_refused(block, officer):
    with pytest.raises(BlockError, match=ALREADY_BLOCKED):
        person_block(
            person=block.person,
            requested_by=BlockRequester.PERSON,
            reason="Again",
            review_by=in_days(5),
            staff=officer,
        )
    assert Block.objects.count() == 1


def test_a_review_date_in_the_past_is_refused(officer, lead):
    with pytest.raises(BlockError, match=REVIEW_DATE_IN_THE_PAST):
        person_block(
            person=lead.person,
            requested_by=BlockRequester.STAFF,
            reason="False data",
            review_by=in_days(-1),
            staff=officer,
        )
    assert not Block.objects.exists()


def test_lifting_records_the_outcome_who_and_when_and_messages_flow_again(block, officer, lead):
    lifted = block_lift(block=block, outcome=Block.Outcome.CORRECTED, staff=officer)
    assert (lifted.outcome, lifted.lifted_by) == (Block.Outcome.CORRECTED, officer)
    assert lifted.lifted_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.BLOCK_LIFTED, person=lead.person).exists()
    message = message_queue(
        kind=MessageKind.ACKNOWLEDGMENT, to_email=lead.email, person=lead.person
    )
    assert message_send(message_id=message.pk) == Message.Status.SENT
    with pytest.raises(BlockError, match=ALREADY_LIFTED):
        block_lift(block=block, outcome=Block.Outcome.UNCHANGED, staff=officer)
    block.refresh_from_db()
    assert block.outcome == Block.Outcome.CORRECTED


def test_an_officer_blocks_and_lifts_from_the_admin(client, officer, lead):
    client.force_login(officer)
    response = client.post(
        reverse("admin:privacy_person_block", args=[lead.person_id]),
        {
            "requested_by": "person",
            "reason": "The person disputes the phone number.",
            "reference": "e-mail of 2026-11-20",
            "review_by": in_days(10).isoformat(),
        },
    )
    assert response.status_code == 302
    block = Block.objects.get(person=lead.person)
    assert block.is_active
    response = client.post(
        reverse("admin:privacy_block_lift", args=[block.pk]), {"outcome": "confirmed"}
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.is_active, block.outcome) == (False, "confirmed")


def test_blocks_past_their_review_date_are_listed_and_mailed_to_officers(officer, lead):
    block = Block.objects.create(
        person=lead.person,
        requested_by=BlockRequester.PERSON,
        reason="Disputed",
        review_by=in_days(-2),
        created_by=officer,
    )
    assert list(blocks_overdue()) == [block]
    assert blocks_overdue_notify() == 1
    alert = Message.objects.get(kind=MessageKind.STAFF_ALERT)
    assert alert.to_email == officer.email
    assert alert.context["alert"] == "overdue_blocks"
    assert alert.context["blocks"] == [{"id": block.pk, "review_by": in_days(-2).isoformat()}]
    assert blocks_overdue_notify() == 0  # once a day


def test_the_daily_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mail-overdue-blocks"]
    from leadgen.celery import app

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_officers_see_overdue_blocks_in_the_admin(client, officer, lead):
    Block.objects.create(
        person=lead.person,
        requested_by=BlockRequester.PERSON,
        reason="Disputed",
        reference="REF-OVERDUE",
        review_by=in_days(-2),
        created_by=officer,
    )
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_block_changelist"), {"overdue": "yes"})
    assert "REF-OVERDUE" in page.content.decode()
