"""Check the signature of a downloaded consent receipt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from privacy.consent.receipts import ReceiptError, receipt_signature_verify

NOT_A_RECEIPT = "{path} is not a JSON consent receipt: {error}"


class Command(BaseCommand):
    help = "Verify the HMAC-SHA256 signature of a consent receipt (exit 0 when valid)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="The receipt .json file.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(NOT_A_RECEIPT.format(path=file, error=exc)) from exc
        if not isinstance(document, dict):
            raise CommandError(NOT_A_RECEIPT.format(path=file, error="not a JSON object"))
        try:
            receipt_signature_verify(document=document)
        except ReceiptError as exc:
            raise CommandError(f"INVALID: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: receipt {document.get('consentReceiptID')} is signed by this site."
            )
        )
