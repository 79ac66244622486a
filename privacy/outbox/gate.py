"""Every message to a person: the outbox, the one gate that decides at send time, the send.

The life of a message: `message_queue` writes the row in the caller's transaction and hands
its id to Celery on commit; `message_send` (the task's body) claims the row with a
conditional UPDATE, asks `message_gate` with the state at that moment, and sends through
anymail or records why not. `messages_sweep` (Celery beat) re-hands rows the queue lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower

from privacy.blocks.models import Block
from privacy.consent.services import purpose_state, purposes_awaiting_confirmation
from privacy.outbox.models import Message, MessageKind, SkipReason, Suppression
from privacy.people.models import Purpose

MARKETING_KINDS = {
    MessageKind.MARKETING: Purpose.MARKETING,
    MessageKind.ADVERTISING: Purpose.ADVERTISING,
}


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reason: str = ""


ALLOW = GateDecision(True)


def deny(reason: str) -> GateDecision:
    return GateDecision(False, reason)


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
    state = purpose_state(person=person, purpose=purpose)
    if not state.decided:
        return deny(SkipReason.NO_CONSENT)
    if not state.granted:
        return deny(SkipReason.UNSUBSCRIBED if state.withdrawn_by_link else SkipReason.WITHDRAWN)
    if not state.confirmed:
        return deny(SkipReason.UNCONFIRMED)
    return ALLOW
