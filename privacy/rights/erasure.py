"""Erasure: every row that holds a person's data anonymised, and the destruction recorded."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.blocks.services import person_is_blocked
from privacy.consent.models import ConsentRecord
from privacy.cookies.models import VisitorLink, visitor_source
from privacy.outbox.models import Message
from privacy.people.holders import holders
from privacy.people.identity import email_digest
from privacy.people.models import Person
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
        queryset.exclude(personal_salt=""),
        subject_email="",
        subject_phone="",
        ip=None,
        user_agent="",
        page_url="",
        referrer="",
        personal_salt="",
    )


def person_erase(
    *,
    person: Person,
    staff: User | None,
    ground: str,
    request: RightsRequest | None = None,
    ip: str | None = None,
) -> Destruction:
    """Destroy a person's data: anonymise every row that holds it and record the destruction.

    The person row stays, without contact data, as the key of what the law asks us to keep
    (the pseudonymised consent log proving consent existed, disclosures, destruction records).
    """
    if staff is not None and not staff.has_perm(ERASE_PERMISSION):
        raise ErasureError(NOT_ALLOWED_TO_ERASE)
    if ground not in Destruction.Ground.values:
        raise ErasureError(UNKNOWN_GROUND)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.erased_at is not None:
            raise ErasureError(ALREADY_ERASED)
        if person_is_blocked(person):
            raise ErasureError(ERASE_BLOCKED)
        email = person.email or ""
        destroyed: dict[str, int] = {}
        for holder in holders():
            destroyed.update(holder.erase(person))
        links = VisitorLink.objects.filter(person=person)
        sources = [visitor_source(v) for v in links.values_list("visitor_id", flat=True)]
        destroyed["consent_records_pseudonymised"] = _pseudonymise(
            ConsentRecord.objects.filter(Q(person=person) | Q(source__in=sources))
        )
        destroyed["visitor_links"] = links.delete()[0]
        by_address = Q(to_email__iexact=email) if email else Q(pk__in=[])
        destroyed["messages"] = Message.objects.filter(Q(person=person) | by_address).update(
            to_email="", error=""
        )
        requests = RightsRequest.objects.filter(
            Q(person=person) | Q(email_digest=email_digest(email))
        )
        destroyed["rights_requests"] = requests.update(details="", new_email="", person=person)
        # The address of the request being answered stays until its answer is sent (the
        # person must hear that the erasure was done); rights_scrub_erased clears it then.
        (requests.exclude(pk=request.pk) if request else requests).update(email="")
        destroyed["corrections"] = DataCorrection.objects.filter(person=person).update(
            before="", after=""
        )
        Person.objects.filter(pk=person.pk).update(email=None, phone="", erased_at=timezone.now())
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
            detail={"ground": ground, "destroyed": destroyed},
            ip=ip,
        )
    return destruction
