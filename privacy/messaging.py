"""Every message to a person: the outbox, the one gate that decides at send time, the send.

The life of a message: `message_queue` writes the row in the caller's transaction and hands
its id to Celery on commit; `message_send` (the task's body) claims the row with a
conditional UPDATE, asks `message_gate` with the state at that moment, and sends through
anymail or records why not. `messages_sweep` (Celery beat) re-hands rows the queue lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from .models import (
    Block,
    ConsentMethod,
    ConsentRecord,
    Decision,
    Message,
    MessageKind,
    Person,
    Purpose,
    SkipReason,
    Suppression,
)

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

MARKETING_KINDS = {
    MessageKind.MARKETING: Purpose.MARKETING,
    MessageKind.ADVERTISING: Purpose.ADVERTISING,
}

UNSUBSCRIBE_SALT = "privacy.unsubscribe"
CONFIRM_SALT = "privacy.confirm-consent"
RECONSENT_SALT = "privacy.reconsent"
# Links in e-mails stay valid this long; an older link shows a page explaining what to do.
LINK_MAX_AGE = 180 * 24 * 3600


BROKER_ERRORS = (KombuError, RedisError, OSError)


class TransientSendError(Exception):
    """The provider failed in a way worth retrying later."""


# -- The gate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reason: str = ""


ALLOW = GateDecision(True)


def deny(reason: str) -> GateDecision:
    return GateDecision(False, reason)


@dataclass(frozen=True)
class ConsentState:
    decided: bool  # there is a granted or denied record at all
    granted: bool
    confirmed: bool
    withdrawn_by_link: bool


def consent_state(*, person: Person, purpose: str) -> ConsentState:
    """Where a purpose stands now: the latest deciding record, and whether it was confirmed.

    Confirmed means a double opt-in click (granted, by e-mail link) since the last withdrawal:
    ticking the box again later keeps a confirmation; a withdrawal needs a new one. One query,
    newest first, read until the last withdrawal.
    """
    records = (
        ConsentRecord.objects.filter(person=person, purpose=purpose)
        .deciding()
        .order_by("-seq")
        .values_list("decision", "method")
    )
    latest = None
    confirmed = False
    for decision, method in records.iterator(chunk_size=50):
        if latest is None:
            latest = (decision, method)
            if decision != Decision.GRANTED:
                break
        if decision == Decision.DENIED:
            break
        if method == ConsentMethod.EMAIL_LINK:
            confirmed = True
            break
    if latest is None:
        return ConsentState(False, False, False, False)
    if latest[0] != Decision.GRANTED:
        return ConsentState(True, False, False, latest[1] == ConsentMethod.EMAIL_LINK)
    return ConsentState(True, True, confirmed, False)


def is_suppressed(message: Message) -> bool:
    annotated = getattr(message, "address_suppressed", None)
    if annotated is not None:
        return annotated
    return Suppression.objects.filter(email=message.to_email.lower()).exists()


def is_blocked(message: Message) -> bool:
    annotated = getattr(message, "person_blocked", None)
    if annotated is not None:
        return annotated
    return Block.objects.active().filter(person=message.person_id).exists()


def message_for_sending(message_id: int) -> Message:
    """Load a message with what the gate needs to know about its person, in one query."""
    return (
        Message.objects.select_related("person")
        .annotate(
            person_blocked=Exists(Block.objects.active().filter(person=OuterRef("person_id"))),
            address_suppressed=Exists(
                Suppression.objects.filter(email=Lower(OuterRef("to_email")))
            ),
        )
        .get(pk=message_id)
    )


def message_gate(message: Message) -> GateDecision:
    """Decide whether `message` may go now, from the state at this moment, and why not."""
    if message.kind == MessageKind.STAFF_ALERT:
        return ALLOW  # to staff, about the lead, with a link rather than personal data
    # Rights request links and answers: the person asked (maybe not yet known as one).
    if message.kind == MessageKind.RIGHTS and message.to_email:
        return deny(SkipReason.SUPPRESSED) if is_suppressed(message) else ALLOW
    person = message.person
    if person is None or not message.to_email:
        return deny(SkipReason.NO_ADDRESS)
    if person.erased_at is not None:
        return deny(SkipReason.ERASED)
    if is_suppressed(message):
        return deny(SkipReason.SUPPRESSED)  # not even legal notices: the address bounces
    if message.kind == MessageKind.LEGAL_NOTICE:
        return ALLOW  # the law requires it, whatever the marketing state (clause 5.3)
    if is_blocked(message):
        return deny(SkipReason.BLOCKED)
    if message.kind == MessageKind.ACKNOWLEDGMENT:
        return ALLOW
    if message.kind == MessageKind.DOUBLE_OPT_IN:
        pending = purposes_awaiting_confirmation(person, message.context.get("purposes", []))
        if pending:
            return ALLOW
        return deny(SkipReason.ALREADY_CONFIRMED)
    purpose = MARKETING_KINDS.get(message.kind)
    if purpose is None:
        return deny(SkipReason.NO_CONSENT)
    state = consent_state(person=person, purpose=purpose)
    if not state.decided:
        return deny(SkipReason.NO_CONSENT)
    if not state.granted:
        return deny(SkipReason.UNSUBSCRIBED if state.withdrawn_by_link else SkipReason.WITHDRAWN)
    if not state.confirmed:
        return deny(SkipReason.UNCONFIRMED)
    return ALLOW


def purposes_to_confirm(person: Person, purposes: list[str]) -> list[str]:
    """Of `purposes`, those that a web-form grant not yet written will leave unconfirmed.

    A submission asks before it writes its records (the chain's lock comes last). A
    confirmation carries over to a new grant only while the purpose is granted, which the
    person's consent column says without reading the log; a new person has none.
    """
    return [
        purpose
        for purpose in purposes
        if getattr(person, f"consent_{purpose}") != Decision.GRANTED
        or not consent_state(person=person, purpose=purpose).confirmed
    ]


def purposes_awaiting_confirmation(person: Person, purposes: list[str]) -> list[str]:
    waiting = []
    for purpose in purposes:
        state = consent_state(person=person, purpose=purpose)
        if state.granted and not state.confirmed:
            waiting.append(purpose)
    return waiting


# -- The outbox ----------------------------------------------------------------------------


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
    from .tasks import send_message, send_message_batch

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


# -- Sending -------------------------------------------------------------------------------


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


# -- Rendering -----------------------------------------------------------------------------


def signed_link(*, view: str, salt: str, payload: dict) -> str:
    token = signing.dumps(payload, salt=salt, compress=True)
    return settings.SITE_URL + reverse(view, kwargs={"token": token})


def unsubscribe_url(*, person: Person, purpose: str) -> str:
    return signed_link(
        view="privacy:unsubscribe",
        salt=UNSUBSCRIBE_SALT,
        payload={"p": person.pk, "u": purpose},
    )


def confirm_url(*, message: Message) -> str:
    return signed_link(
        view="privacy:confirm",
        salt=CONFIRM_SALT,
        payload={"p": message.person_id, "u": message.context.get("purposes", []), "m": message.pk},
    )


def message_render(message: Message) -> EmailMultiAlternatives:
    """Build the e-mail in the person's language from templates/emails/<kind>.*"""
    context = {
        **message.context,
        "message": message,
        "person": message.person,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "privacy_contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "policy_url": settings.SITE_URL + reverse("privacy:policy"),
    }
    headers = {}
    purpose = MARKETING_KINDS.get(message.kind)
    if purpose is not None and message.person is not None:
        link = unsubscribe_url(person=message.person, purpose=purpose)
        context["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    if message.kind == MessageKind.DOUBLE_OPT_IN:
        context["confirm_url"] = confirm_url(message=message)
    if message.context.get("reconsent_policy_version") and message.person is not None:
        context["reconsent_url"] = signed_link(
            view="privacy:reconsent",
            salt=RECONSENT_SALT,
            payload={
                "p": message.person_id,
                "u": message.context.get("reconsent_purposes", []),
                "v": message.context["reconsent_policy_version"],
            },
        )
    with translation.override(message.language):
        base = f"emails/{message.kind}"
        if message.kind == MessageKind.STAFF_ALERT and message.context.get("alert"):
            base = f"emails/staff_alert_{message.context['alert']}"  # e.g. overdue blocks
        subject = render_to_string(f"{base}_subject.txt", context).strip().replace("\n", " ")
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    email = EmailMultiAlternatives(
        subject=subject, body=text, to=[message.to_email], headers=headers
    )
    email.attach_alternative(html, "text/html")
    # Lets provider events and support staff find the row; also our idempotency key.
    email.metadata = {"message_id": str(message.pk), "kind": message.kind}
    email.tags = [message.kind]
    for name, content, mimetype in message_attachments(message):
        email.attach(name, content, mimetype)
    return email


def message_attachments(message: Message) -> list[tuple[str, str, str]]:
    receipt_token = message.context.get("receipt_token")
    if message.kind != MessageKind.ACKNOWLEDGMENT or not receipt_token:
        return []
    import json

    from .models import ConsentReceipt
    from .receipts import receipt_as_dict

    receipt = ConsentReceipt.objects.filter(token=receipt_token).first()
    if receipt is None:
        return []
    body = json.dumps(receipt_as_dict(receipt), ensure_ascii=False, indent=2)
    return [("consent-receipt.json", body, "application/json")]
