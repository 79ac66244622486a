"""Writes on the consent log: appending records to the chain, confirming and withdrawing consent,
and where a purpose stands now."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from privacy.consent.chain import record_hash_fill, record_hash_template
from privacy.consent.models import (
    ConsentLogHead,
    ConsentMethod,
    ConsentReceipt,
    ConsentRecord,
    ConsentWording,
)
from privacy.documents.models import PURPOSE_DOCUMENT, DocumentKind, DocumentVersion
from privacy.documents.services import PublishError
from privacy.people.integrity import canonical_text, sha256_hex
from privacy.people.models import PERSON_CONSENT_PURPOSES, Decision, Person, Purpose
from privacy.people.visits import Visit


@dataclass(frozen=True)
class ConsentEntry:
    """One act of consent to append to the log."""

    person: Person | None
    purpose: str
    decision: str
    method: str
    wording_text: str
    visit: Visit
    policy_version: DocumentVersion
    consent_version: DocumentVersion | None = None
    source: str = ""
    # The language the person was shown the texts and the wording in; the active one if empty.
    language: str = ""


def _shown_language(language: str) -> str:
    return language or translation.get_language() or settings.LANGUAGE_CODE


def consent_record_append(
    *,
    person: Person | None,
    purpose: str,
    decision: str,
    method: str,
    wording_text: str,
    visit: Visit,
    policy_version: DocumentVersion | None = None,
    consent_version: DocumentVersion | None = None,
    source: str = "",
) -> ConsentRecord:
    """Append one record to the chained log, under the versions in force unless given."""
    policy_version = policy_version or DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    if policy_version is None:
        raise PublishError("No privacy policy is in force; publish one first.")
    if consent_version is None and purpose in PURPOSE_DOCUMENT:
        consent_version = DocumentVersion.objects.in_force(PURPOSE_DOCUMENT[purpose])
    entry = ConsentEntry(
        person=person,
        purpose=purpose,
        decision=decision,
        method=method,
        wording_text=wording_text,
        visit=visit,
        policy_version=policy_version,
        consent_version=consent_version,
        source=source,
    )
    return consent_records_append(entries=[entry])[0]


def consent_records_append(*, entries: list[ConsentEntry]) -> list[ConsentRecord]:
    """Append several records to the chain in one locked step, in the order given."""
    return consent_records_write(consent_records_prepare(entries=entries))


@dataclass(frozen=True)
class PendingRecords:
    """Consent records ready for the chain: everything known but their place in it."""

    records: list[ConsentRecord]
    templates: list[tuple[str, str, str]]
    wordings: list[ConsentWording]
    person_states: dict[int, dict[str, str]]


def consent_records_prepare(*, entries: list[ConsentEntry]) -> PendingRecords:
    """Build the records of `entries` and their hash templates, without touching the database.

    A caller that writes more in the same transaction (a lead, its receipt, its messages)
    prepares first, writes the rest, and calls consent_records_write last.
    """
    now = timezone.now()
    wordings: dict[str, ConsentWording] = {}
    for entry in entries:
        text = canonical_text(entry.wording_text)
        wordings.setdefault(sha256_hex(text), ConsentWording(sha256=sha256_hex(text), text=text))
    records = []
    for entry in entries:
        person, visit = entry.person, entry.visit
        language = _shown_language(entry.language)
        policy_text = entry.policy_version.text(language)
        consent_text = entry.consent_version.text(language) if entry.consent_version else None
        record = ConsentRecord(
            person=person,
            purpose=entry.purpose,
            decision=entry.decision,
            method=entry.method,
            policy_version=entry.policy_version,
            # The hashes of the very texts shown: in the page's language where the version
            # has it (DocumentVersion.text), each of which the receipt can name by its hash.
            policy_sha256=policy_text.sha256 if policy_text else "",
            consent_version=entry.consent_version,
            consent_sha256=consent_text.sha256 if consent_text else "",
            language=language,
            wording=wordings[sha256_hex(canonical_text(entry.wording_text))],
            source=entry.source,
            subject_email=(person.email or "") if person else "",
            subject_phone=person.phone if person else "",
            ip=visit.ip,
            user_agent=visit.user_agent,
            page_url=visit.page_url,
            referrer=visit.referrer,
            personal_salt=secrets.token_hex(16),
            created_at=now,
        )
        record.personal_digest = record.compute_personal_digest()
        records.append(record)
    return PendingRecords(
        records=records,
        templates=[record_hash_template(record.hashed_payload()) for record in records],
        wordings=list(wordings.values()),
        person_states=_current_consent_changes(records),
    )


def consent_records_write(
    pending: PendingRecords, *, receipt: ConsentReceipt | None = None
) -> list[ConsentRecord]:
    """The locked step: give each record its place in the chain and store it.

    The head row lock serialises appends: concurrent writers queue here and the chain stays
    linear. It is held until the caller's transaction commits, so callers write this last.
    `receipt`: a receipt issued for these records (receipts.receipt_issue), linked here.
    """
    if connection.vendor == "postgresql":
        _write_in_database(pending, receipt)
    else:
        _write_in_python(pending, receipt)
    return pending.records


# One round trip instead of five: the function takes the head's lock, links and inserts the
# records, moves the head and sets the people's consent columns (migration 0009). It computes
# nothing of its own but sha256(head + prev_hash + middle + seq + tail) of the templates above.
_APPEND_SQL = (
    "SELECT out_id, out_seq, out_prev_hash, out_hash FROM privacy_consent_append(%s, %s, %s, %s)"
)


def _write_in_database(pending: PendingRecords, receipt: ConsentReceipt | None) -> None:
    entries = [
        {"record": _record_columns(record), "template": list(template)}
        for record, template in zip(pending.records, pending.templates, strict=True)
    ]
    states = [
        {"person_id": person_id, "column": column, "value": value}
        for person_id, fields in pending.person_states.items()
        for column, value in fields.items()
    ]
    wordings = [{"sha256": w.sha256, "text": w.text} for w in pending.wordings]
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND_SQL,
            [
                json.dumps(entries),
                json.dumps(wordings),
                json.dumps(states),
                receipt.pk if receipt else None,
            ],
        )
        rows = cursor.fetchall()
    for record, (pk, seq, prev_hash, record_hash) in zip(pending.records, rows, strict=True):
        record.pk, record.seq, record.prev_hash = pk, seq, prev_hash
        record.record_hash = record_hash
        record._state.adding, record._state.db = False, connection.alias


# The columns the chain's step fills in; the function reads every other one from Python.
_CHAIN_COLUMNS = frozenset({"id", "seq", "prev_hash", "record_hash"})


def _record_columns(record: ConsentRecord) -> dict[str, Any]:
    """The record's columns as the database function reads them (jsonb_populate_record).

    Times go to the microsecond (isoformat), as the hashed payload has them.
    """
    columns = {}
    for field in ConsentRecord._meta.concrete_fields:
        if field.column in _CHAIN_COLUMNS:
            continue
        value = getattr(record, field.attname)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        columns[str(field.column)] = value
    return columns


def _write_in_python(pending: PendingRecords, receipt: ConsentReceipt | None) -> None:
    """The same step for databases without the function (SQLite, for `make run`)."""
    records = pending.records
    # savepoint=False: inside the caller's transaction a savepoint costs two round trips and
    # buys nothing, since any failure here must roll the whole submission back.
    with transaction.atomic(savepoint=False):
        ConsentWording.objects.bulk_create(pending.wordings, ignore_conflicts=True)
        head, _created = ConsentLogHead.objects.select_for_update().get_or_create(pk=1)
        for record, template in zip(records, pending.templates, strict=True):
            record.seq = head.last_seq + 1
            record.prev_hash = head.last_hash
            record.record_hash = record_hash_fill(
                template, prev_hash=record.prev_hash, seq=record.seq
            )
            head.last_seq, head.last_hash = record.seq, record.record_hash
        ConsentRecord.objects.bulk_create(records)
        head.save(update_fields=["last_seq", "last_hash"])
        # Under the head lock, so the person's current state follows the log's order.
        for person_id, fields in pending.person_states.items():
            Person.objects.filter(pk=person_id).update(**fields)
        if receipt is not None:
            receipt.records.add(*records)


def _current_consent_changes(records: list[ConsentRecord]) -> dict[int, dict[str, str]]:
    """The person columns (consent_<purpose>) that these records decide, latest last."""
    changes: dict[int, dict[str, str]] = {}
    for record in records:
        if (
            record.person_id is None
            or record.decision == Decision.NOT_GIVEN
            or record.purpose not in PERSON_CONSENT_PURPOSES
        ):
            continue
        changes.setdefault(record.person_id, {})[f"consent_{record.purpose}"] = record.decision
    return changes


def consent_withdraw(
    *, person: Person, purpose: str, method: str, visit: Visit, source: str = ""
) -> ConsentRecord:
    """Withdraw a consent: one denied record; every message not yet sent is then skipped."""
    wording = _("I withdraw my consent: %(purpose)s") % {
        "purpose": Purpose(purpose).label,
    }
    with transaction.atomic():
        return consent_record_append(
            person=person,
            purpose=purpose,
            decision=Decision.DENIED,
            method=method,
            wording_text=str(wording),
            visit=visit,
            source=source,
        )


def consent_confirm(
    *, person: Person, purposes: list[str], method: str, visit: Visit, source: str = ""
) -> list[ConsentRecord]:
    """Record a double opt-in click for each purpose still granted and awaiting it."""
    with transaction.atomic():
        # Lock the person so two clicks on the same link record one confirmation.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        records = []
        for purpose in purposes_awaiting_confirmation(person=person, purposes=purposes):
            wording = _("I confirm my consent by the link sent to my e-mail: %(purpose)s") % {
                "purpose": Purpose(purpose).label,
            }
            records.append(
                consent_record_append(
                    person=person,
                    purpose=purpose,
                    decision=Decision.GRANTED,
                    method=method,
                    wording_text=str(wording),
                    visit=visit,
                    source=source,
                )
            )
    return records


def consent_reconfirm(
    *, person: Person, purposes: list[str], version: DocumentVersion, visit: Visit
) -> list[ConsentRecord]:
    """Record that a person keeps their consents under a new, materially changed version of the
    Privacy Policy or of the consent text of a purpose."""
    is_policy = version.kind == DocumentKind.PRIVACY_POLICY
    with transaction.atomic():
        return [
            consent_record_append(
                person=person,
                purpose=purpose,
                decision=Decision.GRANTED,
                method=ConsentMethod.EMAIL_LINK,
                wording_text=str(
                    (
                        _("I keep my consent under Privacy Policy version %(number)s: %(purpose)s")
                        if is_policy
                        else _(
                            "I keep my consent under version %(number)s of its text: %(purpose)s"
                        )
                    )
                    % {"number": version.number, "purpose": Purpose(purpose).label}
                ),
                visit=visit,
                policy_version=version if is_policy else None,
                consent_version=None if is_policy else version,
                source="reconsent",
            )
            for purpose in purposes
        ]


@dataclass(frozen=True)
class PurposeState:
    decided: bool  # there is a granted or denied record at all
    granted: bool
    confirmed: bool
    withdrawn_by_link: bool
    # The person's data were erased: no consent is in effect, whatever the log proves was given.
    erased: bool = False


ERASED = PurposeState(
    decided=False, granted=False, confirmed=False, withdrawn_by_link=False, erased=True
)


def purpose_state(*, person: Person, purpose: str) -> PurposeState:
    """Where a purpose stands now: the latest deciding record, and whether it was confirmed.

    Confirmed means a double opt-in click (granted, by e-mail link) since the last withdrawal:
    ticking the box again later keeps a confirmation; a withdrawal needs a new one. One query,
    newest first, read until the last withdrawal. Nothing is in effect for an erased person.
    """
    if person.erased_at is not None:
        return ERASED
    records = (
        ConsentRecord.objects.filter(person=person, purpose=purpose)
        .deciding()
        .order_by("-seq")
        .values_list("decision", "method")
    )
    latest = None
    confirmed = False
    for decision, method in records.iterator(chunk_size=50):
        if latest is None:
            latest = (decision, method)
            if decision != Decision.GRANTED:
                break
        if decision == Decision.DENIED:
            break
        if method == ConsentMethod.EMAIL_LINK:
            confirmed = True
            break
    if latest is None:
        return PurposeState(False, False, False, False)
    if latest[0] != Decision.GRANTED:
        return PurposeState(True, False, False, latest[1] == ConsentMethod.EMAIL_LINK)
    return PurposeState(True, True, confirmed, False)


def purposes_awaiting_confirmation(
    *, person: Person, purposes: list[str], granting: bool = False
) -> list[str]:
    """Of `purposes`, those granted but not confirmed by a double opt-in click.

    `granting`: as they will stand once a web-form grant not yet written is (the lead form
    asks before it writes its records, since the chain's lock comes last). A confirmation
    carries over to a new grant only while the purpose stays granted, which the person's
    consent column tells without reading the log; a new person has none.
    """
    awaiting = []
    for purpose in purposes:
        if granting and getattr(person, f"consent_{purpose}") != Decision.GRANTED:
            awaiting.append(purpose)
            continue
        state = purpose_state(person=person, purpose=purpose)
        if (granting or state.granted) and not (state.granted and state.confirmed):
            awaiting.append(purpose)
    return awaiting
