"""The register's check before a consent text is published: 152-FZ Art. 9 part 4, against
the register as it stands at that moment (registered with privacy.documents.services)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.services import PublishFinding
from privacy.register.consent import consent_check
from privacy.register.seams import version_texts
from privacy.register.selectors import register_load


def consent_publish_check(version: DocumentVersion) -> list[PublishFinding]:
    if version.kind == DocumentKind.PRIVACY_POLICY:
        return []
    register = register_load()
    purpose = register.purpose_of_kind(version.kind)
    if purpose is None:
        return [
            PublishFinding(
                code="register",
                article="Art. 9 part 4",
                language="",
                message=_(
                    "No purpose in the processing register asks for this consent, so the text "
                    "was not checked against it. Describe the purpose in the register."
                ),
                blocking=False,
            )
        ]
    return [
        PublishFinding(
            code=f.code,
            article=f.article,
            language=f.language,
            message=f.message,
            blocking=f.blocking,
        )
        for language, text in version_texts(version).items()
        for f in consent_check(text=text, language=language, purpose=purpose, register=register)
    ]
