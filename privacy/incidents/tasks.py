"""Celery tasks of incidents: the notice's fan-out."""

from __future__ import annotations

from celery import shared_task

from privacy.incidents.services import incident_fan_out


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notify_incident(incident_id: int) -> int:
    return incident_fan_out(incident_id=incident_id)
