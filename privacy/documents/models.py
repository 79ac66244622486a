"""Legal documents: versions of the policy and the consent texts, each version with its text in
every configured language, frozen once published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from privacy.people.integrity import ImmutableRecordError, canonical_text, sha256_hex
from privacy.people.models import Purpose

PUBLISHED_VERSION_IS_IMMUTABLE = "A published version never changes; copy it into a new draft."


class DocumentKind(models.TextChoices):
    PRIVACY_POLICY = "privacy_policy", _("Privacy Policy")
    CONSENT_PROCESSING = "consent_processing", _("Consent to the processing of personal data")
    CONSENT_MARKETING = "consent_marketing", _("Consent to marketing communications")
    CONSENT_ADVERTISING = "consent_advertising", _("Consent to advertising")


_IN_FORCE_COLUMNS = (
    "id, kind, number, status, effective_at, published_at, published_by_id, material, "
    "created_at, updated_at"
)


def legal_languages() -> list[str]:
    """The languages every version must have a text in before it is published (in order)."""
    return list(settings.LEGAL_LANGUAGES)


def language_name(code: str) -> str:
    """The language's own name, as a person who reads it would look for it ("Русский")."""
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(code)["name_local"]).capitalize()
    except KeyError:
        return code


class DocumentVersionQuerySet(models.QuerySet["DocumentVersion"]):
    def published(self) -> DocumentVersionQuerySet:
        return self.filter(status=DocumentVersion.Status.PUBLISHED)

    def of_kind(self, kind: str) -> DocumentVersionQuerySet:
        return self.filter(kind=kind)

    def effective(self, at: datetime | None = None) -> DocumentVersionQuerySet:
        """Published versions that have taken effect by `at` (now by default), newest first."""
        return (
            self.published()
            .filter(effective_at__lte=at or timezone.now())
            .order_by("-effective_at", "-number")
        )

    def in_force(self, kind: str, at: datetime | None = None) -> DocumentVersion | None:
        """Return the one version of `kind` in force at `at`: the latest effective one."""
        return self.of_kind(kind).effective(at).first()

    def all_in_force(self, at: datetime | None = None) -> dict[str, DocumentVersion]:
        """Return the version in force of every kind that has one, in a single query.

        Each comes with the title and hash of its text in every language (the bodies stay in
        the database): the lead form needs ids, titles and hashes, on every submission.
        """
        # Hand-written because the lead form asks on every submission, and building this
        # query through the ORM cost four times the round trip. A window function rather than
        # DISTINCT ON, so SQLite (`make run`) answers it too.
        ops = connections[self.db].ops
        table = ops.quote_name(self.model._meta.db_table)
        text_table = ops.quote_name(DocumentText._meta.db_table)
        moment = ops.adapt_datetimefield_value(at or timezone.now())
        outer = ", ".join(f"v.{column.strip()}" for column in _IN_FORCE_COLUMNS.split(","))
        sql = f"""
            SELECT {outer}, t.id AS text_id, t.language AS text_language,
                   t.title AS text_title, t.sha256 AS text_sha256
            FROM (
                SELECT {_IN_FORCE_COLUMNS}, ROW_NUMBER() OVER (
                    PARTITION BY kind ORDER BY effective_at DESC, number DESC
                ) AS latest
                FROM {table} WHERE status = %s AND effective_at <= %s
            ) AS v JOIN {text_table} AS t ON t.version_id = v.id
            WHERE v.latest = 1
        """  # noqa: S608 (no value is formatted in: the table names and columns are ours)
        rows = self.model.objects.db_manager(self.db).raw(
            sql, [DocumentVersion.Status.PUBLISHED, moment]
        )
        versions: dict[str, DocumentVersion] = {}
        texts: dict[str, dict[str, DocumentText]] = {}
        for row in rows:
            version = versions.setdefault(row.kind, row)
            # Only the title and hash are read: the body is deferred, loaded if asked for.
            columns = ("text_id", "text_language", "text_title", "text_sha256")
            text = DocumentText.from_db(
                self.db,
                ["id", "language", "title", "sha256"],
                [getattr(row, column) for column in columns],
            )
            text.version = version
            texts.setdefault(row.kind, {})[text.language] = text
        for kind, version in versions.items():
            version._texts = texts[kind]
        return versions

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=DocumentVersion.Status.PUBLISHED).exists():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=DocumentVersion.Status.PUBLISHED).exists():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().update(**kwargs)


class DocumentTextQuerySet(models.QuerySet["DocumentText"]):
    def _of_published(self) -> bool:
        return self.filter(version__status=DocumentVersion.Status.PUBLISHED).exists()

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._of_published():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if self._of_published():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().update(**kwargs)


class DocumentVersion(models.Model):
    """One version of a legal document; published versions are frozen (clauses 9.1, 9.2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)
    # Assigned on publication, so published numbers run 1, 2, 3 with no gaps from drafts.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    effective_at = models.DateTimeField(
        _("takes effect at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to take effect the moment it is published (clause 9.2)."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    material = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_(
            "A material change needs a summary of changes in every language, and publishing it "
            "offers to ask people to consent again."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DocumentVersionQuerySet.as_manager()
    # The texts by language, once read (texts_by_language; all_in_force fills it in its query).
    _texts: dict[str, DocumentText] | None = None

    class Meta:
        verbose_name = _("legal document version")
        verbose_name_plural = _("legal document versions")
        ordering = ["kind", "-number", "-created_at"]
        permissions = [("publish_documentversion", _("Can publish legal document versions"))]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="document_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(
                    number__isnull=False,
                    effective_at__isnull=False,
                    published_at__isnull=False,
                ),
                name="published_version_complete",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status", "effective_at"])]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.get_kind_display()} ({_('draft')})"
        return f"{self.get_kind_display()} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def texts_by_language(self) -> dict[str, DocumentText]:
        """The version's texts by language code (read once per instance)."""
        texts = self._texts
        if texts is None:
            texts = {} if self.pk is None else {t.language: t for t in self.texts.all()}
            self._texts = texts
        return texts

    def text(self, language: str | None = None) -> DocumentText | None:
        """The text in `language` (the active one by default), else in the first legal language
        the version has: a version published before a language was added has no text in it."""
        texts = self.texts_by_language()
        language = language or get_language() or settings.LANGUAGE_CODE
        if language in texts:
            return texts[language]
        for fallback in [*legal_languages(), *sorted(texts)]:
            if fallback in texts:
                return texts[fallback]
        return None

    def text_by_hash(self, sha256: str, language: str = "") -> DocumentText | None:
        """The text whose hash a consent record names: exactly the one the person was shown
        (two languages may hold the same text; then the one in `language`)."""
        matches = [t for t in self.texts_by_language().values() if t.sha256 == sha256]
        return next((t for t in matches if t.language == language), None) or next(
            iter(matches), None
        )

    def languages(self) -> list[str]:
        """The languages this version has a text in, in the order of LEGAL_LANGUAGES."""
        texts = self.texts_by_language()
        order = legal_languages()
        return sorted(texts, key=lambda code: (order.index(code) if code in order else 99, code))

    @property
    def title(self) -> str:
        """The title in the active language (for lists and the admin)."""
        text = self.text()
        return text.title if text is not None else ""

    def is_in_force(self, at: datetime | None = None) -> bool:
        current = DocumentVersion.objects.in_force(self.kind, at)
        return current is not None and current.pk == self.pk

    def get_absolute_url(self, language: str = "") -> str:
        """The version's permanent page; with `language`, pinned to its text in that language."""
        if self.kind == DocumentKind.PRIVACY_POLICY:
            url = reverse("privacy:version", kwargs={"number": self.number})
        else:
            url = reverse(
                "privacy:consent_version", kwargs={"kind": self.kind, "number": self.number}
            )
        return f"{url}?lang={language}" if language else url

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return DocumentVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: the database trigger refuses the same change.
        if self._stored_status() == self.Status.PUBLISHED:
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() == self.Status.PUBLISHED:
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete(*args, **kwargs)


class DocumentText(models.Model):
    """A version's text in one language: title, Markdown body, and the summary of changes.

    Its hash, taken on publication, is what a consent record names: the exact text a person
    was shown. A published version's texts are frozen with it (model, queryset, trigger).
    """

    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="texts"
    )
    # No choices in the schema: LEGAL_LANGUAGES is configuration, checked by forms and services.
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    change_summary = models.TextField(
        _("summary of changes"),
        blank=True,
        help_text=_("Required for a material change: people read it before consenting again."),
    )
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, editable=False)

    objects = DocumentTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("text")
        verbose_name_plural = _("texts in each language")
        ordering = ["version", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="document_text_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} [{self.language}]"

    def canonical_text(self) -> str:
        return canonical_text(f"{self.title}\n\n{self.body}")

    def compute_sha256(self) -> str:
        return sha256_hex(self.canonical_text())

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    def _version_published(self) -> bool:
        return DocumentVersion.objects.filter(
            pk=self.version_id, status=DocumentVersion.Status.PUBLISHED
        ).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: the database trigger refuses the same change.
        if self._version_published():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._version_published():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete(*args, **kwargs)


# The consent text that governs each purpose offered on the lead form.
PURPOSE_DOCUMENT: dict[str, str] = {
    Purpose.PROCESSING: DocumentKind.CONSENT_PROCESSING,
    Purpose.MARKETING: DocumentKind.CONSENT_MARKETING,
    Purpose.ADVERTISING: DocumentKind.CONSENT_ADVERTISING,
}
