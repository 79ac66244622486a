"""Signed links in e-mails: the link is the credential, so each kind is signed, typed and
expiring, and a link of one kind never opens another.

Every link the site mails (unsubscribe, double opt-in, re-consent, the rights request's
confirmation, a new address's confirmation, the access export) is made and read here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

# Links about a consent stay valid this long; an older link shows a page explaining what to do.
CONSENT_LINK_MAX_AGE = 180 * 24 * 3600


class LinkInvalid(Exception):
    """Tampered, expired, or not a payload this site issued for this kind of link."""


@dataclass(frozen=True)
class LinkKind:
    salt: str  # separates kinds: a token signed for one never verifies for another
    view: str
    # Each payload key and the type its value must have: int, str or list (of str).
    fields: dict[str, type]
    max_age: Callable[[], int]

    def url(self, **payload: Any) -> str:
        """The absolute URL of a link carrying `payload` (for e-mails)."""
        return settings.SITE_URL + self.path(**payload)

    def path(self, **payload: Any) -> str:
        """The link's path on this site (for pages that link it themselves)."""
        self._check(payload)
        token = signing.dumps(payload, salt=self.salt, compress=True)
        return reverse(self.view, kwargs={"token": token})

    def read(self, token: str) -> dict[str, Any]:
        """The payload of a link of this kind, or LinkInvalid."""
        try:
            payload = signing.loads(token, salt=self.salt, max_age=self.max_age())
        except signing.BadSignature as exc:  # also SignatureExpired
            raise LinkInvalid(str(exc)) from exc
        self._check(payload)
        return payload

    def _check(self, payload: Any) -> None:
        # A correctly signed payload can still be one an older release wrote differently.
        if not isinstance(payload, dict) or set(payload) != set(self.fields):
            raise LinkInvalid("unexpected payload")
        for key, kind in self.fields.items():
            value = payload[key]
            if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
                raise LinkInvalid(f"{key} is not an integer")
            if kind is str and not isinstance(value, str):
                raise LinkInvalid(f"{key} is not text")
            if kind is list and not (
                isinstance(value, list) and all(isinstance(item, str) for item in value)
            ):
                raise LinkInvalid(f"{key} is not a list of text")


def _consent_max_age() -> int:
    return CONSENT_LINK_MAX_AGE


def _hours(setting: str) -> Callable[[], int]:
    return lambda: getattr(settings, setting) * 3600


# p: person id, u: purpose(s), m: message id, v: policy version id, r: request id, n: nonce.
UNSUBSCRIBE = LinkKind(
    "privacy.unsubscribe", "privacy:unsubscribe", {"p": int, "u": str}, _consent_max_age
)
CONFIRM_CONSENT = LinkKind(
    "privacy.confirm-consent", "privacy:confirm", {"p": int, "u": list, "m": int}, _consent_max_age
)
RECONSENT = LinkKind(
    "privacy.reconsent", "privacy:reconsent", {"p": int, "u": list, "v": int}, _consent_max_age
)
RIGHTS_CONFIRM = LinkKind(
    "privacy.rights-confirm",
    "privacy:request_confirm",
    {"r": int, "n": str},
    _hours("RIGHTS_CONFIRM_LINK_HOURS"),
)
RIGHTS_NEW_EMAIL = LinkKind(
    "privacy.rights-new-email",
    "privacy:request_new_email",
    {"r": int, "n": str},
    _hours("RIGHTS_CONFIRM_LINK_HOURS"),
)
RIGHTS_EXPORT = LinkKind(
    "privacy.rights-export",
    "privacy:request_export",
    {"r": int},
    _hours("RIGHTS_EXPORT_LINK_HOURS"),
)
