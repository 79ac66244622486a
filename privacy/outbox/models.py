"""The outbox: every message to one recipient, and the addresses no message may go to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.models import Person
from privacy.people.sealing import unseal

# The context key of an address sealed for one send (an erased person's answer): the row
# keeps no readable address; the worker unseals it to send, then the key is dropped.
SEALED_TO = "sealed_to"


class Suppression(models.Model):
    """An address no message may go to: it bounced, complained, or unsubscribed at the ESP."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed at the e-mail provider")
        REJECTED = "rejected", _("Rejected by the e-mail provider")

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    esp_event_id = models.CharField(_("provider event"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("suppressed at"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class MessageKind(models.TextChoices):
    ACKNOWLEDGMENT = "acknowledgment", _("Acknowledgment of a request")
    STAFF_ALERT = "staff_alert", _("Staff alert of a new lead")
    MARKETING = "marketing", _("Marketing")
    ADVERTISING = "advertising", _("Advertising")
    LEGAL_NOTICE = "legal_notice", _("Legal notice")
    DOUBLE_OPT_IN = "double_opt_in", _("Confirmation of consent (double opt-in)")
    # Confirmation links, acknowledgments and answers of rights requests: the person asked.
    RIGHTS = "rights", _("Rights request")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("No consent")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    UNCONFIRMED = "unconfirmed", _("Consent not confirmed")
    BLOCKED = "blocked", _("Person blocked")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SUPPRESSED = "suppressed", _("Address suppressed")
    ERASED = "erased", _("Person erased")
    NO_ADDRESS = "no_address", _("No address")
    ALREADY_CONFIRMED = "already_confirmed", _("Consent already confirmed")


class Message(models.Model):
    """One e-mail to one recipient, from the outbox to the ESP, with its fate recorded."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,  # the (person, -created_at) index leads with it
    )
    to_email = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="en")
    # Template context: ids and public values only; personal data is read at send time.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Groups messages of one campaign or event; with person it makes a resend impossible.
    dedupe_key = models.CharField(_("deduplication key"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    skip_reason = models.CharField(
        _("skipped because"), max_length=20, choices=SkipReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    esp_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(_("handed to the queue at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        permissions = [("retry_message", _("Can retry failed messages"))]
        indexes = [
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(fields=["person", "-created_at"]),
            models.Index(fields=["dedupe_key", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "person"],
                condition=~models.Q(dedupe_key=""),
                name="message_once_per_person_and_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_email} ({self.status})"

    def recipient(self) -> str:
        """The address to send to: the row's own, or the one sealed for this send."""
        if self.to_email:
            return self.to_email
        sealed = self.context.get(SEALED_TO) if isinstance(self.context, dict) else None
        return unseal(sealed) if isinstance(sealed, str) else ""
