"""Disclosures to state authorities (clause 5.2): every transfer recorded, for the people
concerned to find in their access export."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction, DataCategory, Disclosure, Person

DISCLOSURE_PERMISSION = "privacy.add_disclosure"
NOT_ALLOWED_TO_DISCLOSE = "You do not have the permission to record disclosures."
AUTHORITY_REQUIRED = "Name the authority the data were released to."
BASIS_REQUIRED = "Give the legal basis of the release."
PEOPLE_REQUIRED = "Choose the people whose data were released."
CATEGORIES_REQUIRED = "Choose the data categories released, from the list."
RELEASED_IN_THE_FUTURE = "The release cannot be in the future."


class DisclosureError(Exception):
    pass


def disclosure_record(
    *,
    authority: str,
    legal_basis: str,
    people: Iterable[Person],
    data_categories: list[str],
    staff: Any,
    reference: str = "",
    released_at: datetime | None = None,
    ip: str | None = None,
) -> Disclosure:
    """Record a release of people's data to a state authority: who, what, on what basis."""
    if not staff.has_perm(DISCLOSURE_PERMISSION):
        raise DisclosureError(NOT_ALLOWED_TO_DISCLOSE)
    people = list(people)
    if not authority.strip():
        raise DisclosureError(AUTHORITY_REQUIRED)
    if not legal_basis.strip():
        raise DisclosureError(BASIS_REQUIRED)
    if not people:
        raise DisclosureError(PEOPLE_REQUIRED)
    if not data_categories or set(data_categories) - set(DataCategory.values):
        raise DisclosureError(CATEGORIES_REQUIRED)
    released_at = released_at or timezone.now()
    if released_at > timezone.now():
        raise DisclosureError(RELEASED_IN_THE_FUTURE)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            authority=authority.strip(),
            legal_basis=legal_basis.strip(),
            reference=reference.strip(),
            data_categories=list(data_categories),
            released_at=released_at,
            released_by=staff,
        )
        disclosure.people.set(people)
        for person in people:
            audit_record(
                action=AuditAction.DISCLOSURE_RECORDED,
                actor=staff,
                person=person,
                obj=disclosure,
                detail={"authority": disclosure.authority, "categories": data_categories},
                ip=ip,
            )
    return disclosure
