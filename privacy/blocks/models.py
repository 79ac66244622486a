"""A block: a person's data frozen for the period of verification (clause 6.2.4)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.models import Person

# A new block's review date unless the officer sets one: the usual verification period.
DEFAULT_VERIFICATION_DAYS = 30


class BlockRequester(models.TextChoices):
    PERSON = "person", _("The person")
    REPRESENTATIVE = "representative", _("Their legal representative")
    AUTHORITY = "authority", _("An authorised body for the protection of data subjects' rights")
    STAFF = "staff", _("Staff, on finding false data or illegal actions")


class BlockQuerySet(models.QuerySet["Block"]):
    def active(self) -> BlockQuerySet:
        return self.filter(lifted_at__isnull=True)


class Block(models.Model):
    """A person's data frozen for the period of verification (clause 6.2.4)."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("Data confirmed")
        CORRECTED = "corrected", _("Data corrected")
        DESTROYED = "destroyed", _("Data destroyed")
        UNCHANGED = "unchanged", _("Block lifted without change")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="blocks"
    )
    requested_by = models.CharField(
        _("requested by"), max_length=16, choices=BlockRequester.choices
    )
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    review_by = models.DateField(_("review by"))
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at"]
        permissions = [
            ("block_person", _("Can block a person's data")),
            ("lift_block", _("Can lift a block")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_block_per_person",
            )
        ]
        indexes = [
            models.Index(
                fields=["review_by"],
                condition=models.Q(lifted_at__isnull=True),
                name="active_block_review_by",
            )
        ]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    def __str__(self) -> str:
        return f"{self.person} ({self.get_requested_by_display()})"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_active and self.review_by < (today or timezone.localdate())
