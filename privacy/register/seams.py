"""Where the register meets the legal documents: the one place that knows how a version holds
its texts.

Today a version has one title and one body, so a consent text drafted from the register holds
both languages in one body, Russian first, each under a marker line, and the checker reads
each language back from it. When versions carry a text per language (issue 15), these two
functions become: `document_draft_create(kind=..., texts={language: DraftText(...)})` and
`{text.language: text for text in version.texts.all()}`; nothing else in the register changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privacy.documents.models import DocumentVersion
from privacy.documents.services import document_draft_create
from privacy.register.vocabulary import EN, LANGUAGES, RU

# A line that starts each language's part of a bilingual body.
LANGUAGE_MARKER = "<!-- language: {language} -->"
_MARKER = re.compile(r"^<!-- language: ([a-z]{2}) -->\s*$", re.M)


@dataclass(frozen=True)
class LanguageText:
    title: str
    body: str


def consent_document_draft(
    *, kind: str, texts: dict[str, LanguageText], summary: str
) -> DocumentVersion:
    """Create a draft version of `kind` holding the text in every language given."""
    ordered = [language for language in LANGUAGES if language in texts]
    title = " / ".join(texts[language].title for language in ordered)
    body = "\n\n".join(
        f"{LANGUAGE_MARKER.format(language=language)}\n\n{texts[language].body.strip()}"
        for language in ordered
    )
    return document_draft_create(kind=kind, title=title, body=body, change_summary=summary)


def language_of(text: str) -> str:
    """Russian when most letters are Cyrillic, else English."""
    cyrillic = len(re.findall(r"[а-яёА-ЯЁ]", text))
    latin = len(re.findall(r"[a-zA-Z]", text))
    return RU if cyrillic >= latin else EN


def version_texts(version: DocumentVersion) -> dict[str, str]:
    """The version's text in each language it has (title and body), for the checker."""
    parts = _MARKER.split(version.body)
    if len(parts) == 1:
        text = f"{version.title}\n\n{version.body}"
        return {language_of(text): text}
    texts: dict[str, str] = {}
    # parts: [before the first marker, language, its text, language, its text, ...]
    for language, text in zip(parts[1::2], parts[2::2], strict=True):
        texts[language] = texts.get(language, "") + text
    return texts
