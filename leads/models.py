"""A lead is one submission of the public form by a person, with its visit metadata."""

from __future__ import annotations

import uuid

import phonenumbers
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import ConsentReceipt, Person


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="leads"
    )
    account_name = models.CharField(_("account name"), max_length=150)
    phone = models.CharField(_("phone (E.164)"), max_length=16)
    email = models.EmailField(_("e-mail"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    # The one-time token of the rendered form: a resubmission of the same page finds this row
    # instead of creating a second lead.
    submission_token = models.CharField(max_length=64, unique=True, editable=False)
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

    def __str__(self) -> str:
        return f"{self.account_name} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse("leads:thanks", kwargs={"public_id": self.public_id})

    @property
    def phone_display(self) -> str:
        try:
            number = phonenumbers.parse(self.phone)
        except phonenumbers.NumberParseException:
            return self.phone
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
