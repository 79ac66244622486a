"""Load the demo data `make run` needs; running it twice changes nothing.

Version 1 of each legal document is published in Russian and English (privacy/fixtures: the
English texts are the seed policy, itself a translation of a Russian original, and the consent
texts; *.ru.md are their Russian texts, the titles in titles.ru.txt), or in whichever of the
two LEGAL_LANGUAGES names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from privacy.documents.models import DocumentKind, DocumentVersion, legal_languages
from privacy.documents.services import DraftText, document_draft_create, document_publish

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# Kind -> (English title, fixture name); the Russian text is <name>.ru.md, titled in
# titles.ru.txt.
FIRST_VERSIONS = {
    DocumentKind.PRIVACY_POLICY: ("Privacy Policy", "privacy-policy-v1"),
    DocumentKind.CONSENT_PROCESSING: (
        "Consent to the processing of personal data",
        "consent_processing-v1",
    ),
    DocumentKind.CONSENT_MARKETING: ("Consent to marketing communications", "consent_marketing-v1"),
    DocumentKind.CONSENT_ADVERTISING: ("Consent to advertising", "consent_advertising-v1"),
}
FIRST_SUMMARY = {"en": "First published version.", "ru": "Первая опубликованная редакция."}


def russian_titles() -> dict[str, str]:
    lines = (FIXTURES / "titles.ru.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line.strip())


def fixture_texts(title: str, name: str) -> dict[str, DraftText]:
    """The fixture's text in each legal language (those the fixtures have: en and ru)."""
    available = {
        "en": (title, FIXTURES / f"{name}.md"),
        "ru": (russian_titles()[name], FIXTURES / f"{name}.ru.md"),
    }
    return {
        code: DraftText(
            title=available[code][0],
            body=available[code][1].read_text(encoding="utf-8"),
            change_summary=FIRST_SUMMARY[code],
        )
        for code in legal_languages()
        if code in available
    }

DEMO_EMAIL = "admin@example.com"
# A demo login for a local machine only: `make run` prints it; production never runs this.
DEMO_PASSWORD = os.environ.get("DEMO_ADMIN_PASSWORD", "leadgen-demo-admin")


class Command(BaseCommand):
    help = "Publish the first version of each legal document and create a demo superuser."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-user", action="store_true", help="Do not create the demo user.")

    @transaction.atomic
    def handle(self, *args: Any, no_user: bool = False, **options: Any) -> None:
        for kind, (title, name) in FIRST_VERSIONS.items():
            if DocumentVersion.objects.of_kind(kind).published().exists():
                continue
            draft = document_draft_create(kind=kind, texts=fixture_texts(title, name))
            version = document_publish(version=draft, channel="load_demo")
            hashes = ", ".join(
                f"{text.language} {text.sha256[:12]}…" for text in version.texts.all()
            )
            self.stdout.write(f"Published {version} (sha256 {hashes})")
        if no_user:
            return
        User = get_user_model()
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            User.objects.create_superuser(DEMO_EMAIL, DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(f"Admin login: {DEMO_EMAIL} / {DEMO_PASSWORD}  (demo data only)")
        )
