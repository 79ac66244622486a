"""Legal document versions as tests need them: the same text in every legal language, unless a
test is about the languages themselves."""

from __future__ import annotations

from datetime import datetime

from privacy.documents.models import DocumentKind, DocumentVersion, legal_languages
from privacy.documents.services import DraftText, document_draft_create, document_publish


def in_every_language(
    body: str, *, title: str = "Privacy Policy", summary: str = ""
) -> dict[str, DraftText]:
    return {
        code: DraftText(title=title, body=body, change_summary=summary)
        for code in legal_languages()
    }


def draft(
    body: str,
    *,
    kind: str = DocumentKind.PRIVACY_POLICY,
    title: str = "Privacy Policy",
    summary: str = "",
    material: bool = False,
) -> DocumentVersion:
    return document_draft_create(
        kind=kind, texts=in_every_language(body, title=title, summary=summary), material=material
    )


def publish(
    body: str,
    *,
    kind: str = DocumentKind.PRIVACY_POLICY,
    title: str = "Privacy Policy",
    summary: str = "",
    material: bool = False,
    effective_at: datetime | None = None,
) -> DocumentVersion:
    version = draft(body, kind=kind, title=title, summary=summary, material=material)
    return document_publish(version=version, effective_at=effective_at)
