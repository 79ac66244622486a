"""A person (data subject) and the purposes and decisions their consent is recorded for."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    # An explicit refusal or withdrawal: changes the current state to "no".
    DENIED = "denied", _("Denied or withdrawn")
    # An optional box left unticked on a later submission: proves what was shown, changes
    # nothing. Marketing tools that turn this into a withdrawal silently reset consent.
    NOT_GIVEN = "not_given", _("Not given on this submission")


class Person(models.Model):
    """A data subject, identified by normalised e-mail or E.164 phone."""

    email = models.EmailField(_("e-mail"), max_length=254, null=True, blank=True, unique=True)
    phone = models.CharField(_("phone (E.164)"), max_length=16, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # The current decision per purpose (the latest granted or denied record), kept by
    # consent_records_append in the same locked step as the log, so staff lists can show and
    # filter a million people without reading the log. The log stays the proof.
    consent_processing = models.CharField(
        _("processing consent"), max_length=16, choices=Decision.choices, blank=True
    )
    consent_marketing = models.CharField(
        _("marketing consent"), max_length=16, choices=Decision.choices, blank=True
    )
    consent_advertising = models.CharField(
        _("advertising consent"), max_length=16, choices=Decision.choices, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-created_at"]
        permissions = [("export_person", _("Can export people and their leads"))]
        # No index of our own for prefix search on e-mail ("anna@"): the unique e-mail's
        # varchar_pattern_ops index, which Django adds on PostgreSQL, already serves it.

    def __str__(self) -> str:
        return self.email or self.phone or f"#{self.pk}"


class Purpose(models.TextChoices):
    PROCESSING = "processing", _("Processing of personal data")
    MARKETING = "marketing", _("Marketing communications")
    ADVERTISING = "advertising", _("Advertising")
    ANALYTICS = "analytics", _("Analytics")


# The purposes whose current decision a person's row keeps (consent_<purpose>): those the
# lead form offers. Analytics is a browser's choice, logged against the anonymous visitor.
PERSON_CONSENT_PURPOSES = (Purpose.PROCESSING, Purpose.MARKETING, Purpose.ADVERTISING)
