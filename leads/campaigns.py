"""Campaigns: audience, start, pause, resume, and the fan-out into privacy's outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.documents.models import DocumentVersion
from privacy.documents.reconsent import RECONSENT_PURPOSES
from privacy.documents.services import PUBLISH_PERMISSION
from privacy.outbox.fanout import FAN_OUT_STEP, fan_out_progress, messages_fan_out_step
from privacy.outbox.gate import people_reachable_for, people_reachable_for_any
from privacy.outbox.models import MessageKind
from privacy.outbox.services import BROKER_ERRORS

from .models import Campaign

logger = logging.getLogger(__name__)

# People per step (a pause takes effect within one). One task runs STEPS_PER_TASK steps,
# then hands over to a fresh one; a campaign whose steps stop for STALLED_AFTER restarts.
CHUNK_SIZE = FAN_OUT_STEP
STEPS_PER_TASK = 20
STALLED_AFTER = timedelta(minutes=2)
KIND_FOR_PURPOSE: dict[str, str] = {
    Campaign.Purpose.MARKETING: MessageKind.MARKETING,
    Campaign.Purpose.ADVERTISING: MessageKind.ADVERTISING,
    Campaign.Purpose.RECONSENT: MessageKind.LEGAL_NOTICE,
}


def reconsent_purposes(campaign: Campaign) -> list[str]:
    """The purposes a re-consent campaign asks people to keep."""
    if campaign.reconsent_purposes:
        return list(campaign.reconsent_purposes)
    kind = campaign.policy_version.kind if campaign.policy_version else ""
    return list(RECONSENT_PURPOSES.get(kind, ()))


def campaign_audience(campaign: Campaign):
    """People the campaign may reach now (the gate decides again at send time)."""
    if campaign.purpose == Campaign.Purpose.RECONSENT:
        return people_reachable_for_any(reconsent_purposes(campaign))
    return people_reachable_for(campaign.purpose)


def campaign_message_context(campaign: Campaign) -> dict[str, Any]:
    # A re-consent campaign started on publishing has no text of its own: each notice is written
    # in its person's language, with the summary of changes for that language.
    context: dict[str, Any] = {"subject": campaign.subject, "body_text": campaign.body_text}
    if campaign.purpose == Campaign.Purpose.RECONSENT:
        context["reconsent_policy_version"] = campaign.policy_version_id
        context["reconsent_purposes"] = reconsent_purposes(campaign)
    return context


CAMPAIGN_NOT_DRAFT = "Only a draft campaign can be started."
CAMPAIGN_NOT_SENDING = "Only a campaign that is sending can be paused."
CAMPAIGN_NOT_PAUSED = "Only a paused campaign can be resumed."


class CampaignStateError(Exception):
    pass


def campaign_audience_count(*, campaign: Campaign) -> int:
    """How many people the gate would let this campaign reach now (not yet reached)."""
    return (
        campaign_audience(campaign).filter(pk__gt=campaign.cursor).count()
        if campaign.status != Campaign.Status.DONE
        else 0
    )


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    """Messages of the campaign by status, and skipped ones by reason."""
    return fan_out_progress(dedupe_key=campaign.dedupe_key)


def _transition(campaign: Campaign, *, allowed: str, to: str, error: str, **fields) -> Campaign:
    updated = Campaign.objects.filter(pk=campaign.pk, status=allowed).update(status=to, **fields)
    if not updated:
        raise CampaignStateError(error)
    campaign.refresh_from_db()
    return campaign


def campaign_start(*, campaign: Campaign) -> Campaign:
    campaign = _transition(
        campaign,
        allowed=Campaign.Status.DRAFT,
        to=Campaign.Status.SENDING,
        error=CAMPAIGN_NOT_DRAFT,
        started_at=timezone.now(),
    )
    _fan_out_later(campaign.pk)
    return campaign


def campaign_pause(*, campaign: Campaign) -> Campaign:
    """Stop fanning out; messages already created (one step at most) still go."""
    return _transition(
        campaign,
        allowed=Campaign.Status.SENDING,
        to=Campaign.Status.PAUSED,
        error=CAMPAIGN_NOT_SENDING,
    )


def campaign_resume(*, campaign: Campaign) -> Campaign:
    campaign = _transition(
        campaign,
        allowed=Campaign.Status.PAUSED,
        to=Campaign.Status.SENDING,
        error=CAMPAIGN_NOT_PAUSED,
    )
    _fan_out_later(campaign.pk)
    return campaign


def _fan_out_later(campaign_id: int) -> None:
    transaction.on_commit(lambda: campaign_fan_out_enqueue(campaign_id=campaign_id))


def campaign_fan_out_enqueue(*, campaign_id: int) -> bool:
    """Hand the fan-out to Celery; with the broker down, the beat restarts it later."""
    from .tasks import fan_out_campaign

    try:
        fan_out_campaign.delay(campaign_id)
    except BROKER_ERRORS:
        logger.warning("broker unavailable: campaign %s will be restarted by beat", campaign_id)
        return False
    return True


def campaigns_restart_stalled(*, now=None) -> int:
    """Restart sending campaigns whose fan-out made no progress for a while (lost task)."""
    now = now or timezone.now()
    stalled = Campaign.objects.filter(status=Campaign.Status.SENDING).filter(
        Q(stepped_at__lt=now - STALLED_AFTER)
        | Q(stepped_at__isnull=True, started_at__lt=now - STALLED_AFTER)
    )
    restarted = 0
    for campaign_id in stalled.values_list("pk", flat=True):
        restarted += campaign_fan_out_enqueue(campaign_id=campaign_id)
    return restarted


def campaign_fan_out_step(*, campaign_id: int) -> bool:
    """Write the next chunk of the audience to the outbox; return True while more remain.

    Keyset pagination over person ids; the unique (dedupe_key, person) constraint makes a
    repeated step (task redelivered) create nothing twice.
    """
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != Campaign.Status.SENDING:
            return False
        step = messages_fan_out_step(
            audience=campaign_audience(campaign),
            after=campaign.cursor,
            kind=KIND_FOR_PURPOSE[campaign.purpose],
            context=campaign_message_context(campaign),
            dedupe_key=campaign.dedupe_key,
            size=CHUNK_SIZE,
        )
        if step is None:
            campaign.status = Campaign.Status.DONE
            campaign.finished_at = timezone.now()
            campaign.save(update_fields=["status", "finished_at"])
            return False
        campaign.cursor = step.cursor
        campaign.stepped_at = timezone.now()
        campaign.save(update_fields=["cursor", "stepped_at"])
    return True


SEND_CAMPAIGN_PERMISSION = "leads.send_campaign"


def campaign_reconsent_start(
    *, version: DocumentVersion, purposes: list[str], started_by
) -> Campaign:
    """Start asking everyone with an active consent to `purposes` to keep it under `version`,
    a material change just published (called in the publishing transaction)."""
    campaign = Campaign.objects.create(
        name=str(_("Re-consent: %(version)s") % {"version": version}),
        purpose=Campaign.Purpose.RECONSENT,
        subject="",
        body_text="",
        policy_version=version,
        reconsent_purposes=list(purposes),
        created_by=started_by,
    )
    return campaign_start(campaign=campaign)


class CampaignReconsent:
    """Leads' answer to privacy's re-consent offer on publishing (privacy.documents.reconsent).

    The publisher of a material change may start its re-consent notice (a legal notice about
    their own text, only to people who hold the consent it affects); every other campaign is
    the campaign manager's.
    """

    def may_start(self, *, user) -> bool:
        return bool(
            user.has_perm(SEND_CAMPAIGN_PERMISSION) or user.has_perm(PUBLISH_PERMISSION)
        )

    def audience(self, *, purposes) -> int:
        return people_reachable_for_any(list(purposes)).count()

    def start(self, *, version: DocumentVersion, purposes: list[str], started_by) -> str:
        campaign = campaign_reconsent_start(
            version=version, purposes=purposes, started_by=started_by
        )
        return str(
            _("Started the campaign “%(name)s”: %(count)d people are asked to keep their consent.")
            % {"name": campaign.name, "count": campaign_audience_count(campaign=campaign)}
        )
