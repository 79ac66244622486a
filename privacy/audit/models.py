"""The audit trail: one append-only entry per act of staff on personal data or legal texts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.people.integrity import ImmutableRecordError
from privacy.people.models import Person

AUDIT_TRAIL_IS_APPEND_ONLY = "Audit entries are append-only."


class AuditAction(models.TextChoices):
    PERSON_VIEWED = "person_viewed", _("Opened a person's page")
    LEAD_CHANGED = "lead_changed", _("Changed a lead")
    PERSON_BLOCKED = "person_blocked", _("Blocked a person")
    BLOCK_LIFTED = "block_lifted", _("Lifted a block")
    DATA_EXPORTED = "data_exported", _("Exported data")
    VERSION_PUBLISHED = "version_published", _("Published a legal document version")
    MESSAGE_RETRIED = "message_retried", _("Retried a failed message")
    LOGGED_IN = "logged_in", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed to log in")
    REQUEST_ANSWERED = "request_answered", _("Answered a rights request")
    PERSON_ERASED = "person_erased", _("Erased a person's data")
    DATA_CORRECTED = "data_corrected", _("Corrected a person's data")
    INCIDENT_NOTIFIED = "incident_notified", _("Notified people of an incident")
    DISCLOSURE_RECORDED = "disclosure_recorded", _("Recorded a disclosure to an authority")
    REGISTER_CHANGED = "register_changed", _("Changed the processing register")
    CONSENT_DRAFTED = "consent_drafted", _("Drafted a consent text from the register")
    NOTICE_DRAFTED = "notice_drafted", _("Drafted a notice to the regulator")
    INCIDENT_RECORDED = "incident_recorded", _("Recorded an incident")
    APPROVAL_REQUESTED = "approval_requested", _("Asked a second person's approval")
    APPROVAL_GIVEN = "approval_given", _("Approved another's irreversible act")
    APPROVAL_WITHDRAWN = "approval_withdrawn", _("Withdrew a request for approval")
    API_KEY_ISSUED = "api_key_issued", _("Issued an API key")
    API_KEY_ROTATED = "api_key_rotated", _("Rotated an API key")
    API_KEY_REVOKED = "api_key_revoked", _("Revoked an API key")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)


class AuditEntry(models.Model):
    """Who did what to personal data or legal texts, when and from where (clause 5.4)."""

    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As typed at the login form for failed attempts; the actor's e-mail otherwise, so the
    # entry still reads right if the account is renamed.
    actor_email = models.CharField(_("staff e-mail"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=24, choices=AuditAction.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest_first"),
            models.Index(fields=["person", "-created_at"], name="audit_person_newest"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_newest"),
            models.Index(fields=["action", "-created_at"], name="audit_action_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: the database trigger refuses the same change.
        if self.pk is not None:
            raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(AUDIT_TRAIL_IS_APPEND_ONLY)


class Approval(models.Model):
    """A second person's approval of an irreversible act: asked by one, given by another.

    Required only for the acts named in SECOND_APPROVAL_FOR; each step is on the audit trail.
    """

    class Act(models.TextChoices):
        ERASURE = "erasure", _("Erasure of a person's data")
        MATERIAL_CHANGE = "material_change", _("Publication of a material change")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second person")
        APPROVED = "approved", _("Approved and carried out")
        SUPERSEDED = "superseded", _("Superseded: what was asked for changed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    act = models.CharField(_("act"), max_length=16, choices=Act.choices)
    # The object the act is on, like an audit entry's; the digest pins down what exactly was
    # asked for (a draft's text, a request and its person), so an approval covers nothing else.
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    digest = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-requested_at"]
        constraints = [
            # One open request per act and object: two officers cannot each wait on the other.
            models.UniqueConstraint(
                fields=["act", "object_type", "object_id"],
                condition=models.Q(status="pending"),
                name="approval_one_pending_per_object",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_act_display()} {self.object_type}:{self.object_id} ({self.status})"
