"""Erasure: every row that holds a person's data anonymised, and the destruction recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from privacy.audit.models import AuditAction, AuditEntry
from privacy.audit.services import audit_record
from privacy.blocks.services import person_is_blocked
from privacy.consent.models import ConsentRecord
from privacy.cookies.models import VisitorLink, visitor_source
from privacy.outbox.models import Message
from privacy.people.holders import holders
from privacy.people.identity import email_digest
from privacy.people.models import PERSON_CONSENT_PURPOSES, Person
from privacy.rights.models import DataCorrection, Destruction, RightsRequest

ERASE_PERMISSION = "privacy.erase_person"
NOT_ALLOWED_TO_ERASE = "You do not have the permission to erase people's data."
ERASE_BLOCKED = "This person's data are blocked: lift the block before erasing them."
ALREADY_ERASED = "This person's data have already been erased."
UNKNOWN_GROUND = "Say on what ground the data are destroyed."


class ErasureError(Exception):
    pass


def _pseudonymise(queryset: models.QuerySet[ConsentRecord]) -> int:
    # ConsentRecordQuerySet.update refuses every update; this is the one the database trigger
    # allows (personal fields and salt blanked, every hashed column unchanged), so the chain
    # still verifies over the digest that stays.
    return models.QuerySet.update(
        queryset,
        subject_email="",
        subject_phone="",
        ip=None,
        user_agent="",
        page_url="",
        referrer="",
        personal_salt="",
    )


def _targets(person: Person) -> dict[str, models.QuerySet[Any]]:
    """The rows of privacy's own tables that hold the person's data, by the destruction
    record's names: one definition for the confirmation's counts and for the erasure."""
    email = person.email or ""
    links = VisitorLink.objects.filter(person=person)
    sources = [visitor_source(v) for v in links.values_list("visitor_id", flat=True)]
    by_address = Q(to_email__iexact=email) if email else Q(pk__in=[])
    return {
        "consent_records_pseudonymised": ConsentRecord.objects.filter(
            Q(person=person) | Q(source__in=sources)
        ).exclude(personal_salt=""),
        "visitor_links": links,
        "messages": Message.objects.filter(Q(person=person) | by_address),
        "rights_requests": RightsRequest.objects.filter(
            Q(person=person) | Q(email_digest=email_digest(email))
        ),
        "corrections": DataCorrection.objects.filter(person=person),
    }


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure would destroy and what it keeps as proof, counted, before it is done."""

    erased: dict[str, int]
    kept: dict[str, int]
    blocked: bool


def person_erasure_preview(*, person: Person) -> ErasurePreview:
    """Count what erasing this person would destroy, and what stays as proof."""
    erased: dict[str, int] = {}
    for holder in holders():
        if holder.count is not None:
            erased.update(holder.count(person))
    erased.update({name: rows.count() for name, rows in _targets(person).items()})
    kept = {
        # The person row, by its id only, is the key of everything the law asks us to keep.
        "person_row": 1,
        "consent_records": ConsentRecord.objects.filter(person=person).count(),
        "leads_without_data": erased.get("leads", 0),
        "disclosures": person.disclosures.count(),
        "audit_entries": AuditEntry.objects.filter(person=person).count(),
    }
    return ErasurePreview(erased=erased, kept=kept, blocked=person_is_blocked(person))


def person_erase_check(*, person: Person, staff: User | None) -> None:
    """Raise ErasureError when this erasure may not be done (before asking anyone to approve)."""
    if staff is not None and not staff.has_perm(ERASE_PERMISSION):
        raise ErasureError(NOT_ALLOWED_TO_ERASE)
    if person.erased_at is not None:
        raise ErasureError(ALREADY_ERASED)
    if person_is_blocked(person):
        raise ErasureError(ERASE_BLOCKED)


def person_erase(
    *,
    person: Person,
    staff: User | None,
    ground: str,
    request: RightsRequest | None = None,
    ip: str | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> Destruction:
    """Destroy a person's data: anonymise every row that holds it and record the destruction.

    The person row stays, without contact data and with no consent in effect, as the key of
    what the law asks us to keep (the pseudonymised consent log proving consent existed,
    disclosures, destruction records). Every address goes when this commits: the answer to
    the erasure request carries its address sealed (request_erase).
    """
    if ground not in Destruction.Ground.values:
        raise ErasureError(UNKNOWN_GROUND)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        person_erase_check(person=person, staff=staff)
        destroyed: dict[str, int] = {}
        for holder in holders():
            destroyed.update(holder.erase(person))
        targets = _targets(person)
        destroyed["consent_records_pseudonymised"] = _pseudonymise(
            targets["consent_records_pseudonymised"]
        )
        destroyed["visitor_links"] = targets["visitor_links"].delete()[0]
        destroyed["messages"] = targets["messages"].update(to_email="", error="")
        destroyed["rights_requests"] = targets["rights_requests"].update(
            details="", new_email="", email="", person=person
        )
        destroyed["corrections"] = targets["corrections"].update(before="", after="")
        # Nothing is in effect for an erased person: the columns that show the current consent
        # are cleared (the log keeps the proof of what was given, pseudonymised).
        Person.objects.filter(pk=person.pk).update(
            email=None,
            phone="",
            erased_at=timezone.now(),
            **{f"consent_{purpose}": "" for purpose in PERSON_CONSENT_PURPOSES},
        )
        destruction = Destruction.objects.create(
            person=person,
            request=request,
            ground=ground,
            destroyed=destroyed,
            created_by=staff if staff is not None and staff.pk else None,
        )
        audit_record(
            action=AuditAction.PERSON_ERASED,
            actor=staff,
            person=person,
            obj=destruction,
            detail={"ground": ground, "destroyed": destroyed, **(audit_detail or {})},
            ip=ip,
        )
    return destruction
