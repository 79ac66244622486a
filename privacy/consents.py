"""Explicit acts on a consent after it was given: confirmation (double opt-in), withdrawal."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .messaging import purposes_awaiting_confirmation
from .models import ConsentMethod, ConsentRecord, Decision, DocumentVersion, Person, Purpose
from .services import Visit, consent_record_append


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
        for purpose in purposes_awaiting_confirmation(person, purposes):
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
    *, person: Person, purposes: list[str], policy_version: DocumentVersion, visit: Visit
) -> list[ConsentRecord]:
    """Record that a person keeps their consents under a new (materially changed) policy."""
    with transaction.atomic():
        return [
            consent_record_append(
                person=person,
                purpose=purpose,
                decision=Decision.GRANTED,
                method=ConsentMethod.EMAIL_LINK,
                wording_text=str(
                    _("I keep my consent under Privacy Policy version %(number)s: %(purpose)s")
                    % {"number": policy_version.number, "purpose": Purpose(purpose).label}
                ),
                visit=visit,
                policy_version=policy_version,
                source="reconsent",
            )
            for purpose in purposes
        ]
