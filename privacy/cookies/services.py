"""Writes for cookie consent: a banner choice into the consent log, a browser to a person."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from privacy.consent.models import ConsentMethod
from privacy.consent.services import ConsentEntry, consent_records_append
from privacy.cookies.banner import (
    CookieChoice,
    categories_offered,
    category_wording,
    gpc_refuses,
    scripts_configured,
)
from privacy.cookies.models import VisitorLink, visitor_source
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.people.models import Decision, Person
from privacy.people.visits import Visit

NO_POLICY_IN_FORCE = "No privacy policy is in force; a cookie choice cannot be recorded."


class CookieChoiceUnavailable(Exception):
    pass


def cookie_choice_record(
    *, visitor_id: uuid.UUID, granted: set[str], gpc: bool, visit: Visit
) -> CookieChoice:
    """Log one banner choice (a record per category offered) and return what to remember.

    A Global Privacy Control signal refuses what it covers whatever was clicked; that refusal
    is recorded with the method "gpc", so the log shows why the answer was no.
    """
    policy = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    if policy is None:
        raise CookieChoiceUnavailable(NO_POLICY_IN_FORCE)
    offered = categories_offered()
    effective = {c for c in offered if c in granted and not (gpc and gpc_refuses(c))}
    entries = [
        ConsentEntry(
            person=None,
            purpose=category,
            decision=Decision.GRANTED if category in effective else Decision.DENIED,
            method=(
                ConsentMethod.GPC if gpc and gpc_refuses(category) else ConsentMethod.COOKIE_BANNER
            ),
            wording_text=category_wording(category),
            visit=visit,
            policy_version=policy,
            source=visitor_source(visitor_id),
        )
        for category in offered
    ]
    records = consent_records_append(entries=entries) if entries else []
    return CookieChoice(
        visitor_id=visitor_id,
        granted=frozenset(effective),
        scripts=frozenset(script.key for script in scripts_configured()),
        banner_version=settings.COOKIE_BANNER_VERSION,
        chosen_at=records[0].created_at if records else timezone.now(),
    )


def visitor_link_person(*, visitor_id: uuid.UUID, person: Person) -> None:
    """Link a browser's cookie choices (before and after) to the person who used it."""
    # One statement and no savepoint: the lead submission calls this inside its transaction,
    # and a second submission from the same browser finds the link already there.
    VisitorLink.objects.bulk_create(
        [VisitorLink(visitor_id=visitor_id, person=person)], ignore_conflicts=True
    )
