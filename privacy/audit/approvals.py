"""A second person's approval of irreversible acts (erasure, publishing a material change).

Off unless the act is named in SECOND_APPROVAL_FOR. Then the first staff member's confirmed
act only records a request for approval; the act is carried out when another staff member,
holding the same permission, confirms the same thing. Asking, approving and withdrawing are
each on the audit trail, and the act's own audit entry names both people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from privacy.audit.models import Approval, AuditAction
from privacy.audit.services import audit_record
from privacy.people.models import Person

Act = Approval.Act
NOT_YOURS = "Only the person who asked for the approval can withdraw it."
NOT_PENDING = "This request for approval is no longer open."


class ApprovalPending(Exception):
    """The act waits for a second person: nothing was done yet."""

    def __init__(self, approval: Approval, *, created: bool) -> None:
        super().__init__(str(approval))
        self.approval = approval
        self.created = created


class ApprovalError(Exception):
    pass


def approval_required(act: str) -> bool:
    return act in settings.SECOND_APPROVAL_FOR


@dataclass(frozen=True)
class ApprovalOutcome:
    proceed: bool
    approval: Approval | None = None
    created: bool = False

    def audit_detail(self) -> dict[str, Any]:
        """What the act's own audit entry says about its approval."""
        if self.approval is None:
            return {}
        return {
            "approval": self.approval.pk,
            "asked_by": self.approval.requested_by.email,
            "approved_by": self.approval.decided_by.email if self.approval.decided_by else "",
        }


def _object(obj: models.Model) -> dict[str, str]:
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}


def approval_pending(*, act: str, obj: models.Model) -> Approval | None:
    return (
        Approval.objects.select_related("requested_by")
        .filter(act=act, status=Approval.Status.PENDING, **_object(obj))
        .first()
    )


def approval_gate(
    *,
    act: str,
    obj: models.Model,
    digest: str,
    staff: Any,
    person: Person | None = None,
    ip: str | None = None,
) -> ApprovalOutcome:
    """Whether an act confirmed by `staff` may be carried out now. Call it in the act's
    transaction, right before acting, after checking the act's permission.

    Proceeds at once when no second approval is required (or for the operator's own
    pipeline, staff=None). Otherwise the first confirmation records a pending approval and
    does not proceed; the same person confirming again still waits; another person
    confirming the same digest approves, and the act proceeds. A pending approval for a
    different digest (the draft was edited since) is superseded by a new request.
    """
    if staff is None or not approval_required(act):
        return ApprovalOutcome(proceed=True)
    where = {"act": act, "status": Approval.Status.PENDING, **_object(obj)}
    pending = Approval.objects.select_for_update().filter(**where).first()
    if pending is not None and pending.digest != digest:
        Approval.objects.filter(pk=pending.pk, status=Approval.Status.PENDING).update(
            status=Approval.Status.SUPERSEDED, decided_at=timezone.now()
        )
        _audit(AuditAction.APPROVAL_WITHDRAWN, pending, staff, person, ip, superseded=True)
        pending = None
    if pending is None:
        try:
            with transaction.atomic():
                approval = Approval.objects.create(
                    act=act, digest=digest, requested_by=staff, **_object(obj)
                )
        except IntegrityError:  # another person asked at the same moment: theirs stands
            approval = Approval.objects.get(**where)
            return ApprovalOutcome(proceed=False, approval=approval)
        _audit(AuditAction.APPROVAL_REQUESTED, approval, staff, person, ip)
        return ApprovalOutcome(proceed=False, approval=approval, created=True)
    if pending.requested_by_id == staff.pk:
        return ApprovalOutcome(proceed=False, approval=pending)
    Approval.objects.filter(pk=pending.pk, status=Approval.Status.PENDING).update(
        status=Approval.Status.APPROVED, decided_by=staff, decided_at=timezone.now()
    )
    pending.refresh_from_db()
    _audit(AuditAction.APPROVAL_GIVEN, pending, staff, person, ip)
    return ApprovalOutcome(proceed=True, approval=pending)


def approval_withdraw(*, approval: Approval, staff: Any, ip: str | None = None) -> Approval:
    """The person who asked takes the request back; nothing was done."""
    if approval.requested_by_id != staff.pk:
        raise ApprovalError(NOT_YOURS)
    with transaction.atomic():
        withdrawn = Approval.objects.filter(pk=approval.pk, status=Approval.Status.PENDING).update(
            status=Approval.Status.WITHDRAWN, decided_by=staff, decided_at=timezone.now()
        )
        if not withdrawn:
            raise ApprovalError(NOT_PENDING)
        approval.refresh_from_db()
        _audit(AuditAction.APPROVAL_WITHDRAWN, approval, staff, None, ip)
    return approval


def _audit(
    action: str,
    approval: Approval,
    staff: Any,
    person: Person | None,
    ip: str | None,
    **detail: Any,
) -> None:
    audit_record(
        action=action,
        actor=staff,
        person=person,
        obj=approval,
        detail={
            "act": approval.act,
            "object": f"{approval.object_type}:{approval.object_id}",
            "asked_by": approval.requested_by.email,
            **detail,
        },
        ip=ip,
    )
