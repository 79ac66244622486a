"""Writes on personal data and legal documents. Views, admin, commands and tasks call these."""

from __future__ import annotations

import functools
import hashlib
import json
import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .models import (
    GENESIS_HASH,
    PERSONAL_FIELDS,
    PURPOSE_DOCUMENT,
    ConsentLogHead,
    ConsentReceipt,
    ConsentRecord,
    ConsentWording,
    Decision,
    DocumentKind,
    DocumentVersion,
    Person,
    canonical_text,
    personal_digest_of,
    record_hash_fill,
    record_hash_of,
    record_hash_template,
    sha256_hex,
)

VERSION_ALREADY_PUBLISHED = "This version is already published."
EFFECTIVE_BEFORE_PUBLICATION = "A version cannot take effect before it is published."
NOT_ALLOWED_TO_PUBLISH = "You do not have the permission to publish legal document versions."
PUBLISH_PERMISSION = "privacy.publish_documentversion"


class PublishError(Exception):
    pass


@dataclass(frozen=True)
class Visit:
    """Where an act of consent came from (clause 3.3); every value already truncated."""

    ip: str | None = None
    user_agent: str = ""
    page_url: str = ""
    referrer: str = ""


def document_publish(
    *,
    version: DocumentVersion,
    published_by=None,
    effective_at: datetime | None = None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Publish a draft: number it, hash its text, and freeze it.

    `published_by` is the staff user who publishes and must hold the publish permission;
    None means a deployment pipeline or the demo loader, which act as the operator.
    """
    if published_by is not None and not published_by.has_perm(PUBLISH_PERMISSION):
        raise PublishError(NOT_ALLOWED_TO_PUBLISH)
    now = now or timezone.now()
    effective_at = effective_at or version.effective_at or now
    if effective_at < now.replace(microsecond=0) - timezone.timedelta(seconds=1):
        raise PublishError(EFFECTIVE_BEFORE_PUBLICATION)
    with transaction.atomic():
        # Lock the draft so two publishers cannot both publish it.
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise PublishError(VERSION_ALREADY_PUBLISHED)
        last = (
            DocumentVersion.objects.of_kind(locked.kind)
            .published()
            .aggregate(last=Max("number"))["last"]
        )
        locked.number = (last or 0) + 1
        locked.status = DocumentVersion.Status.PUBLISHED
        locked.effective_at = effective_at
        locked.published_at = now
        locked.published_by = published_by
        locked.sha256 = locked.compute_sha256()
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:  # another version of this kind took the number
            raise PublishError("Another version was published at the same moment; retry.") from exc
    return locked


def document_draft_create(
    *,
    kind: str,
    title: str,
    body: str,
    change_summary: str = "",
    material: bool = False,
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        kind=kind, title=title, body=body, change_summary=change_summary, material=material
    )


def document_draft_from(*, version: DocumentVersion) -> DocumentVersion:
    """Copy a version into a new draft: the way to amend a published text."""
    return document_draft_create(
        kind=version.kind, title=version.title, body=version.body, material=False
    )


def person_find_or_create(*, email: str, phone: str, language: str = "en") -> Person:
    """Return the person with this e-mail, else the first with this phone, else a new one."""
    if connection.vendor == "postgresql":
        return _person_find_or_create_in_one_statement(email=email, phone=phone, language=language)
    return _person_find_or_create_with_orm(email=email, phone=phone, language=language)


def _person_find_or_create_with_orm(*, email: str, phone: str, language: str) -> Person:
    matches = Q(email=email) | Q(phone=phone) if phone else Q(email=email)
    candidates = list(Person.objects.filter(matches).order_by("created_at")[:20])
    person = next((p for p in candidates if p.email == email), None) or next(iter(candidates), None)
    if person is not None:
        return person
    # An upsert, not a savepoint around an INSERT (three round trips for one): when a
    # concurrent submission created the same e-mail a moment earlier, this returns its id.
    (person,) = Person.objects.bulk_create(
        [Person(email=email, phone=phone, language=language)],
        update_conflicts=True,
        unique_fields=["email"],
        update_fields=["email"],
    )
    return person


def _person_find_or_create_in_one_statement(*, email: str, phone: str, language: str) -> Person:
    """The same in one round trip (PostgreSQL): find, else insert, else take the row a
    concurrent submission inserted a moment earlier (ON CONFLICT on the unique e-mail).

    Every submission starts here, and the ORM's SELECT and then INSERT cost a millisecond.
    The columns and their values come from the model, defaults included.
    """
    new = Person(email=email, phone=phone, language=language)
    values = [
        field.get_db_prep_save(field.pre_save(new, True), connection) for field in _PERSON_FIELDS
    ]
    return next(
        iter(Person.objects.raw(_person_upsert_sql(), [email, phone, phone, email, *values]))
    )


_PERSON_FIELDS = [field for field in Person._meta.concrete_fields if not field.primary_key]


@functools.cache
def _person_upsert_sql() -> str:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _PERSON_FIELDS)
    placeholders = ", ".join(["%s"] * len(_PERSON_FIELDS))
    return f"""
        WITH found AS (
            SELECT * FROM privacy_person
            WHERE email = %s OR (%s <> '' AND phone = %s)
            ORDER BY email IS NOT DISTINCT FROM %s DESC, created_at
            LIMIT 1
        ), created AS (
            INSERT INTO privacy_person ({columns})
            SELECT {placeholders} WHERE NOT EXISTS (SELECT FROM found)
            ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
            RETURNING *
        )
        SELECT * FROM found UNION ALL SELECT * FROM created
    """  # noqa: S608 (only our own column names are formatted in)


def consent_wording_get_or_create(*, text: str) -> ConsentWording:
    text = canonical_text(text)
    wording, _created = ConsentWording.objects.get_or_create(
        sha256=sha256_hex(text), defaults={"text": text}
    )
    return wording


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
        record = ConsentRecord(
            person=person,
            purpose=entry.purpose,
            decision=entry.decision,
            method=entry.method,
            policy_version=entry.policy_version,
            policy_sha256=entry.policy_version.sha256,
            consent_version=entry.consent_version,
            consent_sha256=entry.consent_version.sha256 if entry.consent_version else "",
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
        columns[field.column] = value
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
        if record.person_id is None or record.decision == Decision.NOT_GIVEN:
            continue
        changes.setdefault(record.person_id, {})[f"consent_{record.purpose}"] = record.decision
    return changes


def consent_current(*, person: Person, purpose: str) -> ConsentRecord | None:
    """The record that decides the purpose now: the latest that is not 'not given'."""
    return (
        ConsentRecord.objects.filter(person=person, purpose=purpose)
        .deciding()
        .order_by("-seq")
        .first()
    )


def consent_is_granted(*, person: Person, purpose: str) -> bool:
    record = consent_current(person=person, purpose=purpose)
    return record is not None and record.decision == Decision.GRANTED


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


# Rows per keyset page: large enough that round trips cost little, small enough that memory
# stays flat (one page of tuples at a time).
VERIFY_BATCH = 10_000

# The columns the verifier reads, as plain tuples: building model instances cost more than
# hashing them.
_HASHED_COLUMNS = (
    "seq",
    "person_id",
    "purpose",
    "decision",
    "method",
    "policy_version_id",
    "policy_sha256",
    "consent_version_id",
    "consent_sha256",
    "wording_id",
    "source",
    "created_at",
    "personal_digest",
    "prev_hash",
    "record_hash",
    "personal_salt",
    *PERSONAL_FIELDS,
)


def consent_log_verify(*, progress: Callable[[int], None] | None = None) -> ChainBreak | None:
    """Recompute the whole chain; return the first broken record, or None when intact.

    Verifies up to the head as read at the start, so appends made meanwhile do not count as
    breaks; then checks that no record lies beyond the head. Reads batches of plain tuples
    (memory stays flat on any size), the next batch fetched while this one is hashed.
    """
    head = ConsentLogHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    head_seq, head_hash = head or (0, GENESIS_HASH)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for batch in _log_batches(until=head_seq):
        for row in batch:
            seq, prev_hash, record_hash, salt = row[0], row[13], row[14], row[15]
            if seq != expected_seq:
                return ChainBreak(expected_seq, f"record #{expected_seq} is missing")
            if prev_hash != expected_prev:
                return ChainBreak(seq, "it does not link to the previous record's hash")
            # A pseudonymised record has no salt and blank personal fields: only the digest
            # kept in the chain remains, and it is checked through the record hash below.
            if (
                salt
                and _personal_digest_fast(row) != row[12]
                and personal_digest_of(salt, _personal(row)) != row[12]
            ):
                return ChainBreak(seq, "its personal data were altered")
            if (
                _record_hash_fast(row) != record_hash
                and record_hash_of(_payload(row)) != record_hash
            ):
                return ChainBreak(seq, "its content does not match its hash")
            expected_prev = record_hash
            expected_seq += 1
        if progress is not None:
            progress(len(batch))
    last_seq = expected_seq - 1
    if last_seq != head_seq:
        return ChainBreak(
            last_seq + 1, f"the log ends at #{last_seq} but the head records #{head_seq}"
        )
    if expected_prev != head_hash:
        return ChainBreak(last_seq, "the head's hash does not match the last record")
    # Records and the head commit together, so a visible record past the head was not
    # appended by consent_record_append.
    head_now = ConsentLogHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
    stray = (
        ConsentRecord.objects.filter(seq__gt=head_now or 0)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if stray is not None:
        return ChainBreak(stray, "it lies beyond the head of the log")
    return None


def _personal(row: tuple[Any, ...]) -> dict[str, str]:
    return {name: str(value or "") for name, value in zip(PERSONAL_FIELDS, row[16:], strict=True)}


def _payload(row: tuple[Any, ...]) -> dict[str, Any]:
    """The same payload as ConsentRecord.hashed_payload, from a tuple of _HASHED_COLUMNS."""
    return {
        "seq": row[0],
        "person": row[1],
        "purpose": row[2],
        "decision": row[3],
        "method": row[4],
        "policy_version": row[5],
        "policy_sha256": row[6],
        "consent_version": row[7],
        "consent_sha256": row[8],
        "wording_sha256": row[9],
        "source": row[10],
        "created_at": row[11].astimezone(UTC).isoformat(),
        "personal_digest": row[12],
        "prev_hash": row[13],
    }


# The fast path of verification: the exact bytes json.dumps produces for the two payloads
# (sorted keys, the same separators, the same C string escapers), without building dicts.
# Verifying a million records spends most of its time here. A mismatch is re-checked with
# the canonical functions above, so this path can never report a break on its own.
_escape = json.encoder.encode_basestring  # type: ignore[attr-defined]
_escape_ascii = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def _json_int(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _personal_digest_fast(row: tuple[Any, ...]) -> str:
    ip, page_url, referrer = row[18] or "", row[20] or "", row[21] or ""
    text = (
        f'{{"ip": {_escape(str(ip))}, "page_url": {_escape(page_url)}, '
        f'"referrer": {_escape(referrer)}, "subject_email": {_escape(row[16] or "")}, '
        f'"subject_phone": {_escape(row[17] or "")}, "user_agent": {_escape(row[19] or "")}}}'
    )
    return hashlib.sha256((row[15] + text).encode()).hexdigest()


def _record_hash_fast(row: tuple[Any, ...]) -> str:
    text = (
        f'{{"consent_sha256":{_escape_ascii(row[8])},"consent_version":{_json_int(row[7])},'
        f'"created_at":{_escape_ascii(row[11].astimezone(UTC).isoformat())},'
        f'"decision":{_escape_ascii(row[3])},"method":{_escape_ascii(row[4])},'
        f'"person":{_json_int(row[1])},"personal_digest":{_escape_ascii(row[12])},'
        f'"policy_sha256":{_escape_ascii(row[6])},"policy_version":{_json_int(row[5])},'
        f'"prev_hash":{_escape_ascii(row[13])},"purpose":{_escape_ascii(row[2])},'
        f'"seq":{_json_int(row[0])},"source":{_escape_ascii(row[10])},'
        f'"wording_sha256":{_escape_ascii(row[9])}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


# Batches fetched ahead of the one being hashed: enough to keep the database busy, few
# enough that memory stays flat.
PREFETCH_BATCHES = 2


def _fetch_batch(low: int, high: int) -> list[tuple[Any, ...]]:
    return list(
        ConsentRecord.objects.filter(seq__gt=low, seq__lte=high)
        .order_by("seq")
        .values_list(*_HASHED_COLUMNS)
    )


def _log_batches(*, until: int) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the log up to seq `until` in batches of seq ranges.

    Ranges, not keyset pages, so that no query waits for the one before: outside a
    transaction a thread with its own connection fetches ahead while the caller hashes
    (the database driver releases the GIL while it waits). Inside a transaction (tests, or
    a caller that wants one snapshot) another connection would not see the same rows, so
    batches are fetched in turn on the caller's connection.
    """
    ranges = [(low, min(low + VERIFY_BATCH, until)) for low in range(0, until, VERIFY_BATCH)]
    if connection.in_atomic_block or connection.vendor != "postgresql":
        for low, high in ranges:
            yield _fetch_batch(low, high)
        return
    batches: queue.Queue[list[tuple[Any, ...]] | BaseException] = queue.Queue(
        maxsize=PREFETCH_BATCHES
    )
    stop = threading.Event()

    def fetch_ahead() -> None:
        try:
            for low, high in ranges:
                batch = _fetch_batch(low, high)
                while not stop.is_set():
                    try:
                        batches.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the caller's thread, which raises it
            batches.put(exc)
        finally:
            connection.close()

    fetcher = threading.Thread(target=fetch_ahead, name="consent-log-fetch", daemon=True)
    fetcher.start()
    try:
        for _ in ranges:
            batch = batches.get()
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        stop.set()
        fetcher.join()
