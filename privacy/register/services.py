"""Writes to the processing register: every change versioned and audited, notices filed,
consent texts drafted from it."""

from __future__ import annotations

from datetime import date

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.documents.models import DocumentVersion
from privacy.register.clocks import month_of, moscow_date
from privacy.register.history import ENTITY_NAMES, entry_snapshot, notifiable_item
from privacy.register.models import (
    ChangeNotice,
    ProcessingPurpose,
    RegisterChange,
    RegisterRevision,
)

NOT_ALLOWED_TO_DRAFT = "You do not have the permission to draft consent texts."
NOT_ALLOWED_TO_FILE = "You do not have the permission to record change notices."
NO_CONSENT_TEXT = "This purpose has no consent text to draft: choose its document first."
SENT_IN_THE_FUTURE = "A notice cannot be sent in the future."
MONTH_IN_THE_FUTURE = "A notice cannot cover a month that has not begun."
HAPPENED_IN_THE_FUTURE = "A change cannot have happened in the future."
DRAFT_PERMISSION = "privacy.draft_consent_texts"
FILE_PERMISSION = "privacy.add_changenotice"


class RegisterError(Exception):
    pass


def register_changes_record(
    *,
    instance: models.Model,
    before: dict[str, str] | None,
    staff: User | None,
    deleted: bool = False,
    effective_on: date | None = None,
    ip: str | None = None,
) -> RegisterRevision | None:
    """Record what changed in one register entry since `before` as a new revision, with an
    audit entry; None when nothing did. Call it after the entry (and its many-to-many fields)
    is saved, or with deleted=True once it is gone."""
    if effective_on is not None and effective_on > moscow_date(timezone.now()):
        raise RegisterError(HAPPENED_IN_THE_FUTURE)
    before = before or {}
    after = {} if deleted else entry_snapshot(instance)
    changed = [
        name
        for name in sorted(set(before) | set(after))
        if before.get(name, "") != after.get(name, "")
    ]
    if not changed:
        return None
    entity = ENTITY_NAMES[type(instance)]
    label = str(instance)[:300]
    verb = "deleted" if deleted else ("created" if not before else "changed")
    now = timezone.now()
    with transaction.atomic():
        revision = RegisterRevision.objects.create(
            created_by=staff, summary=f"{entity} {label}: {verb}"[:300], created_at=now
        )
        changes = [
            RegisterChange(
                revision=revision,
                entity=entity,
                object_id=str(instance.pk or ""),
                object_repr=label,
                field=name,
                old=before.get(name, ""),
                new=after.get(name, ""),
                item=notifiable_item(instance, name, before),
                changed_at=now,
                effective_on=effective_on,
            )
            for name in changed
        ]
        RegisterChange.objects.bulk_create(changes)
        audit_record(
            action=AuditAction.REGISTER_CHANGED,
            actor=staff,
            obj=instance if not deleted else None,
            detail={
                "revision": revision.pk,
                "entry": f"{entity}:{instance.pk}",
                "what": verb,
                "fields": changed,
                "art22_items": sorted({c.item for c in changes if c.item}),
            },
            ip=ip,
        )
    from privacy.register.guard import guard_cache_clear

    # Now for this process, and again once committed (a read in between may have cached).
    guard_cache_clear()
    transaction.on_commit(guard_cache_clear)
    return revision


def register_entry_created(
    *, instance: models.Model, staff: User | None, ip: str | None = None
) -> RegisterRevision | None:
    return register_changes_record(instance=instance, before=None, staff=staff, ip=ip)


def change_notice_record(
    *,
    month: date,
    sent_on: date,
    reference: str,
    staff: User,
    ip: str | None = None,
) -> ChangeNotice:
    """Record that the notice of a month's changes was filed: it closes every notifiable change
    of that month recorded until now (a later one opens the month again)."""
    if not staff.has_perm(FILE_PERMISSION):
        raise RegisterError(NOT_ALLOWED_TO_FILE)
    today = moscow_date(timezone.now())
    if sent_on > today:
        raise RegisterError(SENT_IN_THE_FUTURE)
    if month_of(month) > month_of(today):
        raise RegisterError(MONTH_IN_THE_FUTURE)
    with transaction.atomic():
        notice = ChangeNotice.objects.create(
            month=month_of(month), sent_on=sent_on, reference=reference.strip(), recorded_by=staff
        )
        register_changes_record(instance=notice, before=None, staff=staff, ip=ip)
    return notice


def consent_draft_create(
    *, purpose: ProcessingPurpose, staff: User | None, ip: str | None = None
) -> DocumentVersion:
    """Draft the next version of the purpose's consent text from the register, in Russian and
    English, for a publisher to review and publish. It never publishes."""
    from privacy.register.consent import consent_texts
    from privacy.register.seams import consent_document_draft
    from privacy.register.selectors import register_load

    if staff is not None and not staff.has_perm(DRAFT_PERMISSION):
        raise RegisterError(NOT_ALLOWED_TO_DRAFT)
    if not purpose.document_kind:
        raise RegisterError(NO_CONSENT_TEXT)
    register = register_load()
    texts = consent_texts(purpose=purpose, register=register)
    with transaction.atomic():
        draft = consent_document_draft(
            kind=purpose.document_kind,
            texts=texts,
            summary=gettext_lazy("Drafted from processing register revision %(revision)s")
            % {"revision": register.revision},
        )
        audit_record(
            action=AuditAction.CONSENT_DRAFTED,
            actor=staff,
            obj=draft,
            detail={
                "purpose": purpose.code,
                "kind": purpose.document_kind,
                "register_revision": register.revision,
            },
            ip=ip,
        )
    return draft
