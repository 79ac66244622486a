"""Celery tasks of the outbox: thin wrappers that take ids and call its services."""

from __future__ import annotations

import contextlib

from celery import shared_task

from privacy.outbox.alerts import blocks_overdue_notify
from privacy.outbox.models import Message
from privacy.outbox.services import (
    BROKER_ERRORS,
    TransientSendError,
    backoff_seconds,
    message_send,
    messages_sweep,
)


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


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_message_batch(message_ids: list[int]) -> dict[str, int]:
    """Send several messages in one task; each is still claimed and decided on its own.

    A campaign hands over thousands of messages: one task per message would spend more on the
    queue than on sending. A message whose provider call fails transiently is retried alone.
    """
    outcome: dict[str, int] = {}
    for message_id in message_ids:
        try:
            status = message_send(message_id=message_id)
        except TransientSendError:
            status = "retrying"
            attempts = Message.objects.filter(pk=message_id).values_list("attempts", flat=True)
            # With the broker down the row stays queued and the sweeper hands it over later.
            with contextlib.suppress(*BROKER_ERRORS):
                send_message.apply_async(
                    args=[message_id], countdown=backoff_seconds(attempts.first() or 1)
                )
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


@shared_task(ignore_result=True)
def sweep_messages() -> dict[str, int]:
    return messages_sweep()


@shared_task(ignore_result=True)
def mail_overdue_blocks() -> int:
    return blocks_overdue_notify()
