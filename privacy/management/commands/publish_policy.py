"""Publish a Markdown file as a new version of a legal document, for deployment pipelines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.documents.services import PublishError, document_draft_create, document_publish
from privacy.people.integrity import canonical_text, sha256_hex

BAD_DATE = "--effective-at {value!r} is not an ISO 8601 date and time, e.g. 2027-01-01T00:00+03:00."
PAST_DATE = (
    "--effective-at {value} is in the past; a version cannot take effect before it is published."
)
UNREADABLE_FILE = "Cannot read {path}: {error}"
EMPTY_FILE = "{path} is empty; there is nothing to publish."


def parse_effective_at(value: str) -> datetime:
    """Parse an ISO 8601 moment; one without an offset is in the site's time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(BAD_DATE.format(value=value)) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment < timezone.now():
        raise CommandError(PAST_DATE.format(value=moment.isoformat()))
    return moment


class Command(BaseCommand):
    help = (
        "Publish a Markdown file as the next version of a legal document. Publishing the text "
        "of the latest version again changes nothing, so pipelines may run it on every deploy."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="The Markdown body of the new version.")
        parser.add_argument(
            "--kind",
            choices=DocumentKind.values,
            default=DocumentKind.PRIVACY_POLICY,
            help="Which document (default: privacy_policy).",
        )
        parser.add_argument("--title", help="Title (default: the latest version's title).")
        parser.add_argument("--summary", default="", help="Summary of the changes.")
        parser.add_argument(
            "--effective-at",
            help="When it takes effect, ISO 8601 (default: on publication). Must not be past.",
        )
        parser.add_argument(
            "--material", action="store_true", help="Mark it a material change (re-consent)."
        )
        parser.add_argument(
            "--override-reason",
            default="",
            help="Publish although the checks find gaps (e.g. a consent text lacking an item of "
            "152-FZ Art. 9 part 4), for this reason; it is kept in the audit trail.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind: str = options["kind"]
        effective_at = (
            parse_effective_at(options["effective_at"]) if options["effective_at"] else None
        )
        try:
            body = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(UNREADABLE_FILE.format(path=path, error=exc)) from exc
        if not body.strip():
            raise CommandError(EMPTY_FILE.format(path=path))
        latest = DocumentVersion.objects.of_kind(kind).published().order_by("-number").first()
        if options["title"]:
            title = options["title"]
        elif latest is not None:
            title = latest.title
        else:
            with translation.override(settings.LANGUAGE_CODE):  # a stored title, not UI text
                title = str(DocumentKind(kind).label)
        if latest is not None and latest.sha256 == sha256_hex(canonical_text(f"{title}\n\n{body}")):
            self.stdout.write(f"{latest} already has this text; nothing published.")
            return
        try:
            with transaction.atomic():  # no stray draft is left behind when publishing fails
                draft = document_draft_create(
                    kind=kind,
                    title=title,
                    body=body,
                    change_summary=options["summary"],
                    material=options["material"],
                )
                version = document_publish(
                    version=draft,
                    effective_at=effective_at,
                    channel="publish_policy",
                    override_reason=options["override_reason"],
                )
        except PublishError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {version} (sha256 {version.sha256}), in force from "
                f"{timezone.localtime(version.effective_at).isoformat()}"
                f"{' (material change)' if version.material else ''}."
            )
        )
