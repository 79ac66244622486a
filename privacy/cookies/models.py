"""A browser's cookie choices tied to the person who later sent the lead form from it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.models import Person


class VisitorLink(models.Model):
    """An anonymous browser linked to the person who later sent the lead form from it.

    The browser's cookie choices are consent records with source "visitor:<id>" and no person;
    the log is append-only, so they are tied to the person here rather than by updating them.
    """

    visitor_id = models.UUIDField(_("anonymous visitor"), db_index=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="visitor_links"
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("visitor link")
        verbose_name_plural = _("visitor links")
        constraints = [
            models.UniqueConstraint(fields=["visitor_id", "person"], name="visitor_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visitor_id} → {self.person_id}"



def visitor_source(visitor_id: uuid.UUID) -> str:
    """The `source` of the consent records an anonymous visitor's cookie choices append."""
    return f"visitor:{visitor_id}"
