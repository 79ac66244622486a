"""The sentences beside the consent checkboxes: shown as HTML, recorded as plain text.

Both come from one function, so the text stored in the consent log is the text shown.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from privacy.documents.models import PURPOSE_DOCUMENT, DocumentKind, DocumentVersion
from privacy.people.models import Purpose


def _sentences() -> dict[str, str]:
    return {
        Purpose.PROCESSING: _("I agree to the processing of my personal data"),
        Purpose.MARKETING: _(
            "I would like to receive product updates, special offers, pricing information and "
            "newsletters (optional)"
        ),
        Purpose.ADVERTISING: _("I would like to receive advertising (optional)"),
    }


def sentence(purpose: str) -> str:
    """The sentence beside a purpose's checkbox, in the active language."""
    return _sentences()[purpose]


def document_names(
    purpose: str, documents: dict[str, DocumentVersion]
) -> list[tuple[str, DocumentVersion]]:
    consent = documents[PURPOSE_DOCUMENT[purpose]]
    names = [(_("consent text, version %(number)s") % {"number": consent.number}, consent)]
    if purpose == Purpose.PROCESSING:
        policy = documents[DocumentKind.PRIVACY_POLICY]
        names.append((_("Privacy Policy, version %(number)s") % {"number": policy.number}, policy))
    return names


def checkbox_wording(purpose: str, documents: dict[str, DocumentVersion]) -> str:
    names = ", ".join(name for name, _doc in document_names(purpose, documents))
    return f"{_sentences()[purpose]} ({names})"


def checkbox_label(purpose: str, documents: dict[str, DocumentVersion]) -> SafeString:
    links = [
        format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', doc.get_absolute_url(), name
        )
        for name, doc in document_names(purpose, documents)
    ]
    return format_html("{} ({})", _sentences()[purpose], SafeString(", ".join(links)))
