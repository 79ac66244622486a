"""The audit trail: who saw, changed, blocked or exported what, when and from where (5.4)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from accounts.models import User
from privacy.audit.models import AuditAction, AuditEntry
from privacy.people.models import Person
from privacy.people.visits import client_ip


def audit_record(
    *,
    action: str,
    actor: User | AnonymousUser | None = None,
    actor_email: str = "",
    person: Person | None = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=actor_email or (getattr(actor, "email", "") or ""),
        person=person,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip=ip,
    )


def audit_request(
    request: HttpRequest,
    *,
    action: str,
    person: Person | None = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry for something the request's user did, from the request's address."""
    return audit_record(
        action=action,
        actor=request.user,
        person=person,
        obj=obj,
        detail=detail,
        ip=client_ip(request),
    )


# Login events reach us only through django.contrib.auth's signals: the login view and every
# backend (django-axes included) send them, so receivers are the one place that sees all.
def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.LOGGED_IN,
        actor=user,
        ip=client_ip(request) if request is not None else None,
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    typed = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor_email=typed,
        ip=client_ip(request) if request is not None else None,
    )
