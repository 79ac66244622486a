"""Asking people to consent again after a material change: offered when the change is published.

Who is asked, and how, belongs to a client app: leads sends re-consent campaigns through
privacy's outbox, which this package may not import. The app registers a starter here (as
apps register holders of personal data), and the publish confirmation offers what it can start,
so publishing and starting the mailing are one step and one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.people.models import Purpose

# The purposes whose consent a material change of each document puts in question. Consent to
# processing has no mailing: it is given again with the person's next submission, and the
# policy may be amended without consent (clause 9.1).
RECONSENT_PURPOSES: dict[str, tuple[str, ...]] = {
    DocumentKind.PRIVACY_POLICY: (Purpose.MARKETING, Purpose.ADVERTISING),
    DocumentKind.CONSENT_MARKETING: (Purpose.MARKETING,),
    DocumentKind.CONSENT_ADVERTISING: (Purpose.ADVERTISING,),
    DocumentKind.CONSENT_PROCESSING: (),
}


class ReconsentStarter(Protocol):
    def may_start(self, *, user: Any) -> bool:
        """Whether `user` may start a re-consent mailing."""

    def audience(self, *, purposes: Sequence[str]) -> int:
        """How many people hold an active consent to any of `purposes` now."""

    def start(self, *, version: DocumentVersion, purposes: list[str], started_by: Any) -> str:
        """Start asking them, inside the caller's transaction; return what was started."""


_starter: ReconsentStarter | None = None


def reconsent_starter_register(starter: ReconsentStarter) -> None:
    global _starter
    _starter = starter


def reconsent_starter() -> ReconsentStarter | None:
    return _starter


class ReconsentOfferForm(forms.Form):
    """The publish confirmation's offer: ask the people affected to consent again."""

    purposes = forms.MultipleChoiceField(
        label=_("Ask people to consent again"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A legal notice with the summary of changes, in each person's language, to everyone "
            "who holds this consent now; they keep it under the new version with one click. "
            "Nobody loses a consent by not answering."
        ),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        version: DocumentVersion,
        user: Any = None,
        enabled: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        starter = reconsent_starter()
        purposes = RECONSENT_PURPOSES.get(version.kind, ()) if version.material else ()
        allowed = starter is not None and (user is None or starter.may_start(user=user))
        if starter is None or not purposes or not allowed or not enabled:
            del self.fields["purposes"]
            return
        field = self.fields["purposes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (
                purpose,
                gettext("%(purpose)s: %(count)d people hold this consent now")
                % {
                    "purpose": Purpose(purpose).label,
                    "count": starter.audience(purposes=[purpose]),
                },
            )
            for purpose in purposes
        ]

    @property
    def offered(self) -> bool:
        return "purposes" in self.fields

    def start(self, *, published: DocumentVersion, started_by: Any) -> str:
        """Start what was ticked (in the caller's transaction); '' when nothing was."""
        starter = reconsent_starter()
        purposes = list(self.cleaned_data.get("purposes") or []) if self.offered else []
        if starter is None or not purposes:
            return ""
        return starter.start(version=published, purposes=purposes, started_by=started_by)
