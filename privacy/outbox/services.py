"""The outbox: write a message in the caller's transaction, hand it to Celery on commit, send it.

The life of a message: `message_queue` writes the row and hands its id over on commit;
`message_send` (the task's body) claims the row with a conditional UPDATE, asks the gate
(privacy.outbox.gate) with the state at that moment, and sends through anymail or records
why not. `messages_sweep` (Celery beat) re-hands rows the queue lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.outbox.gate import message_for_sending, message_gate
from privacy.outbox.models import SEALED_TO, Message
from privacy.outbox.rendering import message_render
from privacy.people.models import Person

logger = logging.getLogger(__name__)

# Messages handed to one task together (a campaign's chunk is split into such batches): enough
# to make the queue's per-task cost small, few enough that a lost worker holds little.
SEND_BATCH_SIZE = 50
# Sends are retried on provider errors with exponential backoff: 10 s, 20 s, 40 s, 80 s.
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 10
# A queued row not handed to the queue (broker down) is re-handed after this long; one handed
# over but still queued (queue lost it) after the longer delay, past every retry's countdown.
SWEEP_UNHANDED_AFTER = timedelta(seconds=30)
SWEEP_LOST_AFTER = timedelta(minutes=10)
# A row claimed longer ago than the task's hard time limit belongs to a dead worker.
SWEEP_INTERRUPTED_AFTER = timedelta(minutes=10)
INTERRUPTED = (
    "The worker stopped while sending; the provider may or may not have accepted the message. "
    "Check the provider's log before retrying."
)


BROKER_ERRORS = (KombuError, RedisError, OSError)


class TransientSendError(Exception):
    """The provider failed in a way worth retrying later."""


def message_queue(
    *,
    kind: str,
    to_email: str,
    person: Person | None = None,
    language: str = "en",
    context: dict | None = None,
    dedupe_key: str = "",
    hand_over: bool = True,
) -> Message | None:
    """Write a message to the outbox in the caller's transaction; hand it over on commit.

    Returns None when a message with the same dedupe key already exists for this person.
    `hand_over=False`: the caller hands several over at once (messages_hand_over_on_commit).
    """
    fields = {
        "kind": kind,
        "person": person,
        "to_email": to_email,
        "language": language,
        "context": context or {},
        "dedupe_key": dedupe_key,
        # Marked as handed over now, with the commit: saves a write on every submission. If the
        # hand-over fails, messages_enqueue clears it so the sweeper picks the row up soon.
        "enqueued_at": timezone.now(),
    }
    if dedupe_key:
        try:
            with transaction.atomic():  # the savepoint keeps the caller's transaction usable
                message = Message.objects.create(**fields)
        except IntegrityError:
            return None
    else:
        message = Message.objects.create(**fields)
    if hand_over:
        messages_hand_over_on_commit([message])
    return message


def messages_hand_over_on_commit(messages: list[Message]) -> None:
    """Hand messages written by message_queue to Celery when the transaction commits."""
    ids = [message.pk for message in messages]
    if ids:
        transaction.on_commit(lambda: messages_enqueue(message_ids=ids, marked=True))


def messages_enqueue(*, message_ids: list[int], marked: bool = False) -> int:
    """Hand messages to Celery in batches; a broker outage leaves them queued for the sweeper.

    `marked`: the rows already carry enqueued_at (message_queue sets it in the same insert).
    """
    from privacy.outbox.tasks import send_message, send_message_batch

    handed: list[int] = []
    for start in range(0, len(message_ids), SEND_BATCH_SIZE):
        batch = message_ids[start : start + SEND_BATCH_SIZE]
        try:
            if len(batch) == 1:
                send_message.apply_async(args=batch)
            else:
                send_message_batch.apply_async(args=[batch])
        except BROKER_ERRORS:  # the rows stay queued for the sweeper: nothing is lost
            logger.warning("broker unavailable: %d messages stay queued", len(message_ids))
            break
        handed.extend(batch)
    if marked:
        unhanded = message_ids[len(handed) :]
        if unhanded:
            Message.objects.filter(pk__in=unhanded, status=Message.Status.QUEUED).update(
                enqueued_at=None
            )
    elif handed:
        Message.objects.filter(pk__in=handed, status=Message.Status.QUEUED).update(
            enqueued_at=timezone.now()
        )
    return len(handed)


def messages_sweep(*, now=None) -> dict[str, int]:
    """Re-hand queued rows the queue never got or lost; fail rows a dead worker left."""
    now = now or timezone.now()
    interrupted = Message.objects.filter(
        status=Message.Status.SENDING, claimed_at__lt=now - SWEEP_INTERRUPTED_AFTER
    ).update(status=Message.Status.FAILED, error=INTERRUPTED, finished_at=now)
    stale = Message.objects.filter(status=Message.Status.QUEUED).filter(
        Q(enqueued_at__isnull=True, created_at__lt=now - SWEEP_UNHANDED_AFTER)
        | Q(enqueued_at__lt=now - SWEEP_LOST_AFTER)
    )
    handed = 0
    ids = list(stale.order_by("pk").values_list("pk", flat=True)[:5000])
    if ids:
        handed = messages_enqueue(message_ids=ids)
    return {"interrupted": interrupted, "requeued": handed, "stale": len(ids)}


def message_retry(*, message: Message) -> bool:
    """Staff retry of a failed message: back to the queue with a fresh set of attempts."""
    updated = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=Message.Status.QUEUED, attempts=0, error="", claimed_at=None, finished_at=None
    )
    if updated:
        transaction.on_commit(lambda: messages_enqueue(message_ids=[message.pk]))
    return bool(updated)


def message_send(*, message_id: int) -> str:
    """Claim, ask the gate, send. Returns the row's status afterwards.

    Raises TransientSendError (after releasing the claim) when a retry may succeed.
    """
    now = timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Message.Status.QUEUED).update(
        status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        # Sent, skipped, failed or being sent by another worker: at most one send per row.
        return Message.objects.filter(pk=message_id).values_list("status", flat=True).first() or ""
    message = message_for_sending(message_id)
    decision = message_gate(message)
    if not decision.allowed:
        _finish(message, Message.Status.SKIPPED, skip_reason=decision.reason)
        return Message.Status.SKIPPED
    try:
        email = message_render(message)
        email.send()
    except Exception as exc:
        if _is_transient(exc) and message.attempts < MAX_ATTEMPTS:
            Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
                status=Message.Status.QUEUED, error=_describe(exc), enqueued_at=timezone.now()
            )
            raise TransientSendError(_describe(exc)) from exc
        logger.exception("message %s failed for good", message.pk)
        _finish(message, Message.Status.FAILED, error=_describe(exc))
        return Message.Status.FAILED
    status = getattr(email, "anymail_status", None)
    esp_id = "" if status is None or status.message_id is None else str(status.message_id)
    _finish(message, Message.Status.SENT, esp_message_id=esp_id)
    return Message.Status.SENT


def _finish(message: Message, status: str, **fields) -> None:
    if SEALED_TO in message.context and status != Message.Status.FAILED:
        # Sent or skipped: a sealed address is never needed again (a failure may be retried).
        fields["context"] = {k: v for k, v in message.context.items() if k != SEALED_TO}
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=status, finished_at=timezone.now(), **fields
    )


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _is_transient(exc: Exception) -> bool:
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    if isinstance(exc, AnymailRecipientsRefused):
        return False
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        return status is None or status >= 500 or status == 429
    return isinstance(exc, OSError)


def backoff_seconds(attempt: int) -> int:
    return RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0)


RETRY_PERMISSION = "privacy.retry_message"
NOT_ALLOWED_TO_RETRY = "You do not have the permission to retry messages."


class RetryError(Exception):
    pass


def messages_retry(*, messages: list[Message], staff: User, ip: str | None = None) -> int:
    """Put failed messages back in the queue; the gate decides again when each is sent."""
    if not staff.has_perm(RETRY_PERMISSION):
        raise RetryError(NOT_ALLOWED_TO_RETRY)
    retried = 0
    with transaction.atomic():
        for message in messages:
            if message_retry(message=message):
                retried += 1
                audit_record(
                    action=AuditAction.MESSAGE_RETRIED,
                    actor=staff,
                    person=message.person,
                    obj=message,
                    ip=ip,
                )
    return retried
