"""Staff review of leads: status and notes, refused for blocked people, always audited."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.blocks.services import RECORD_IS_BLOCKED, RecordBlocked, person_is_blocked

from .models import Lead

CHANGE_PERMISSION = "leads.change_lead"
NOT_ALLOWED_TO_REVIEW = "You do not have the permission to change leads."
UNKNOWN_STATUS = "Unknown lead status."


class ReviewError(Exception):
    pass


def lead_review(*, lead: Lead, status: str, notes: str, staff: User, ip: str | None = None) -> Lead:
    """Set a lead's status and notes; a blocked person's leads stay as they are."""
    if not staff.has_perm(CHANGE_PERMISSION):
        raise ReviewError(NOT_ALLOWED_TO_REVIEW)
    if status not in Lead.Status.values:
        raise ReviewError(UNKNOWN_STATUS)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if person_is_blocked(locked.person_id):
            raise RecordBlocked(RECORD_IS_BLOCKED)
        before = {"status": locked.status, "notes": locked.notes}
        Lead.objects.filter(pk=locked.pk).update(status=status, notes=notes)
        changed = [
            name for name, old in before.items() if old != {"status": status, "notes": notes}[name]
        ]
        if changed:
            audit_record(
                action=AuditAction.LEAD_CHANGED,
                actor=staff,
                person=locked.person,
                obj=locked,
                detail={"changed": changed, "status": [before["status"], status]},
                ip=ip,
            )
    lead.status, lead.notes = status, notes
    return lead
