"""Sealed values: kept in the database only to be used once by the sending worker, unreadable
there, in the admin and in backups without the site's secret key.

Erasure needs this for one value: the person must be told their data were erased, so the
address is needed until that answer is sent; sealed, it leaves every readable column when the
erasure commits. Keys come from SECRET_KEY (and SECRET_KEY_FALLBACKS after a rotation).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "privacy.sealed-value"


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(SALT, "fernet", secret=s, algorithm="sha256").digest()
                )
            )
            for s in secrets
        ]
    )


def seal(value: str) -> str:
    """The value encrypted and authenticated (Fernet), as text."""
    return _fernet().encrypt(value.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The sealed value, or "" when the token is damaged or from an unknown key."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return ""
