"""What is held about a person, everywhere: the access export and erasure, with a registry.

Privacy never imports the apps that hold personal data of their own (leads). Each registers a
holder here from its AppConfig.ready(), like models with the admin site: an exporter (the
person's rows as JSON-ready dicts), an eraser (anonymise them, return counts) and, for
corrections, a corrector and the form that validates the fields it owns.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .audit import audit_record
from .blocks import person_is_blocked
from .models import (
    AuditAction,
    Block,
    ConsentRecord,
    DataCorrection,
    DataExport,
    Destruction,
    Disclosure,
    Message,
    Person,
    RightsRequest,
    VisitorLink,
    visitor_source,
)

ERASE_PERMISSION = "privacy.erase_person"
NOT_ALLOWED_TO_ERASE = "You do not have the permission to erase people's data."
ERASE_BLOCKED = "This person's data are blocked: lift the block before erasing them."
ALREADY_ERASED = "This person's data have already been erased."
UNKNOWN_GROUND = "Say on what ground the data are destroyed."


class ErasureError(Exception):
    pass


@dataclass(frozen=True)
class PersonalDataHolder:
    """An app's part of a person's data."""

    name: str
    export: Callable[[Person], dict[str, Any]]
    erase: Callable[[Person], dict[str, int]]
    # Correction (6.1.2): the current values of the fields it owns, and a function applying
    # cleaned values, returning [(field, before, after)] for what actually changed.
    correction_initial: Callable[[Person], dict[str, str]] | None = None
    correct: Callable[[Person, dict[str, str]], list[tuple[str, str, str]]] | None = None


_holders: dict[str, PersonalDataHolder] = {}
# The form validating a correction (the fields the lead form collects, its rules); registered
# by the app that owns those rules, so corrections and submissions validate alike.
_correction_form: list[type] = []


def holder_register(holder: PersonalDataHolder) -> None:
    _holders[holder.name] = holder


def holders() -> list[PersonalDataHolder]:
    return list(_holders.values())


def correction_form_register(form_class: type) -> None:
    _correction_form[:] = [form_class]


def correction_form_class() -> type | None:
    return _correction_form[0] if _correction_form else None


def email_digest(email: str) -> str:
    """A keyed digest of an address: finds a person's requests without keeping the address."""
    key = hashlib.sha256(f"privacy.rights-email:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def person_export(*, person: Person | None, email: str) -> dict[str, Any]:
    """Everything held about a person, machine-readable (the answer to an access request)."""
    digest = email_digest(email)
    requests = RightsRequest.objects.filter(
        Q(email_digest=digest) | Q(person=person) if person else Q(email_digest=digest)
    ).order_by("received_at")
    data: dict[str, Any] = {
        "format": "leadgen-access-export/1",
        "generated_at": timezone.now().isoformat(),
        "controller": {
            "name": settings.CONTROLLER_NAME,
            "contact": settings.PRIVACY_CONTACT_EMAIL,
            "site": settings.SITE_URL,
        },
        "person": None,
        "rights_requests": [
            {
                "id": str(r.public_id),
                "kind": r.kind,
                "status": r.status,
                "received_at": _iso(r.received_at),
                "due_on": r.due_on.isoformat() if r.due_on else None,
                "answered_at": _iso(r.answered_at),
                "details": r.details,
                "answer": r.answer,
            }
            for r in requests
        ],
    }
    if person is None:
        return data
    data["person"] = {
        "email": person.email,
        "phone": person.phone,
        "language": person.language,
        "created_at": _iso(person.created_at),
        "current_consent": {
            purpose: getattr(person, f"consent_{purpose}") or None
            for purpose in ("processing", "marketing", "advertising", "analytics")
        },
    }
    sources = [visitor_source(v) for v in person.visitor_links.values_list("visitor_id", flat=True)]
    data["consent_records"] = [
        {
            "seq": r.seq,
            "purpose": r.purpose,
            "decision": r.decision,
            "method": r.method,
            "recorded_at": _iso(r.created_at),
            "policy_version": r.policy_version.number,
            "consent_text_version": r.consent_version.number if r.consent_version else None,
            "wording": r.wording.text,
            "email_at_the_time": r.subject_email,
            "phone_at_the_time": r.subject_phone,
            "ip": r.ip,
            "user_agent": r.user_agent,
            "page_url": r.page_url,
            "referrer": r.referrer,
            "record_hash": r.record_hash,
        }
        for r in ConsentRecord.objects.filter(Q(person=person) | Q(source__in=sources))
        .select_related("policy_version", "consent_version", "wording")
        .order_by("seq")
    ]
    data["messages"] = [
        {
            "kind": m.kind,
            "to": m.to_email,
            "status": m.status,
            "skip_reason": m.skip_reason,
            "created_at": _iso(m.created_at),
            "finished_at": _iso(m.finished_at),
        }
        for m in Message.objects.filter(
            Q(person=person) | Q(to_email__iexact=person.email or "-")
        ).order_by("created_at")
    ]
    data["blocks"] = [
        {
            "requested_by": b.requested_by,
            "reason": b.reason,
            "blocked_at": _iso(b.created_at),
            "review_by": b.review_by.isoformat(),
            "lifted_at": _iso(b.lifted_at),
            "outcome": b.outcome,
        }
        for b in Block.objects.filter(person=person).order_by("created_at")
    ]
    data["corrections"] = [
        {"field": c.field, "before": c.before, "after": c.after, "at": _iso(c.created_at)}
        for c in DataCorrection.objects.filter(person=person)
    ]
    data["disclosures"] = [
        {
            "authority": d.authority,
            "legal_basis": d.legal_basis,
            "reference": d.reference,
            "data_categories": d.data_categories,
            "released_at": _iso(d.released_at),
        }
        for d in Disclosure.objects.filter(people=person).order_by("released_at")
    ]
    for holder in holders():
        data.update(holder.export(person))
    return data


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
    staff: Any,
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
        requests.exclude(pk=request.pk if request else None).update(email="")
        destroyed["corrections"] = DataCorrection.objects.filter(person=person).update(
            before="", after=""
        )
        if email:
            # Staff exports filtered by this address kept it in their filter.
            for export in DataExport.objects.filter(filters__icontains=email):
                DataExport.objects.filter(pk=export.pk).update(filters={"erased": True})
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
