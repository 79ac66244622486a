"""The audience query and the gate are one rule: for every state a person can be in, a
campaign's audience holds exactly the people the gate would let its message reach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.blocks.models import Block, BlockRequester
from privacy.consent.models import ConsentMethod
from privacy.consent.services import consent_record_append
from privacy.outbox.gate import message_gate, people_reachable_for, people_reachable_for_any
from privacy.outbox.models import Message, MessageKind, Suppression
from privacy.people.models import Decision, Person, Purpose
from privacy.people.visits import Visit

pytestmark = pytest.mark.django_db

WEB, LINK, REQUEST = ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK, ConsentMethod.REQUEST
GRANTED, DENIED, NOT_GIVEN = Decision.GRANTED, Decision.DENIED, Decision.NOT_GIVEN

# Each state: the marketing records in order, and what else is true of the person.
STATES = {
    "never asked": ([], {}),
    "ticked, never confirmed": ([(GRANTED, WEB)], {}),
    "ticked and confirmed": ([(GRANTED, WEB), (GRANTED, LINK)], {}),
    "confirmed, later left unticked": ([(GRANTED, WEB), (GRANTED, LINK), (NOT_GIVEN, WEB)], {}),
    "confirmed, ticked again": ([(GRANTED, WEB), (GRANTED, LINK), (GRANTED, WEB)], {}),
    "unsubscribed by the link": ([(GRANTED, WEB), (GRANTED, LINK), (DENIED, LINK)], {}),
    "withdrawn by a request": ([(GRANTED, WEB), (GRANTED, LINK), (DENIED, REQUEST)], {}),
    "withdrawn, ticked again": (
        [(GRANTED, WEB), (GRANTED, LINK), (DENIED, REQUEST), (GRANTED, WEB)],
        {},
    ),
    "withdrawn, ticked and confirmed again": (
        [(GRANTED, WEB), (GRANTED, LINK), (DENIED, LINK), (GRANTED, WEB), (GRANTED, LINK)],
        {},
    ),
    "not given only": ([(NOT_GIVEN, WEB)], {}),
    "confirmed but blocked": ([(GRANTED, WEB), (GRANTED, LINK)], {"blocked": True}),
    "confirmed but suppressed": ([(GRANTED, WEB), (GRANTED, LINK)], {"suppressed": True}),
    "confirmed but erased": ([(GRANTED, WEB), (GRANTED, LINK)], {"erased": True}),
    "confirmed, advertising only": ([], {"advertising": True}),
}


def person_in(name: str, records, facts) -> Person:
    person = Person.objects.create(email=f"{name.replace(' ', '-').replace(',', '')}@example.com")
    purpose_records = [(Purpose.MARKETING, d, m) for d, m in records]
    if facts.get("advertising"):
        purpose_records = [(Purpose.ADVERTISING, GRANTED, m) for m in (WEB, LINK)]
    for purpose, decision, method in purpose_records:
        consent_record_append(
            person=person,
            purpose=purpose,
            decision=decision,
            method=method,
            wording_text=f"{purpose} {decision}",
            visit=Visit(),
        )
    if facts.get("blocked"):
        Block.objects.create(
            person=person,
            requested_by=BlockRequester.PERSON,
            reason="Disputed",
            review_by=timezone.localdate() + timedelta(days=30),
        )
    if facts.get("suppressed"):
        Suppression.objects.create(email=person.email, reason="bounced")
    if facts.get("erased"):
        Person.objects.filter(pk=person.pk).update(erased_at=timezone.now())
    return Person.objects.get(pk=person.pk)


def gate_allows(person: Person, kind: str) -> bool:
    message = Message(kind=kind, person=person, to_email=person.email or "")
    return message_gate(message).allowed


@pytest.fixture
def people(published_documents):
    return {name: person_in(name, records, facts) for name, (records, facts) in STATES.items()}


@pytest.mark.parametrize(
    ("purpose", "kind"),
    [(Purpose.MARKETING, MessageKind.MARKETING), (Purpose.ADVERTISING, MessageKind.ADVERTISING)],
)
def test_the_audience_of_a_purpose_is_exactly_whom_the_gate_lets_its_message_reach(
    people, purpose, kind
):
    audience = set(people_reachable_for(purpose))
    allowed = {person for person in people.values() if gate_allows(person, kind)}

    assert audience == allowed
    assert allowed  # the states include someone the message may reach


def test_the_audience_of_several_purposes_is_whom_the_gate_lets_any_of_them_reach(people):
    audience = set(people_reachable_for_any([Purpose.MARKETING, Purpose.ADVERTISING]))
    allowed = {
        person
        for person in people.values()
        if gate_allows(person, MessageKind.MARKETING)
        or gate_allows(person, MessageKind.ADVERTISING)
    }

    assert audience == allowed
    assert {p.email for p in allowed} == {
        people[name].email
        for name in (
            "ticked and confirmed",
            "confirmed, later left unticked",
            "confirmed, ticked again",
            "withdrawn, ticked and confirmed again",
            "confirmed, advertising only",
        )
    }
