"""The consent log's chain: what a record's hash covers, and how it is computed.

HASHED_COLUMNS is the one list of what the hash covers. ConsentRecord.hashed_payload, the
verifier, the bench seeder and the chain step (Python and the database function) all build
the payload from it; the database guards are checked against it by a test
(tests/privacy/consent/test_chain_columns.py), which fails when a column is added to the
model and not classified here.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from privacy.people.integrity import sha256_hex

# Payload key -> the column it is read from, in the order the payload has always been built.
# Personal data is covered only through its salted digest, so erasure can blank it.
HASHED_COLUMNS: dict[str, str] = {
    "seq": "seq",
    "person": "person_id",
    "purpose": "purpose",
    "decision": "decision",
    "method": "method",
    "policy_version": "policy_version_id",
    "policy_sha256": "policy_sha256",
    "consent_version": "consent_version_id",
    "consent_sha256": "consent_sha256",
    "wording_sha256": "wording_id",
    "source": "source",
    "created_at": "created_at",
    "personal_digest": "personal_digest",
    "prev_hash": "prev_hash",
    # The language the person was shown the texts and the wording in; policy_sha256 and
    # consent_sha256 are the hashes of the texts in it (migration 0017).
    "language": "language",
}
# Keys left out of the payload when their column is empty. Records written before a column
# existed hold it empty, and leaving it out keeps their payload, hence their hash and every
# link after them, exactly as it was: the chain verifies across the migration without a
# rewrite (which an append-only log could not allow anyway). A new record always sets them.
OPTIONAL_HASHED_KEYS = frozenset({"language"})
# The personal fields of a consent record. They are hashed through a salted digest, so that
# erasure can blank them (and the salt) while the chain over the digest still verifies.
PERSONAL_FIELDS = ("subject_email", "subject_phone", "ip", "user_agent", "page_url", "referrer")
# Columns outside the payload: the row's id, the salt of the digest and the hash itself.
UNHASHED_COLUMNS = ("id", "personal_salt", "record_hash")

GENESIS_HASH = "0" * 64


def hashed_payload_of(columns: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical content a record's hash covers, from its column values."""
    payload = {key: columns[column] for key, column in HASHED_COLUMNS.items()}
    for key in OPTIONAL_HASHED_KEYS:
        if not payload[key]:
            del payload[key]
    created_at: datetime = payload["created_at"]
    payload["created_at"] = created_at.astimezone(UTC).isoformat()
    return payload


def personal_payload_of(columns: Mapping[str, Any]) -> dict[str, str]:
    """The personal fields as their digest covers them: text, empty for none."""
    return {name: str(columns[name] or "") for name in PERSONAL_FIELDS}


def record_columns_sealed(columns: dict[str, Any], *, prev_hash: str) -> dict[str, Any]:
    """A record's columns completed with a fresh salt, its digest, the link and its hash.

    For writers that build rows themselves (the bench seeders' COPY); the app appends
    through consent_records_append, which computes the same hash under the chain's lock.
    """
    salt = secrets.token_hex(16)
    sealed = {**columns, "personal_salt": salt, "prev_hash": prev_hash}
    sealed["personal_digest"] = personal_digest_of(salt, personal_payload_of(sealed))
    sealed["record_hash"] = record_hash_of(hashed_payload_of(sealed))
    return sealed


def personal_digest_of(salt: str, personal: dict[str, str]) -> str:
    """Digest of a record's personal fields; the salt makes it useless once erased."""
    return sha256_hex(salt + json.dumps(personal, sort_keys=True, ensure_ascii=False))


def record_hash_of(payload: dict[str, Any]) -> str:
    """Hash of a record's canonical payload (see ConsentRecord.hashed_payload)."""
    return sha256_hex(json.dumps(payload, sort_keys=True, separators=(",", ":")))


# Stand-ins for the two values only the chain's head can give; JSON-encoded they read
# "\u0000prev_hash\u0000" and "\u0000seq\u0000", which no real value encodes to more than once.
_PREV_HASH_SLOT = "\x00prev_hash\x00"
_SEQ_SLOT = "\x00seq\x00"


def record_hash_template(payload: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical text of a payload cut around prev_hash and seq: (head, middle, tail).

    Everything else is known before the chain is locked, so the locked step only has to hash
    head + prev_hash + middle + seq + tail (record_hash_fill, or the database's
    privacy_consent_append), which equals record_hash_of for the whole payload.
    """
    text = json.dumps(
        {**payload, "prev_hash": _PREV_HASH_SLOT, "seq": _SEQ_SLOT},
        sort_keys=True,
        separators=(",", ":"),
    )
    prev_slot = json.dumps(_PREV_HASH_SLOT)[1:-1]  # inside the string's quotes
    seq_slot = json.dumps(_SEQ_SLOT)  # quotes and all: seq is a number
    if text.count(prev_slot) != 1 or text.count(seq_slot) != 1:
        raise ValueError("A consent record value imitates a hash template slot.")
    head, rest = text.split(prev_slot)
    middle, tail = rest.split(seq_slot)
    return head, middle, tail


def record_hash_fill(template: tuple[str, str, str], *, prev_hash: str, seq: int) -> str:
    head, middle, tail = template
    return sha256_hex(f"{head}{prev_hash}{middle}{seq}{tail}")
