"""Staff retries of failed messages, with the permission checked and the act audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .audit import audit_record
from .messaging import message_retry
from .models import AuditAction, Message

RETRY_PERMISSION = "privacy.retry_message"
NOT_ALLOWED_TO_RETRY = "You do not have the permission to retry messages."


class RetryError(Exception):
    pass


def messages_retry(*, messages: list[Message], staff: Any, ip: str | None = None) -> int:
    """Put failed messages back in the queue; the gate decides again when each is sent."""
    if not staff.has_perm(RETRY_PERMISSION):
        raise RetryError(NOT_ALLOWED_TO_RETRY)
    retried = 0
    with transaction.atomic():
        for message in messages:
            if message_retry(message=message):
                retried += 1
                audit_record(
                    action=AuditAction.MESSAGE_RETRIED,
                    actor=staff,
                    person=message.person,
                    obj=message,
                    ip=ip,
                )
    return retried
