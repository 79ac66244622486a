"""How a person is identified: e-mail and phone, validated and normalised in one way everywhere.

The lead form, rights requests, admin search and staff pages all call these, so an address
typed in any of them finds the same person.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64  # RFC 5321: servers may refuse longer local parts
# What people type around the digits of a phone number; anything else (letters, emoji) is
# refused rather than dropped, since libphonenumber silently ignores trailing junk.
PHONE_PUNCTUATION = frozenset(" +-().\u00a0")

EMAIL_INVALID = _("Enter a valid e-mail address, like name@example.com.")
PHONE_INVALID = _("Enter a valid phone number, with the country code if it is not Russian.")


def email_normalise(value: str) -> str:
    """Validate an address; return it with the domain lower-cased and written in Unicode (IDN).

    The local part stays as typed: mailbox names may be case-sensitive. Raises ValidationError.
    """
    value = value.strip()
    local, at, domain = value.rpartition("@")
    # A quoted local part may hold control characters by RFC 5322; no person's address does.
    if not at or not local or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValidationError(EMAIL_INVALID, code="invalid")
    try:
        domain = domain.encode("idna").decode("ascii").lower().encode("ascii").decode("idna")
    except UnicodeError as exc:
        raise ValidationError(EMAIL_INVALID, code="invalid") from exc
    value = f"{local}@{unicodedata.normalize('NFC', domain)}"
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(EMAIL_INVALID, code="invalid") from exc
    if len(value) > EMAIL_MAX or len(local) > EMAIL_LOCAL_MAX:
        raise ValidationError(EMAIL_INVALID, code="invalid")
    return value


def phone_normalise(value: str, region: str | None = None) -> str:
    """Return the number in E.164, or raise ValidationError for an impossible number."""
    if any(not ch.isdigit() and ch not in PHONE_PUNCTUATION for ch in value.strip()):
        raise ValidationError(PHONE_INVALID, code="invalid")
    try:
        number = phonenumbers.parse(value, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(PHONE_INVALID, code="invalid") from exc
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        raise ValidationError(PHONE_INVALID, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """A stored E.164 number as people read it (+7 912 345-67-89); unparsable ones as stored."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email_search_forms(term: str) -> list[str]:
    """The forms a typed address may be stored in: as email_normalise writes it, and lower-case.

    Lenient where email_normalise is strict: staff search for what is stored, valid or not.
    """
    local, _at, domain = term.strip().rpartition("@")
    domain = domain.lower()
    if "xn--" in domain:
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("ascii").decode("idna")
    stored = f"{local}@{unicodedata.normalize('NFC', domain)}"
    return sorted({stored, stored.lower()})


def phone_search_form(term: str) -> str | None:
    """E.164 for a phone typed in any common format ("8 (912) 345-67-89"), else None."""
    if sum(ch.isdigit() for ch in term) < 7:
        return None
    try:
        return phone_normalise(term)
    except ValidationError:
        return None


def email_digest(email: str) -> str:
    """A keyed digest of an address: finds a person's requests without keeping the address."""
    key = hashlib.sha256(f"privacy.rights-email:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()
