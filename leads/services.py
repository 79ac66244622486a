"""Capture of leads: the one transaction that stores a submission and its proof of consent."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.models import (
    PURPOSE_DOCUMENT,
    Decision,
    DocumentKind,
    DocumentVersion,
    Purpose,
)
from privacy.receipts import receipt_issue
from privacy.services import (
    Visit,
    consent_record_append,
    person_find_or_create,
)

from .models import Lead

logger = logging.getLogger(__name__)

FORM_TOKEN_SALT = "leads.form-token"  # noqa: S105 (a signing namespace, not a secret)
# A rendered form stays valid for a day; after that the visitor is asked to check and resend.
FORM_TOKEN_MAX_AGE = 24 * 3600
OFFERED_PURPOSES = (Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING)


class DocumentsChanged(Exception):
    """A newer policy or consent text took effect between rendering and submitting."""


class FormTokenInvalid(Exception):
    pass


@dataclass(frozen=True)
class ShownForm:
    """What the visitor was shown: the versions in force and where they came from."""

    nonce: str
    versions: dict[str, int]  # document kind -> version id
    rendered_at: datetime
    landing_url: str = ""
    referrer: str = ""


def documents_in_force() -> dict[str, DocumentVersion]:
    kinds = [DocumentKind.PRIVACY_POLICY, *PURPOSE_DOCUMENT.values()]
    return {kind: version for kind in kinds if (version := DocumentVersion.objects.in_force(kind))}


def form_token_issue(
    *, documents: dict[str, DocumentVersion], landing_url: str, referrer: str
) -> str:
    """Sign what the form shows, so the submission can prove which texts it accepted."""
    payload = {
        "n": secrets.token_urlsafe(18),
        "v": {kind: version.pk for kind, version in documents.items()},
        "t": timezone.now().timestamp(),
        "u": landing_url,
        "r": referrer,
    }
    return signing.dumps(payload, salt=FORM_TOKEN_SALT, compress=True)


def form_token_read(token: str) -> ShownForm:
    try:
        payload = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise FormTokenInvalid(str(exc)) from exc
    return ShownForm(
        nonce=payload["n"],
        versions=payload["v"],
        rendered_at=datetime.fromtimestamp(payload["t"], tz=timezone.get_current_timezone()),
        landing_url=payload.get("u", ""),
        referrer=payload.get("r", ""),
    )


@dataclass(frozen=True)
class LeadVisit:
    """Visit metadata of one submission (clause 3.3), already cut to safe lengths."""

    visit: Visit
    accessed_at: datetime | None = None
    utm: dict[str, str] = field(default_factory=dict)
    analytics_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Submission:
    lead: Lead
    created: bool


def consent_wording(purpose: str, documents: dict[str, DocumentVersion]) -> str:
    """The exact sentence shown beside a checkbox, in the active language."""
    from .wording import checkbox_wording

    return checkbox_wording(purpose, documents)


def lead_submit(
    *,
    cleaned: dict[str, Any],
    shown: ShownForm,
    lead_visit: LeadVisit,
    language: str,
) -> Submission:
    """Store one submission, its person and one consent record per purpose, atomically.

    Returns the existing lead when the same rendered form was already submitted.
    Raises DocumentsChanged when a text the visitor accepted is no longer in force.
    """
    token = shown.nonce
    existing = Lead.objects.filter(submission_token=token).first()
    if existing is not None:
        return Submission(existing, created=False)
    try:
        with transaction.atomic():
            documents = documents_in_force()
            if {kind: v.pk for kind, v in documents.items()} != shown.versions:
                raise DocumentsChanged
            person = person_find_or_create(
                email=cleaned["email"], phone=cleaned["phone"], language=language
            )
            visit = lead_visit.visit
            lead = Lead.objects.create(
                person=person,
                account_name=cleaned["account_name"],
                phone=cleaned["phone"],
                email=cleaned["email"],
                language=language,
                submission_token=token,
                ip=visit.ip,
                user_agent=visit.user_agent,
                accessed_at=lead_visit.accessed_at,
                page_url=visit.page_url,
                referrer=visit.referrer,
                **{f"utm_{key}": value for key, value in lead_visit.utm.items()},
                **lead_visit.analytics_ids,
            )
            records = []
            for purpose in OFFERED_PURPOSES:
                granted = bool(cleaned.get(f"consent_{purpose}"))
                record = consent_record_append(
                    person=person,
                    purpose=purpose,
                    decision=Decision.GRANTED if granted else Decision.NOT_GIVEN,
                    method="web_form",
                    wording_text=consent_wording(purpose, documents),
                    visit=visit,
                    policy_version=documents[DocumentKind.PRIVACY_POLICY],
                    consent_version=documents[PURPOSE_DOCUMENT[purpose]],
                    source=f"lead:{lead.pk}",
                )
                records.append(record)
            lead.receipt = receipt_issue(person=person, records=records)
            lead.save(update_fields=["receipt"])
    except IntegrityError:
        # The same form submitted twice at once: the other request stored it.
        existing = Lead.objects.filter(submission_token=token).first()
        if existing is None:
            raise
        return Submission(existing, created=False)
    return Submission(lead, created=True)
