"""Blocking a person's data for the period of verification (clause 6.2.4), and lifting it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.blocks.models import Block, BlockRequester
from privacy.people.models import Person

BLOCK_PERMISSION = "privacy.block_person"
LIFT_PERMISSION = "privacy.lift_block"

NOT_ALLOWED_TO_BLOCK = "You do not have the permission to block people's data."
NOT_ALLOWED_TO_LIFT = "You do not have the permission to lift blocks."
ALREADY_BLOCKED = "This person's data are already blocked."
ALREADY_LIFTED = "This block has already been lifted."
REASON_REQUIRED = "Say why the data are blocked."
REVIEW_DATE_IN_THE_PAST = "The review date cannot be in the past."
UNKNOWN_REQUESTER = "Say who asked for the block."
UNKNOWN_OUTCOME = "Say what the verification found."
RECORD_IS_BLOCKED = "This person's data are blocked: they cannot be changed, exported or deleted."


class BlockError(Exception):
    pass


class RecordBlocked(BlockError):
    """Raised by services that would change, export or delete a blocked person's data."""


def person_is_blocked(person: Person | int) -> bool:
    person_id = person.pk if isinstance(person, Person) else person
    return Block.objects.active().filter(person_id=person_id).exists()


def blocked_annotation(person_field: str = "person") -> Exists:
    """An Exists() for querysets: whether the row's person is blocked now (one index probe).

    person_field "" for a queryset of people.
    """
    outer = OuterRef(f"{person_field}_id" if person_field else "pk")
    return Exists(Block.objects.active().filter(person_id=outer))


def only_blocked(queryset: QuerySet[Any], person_field: str = "person") -> QuerySet[Any]:
    """Keep only the rows of blocked people (a semi-join: fast when blocks are few)."""
    column = f"{person_field}_id__in" if person_field else "pk__in"
    return queryset.filter(**{column: Block.objects.active().values("person_id")})


def exclude_blocked(queryset: QuerySet[Any], person_field: str = "person") -> QuerySet[Any]:
    """Leave out the rows of blocked people (person_field "" for a queryset of people)."""
    column = f"{person_field}_id__in" if person_field else "pk__in"
    return queryset.exclude(**{column: Block.objects.active().values("person_id")})


def person_block(
    *,
    person: Person,
    requested_by: str,
    reason: str,
    review_by: date,
    staff: User,
    reference: str = "",
    ip: str | None = None,
    today: date | None = None,
) -> Block:
    """Block all of a person's data until the verification is done."""
    if not staff.has_perm(BLOCK_PERMISSION):
        raise BlockError(NOT_ALLOWED_TO_BLOCK)
    if requested_by not in BlockRequester.values:
        raise BlockError(UNKNOWN_REQUESTER)
    if not reason.strip():
        raise BlockError(REASON_REQUIRED)
    if review_by < (today or timezone.localdate()):
        raise BlockError(REVIEW_DATE_IN_THE_PAST)
    try:
        with transaction.atomic():
            # The partial unique index allows one active block per person: a second officer
            # blocking at the same moment gets ALREADY_BLOCKED, not a second block.
            block = Block.objects.create(
                person=person,
                requested_by=requested_by,
                reason=reason.strip(),
                reference=reference.strip(),
                review_by=review_by,
                created_by=staff,
            )
            audit_record(
                action=AuditAction.PERSON_BLOCKED,
                actor=staff,
                person=person,
                obj=block,
                detail={
                    "requested_by": requested_by,
                    "reference": block.reference,
                    "review_by": review_by.isoformat(),
                },
                ip=ip,
            )
    except IntegrityError as exc:
        raise BlockError(ALREADY_BLOCKED) from exc
    return block


def block_lift(*, block: Block, outcome: str, staff: User, ip: str | None = None) -> Block:
    """Lift a block, recording what the verification found, who lifted it and when."""
    if not staff.has_perm(LIFT_PERMISSION):
        raise BlockError(NOT_ALLOWED_TO_LIFT)
    if outcome not in Block.Outcome.values:
        raise BlockError(UNKNOWN_OUTCOME)
    now = timezone.now()
    with transaction.atomic():
        lifted = Block.objects.filter(pk=block.pk, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=staff, outcome=outcome
        )
        if not lifted:
            raise BlockError(ALREADY_LIFTED)
        audit_record(
            action=AuditAction.BLOCK_LIFTED,
            actor=staff,
            person=block.person,
            obj=block,
            detail={"outcome": outcome},
            ip=ip,
        )
    block.refresh_from_db()
    return block


def blocks_overdue(*, today: date | None = None) -> QuerySet[Block]:
    """Active blocks whose verification period has ended: an officer must decide."""
    return (
        Block.objects.active()
        .filter(review_by__lt=today or timezone.localdate())
        .select_related("person", "created_by")
        .order_by("review_by", "pk")
    )
