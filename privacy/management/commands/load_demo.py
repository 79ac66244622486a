"""Load the demo data `make run` needs; running it twice changes nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.services import document_draft_create, document_publish

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

FIRST_VERSIONS = {
    DocumentKind.PRIVACY_POLICY: ("Privacy Policy", "privacy-policy-v1.md"),
    DocumentKind.CONSENT_PROCESSING: (
        "Consent to the processing of personal data",
        "consent_processing-v1.md",
    ),
    DocumentKind.CONSENT_MARKETING: (
        "Consent to marketing communications",
        "consent_marketing-v1.md",
    ),
    DocumentKind.CONSENT_ADVERTISING: ("Consent to advertising", "consent_advertising-v1.md"),
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
        for kind, (title, filename) in FIRST_VERSIONS.items():
            if DocumentVersion.objects.of_kind(kind).published().exists():
                continue
            body = (FIXTURES / filename).read_text(encoding="utf-8")
            draft = document_draft_create(
                kind=kind, title=title, body=body, change_summary="First published version."
            )
            version = document_publish(version=draft, channel="load_demo")
            self.stdout.write(f"Published {version} (sha256 {version.sha256[:12]}…)")
        if no_user:
            return
        User = get_user_model()
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            User.objects.create_superuser(DEMO_EMAIL, DEMO_PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(f"Admin login: {DEMO_EMAIL} / {DEMO_PASSWORD}  (demo data only)")
        )
