"""Consent receipts: a signed, portable record of one act of consent, given to the person.

The fields follow the Kantara Consent Receipt v1.1 and ISO/IEC TS 27560 records: receipt id,
timestamps, controller and contact, jurisdiction, policy URL with its version and hash, and
for each purpose the decision, the consent text version and hash and the exact wording shown.
The receipt carries no personal data itself (only their categories), so handing it out or
keeping it after an erasure discloses nothing; the person is linked by the database row.
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from privacy.consent.models import ConsentMethod, ConsentReceipt, ConsentRecord
from privacy.documents.models import DocumentKind, DocumentVersion, language_name
from privacy.people.models import Decision, Person, Purpose

RECEIPT_SCHEMA = "leadgen-consent-receipt/1 (Kantara CR v1.1, ISO/IEC TS 27560 fields)"
JURISDICTION = "RU"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
# Separates the receipt key from every other use of SECRET_KEY (sessions, signing, tokens).
SIGNING_SALT = "privacy.receipts.ConsentReceipt"

# What the lead form collects (clauses 1.1.6, 1.1.7, 3.2, 3.3): stored in English in the
# receipt (a machine-readable field), shown in the reader's language on its page.
PERSONAL_DATA_CATEGORIES = [
    "account name",
    "contact phone number",
    "e-mail address",
    "visit metadata: IP address, cookie information, browser (user agent), access time, "
    "page address, referrer",
]
PERSONAL_DATA_LABELS = dict(
    zip(
        PERSONAL_DATA_CATEGORIES,
        [
            _("account name"),
            _("contact phone number"),
            _("e-mail address"),
            _(
                "visit metadata: IP address, cookie information, browser (user agent), access "
                "time, page address, referrer"
            ),
        ],
        strict=True,
    )
)

RECEIPT_NEEDS_RECORDS = "A receipt needs at least one consent record."
RECEIPT_RECORD_OF_ANOTHER_PERSON = "A receipt covers only the consent records of its person."
SIGNATURE_MISSING = "The receipt has no HMAC-SHA256 signature."
SIGNATURE_MISMATCH = (
    "The signature does not match: the receipt was altered or was not issued by this site."
)


class ReceiptError(Exception):
    pass


def _timestamp(value: Any) -> str:
    return value.astimezone(UTC).isoformat()


def _document(version: DocumentVersion, sha256: str, language: str) -> dict[str, Any]:
    """A document as the record names it: the text with that hash, its language and its URL."""
    text = version.text_by_hash(sha256, language)
    language = text.language if text is not None else ""
    return {
        "kind": version.kind,
        "title": text.title if text is not None else "",
        "version": version.number,
        "language": language,
        "sha256": sha256,
        # Pinned to the language read, so the link opens the very text the hash names.
        "url": f"{settings.SITE_URL}{version.get_absolute_url(language)}",
    }


def _purpose_entry(record: ConsentRecord) -> dict[str, Any]:
    consent = record.consent_version
    return {
        "purpose": record.purpose,
        "purposeDescription": str(record.get_purpose_display()),
        "decision": record.decision,
        "consentText": None
        if consent is None
        else _document(consent, record.consent_sha256, record.language),
        "wording": record.wording.text,
        "wordingSha256": record.wording_id,
        "collectionMethod": record.method,
        "consentTimestamp": _timestamp(record.created_at),
    }


def _receipt_content(*, receipt: ConsentReceipt, records: list[ConsentRecord]) -> dict[str, Any]:
    first = records[0]
    policy = _document(first.policy_version, first.policy_sha256, first.language)
    return {
        "schema": RECEIPT_SCHEMA,
        "consentReceiptID": str(receipt.receipt_id),
        "issuedAt": _timestamp(receipt.created_at),
        "consentTimestamp": _timestamp(first.created_at),
        "jurisdiction": JURISDICTION,
        # The language the person was shown the texts and wordings in (the records' own).
        "language": first.language or receipt.person.language,
        "collectionMethod": first.method,
        "piiControllers": [
            {
                "piiController": settings.CONTROLLER_NAME,
                "email": settings.PRIVACY_CONTACT_EMAIL,
                "url": settings.SITE_URL,
            }
        ],
        "policyUrl": policy["url"],
        "policy": {key: policy[key] for key in ("title", "version", "language", "sha256")},
        "piiCategories": PERSONAL_DATA_CATEGORIES,
        "purposes": [_purpose_entry(record) for record in records],
    }


def receipt_issue(*, person: Person, records: list[ConsentRecord]) -> ConsentReceipt:
    """Issue a receipt for the consent records of one act of consent by `person`, in log order.

    The records may be stored already, or only prepared (services.consent_records_prepare):
    then consent_records_write links them to the receipt, so the chain's lock is taken after
    the receipt is written, not before.
    """
    if not records:
        raise ReceiptError(RECEIPT_NEEDS_RECORDS)
    if any(record.person_id != person.pk for record in records):
        raise ReceiptError(RECEIPT_RECORD_OF_ANOTHER_PERSON)
    receipt = ConsentReceipt(person=person, created_at=timezone.now())
    receipt.content = _receipt_content(receipt=receipt, records=records)
    # savepoint=False: the receipt belongs to the caller's transaction (one act of consent);
    # the through rows are inserted directly, since a new receipt has no links to compare.
    with transaction.atomic(savepoint=False):
        receipt.save()
        if all(record.pk is not None for record in records):
            ConsentReceipt.records.through.objects.bulk_create(
                ConsentReceipt.records.through(consentreceipt=receipt, consentrecord=record)
                for record in records
            )
    return receipt


def _canonical_bytes(document: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _signature(document: dict[str, Any], secret: str | bytes) -> str:
    return salted_hmac(
        SIGNING_SALT, _canonical_bytes(document), secret=secret, algorithm="sha256"
    ).hexdigest()


def receipt_as_dict(receipt: ConsentReceipt) -> dict[str, Any]:
    """Return the receipt as the person downloads it: its content and an HMAC signature."""
    content = dict(receipt.content)
    # Each purpose's place in the chain, from the linked records (issued in log order): the
    # receipt is written before the records get their place, so it is added here.
    places = receipt.records.order_by("seq").values_list("seq", "record_hash")
    content["purposes"] = [
        {**purpose, "record": {"seq": seq, "hash": record_hash}}
        for purpose, (seq, record_hash) in zip(content["purposes"], places, strict=True)
    ]
    return {
        **content,
        "signature": {
            "algorithm": SIGNATURE_ALGORITHM,
            "value": _signature(content, settings.SECRET_KEY),
        },
    }


def receipt_signature_verify(*, document: dict[str, Any]) -> None:
    """Raise ReceiptError unless `document` carries a signature this site made over it."""
    signature = document.get("signature")
    if (
        not isinstance(signature, dict)
        or signature.get("algorithm") != SIGNATURE_ALGORITHM
        or not isinstance(signature.get("value"), str)
    ):
        raise ReceiptError(SIGNATURE_MISSING)
    # Receipts signed before a key rotation stay verifiable through SECRET_KEY_FALLBACKS.
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if hmac.compare_digest(_signature(document, secret), signature["value"]):
            return
    raise ReceiptError(SIGNATURE_MISMATCH)


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _label(choices: Any, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _document_shown(document: dict[str, Any] | None, kind: str = "") -> dict[str, Any] | None:
    """A document the receipt names, for its page (receipts issued before texts had languages
    name no title or language: the kind stands in for the title)."""
    if document is None:
        return None
    language = document.get("language") or ""
    return {
        "title": document.get("title") or _label(DocumentKind, document.get("kind", kind)),
        "version": document.get("version"),
        "language": language,
        "language_name": language_name(language) if language else "",
        "sha256": document.get("sha256", ""),
        "url": document.get("url", ""),
    }


def receipt_page_context(receipt: ConsentReceipt, document: dict[str, Any]) -> dict[str, Any]:
    """What privacy/receipt.html shows of a receipt as downloaded (receipt_as_dict)."""
    language = document.get("language") or ""
    policy = _document_shown(
        {**document.get("policy", {}), "url": document.get("policyUrl", "")},
        DocumentKind.PRIVACY_POLICY,
    )
    purposes = [
        {
            "purpose": entry.get("purpose"),
            "label": _label(Purpose, entry.get("purpose")),
            "decision": entry.get("decision"),
            "decision_label": _label(Decision, entry.get("decision")),
            "wording": entry.get("wording", ""),
            "wording_sha256": entry.get("wordingSha256", ""),
            "consent": _document_shown(entry.get("consentText")),
            "method": _label(ConsentMethod, entry.get("collectionMethod")),
            "at": _moment(entry.get("consentTimestamp")),
            "record": entry.get("record"),
        }
        for entry in document.get("purposes", [])
    ]
    return {
        "receipt": receipt,
        "document": document,
        "receipt_id": document.get("consentReceiptID", ""),
        "issued_at": _moment(document.get("issuedAt")),
        "consent_at": _moment(document.get("consentTimestamp")),
        "language": language,
        "language_name": language_name(language) if language else "",
        "controllers": document.get("piiControllers", []),
        "policy": policy,
        "purposes": purposes,
        "granted": [p for p in purposes if p["decision"] == Decision.GRANTED],
        "categories": [
            PERSONAL_DATA_LABELS.get(category, category)
            for category in document.get("piiCategories", [])
        ],
        "json_url": receipt.get_json_url(),
        "signature": document.get("signature", {}),
        "withdraw_url": f"{reverse('privacy:requests')}?kind=withdrawal",
        "rights_url": reverse("privacy:requests"),
        "other_languages": [
            {"code": code, "name": language_name(code), "url": f"?lang={code}"}
            for code, _name in settings.LANGUAGES
            if code != translation.get_language()
        ],
    }
