"""The one gate: whether a message may go, decided when it is about to be sent.

message_gate decides each message from the state at that moment and says why not;
people_reachable_for is the same rule as one query, used to size and walk a campaign's
audience (a test holds the two equal over every state a person can be in).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from privacy.blocks.models import Block
from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.consent.services import purpose_state, purposes_awaiting_confirmation
from privacy.outbox.models import Message, MessageKind, SkipReason, Suppression
from privacy.people.models import Decision, Person, Purpose

MARKETING_KINDS: dict[str, str] = {
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
    if not message.to_email:  # a sealed address: the annotation could not see it
        return Suppression.objects.filter(email=message.recipient().lower()).exists()
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
    if message.kind == MessageKind.RIGHTS and message.recipient():
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
        pending = purposes_awaiting_confirmation(
            person=person, purposes=message.context.get("purposes", [])
        )
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


# -- The same rule for audiences ------------------------------------------------------------


def people_reachable_for(purpose: str) -> QuerySet[Person]:
    """People the gate would let a `purpose` message reach right now.

    The same rules as message_gate above, as one query, to size and walk a
    campaign's audience; the gate still decides each message when it is sent.
    """
    records = ConsentRecord.objects.filter(person=OuterRef("pk"), purpose=purpose)
    latest_decision = Subquery(
        records.exclude(decision=Decision.NOT_GIVEN).order_by("-seq").values("decision")[:1]
    )
    last_denial = Subquery(
        records.filter(decision=Decision.DENIED).order_by("-seq").values("seq")[:1]
    )
    confirmation = ConsentRecord.objects.filter(
        person=OuterRef("pk"),
        purpose=purpose,
        decision=Decision.GRANTED,
        method=ConsentMethod.EMAIL_LINK,
        seq__gt=Coalesce(OuterRef("last_denial"), Value(0)),
    )
    return (
        Person.objects.filter(erased_at__isnull=True, email__isnull=False)
        # The person's current-state column (kept under the log's lock) narrows the scan to
        # people whose latest decision is a grant; the log below stays the authority.
        .filter(**{f"consent_{purpose}": Decision.GRANTED})
        .annotate(latest_decision=latest_decision, last_denial=last_denial)
        .filter(latest_decision=Decision.GRANTED)
        .filter(Exists(confirmation))
        .exclude(Exists(Block.objects.active().filter(person=OuterRef("pk"))))
        .exclude(Exists(Suppression.objects.filter(email=Lower(OuterRef("email")))))
    )


def people_reachable_for_any(purposes: list[str]) -> QuerySet[Person]:
    """People with an active consent (granted, confirmed, not blocked) to any of `purposes`."""
    matches = Q()
    for purpose in purposes:
        matches |= Q(pk__in=people_reachable_for(purpose).values("pk"))
    return Person.objects.filter(matches)
