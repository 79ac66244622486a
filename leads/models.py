"""A lead is one submission of the public form by a person, with its visit metadata."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.consent.models import ConsentReceipt
from privacy.people.identity import phone_display
from privacy.people.models import Person


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: lead_person_newest leads with it.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    account_name = models.CharField(_("account name"), max_length=150)
    phone = models.CharField(_("phone (E.164)"), max_length=16)
    email = models.EmailField(_("e-mail"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    notes = models.TextField(_("notes"), blank=True)
    # Indexed by lead_newest_first, which leads with it.
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # The one-time token of the rendered form: a resubmission of the same page finds this row
    # instead of creating a second lead (unique through Meta.constraints, which adds no
    # pattern-ops twin index).
    submission_token = models.CharField(max_length=64, editable=False)
    receipt = models.OneToOneField(
        ConsentReceipt,
        verbose_name=_("consent receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead",
    )

    # Visit metadata (policy clause 3.3). Values are cut to these lengths, never rejected.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    accessed_at = models.DateTimeField(_("page opened at"), null=True, blank=True)
    page_url = models.TextField(_("page URL"), blank=True)
    referrer = models.TextField(_("referrer"), blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True, db_index=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)
    ga_client_id = models.CharField("_ga", max_length=100, blank=True)
    ym_uid = models.CharField("_ym_uid", max_length=100, blank=True)
    roistat_visit = models.CharField("roistat_visit", max_length=100, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        # For the staff changelist over millions of rows: each filter and search an index.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lead_newest_first"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_newest"),
            models.Index(fields=["person", "-created_at"], name="lead_person_newest"),
            models.Index(fields=["phone"], name="lead_phone"),
            # Serves equality and prefix search ("anna@", "anna") whatever the collation.
            models.Index(
                fields=["email"], name="lead_email_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_token"], name="lead_submission_token_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_name} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse("leads:thanks", kwargs={"public_id": self.public_id})

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone)


class Campaign(models.Model):
    """A marketing or advertising mailing; messages go out through privacy's outbox and gate."""

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing (product updates, offers, newsletters)")
        ADVERTISING = "advertising", _("Advertising")
        # A legal notice of a material change of the policy or of a consent text to everyone
        # with an active consent it affects, with a link to keep it under the new version.
        RECONSENT = "reconsent", _("Re-consent after a material policy change")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(
        _("body"),
        help_text=_("Plain text; the HTML version, footer and unsubscribe link are added."),
    )
    policy_version = models.ForeignKey(
        "privacy.DocumentVersion",
        verbose_name=_("changed version (re-consent only)"),
        null=True,
        blank=True,
        limit_choices_to={"status": "published", "material": True},
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The purposes whose consent people are asked to keep; empty: every purpose the changed
    # document affects (privacy.documents.reconsent.RECONSENT_PURPOSES).
    reconsent_purposes = models.JSONField(
        _("purposes to keep (re-consent only)"), default=list, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Keyset cursor: the last person id fanned out, so a resumed campaign continues where it
    # stopped and never loads its audience into memory.
    cursor = models.BigIntegerField(default=0, editable=False)
    # When the fan-out last made progress; a sending campaign silent for long is restarted.
    stepped_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        permissions = [("send_campaign", _("Can start, pause and resume campaigns"))]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.purpose == self.Purpose.RECONSENT) != (self.policy_version_id is not None):
            raise ValidationError(
                {
                    "policy_version": _(
                        "A re-consent campaign, and only one, names the policy version."
                    )
                }
            )

    @property
    def dedupe_key(self) -> str:
        return f"campaign:{self.pk}"
