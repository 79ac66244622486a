"""Celery tasks: thin wrappers that take ids and call privacy's services."""

from __future__ import annotations

from celery import shared_task

from .messaging import TransientSendError, backoff_seconds, message_send, messages_sweep


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # message_send counts attempts on the row and gives up itself
    ignore_result=True,
)
def send_message(self, message_id: int) -> str:
    try:
        return message_send(message_id=message_id)
    except TransientSendError as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries + 1)) from exc


@shared_task(ignore_result=True)
def sweep_messages() -> dict[str, int]:
    return messages_sweep()

# Celery autodiscovers only <app>.tasks: the blocks task lives beside, registered here.
from .block_tasks import mail_overdue_blocks  # noqa: E402, F401
