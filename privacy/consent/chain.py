"""The authority on personal data: legal documents, people and the consent log."""

from __future__ import annotations

import json
from typing import Any

from privacy.people.integrity import sha256_hex


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


# The personal fields of a consent record. They are hashed through a salted digest, so that
# erasure can blank them (and the salt) while the chain over the digest still verifies.
PERSONAL_FIELDS = ("subject_email", "subject_phone", "ip", "user_agent", "page_url", "referrer")


GENESIS_HASH = "0" * 64
