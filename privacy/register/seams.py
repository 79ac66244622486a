"""Where the register meets the legal documents: the one place that knows how a version holds
its texts: one DocumentText per language (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise

from privacy.documents.models import DocumentVersion, legal_languages
from privacy.documents.services import DraftText, document_draft_create
from privacy.register.vocabulary import LANGUAGES


@dataclass(frozen=True)
class LanguageText:
    title: str
    body: str


def consent_document_draft(
    *, kind: str, texts: dict[str, LanguageText], summary: str | Promise
) -> DocumentVersion:
    """Create a draft version of `kind` holding the text in every language given; the summary
    of changes is written in each text's own language."""

    def summary_in(language: str) -> str:
        with translation.override(language):
            return str(summary)

    return document_draft_create(
        kind=kind,
        texts={
            language: DraftText(
                title=texts[language].title,
                body=texts[language].body.strip(),
                change_summary=summary_in(language),
            )
            for language in LANGUAGES
            if language in texts and language in legal_languages()
        },
    )


def version_texts(version: DocumentVersion) -> dict[str, str]:
    """The version's text in each language it has (title and body), for the checker."""
    return {
        language: f"{text.title}\n\n{text.body}"
        for language, text in version.texts_by_language().items()
    }
