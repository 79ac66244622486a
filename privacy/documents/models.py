"""Legal documents: versions of the policy and the consent texts, frozen once published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.integrity import ImmutableRecordError, canonical_text, sha256_hex
from privacy.people.models import Purpose

PUBLISHED_VERSION_IS_IMMUTABLE = "A published version never changes; copy it into a new draft."


class DocumentKind(models.TextChoices):
    PRIVACY_POLICY = "privacy_policy", _("Privacy Policy")
    CONSENT_PROCESSING = "consent_processing", _("Consent to the processing of personal data")
    CONSENT_MARKETING = "consent_marketing", _("Consent to marketing communications")
    CONSENT_ADVERTISING = "consent_advertising", _("Consent to advertising")


# Every column but the texts (body, change_summary), which stay deferred.
_IN_FORCE_COLUMNS = (
    "id, kind, number, title, status, effective_at, published_at, published_by_id, material, "
    "sha256, created_at, updated_at"
)


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

        The texts are deferred: callers on the hot path (the lead form) need ids and hashes.
        """
        # Hand-written because the lead form asks on every submission, and building this
        # query through the ORM cost four times the round trip. A window function rather than
        # DISTINCT ON, so SQLite (`make run`) answers it too.
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        moment = connections[self.db].ops.adapt_datetimefield_value(at or timezone.now())
        sql = f"""
            SELECT {_IN_FORCE_COLUMNS} FROM (
                SELECT {_IN_FORCE_COLUMNS}, ROW_NUMBER() OVER (
                    PARTITION BY kind ORDER BY effective_at DESC, number DESC
                ) AS latest
                FROM {table} WHERE status = %s AND effective_at <= %s
            ) AS versions WHERE latest = 1
        """  # noqa: S608 (no value is formatted in: the table name and columns are ours)
        versions = self.model.objects.db_manager(self.db).raw(
            sql, [DocumentVersion.Status.PUBLISHED, moment]
        )
        return {version.kind: version for version in versions}

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=DocumentVersion.Status.PUBLISHED).exists():
            raise ImmutableRecordError(PUBLISHED_VERSION_IS_IMMUTABLE)
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=DocumentVersion.Status.PUBLISHED).exists():
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
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    change_summary = models.TextField(_("summary of changes"), blank=True)
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
        help_text=_("A material change may call for asking people to consent again."),
    )
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DocumentVersionQuerySet.as_manager()

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
                    sha256__regex=r"^[0-9a-f]{64}$",
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

    def canonical_text(self) -> str:
        return canonical_text(f"{self.title}\n\n{self.body}")

    def compute_sha256(self) -> str:
        return sha256_hex(self.canonical_text())

    def is_in_force(self, at: datetime | None = None) -> bool:
        current = DocumentVersion.objects.in_force(self.kind, at)
        return current is not None and current.pk == self.pk

    def get_absolute_url(self) -> str:
        if self.kind == DocumentKind.PRIVACY_POLICY:
            return reverse("privacy:version", kwargs={"number": self.number})
        return reverse("privacy:consent_version", kwargs={"kind": self.kind, "number": self.number})

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


# The consent text that governs each purpose offered on the lead form.
PURPOSE_DOCUMENT: dict[str, str] = {
    Purpose.PROCESSING: DocumentKind.CONSENT_PROCESSING,
    Purpose.MARKETING: DocumentKind.CONSENT_MARKETING,
    Purpose.ADVERTISING: DocumentKind.CONSENT_ADVERTISING,
}
