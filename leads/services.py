"""Capture of leads: the one transaction that stores a submission and its proof of consent."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from privacy.consent.models import ConsentMethod
from privacy.consent.receipts import receipt_issue
from privacy.consent.services import (
    ConsentEntry,
    consent_records_prepare,
    consent_records_write,
    purposes_awaiting_confirmation,
)
from privacy.cookies.services import visitor_link_person
from privacy.documents.models import PURPOSE_DOCUMENT, DocumentKind, DocumentVersion
from privacy.outbox.models import MessageKind
from privacy.outbox.services import message_queue, messages_hand_over_on_commit
from privacy.people.models import Decision, Purpose
from privacy.people.services import person_find_or_create
from privacy.people.visits import Visit

from .models import ApiKey, LandingForm, Lead

logger = logging.getLogger(__name__)

FORM_TOKEN_SALT = "leads.form-token"  # noqa: S105 (a signing namespace, not a secret)
# A rendered form stays valid for a day; after that the visitor is asked to check and resend.
FORM_TOKEN_MAX_AGE = 24 * 3600
OFFERED_PURPOSES = (Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING)
FORM_DOCUMENTS = (DocumentKind.PRIVACY_POLICY, *(PURPOSE_DOCUMENT[p] for p in OFFERED_PURPOSES))


class DocumentsChanged(Exception):
    """A newer policy or consent text took effect between rendering and submitting."""


class FormTokenInvalid(Exception):
    pass


class FormTokenExpired(FormTokenInvalid):
    """A token we issued, older than FORM_TOKEN_MAX_AGE."""


@dataclass(frozen=True)
class ShownForm:
    """What the visitor was shown: the versions in force and where they came from."""

    nonce: str
    versions: dict[str, int]  # document kind -> version id
    rendered_at: datetime
    landing_url: str = ""
    referrer: str = ""
    # Which form it was (None: a token from before forms were data, the default form's), and
    # for a form shown on another site, that site's origin as the browser reported it.
    form_id: int | None = None
    origin: str = ""
    # The language the form was shown in: its texts and wordings are recorded in it, even if the
    # visitor switched the site's language in another tab before sending.
    language: str = ""


def documents_in_force() -> dict[str, DocumentVersion]:
    """The policy and the consent texts in force now, by kind (one query)."""
    in_force = DocumentVersion.objects.all_in_force()
    return {kind: in_force[kind] for kind in FORM_DOCUMENTS if kind in in_force}


def form_versions(form: LandingForm, documents: dict[str, DocumentVersion]) -> dict[str, int]:
    """The versions `form` shows, by kind, of the documents in force."""
    return {kind: documents[kind].pk for kind in form.document_kinds() if kind in documents}


def form_token_issue(
    *,
    documents: dict[str, DocumentVersion],
    landing_url: str,
    referrer: str,
    form: LandingForm | None = None,
    origin: str = "",
    language: str = "",
) -> str:
    """Sign what the form shows, so the submission can prove which texts it accepted."""
    payload: dict[str, Any] = {
        "n": secrets.token_urlsafe(18),
        "v": {kind: version.pk for kind, version in documents.items()},
        "t": timezone.now().timestamp(),
        "u": landing_url,
        "r": referrer,
        "l": language,
    }
    if form is not None:
        payload["f"] = form.pk
    if origin:
        payload["o"] = origin
    return signing.dumps(payload, salt=FORM_TOKEN_SALT, compress=True)


def form_token_read(token: str) -> ShownForm:
    try:
        payload = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise FormTokenExpired(str(exc)) from exc
    except signing.BadSignature as exc:
        raise FormTokenInvalid(str(exc)) from exc
    return ShownForm(
        nonce=payload["n"],
        versions=payload["v"],
        rendered_at=datetime.fromtimestamp(payload["t"], tz=timezone.get_current_timezone()),
        landing_url=payload.get("u", ""),
        referrer=payload.get("r", ""),
        form_id=payload.get("f"),
        origin=payload.get("o", ""),
        language=payload.get("l", "") if payload.get("l") in dict(settings.LANGUAGES) else "",
    )


def form_token_origin(token: str) -> str:
    """The other site a token was issued to (expired or not: its signature is still checked)."""
    try:
        payload = signing.loads(token, salt=FORM_TOKEN_SALT)
    except signing.BadSignature:
        return ""
    return str(payload.get("o", "")) if isinstance(payload, dict) else ""


@dataclass(frozen=True)
class LeadVisit:
    """Visit metadata of one submission (clause 3.3), already cut to safe lengths."""

    visit: Visit
    accessed_at: datetime | None = None
    utm: dict[str, str] = field(default_factory=dict)
    analytics_ids: dict[str, str] = field(default_factory=dict)
    # The anonymous visitor of the cookie banner, when the browser has made a choice.
    visitor_id: uuid.UUID | None = None


@dataclass(frozen=True)
class LeadSource:
    """Which form a submission came through, and how: the consent method its records carry,
    the API key that vouches for it, the host page's origin."""

    form: LandingForm
    method: str = ConsentMethod.WEB_FORM
    api_key: ApiKey | None = None
    origin: str = ""

    def record_source(self, public_id: uuid.UUID) -> str:
        """The consent records' source: the lead, and the key that sent it (hashed with them)."""
        if self.api_key is not None:
            return f"lead:{public_id} key:{self.api_key.key_id}"
        return f"lead:{public_id}"


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
    source: LeadSource | None = None,
) -> Submission:
    """Store one submission, its person and one consent record per purpose, atomically.

    Returns the existing lead when the same rendered form was already submitted.
    Raises DocumentsChanged when a text the visitor accepted is no longer in force.
    The texts and wordings are recorded in the language the form was shown in.
    `source`: the form and channel (the default form on our own page when not given).
    """
    token = shown.nonce
    language = shown.language or language
    source = source or LeadSource(form=LandingForm.objects.default())
    purposes = source.form.purposes()
    try:
        with transaction.atomic(), translation.override(language):
            documents = documents_in_force()
            if form_versions(source.form, documents) != shown.versions:
                raise DocumentsChanged
            person = person_find_or_create(
                email=cleaned["email"], phone=cleaned["phone"], language=language
            )
            visit = lead_visit.visit
            public_id = uuid.uuid4()
            pending = consent_records_prepare(
                entries=[
                    ConsentEntry(
                        person=person,
                        purpose=purpose,
                        decision=(
                            Decision.GRANTED
                            if cleaned.get(f"consent_{purpose}")
                            else Decision.NOT_GIVEN
                        ),
                        method=source.method,
                        wording_text=consent_wording(purpose, documents),
                        visit=visit,
                        policy_version=documents[DocumentKind.PRIVACY_POLICY],
                        consent_version=documents[PURPOSE_DOCUMENT[purpose]],
                        source=source.record_source(public_id),
                        language=language,
                    )
                    for purpose in purposes
                ]
            )
            receipt = receipt_issue(person=person, records=pending.records)
            lead = Lead.objects.create(
                public_id=public_id,
                form=source.form,
                channel=source.method,
                source_tag=source.form.source_tag,
                api_key=source.api_key,
                origin=source.origin,
                person=person,
                account_name=cleaned["account_name"],
                phone=cleaned["phone"],
                email=cleaned["email"],
                language=language,
                submission_token=token,
                receipt=receipt,
                ip=visit.ip,
                user_agent=visit.user_agent,
                accessed_at=lead_visit.accessed_at,
                page_url=visit.page_url,
                referrer=visit.referrer,
                **{f"utm_{key}": value for key, value in lead_visit.utm.items()},
                **lead_visit.analytics_ids,
            )
            if lead_visit.visitor_id is not None:
                visitor_link_person(visitor_id=lead_visit.visitor_id, person=person)
            lead_notifications_queue(
                lead=lead,
                language=language,
                granted=[p for p in purposes if cleaned.get(f"consent_{p}")],
            )
            # The chain's lock is taken here and held to commit, so everything else comes first.
            consent_records_write(pending, receipt=receipt)
    except IntegrityError:
        # The same form submitted twice at once: the other request stored it.
        existing = Lead.objects.filter(submission_token=token).first()
        if existing is None:
            raise
        return Submission(existing, created=False)
    return Submission(lead, created=True)


def lead_notifications_queue(*, lead: Lead, language: str, granted: list[str]) -> None:
    """Write the messages a submission causes to the outbox, in its transaction.

    No dedupe keys: the lead's unique submission token already makes them one per lead. They
    go to Celery together, in one task, when the submission commits.
    """
    person = lead.person
    messages = [
        message_queue(
            kind=MessageKind.ACKNOWLEDGMENT,
            person=person,
            to_email=lead.email,
            language=language,
            context={"receipt_token": lead.receipt.token if lead.receipt else ""},
            hand_over=False,
        )
    ]
    admin_url = settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk])
    for address in settings.STAFF_ALERT_EMAILS:
        messages.append(
            message_queue(
                kind=MessageKind.STAFF_ALERT,
                to_email=address,
                language=settings.LANGUAGE_CODE,
                context={"admin_url": admin_url},
                hand_over=False,
            )
        )
    # Double opt-in: one confirmation per submission that gives marketing or advertising
    # consent not yet confirmed; nothing of those purposes goes out before the click. Asked
    # before the submission's records are written (the gate asks again at send time).
    purposes = [p for p in granted if p in (Purpose.MARKETING, Purpose.ADVERTISING)]
    waiting = purposes_awaiting_confirmation(person=person, purposes=purposes, granting=True)
    if waiting:
        messages.append(
            message_queue(
                kind=MessageKind.DOUBLE_OPT_IN,
                person=person,
                to_email=lead.email,
                language=language,
                context={"purposes": waiting},
                hand_over=False,
            )
        )
    messages_hand_over_on_commit([message for message in messages if message is not None])
