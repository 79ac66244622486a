"""Publish Markdown files as a new version of a legal document, one file per language, for
deployment pipelines."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from privacy.documents.models import DocumentKind, DocumentVersion, legal_languages
from privacy.documents.services import (
    DraftText,
    PublishError,
    document_draft_create,
    document_publish,
)
from privacy.people.integrity import canonical_text, sha256_hex

BAD_DATE = "--effective-at {value!r} is not an ISO 8601 date and time, e.g. 2027-01-01T00:00+03:00."
PAST_DATE = (
    "--effective-at {value} is in the past; a version cannot take effect before it is published."
)
UNREADABLE_FILE = "Cannot read {path}: {error}"
EMPTY_FILE = "{path} is empty; there is nothing to publish."
LANGUAGE_UNKNOWN = (
    "Which language is {path} in? Name it LANG=PATH or PATH.LANG.md, LANG one of {languages}."
)
LANGUAGE_TWICE = "Two files for {language}; give one per language."
OPTION_LANGUAGE_UNKNOWN = (
    "{option} {value!r}: write LANG=TEXT with LANG one of the files' languages ({languages})."
)
# policy.ru.md, policy.en.markdown, policy.ru.txt: the language before the extension.
_LANGUAGE_IN_NAME = re.compile(r"\.([a-z]{2,3}(?:-[a-z]+)?)\.[A-Za-z]+$")


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


def file_language(argument: str) -> tuple[str, Path]:
    """The language and path of a FILE argument: LANG=PATH, or PATH named PATH.LANG.md."""
    languages = legal_languages()
    code, sep, rest = argument.partition("=")
    if sep and code in languages:
        return code, Path(rest)
    match = _LANGUAGE_IN_NAME.search(argument)
    if match and match.group(1) in languages:
        return match.group(1), Path(argument)
    if len(languages) == 1:
        return languages[0], Path(argument)
    raise CommandError(LANGUAGE_UNKNOWN.format(path=argument, languages=", ".join(languages)))


def per_language(option: str, values: list[str], languages: list[str]) -> dict[str, str]:
    """--title / --summary values: LANG=TEXT each, or one plain TEXT when there is one file."""
    result = {}
    for value in values:
        code, sep, text = value.partition("=")
        if sep and code in languages:
            result[code] = text
        elif len(languages) == 1 and len(values) == 1:
            result[languages[0]] = value
        else:
            raise CommandError(
                OPTION_LANGUAGE_UNKNOWN.format(
                    option=option, value=value, languages=", ".join(languages)
                )
            )
    return result


class Command(BaseCommand):
    help = (
        "Publish Markdown files, one per language, as the next version of a legal document. "
        "Every language in LEGAL_LANGUAGES needs a file. Publishing the texts of the latest "
        "version again changes nothing, so pipelines may run it on every deploy."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="The Markdown body in one language: LANG=PATH, or PATH.LANG.md (policy.ru.md).",
        )
        parser.add_argument(
            "--kind",
            choices=DocumentKind.values,
            default=DocumentKind.PRIVACY_POLICY,
            help="Which document (default: privacy_policy).",
        )
        parser.add_argument(
            "--title",
            action="append",
            default=[],
            help="LANG=TITLE, once per language (default: the latest version's title).",
        )
        parser.add_argument(
            "--summary",
            action="append",
            default=[],
            help="LANG=TEXT: the summary of changes, once per language (needed if --material).",
        )
        parser.add_argument(
            "--effective-at",
            help="When it takes effect, ISO 8601 (default: on publication). Must not be past.",
        )
        parser.add_argument(
            "--material",
            action="store_true",
            help="Mark it a material change (a summary in every language is then required).",
        )
        parser.add_argument(
            "--override-reason",
            default="",
            help="Publish although the checks find gaps (e.g. a consent text lacking an item of "
            "152-FZ Art. 9 part 4), for this reason; it is kept in the audit trail.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        effective_at = (
            parse_effective_at(options["effective_at"]) if options["effective_at"] else None
        )
        bodies: dict[str, str] = {}
        for argument in options["files"]:
            language, path = file_language(argument)
            if language in bodies:
                raise CommandError(LANGUAGE_TWICE.format(language=language))
            try:
                body = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(UNREADABLE_FILE.format(path=path, error=exc)) from exc
            if not body.strip():
                raise CommandError(EMPTY_FILE.format(path=path))
            bodies[language] = body
        languages = list(bodies)
        titles = per_language("--title", options["title"], languages)
        summaries = per_language("--summary", options["summary"], languages)
        latest = (
            DocumentVersion.objects.of_kind(kind)
            .published()
            .prefetch_related("texts")
            .order_by("-number")
            .first()
        )
        latest_texts = latest.texts_by_language() if latest is not None else {}
        for language in languages:
            if language in titles:
                continue
            if language in latest_texts:
                titles[language] = latest_texts[language].title
            else:
                with translation.override(language):  # a stored title, in its own language
                    titles[language] = str(DocumentKind(kind).label)
        hashes = {
            language: sha256_hex(canonical_text(f"{titles[language]}\n\n{bodies[language]}"))
            for language in languages
        }
        if latest is not None and hashes == {c: t.sha256 for c, t in latest_texts.items()}:
            self.stdout.write(f"{latest} already has these texts; nothing published.")
            return
        try:
            with transaction.atomic():  # no stray draft is left behind when publishing fails
                draft = document_draft_create(
                    kind=kind,
                    texts={
                        language: DraftText(
                            title=titles[language],
                            body=bodies[language],
                            change_summary=summaries.get(language, ""),
                        )
                        for language in languages
                    },
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
        published = ", ".join(f"{text.language} {text.sha256}" for text in version.texts.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {version} (sha256 {published}), in force from "
                f"{timezone.localtime(version.effective_at).isoformat()}"
                f"{' (material change)' if version.material else ''}."
            )
        )
