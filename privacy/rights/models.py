"""Rights requests and what answering them leaves behind: corrections and destructions."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.models import Person, Purpose


class RightsRequestQuerySet(models.QuerySet["RightsRequest"]):
    def open(self) -> RightsRequestQuerySet:
        """Confirmed by the person and not yet answered or rejected: the clock runs."""
        return self.filter(status__in=OPEN_STATUSES)

    def due_by(self, day: date) -> RightsRequestQuerySet:
        return self.open().filter(due_on__lte=day)


class RightsRequest(models.Model):
    """A person's request about their data (clauses 6.1.2, 8.1, 9.3), with its legal clock."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("A copy of my data")
        CORRECTION = "correction", _("Correct or complete my data")
        WITHDRAWAL = "withdrawal", _("Withdraw a consent")
        BLOCKING = "blocking", _("Block my data")
        ERASURE = "erasure", _("Erase my data")
        CLAIM = "claim", _("A claim (a written proposal to settle a dispute)")
        QUESTION = "question", _("A question or a suggestion")

    class Status(models.TextChoices):
        NEW = "new", _("New (address not confirmed)")
        VERIFIED = "verified", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # As typed and normalised; blanked on erasure (the digest stays, to show it was handled).
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    email_digest = models.CharField(max_length=64, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rights_requests",
    )
    purpose = models.CharField(
        _("consent withdrawn"), max_length=16, choices=Purpose.choices, blank=True
    )
    details = models.TextField(_("the person's words"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    verified_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("due"), null=True, blank=True, editable=False)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True, editable=False)
    extension_reason = models.TextField(
        _("reason for the extension"),
        blank=True,
        help_text=_("Sent to the person when the deadline is extended."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, editable=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The one-time link: its nonce, spent on first use; the link's signature carries expiry.
    verify_nonce = models.CharField(max_length=64, blank=True, editable=False)
    # A new e-mail asked for in a correction, waiting for its own confirmation.
    new_email = models.CharField(_("new e-mail to confirm"), max_length=254, blank=True)
    new_email_nonce = models.CharField(max_length=64, blank=True, editable=False)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["due_on", "-received_at"]
        permissions = [
            ("answer_rightsrequest", _("Can answer, reject and extend rights requests")),
            ("erase_person", _("Can erase a person's data")),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="rights_request_open_due"),
            models.Index(fields=["email_digest"], name="rights_request_email"),
        ]

    def __str__(self) -> str:
        # No address here: admin history and logs keep object names after an erasure.
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today: date | None = None) -> int | None:
        if self.due_on is None or not self.is_open:
            return None
        return (self.due_on - (today or timezone.localdate())).days


# Confirmed by the person and not yet answered or rejected: the legal clock runs.
OPEN_STATUSES = frozenset({RightsRequest.Status.VERIFIED, RightsRequest.Status.IN_PROGRESS})


class DataCorrection(models.Model):
    """One field of a person's data changed at their request: before and after (6.1.2)."""

    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="corrections"
    )
    field = models.CharField(_("field"), max_length=32)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    created_at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("data correction")
        verbose_name_plural = _("data corrections")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field} ({self.created_at:%Y-%m-%d})"


class Destruction(models.Model):
    """A destruction record: what of a person's data was destroyed, when, by whom, why."""

    class Ground(models.TextChoices):
        REQUEST = "request", _("The person's request for erasure")
        WITHDRAWAL = "withdrawal", _("Withdrawal of the consent to processing")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="destructions"
    )
    request = models.ForeignKey(
        RightsRequest,
        verbose_name=_("rights request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="destructions",
    )
    ground = models.CharField(_("ground"), max_length=16, choices=Ground.choices)
    # Counts per kind of row, e.g. {"leads": 2, "consent_records": 6}: never the data itself.
    destroyed = models.JSONField(_("what was destroyed"), default=dict)
    created_at = models.DateTimeField(_("destroyed at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destroyed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} person {self.person_id} ({self.created_at:%Y-%m-%d})"
