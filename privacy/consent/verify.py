"""Verification of the whole consent log: every link, every hash, every personal digest."""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection

from privacy.consent.chain import (
    GENESIS_HASH,
    HASHED_COLUMNS,
    PERSONAL_FIELDS,
    hashed_payload_of,
    personal_digest_of,
    personal_payload_of,
    record_hash_of,
)
from privacy.consent.models import ConsentLogHead, ConsentRecord


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


# Rows per keyset page: large enough that round trips cost little, small enough that memory
# stays flat (one page of tuples at a time).
VERIFY_BATCH = 10_000

# The columns the verifier reads, as plain tuples: building model instances cost more than
# hashing them. The positions below are those of this tuple.
_HASHED_COLUMNS = (*HASHED_COLUMNS.values(), "record_hash", "personal_salt", *PERSONAL_FIELDS)
_SEQ, _DIGEST, _PREV_HASH, _RECORD_HASH, _SALT = (
    _HASHED_COLUMNS.index(column)
    for column in ("seq", "personal_digest", "prev_hash", "record_hash", "personal_salt")
)
# Positions the fast path reads (plain names: a dict lookup per value would cost ~10%).
(
    _PERSON, _PURPOSE, _DECISION, _METHOD, _POLICY, _POLICY_SHA, _CONSENT, _CONSENT_SHA,
    _WORDING, _SOURCE, _CREATED, _LANGUAGE, _EMAIL, _PHONE, _IP, _AGENT, _PAGE, _REFERRER,
) = (
    _HASHED_COLUMNS.index(column)
    for column in (
        "person_id", "purpose", "decision", "method", "policy_version_id", "policy_sha256",
        "consent_version_id", "consent_sha256", "wording_id", "source", "created_at",
        "language", "subject_email", "subject_phone", "ip", "user_agent", "page_url", "referrer",
    )
)  # fmt: skip


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
            seq, prev_hash, salt = row[_SEQ], row[_PREV_HASH], row[_SALT]
            record_hash = row[_RECORD_HASH]
            if seq != expected_seq:
                return ChainBreak(expected_seq, f"record #{expected_seq} is missing")
            if prev_hash != expected_prev:
                return ChainBreak(seq, "it does not link to the previous record's hash")
            # A pseudonymised record has no salt and blank personal fields: only the digest
            # kept in the chain remains, and it is checked through the record hash below.
            if (
                salt
                and _personal_digest_fast(row) != row[_DIGEST]
                and personal_digest_of(salt, _personal(row)) != row[_DIGEST]
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
    return personal_payload_of(dict(zip(_HASHED_COLUMNS, row, strict=True)))


def _payload(row: tuple[Any, ...]) -> dict[str, Any]:
    """The same payload as ConsentRecord.hashed_payload, from a tuple of _HASHED_COLUMNS."""
    return hashed_payload_of(dict(zip(_HASHED_COLUMNS, row, strict=True)))


# The fast path of verification: the exact bytes json.dumps produces for the two payloads
# (sorted keys, the same separators, the same C string escapers), without building dicts,
# from the positions of _HASHED_COLUMNS (tests/privacy/consent/test_verify_fast_path.py).
# Verifying a million records spends most of its time here. A mismatch is re-checked with
# the canonical functions above, so this path can never report a break on its own.
_escape = json.encoder.encode_basestring
_escape_ascii = json.encoder.encode_basestring_ascii


def _json_int(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _personal_digest_fast(row: tuple[Any, ...]) -> str:
    ip, page_url, referrer = row[_IP] or "", row[_PAGE] or "", row[_REFERRER] or ""
    text = (
        f'{{"ip": {_escape(str(ip))}, "page_url": {_escape(page_url)}, '
        f'"referrer": {_escape(referrer)}, "subject_email": {_escape(row[_EMAIL] or "")}, '
        f'"subject_phone": {_escape(row[_PHONE] or "")}, '
        f'"user_agent": {_escape(row[_AGENT] or "")}}}'
    )
    return hashlib.sha256((row[_SALT] + text).encode()).hexdigest()


def _record_hash_fast(row: tuple[Any, ...]) -> str:
    # "language" is hashed only when set (chain.OPTIONAL_HASHED_KEYS); it sorts after "decision".
    language = row[_LANGUAGE]
    language_member = f'"language":{_escape_ascii(language)},' if language else ""
    text = (
        f'{{"consent_sha256":{_escape_ascii(row[_CONSENT_SHA])},'
        f'"consent_version":{_json_int(row[_CONSENT])},'
        f'"created_at":{_escape_ascii(row[_CREATED].astimezone(UTC).isoformat())},'
        f'"decision":{_escape_ascii(row[_DECISION])},{language_member}'
        f'"method":{_escape_ascii(row[_METHOD])},"person":{_json_int(row[_PERSON])},'
        f'"personal_digest":{_escape_ascii(row[_DIGEST])},'
        f'"policy_sha256":{_escape_ascii(row[_POLICY_SHA])},'
        f'"policy_version":{_json_int(row[_POLICY])},'
        f'"prev_hash":{_escape_ascii(row[_PREV_HASH])},"purpose":{_escape_ascii(row[_PURPOSE])},'
        f'"seq":{_json_int(row[_SEQ])},"source":{_escape_ascii(row[_SOURCE])},'
        f'"wording_sha256":{_escape_ascii(row[_WORDING])}}}'
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
