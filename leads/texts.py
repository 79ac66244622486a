"""The legal texts a form shows, in one language: what the API hands to the widget and to other
sites' back ends, and what their submissions are then recorded against.

One function, `texts_shown`, says which text of a version a person reads in a language: its
title, its hash and its address. The lead form, the API and the widget all show what it says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from privacy.documents.models import DocumentVersion
from privacy.people.models import Purpose

from .models import LandingForm
from .wording import checkbox_wording, document_names, sentence


@dataclass(frozen=True)
class ShownText:
    """One legal document as a form shows it: the version, and its text in one language."""

    kind: str
    version_id: int
    number: int
    title: str
    language: str
    sha256: str
    url: str


@dataclass(frozen=True)
class ShownConsent:
    """One checkbox: its purpose, the sentence beside it, the texts it links, and the exact
    wording the consent record will store (the sentence and the texts' names)."""

    purpose: str
    required: bool
    sentence: str
    links: list[tuple[str, ShownText]]
    wording: str


def text_language(requested: str, default: str) -> str:
    """The language a form is shown in: `requested` ("ru", "ru-RU") when the site speaks it,
    else `default` (the form's)."""
    codes = [code for code, _name in settings.LANGUAGES]
    base = requested.strip().split("-")[0].lower()
    if base in codes:
        return base
    return default if default in codes else settings.LANGUAGE_CODE


def texts_shown(documents: dict[str, DocumentVersion], language: str) -> dict[str, ShownText]:
    """The text of each version a person reads in `language`: its title, hash and address.

    The same text the lead form records (DocumentVersion.text: the one in `language`, else
    the first legal language the version has), so a consent record names this hash.
    """
    shown = {}
    for kind, version in documents.items():
        text = version.text(language)
        shown[kind] = ShownText(
            kind=kind,
            version_id=version.pk,
            number=version.number or 0,
            title=text.title if text is not None else "",
            language=text.language if text is not None else language,
            sha256=text.sha256 if text is not None else "",
            url=settings.SITE_URL
            + version.get_absolute_url(text.language if text is not None else ""),
        )
    return shown


def consents_shown(
    form: LandingForm, documents: dict[str, DocumentVersion], language: str
) -> list[ShownConsent]:
    """The form's checkboxes in `language`, each with the texts it links and its exact wording."""
    texts = texts_shown(documents, language)
    with translation.override(language):
        return [
            ShownConsent(
                purpose=purpose,
                required=purpose == Purpose.PROCESSING,
                sentence=sentence(purpose),
                links=[
                    (name, texts[version.kind])
                    for name, version in document_names(purpose, documents)
                ],
                wording=checkbox_wording(purpose, documents),
            )
            for purpose in form.purposes()
        ]

