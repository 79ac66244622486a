"""What every register that must not change shares: the error it raises, the hashed text form."""

from __future__ import annotations

import hashlib
import unicodedata


class ImmutableRecordError(Exception):
    """Raised when code tries to change something the law asks us to keep as it was."""


def canonical_text(text: str) -> str:
    """Return the text in the one form that is hashed: NFC, LF line ends, no trailing blanks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip() + "\n"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
