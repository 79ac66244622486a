"""Reads over people and their consent that more than one caller needs."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from privacy.blocks.models import Block
from privacy.consent.models import ConsentMethod, ConsentRecord
from privacy.outbox.models import Suppression
from privacy.people.models import Decision, Person


def people_reachable_for(purpose: str) -> QuerySet[Person]:
    """People the gate would let a `purpose` message reach right now.

    The same rules as privacy.messaging.message_gate, as one query, to size and walk a
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
