"""Celery tasks of the leads app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from .campaigns import STEPS_PER_TASK, campaign_fan_out_step, campaigns_restart_stalled


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fan_out_campaign(campaign_id: int) -> None:
    """Fan out a few steps, then hand over to a fresh task (short tasks, fair queue)."""
    for _step in range(STEPS_PER_TASK):
        if not campaign_fan_out_step(campaign_id=campaign_id):
            return
    fan_out_campaign.delay(campaign_id)


@shared_task(ignore_result=True)
def restart_stalled_campaigns() -> int:
    return campaigns_restart_stalled()
