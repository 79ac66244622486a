"""Drafting and publishing legal document versions (clauses 9.1, 9.2)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from privacy.audit.approvals import Act, ApprovalOutcome, ApprovalPending, approval_gate
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.documents.models import DocumentVersion

VERSION_ALREADY_PUBLISHED = "This version is already published."
EFFECTIVE_BEFORE_PUBLICATION = "A version cannot take effect before it is published."
NOT_ALLOWED_TO_PUBLISH = "You do not have the permission to publish legal document versions."
PUBLISH_PERMISSION = "privacy.publish_documentversion"


class PublishError(Exception):
    pass


# A text that lacks what the law requires is published only with a reason, kept on the audit
# trail; short enough not to be a chore, long enough not to be "ok".
OVERRIDE_REASON_MIN_LENGTH = 20
GAPS_NEED_A_REASON = (
    "This text lacks items the law requires (see the list). To publish it anyway, give the "
    f"reason in at least {OVERRIDE_REASON_MIN_LENGTH} characters; it is kept in the audit trail."
)


@dataclass(frozen=True)
class PublishFinding:
    """Something a check found in a version before publication: a gap blocks it unless the
    publisher overrides it with a reason; an advisory is only shown."""

    code: str
    article: str
    language: str
    message: str
    blocking: bool


# Domains above documents check versions before they are published (the processing register
# checks consent texts against 152-FZ Art. 9); each registers a check here.
PublishCheck = Callable[[DocumentVersion], list[PublishFinding]]
_PUBLISH_CHECKS: list[PublishCheck] = []


def publish_check_register(check: PublishCheck) -> None:
    if check not in _PUBLISH_CHECKS:
        _PUBLISH_CHECKS.append(check)


def document_findings(version: DocumentVersion) -> list[PublishFinding]:
    """What every registered check finds in this version."""
    return [finding for check in _PUBLISH_CHECKS for finding in check(version)]


def document_publish(
    *,
    version: DocumentVersion,
    published_by: User | None = None,
    effective_at: datetime | None = None,
    now: datetime | None = None,
    ip: str | None = None,
    channel: str = "admin",
    override_reason: str = "",
) -> DocumentVersion:
    """Publish a draft: number it, hash its text, and freeze it.

    `published_by` is the staff user who publishes and must hold the publish permission;
    None means a deployment pipeline or the demo loader, which act as the operator.
    Every publication is on the audit trail, with the `channel` it came through. A version
    the publish checks find gaps in needs `override_reason`, recorded with the gaps. A
    material change needs a second publisher's approval when SECOND_APPROVAL_FOR names it:
    the first call then raises ApprovalPending, having published nothing.
    """
    if published_by is not None and not published_by.has_perm(PUBLISH_PERMISSION):
        raise PublishError(NOT_ALLOWED_TO_PUBLISH)
    now = now or timezone.now()
    asked_effective_at = effective_at or version.effective_at  # None: on publication
    effective_at = asked_effective_at or now
    if effective_at < now.replace(microsecond=0) - timedelta(seconds=1):
        raise PublishError(EFFECTIVE_BEFORE_PUBLICATION)
    with transaction.atomic():
        # Lock the draft so two publishers cannot both publish it.
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise PublishError(VERSION_ALREADY_PUBLISHED)
        gaps = [finding for finding in document_findings(locked) if finding.blocking]
        override_reason = override_reason.strip()
        if gaps and len(override_reason) < OVERRIDE_REASON_MIN_LENGTH:
            raise PublishError(GAPS_NEED_A_REASON)
        outcome = ApprovalOutcome(proceed=True)
        if locked.material:
            outcome = approval_gate(
                act=Act.MATERIAL_CHANGE,
                obj=locked,
                digest=publication_digest(locked, asked_effective_at),
                staff=published_by,
                ip=ip,
            )
        if outcome.proceed:
            _publish(
                locked,
                published_by=published_by,
                effective_at=effective_at,
                now=now,
                ip=ip,
                channel=channel,
                outcome=outcome,
                gaps=gaps,
                override_reason=override_reason,
            )
    if not outcome.proceed:
        assert outcome.approval is not None
        raise ApprovalPending(outcome.approval, created=outcome.created)
    return locked


def publication_digest(version: DocumentVersion, effective_at: datetime | None) -> str:
    """What an approval of a publication covers: this text, this title, this date."""
    when = effective_at.isoformat() if effective_at else ""
    return hashlib.sha256(f"{version.compute_sha256()}|{when}".encode()).hexdigest()


def _publish(
    locked: DocumentVersion,
    *,
    published_by: User | None,
    effective_at: datetime,
    now: datetime,
    ip: str | None,
    channel: str,
    outcome: ApprovalOutcome,
    gaps: list[PublishFinding],
    override_reason: str,
) -> None:
    """Number, hash and freeze a locked draft, and audit it (in the caller's transaction)."""
    last = (
        DocumentVersion.objects.of_kind(locked.kind)
        .published()
        .aggregate(last=Max("number"))["last"]
    )
    locked.number = (last or 0) + 1
    locked.status = DocumentVersion.Status.PUBLISHED
    locked.effective_at = effective_at
    locked.published_at = now
    locked.published_by = published_by
    locked.sha256 = locked.compute_sha256()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:  # another version of this kind took the number
        raise PublishError("Another version was published at the same moment; retry.") from exc
    audit_record(
        action=AuditAction.VERSION_PUBLISHED,
        actor=published_by,
        obj=locked,
        detail={
            "kind": locked.kind,
            "number": locked.number,
            "effective_at": effective_at.isoformat(),
            "channel": channel,
            **outcome.audit_detail(),
            **(
                {
                    "gaps": [
                        {"code": g.code, "language": g.language, "message": g.message} for g in gaps
                    ],
                    "override_reason": override_reason,
                    "sha256": locked.sha256,
                }
                if gaps
                else {}
            ),
        },
        ip=ip,
    )


def document_draft_create(
    *,
    kind: str,
    title: str,
    body: str,
    change_summary: str = "",
    material: bool = False,
) -> DocumentVersion:
    return DocumentVersion.objects.create(
        kind=kind, title=title, body=body, change_summary=change_summary, material=material
    )


def document_draft_from(*, version: DocumentVersion) -> DocumentVersion:
    """Copy a version into a new draft: the way to amend a published text."""
    return document_draft_create(
        kind=version.kind, title=version.title, body=version.body, material=False
    )
