"""Drafting and publishing legal document versions (clauses 9.1, 9.2), in every language."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from privacy.audit.approvals import Act, ApprovalOutcome, ApprovalPending, approval_gate
from privacy.audit.models import AuditAction
from privacy.audit.services import audit_record
from privacy.documents.models import DocumentText, DocumentVersion, language_name, legal_languages

VERSION_ALREADY_PUBLISHED = "This version is already published."
EFFECTIVE_BEFORE_PUBLICATION = "A version cannot take effect before it is published."
NOT_ALLOWED_TO_PUBLISH = "You do not have the permission to publish legal document versions."
PUBLISH_PERMISSION = "privacy.publish_documentversion"
TEXTS_MISSING = _(
    "This version has no text in %(languages)s yet. Every configured language needs a title "
    "and a text before the version is published: they take effect together."
)
SUMMARIES_MISSING = _(
    "A material change needs a summary of changes in every language; missing in "
    "%(languages)s."
)
UNKNOWN_LANGUAGE = _("%(language)s is not one of the configured legal languages (%(languages)s).")


@dataclass(frozen=True)
class DraftText:
    """A version's text in one language, as a publisher writes it."""

    title: str
    body: str
    change_summary: str = ""


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
        texts = list(locked.texts.select_for_update())
        document_texts_check(version=locked, texts=texts)
        gaps = [finding for finding in document_findings(locked) if finding.blocking]
        override_reason = override_reason.strip()
        if gaps and len(override_reason) < OVERRIDE_REASON_MIN_LENGTH:
            raise PublishError(GAPS_NEED_A_REASON)
        outcome = ApprovalOutcome(proceed=True)
        if locked.material:
            outcome = approval_gate(
                act=Act.MATERIAL_CHANGE,
                obj=locked,
                digest=publication_digest(locked, asked_effective_at, texts=texts),
                staff=published_by,
                ip=ip,
            )
        if outcome.proceed:
            _publish(
                locked,
                texts=texts,
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


def publication_digest(
    version: DocumentVersion,
    effective_at: datetime | None,
    *,
    texts: list[DocumentText] | None = None,
) -> str:
    """What an approval of a publication covers: these texts, in every language, this date."""
    when = effective_at.isoformat() if effective_at else ""
    texts = list(version.texts.all()) if texts is None else texts
    hashes = ",".join(f"{t.language}:{t.compute_sha256()}" for t in sorted(texts, key=_language))
    return hashlib.sha256(f"{hashes}|{when}".encode()).hexdigest()


def _language(text: DocumentText) -> str:
    return text.language


def _publish(
    locked: DocumentVersion,
    *,
    texts: list[DocumentText],
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
    # Hashed first, while the version is a draft: once it is published, its texts are frozen.
    for text in texts:
        text.sha256 = text.compute_sha256()
        text.save(update_fields=["sha256"])
    locked.number = (last or 0) + 1
    locked.status = DocumentVersion.Status.PUBLISHED
    locked.effective_at = effective_at
    locked.published_at = now
    locked.published_by = published_by
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
            "texts": {text.language: text.sha256 for text in texts},
            **outcome.audit_detail(),
            **(
                {
                    "gaps": [
                        {"code": g.code, "language": g.language, "message": g.message} for g in gaps
                    ],
                    "override_reason": override_reason,
                }
                if gaps
                else {}
            ),
        },
        ip=ip,
    )


def _names(languages: list[str]) -> str:
    return ", ".join(language_name(code) for code in languages)


def document_texts_check(*, version: DocumentVersion, texts: list[DocumentText]) -> None:
    """Raise PublishError unless every legal language has a text (and, for a material change,
    a summary of changes)."""
    by_language = {text.language: text for text in texts}
    missing = [
        code
        for code in legal_languages()
        if code not in by_language
        or not by_language[code].title.strip()
        or not by_language[code].body.strip()
    ]
    if missing:
        raise PublishError(str(TEXTS_MISSING % {"languages": _names(missing)}))
    if version.material:
        no_summary = [
            code for code in legal_languages() if not by_language[code].change_summary.strip()
        ]
        if no_summary:
            raise PublishError(str(SUMMARIES_MISSING % {"languages": _names(no_summary)}))


def document_draft_create(
    *,
    kind: str,
    texts: Mapping[str, DraftText],
    material: bool = False,
    effective_at: datetime | None = None,
) -> DocumentVersion:
    """Create a draft with its text in each language given (others may be added later)."""
    unknown = [code for code in texts if code not in legal_languages()]
    if unknown:
        raise PublishError(
            str(UNKNOWN_LANGUAGE % {"language": unknown[0], "languages": _names(legal_languages())})
        )
    with transaction.atomic():
        version = DocumentVersion.objects.create(
            kind=kind, material=material, effective_at=effective_at
        )
        DocumentText.objects.bulk_create(
            DocumentText(
                version=version,
                language=code,
                title=text.title,
                body=text.body,
                change_summary=text.change_summary,
            )
            for code, text in texts.items()
        )
    return version


def document_draft_from(*, version: DocumentVersion) -> DocumentVersion:
    """Copy a version into a new draft, every language: the way to amend a published text.

    The summaries of changes are left empty: they describe the next change, not this one.
    """
    return document_draft_create(
        kind=version.kind,
        texts={
            text.language: DraftText(title=text.title, body=text.body)
            for text in version.texts.all()
            if text.language in legal_languages()
        },
        material=False,
    )
