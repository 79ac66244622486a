"""Registers of incidents (clause 5.3) and disclosures to state authorities (clause 5.2).

Registers the regulator may ask for, so nobody rewrites them: no entry is ever deleted, a
disclosure never changes once recorded, and an incident's account is frozen once it left the
house (the authority was notified or the notice to people started); a mistake is put right by
a new entry pointing to the one it corrects. The model and queryset refuse, and database
triggers (migration 0014) refuse the same SQL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.integrity import ImmutableRecordError
from privacy.people.models import Person

REGISTER_KEEPS_EVERY_ENTRY = "Register entries are never deleted; record a correction instead."
DISCLOSURE_IS_FINAL = "A disclosure is kept as recorded; record a correction instead."


class DataCategory(models.TextChoices):
    ACCOUNT_NAME = "account_name", _("Account name")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("Visit metadata (IP address, browser, pages, referrer)")
    ANALYTICS_IDS = "analytics_ids", _("Analytics identifiers (cookies)")
    CONSENTS = "consents", _("Consent records")
    MESSAGES = "messages", _("Messages sent")


class IncidentQuerySet(models.QuerySet["Incident"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(REGISTER_KEEPS_EVERY_ENTRY)


class Incident(models.Model):
    """A breach of personal data (clause 5.3): the authority clocks and the notice to people."""

    # What happened, as recorded: frozen once the authority was notified or the notice started.
    FACTS = ("title", "description", "occurred_at", "detected_at", "data_categories")
    # What the first notice to Roskomnadzor says: frozen with the facts.
    FIRST_NOTICE = (
        "information_system",
        "presumed_causes",
        "presumed_harm",
        "measures_taken",
        "rkn_contact",
    )
    # What the investigation's results say: frozen once they were reported.
    INVESTIGATION = ("investigation_results", "responsible_persons")
    # The notice to the people affected: frozen once it started.
    NOTICE = (
        "audience",
        "affected_from",
        "affected_to",
        "notice_subject",
        "notice_body",
        "notice_translations",
    )
    # Set once each, then fixed.
    CLOCKS = ("authority_notified_at", "investigation_reported_at")

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone")
        CREATED_BETWEEN = "created_between", _("People first recorded between two dates")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    investigation_reported_at = models.DateTimeField(
        _("investigation results reported at"), null=True, blank=True
    )
    # What the notices to Roskomnadzor say (152-FZ Art. 21 part 3.1; drafted by the register).
    information_system = models.CharField(_("information system"), max_length=300, blank=True)
    presumed_causes = models.TextField(_("presumed causes"), blank=True)
    presumed_harm = models.TextField(_("presumed harm to people's rights"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    rkn_contact = models.TextField(
        _("contact for Roskomnadzor about it"),
        blank=True,
        help_text=_("Name, position, phone, e-mail; the responsible person when empty."),
    )
    rkn_incident_reference = models.CharField(
        _("Roskomnadzor's reference"), max_length=100, blank=True
    )
    investigation_results = models.TextField(_("results of the investigation"), blank=True)
    responsible_persons = models.TextField(
        _("persons whose actions caused it"), blank=True, help_text=_("If any were found.")
    )
    audience = models.CharField(
        _("people affected"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    affected_from = models.DateField(_("from"), null=True, blank=True)
    affected_to = models.DateField(_("to"), null=True, blank=True)
    notice_subject = models.CharField(_("notice subject"), max_length=200, blank=True)
    notice_body = models.TextField(_("notice text"), blank=True)
    # The notice in the site's other languages: {"ru": {"subject": ..., "body": ...}}. People
    # read it in the language they used; a language without a text gets the default one.
    notice_translations = models.JSONField(_("notice in other languages"), default=dict, blank=True)
    # Keyset cursor of the fan-out, like a campaign's, so a rerun continues where it stopped.
    notice_cursor = models.BigIntegerField(default=0, editable=False)
    notice_started_at = models.DateTimeField(
        _("notice started at"), null=True, blank=True, editable=False
    )
    notice_finished_at = models.DateTimeField(
        _("notice queued in full at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("what this entry corrects, and why"), blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-detected_at"]
        permissions = [("notify_incident", _("Can notify people of an incident"))]

    def __str__(self) -> str:
        return self.title

    @property
    def dedupe_key(self) -> str:
        return f"incident:{self.pk}"

    @property
    def facts_frozen(self) -> bool:
        """Once the authority was told or the notice started, the account stands as written."""
        return self.authority_notified_at is not None or self.notice_started_at is not None

    @property
    def notice_frozen(self) -> bool:
        return self.notice_started_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(REGISTER_KEEPS_EVERY_ENTRY)


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(DISCLOSURE_IS_FINAL)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(REGISTER_KEEPS_EVERY_ENTRY)


class Disclosure(models.Model):
    """A transfer of personal data to a state authority (clause 5.2)."""

    authority = models.CharField(_("authority"), max_length=300)
    legal_basis = models.TextField(_("legal basis"))
    reference = models.CharField(_("their request reference"), max_length=200, blank=True)
    people = models.ManyToManyField(Person, verbose_name=_("people"), related_name="disclosures")
    data_categories = models.JSONField(_("data categories released"), default=list)
    released_at = models.DateTimeField(_("released at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("what this entry corrects, and why"), blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"{self.authority} ({self.released_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: the database trigger refuses the same change.
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecordError(DISCLOSURE_IS_FINAL)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(REGISTER_KEEPS_EVERY_ENTRY)
