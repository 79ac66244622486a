"""The access export: everything held about a person, machine-readable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from privacy.blocks.models import Block
from privacy.consent.models import ConsentRecord
from privacy.cookies.models import visitor_source
from privacy.outbox.models import Message
from privacy.people.holders import holders
from privacy.people.identity import email_digest
from privacy.people.models import PERSON_CONSENT_PURPOSES, Person
from privacy.rights.models import DataCorrection, RightsRequest


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
            for purpose in PERSON_CONSENT_PURPOSES
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
            "language_shown": r.language,
            "wording": r.wording.text,
            "policy_sha256": r.policy_sha256,
            "consent_sha256": r.consent_sha256,
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
    for holder in holders():
        data.update(holder.export(person))
    return data
