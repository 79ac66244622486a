"""The consent log: wordings shown, the chained records, the head, and receipts."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.consent.chain import (
    HASHED_COLUMNS,
    PERSONAL_FIELDS,
    hashed_payload_of,
    personal_digest_of,
    personal_payload_of,
)
from privacy.documents.models import DocumentVersion
from privacy.people.integrity import ImmutableRecordError
from privacy.people.models import Decision, Person, Purpose

CONSENT_LOG_IS_APPEND_ONLY = "Consent records are append-only."


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    API = "api", _("API")
    # The embeddable widget or iframe on another site: the browser API, no key.
    WIDGET = "widget", _("Widget on another site")
    EMAIL_LINK = "email_link", _("E-mail link")
    REQUEST = "request", _("Rights request")
    COOKIE_BANNER = "cookie_banner", _("Cookie banner")
    GPC = "gpc", _("Global Privacy Control")


class ConsentWording(models.Model):
    """An exact consent wording shown to people, stored once and referenced by its hash."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")

    def __str__(self) -> str:
        return f"{self.text[:60]} ({self.sha256[:12]})"


class ConsentRecordQuerySet(models.QuerySet["ConsentRecord"]):
    def deciding(self) -> ConsentRecordQuerySet:
        """Records that change the state of a purpose (not the 'not given' ones)."""
        return self.exclude(decision=Decision.NOT_GIVEN)

    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)


class ConsentRecord(models.Model):
    """One entry of the append-only, hash-chained consent log."""

    seq = models.BigIntegerField(_("position in the log"), unique=True, editable=False)
    # No index of its own: the (person, purpose, -seq) index leads with it.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consent_records",
        db_index=False,
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    method = models.CharField(_("method"), max_length=16, choices=ConsentMethod.choices)
    policy_version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("privacy policy version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    policy_sha256 = models.CharField(_("SHA-256 of the policy text"), max_length=64)
    consent_version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("consent text version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_sha256 = models.CharField(_("SHA-256 of the consent text"), max_length=64, blank=True)
    wording = models.ForeignKey(
        ConsentWording,
        verbose_name=_("wording shown"),
        on_delete=models.PROTECT,
        db_index=False,  # a plain index in Meta: no pattern-ops twin for a hash
    )
    # What caused the record in a client app, e.g. "lead:42" (privacy never imports leads).
    source = models.CharField(_("source"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), editable=False)
    # The language of the page: the wording, and the texts whose hashes this record names, were
    # shown in it (a version without a text in it is shown, and hashed, in the first legal
    # language it has). Empty only on records written before languages were recorded.
    language = models.CharField(
        _("language shown"), max_length=8, blank=True, default="", db_default="", editable=False
    )

    subject_email = models.CharField(_("e-mail at the time"), max_length=254, blank=True)
    subject_phone = models.CharField(_("phone at the time"), max_length=16, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    page_url = models.TextField(_("page URL"), blank=True)
    referrer = models.TextField(_("referrer"), blank=True)
    personal_salt = models.CharField(max_length=32, blank=True, editable=False)
    personal_digest = models.CharField(max_length=64, editable=False)

    prev_hash = models.CharField(_("previous record's hash"), max_length=64, editable=False)
    # Unique through Meta.constraints: a unique field would get a pattern-ops twin index too.
    record_hash = models.CharField(_("record hash"), max_length=64, editable=False)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["person", "purpose", "-seq"]),
            models.Index(fields=["wording"], name="consent_record_wording"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["record_hash"], name="consent_record_hash_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.purpose} {self.decision}"

    def personal_payload(self) -> dict[str, str]:
        return personal_payload_of({name: getattr(self, name) for name in PERSONAL_FIELDS})

    def compute_personal_digest(self) -> str:
        return personal_digest_of(self.personal_salt, self.personal_payload())

    def hashed_payload(self) -> dict[str, Any]:
        """The canonical content the record hash covers (personal data only via its digest)."""
        return hashed_payload_of({c: getattr(self, c) for c in HASHED_COLUMNS.values()})

    @property
    def is_pseudonymised(self) -> bool:
        return not self.personal_salt

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(CONSENT_LOG_IS_APPEND_ONLY)


class ConsentLogHead(models.Model):
    """The single row holding the chain's tip; appends lock it, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("consent log head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


def receipt_token() -> str:
    """Return an unguessable token: the only key to a receipt's download URL."""
    return secrets.token_urlsafe(32)


class ConsentReceipt(models.Model):
    """A receipt handed to a person for the consent records of one act of consent."""

    receipt_id = models.UUIDField(_("receipt ID"), default=uuid.uuid4, unique=True, editable=False)
    # Unique through Meta.constraints (no pattern-ops twin index: looked up by equality only).
    token = models.CharField(max_length=64, default=receipt_token, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="consent_receipts",
    )
    records = models.ManyToManyField(
        ConsentRecord, verbose_name=_("consent records"), related_name="receipts"
    )
    # The receipt as issued (no personal data in it), so later changes to settings or URLs
    # never alter what the person was given; the signature is computed over it on download.
    content = models.JSONField(_("content"), editable=False)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("consent receipt")
        verbose_name_plural = _("consent receipts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="consent_receipt_token_unique")
        ]

    def __str__(self) -> str:
        return str(self.receipt_id)

    def get_absolute_url(self) -> str:
        """The receipt as a person reads it (the token is the only key to it)."""
        return reverse("privacy:receipt_page", kwargs={"token": self.token})

    def get_json_url(self) -> str:
        """The signed JSON copy, for machines and for keeping."""
        return reverse("privacy:receipt", kwargs={"token": self.token})
