"""Daily alerts to privacy officers (overdue blocks, requests due), at most one a day each."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from privacy.blocks.services import LIFT_PERMISSION, blocks_overdue
from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import message_queue


def privacy_officers() -> QuerySet[Any]:
    """Active staff who may lift blocks, through a role or directly (superusers only so)."""
    app_label, codename = LIFT_PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    return (
        get_user_model()
        .objects.filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .filter(is_active=True, is_staff=True)
        .distinct()
        .order_by("pk")
    )


def blocks_overdue_notify(*, today: date | None = None) -> int:
    """Mail each privacy officer the list of overdue blocks; return the messages queued."""
    today = today or timezone.localdate()
    overdue = list(blocks_overdue(today=today))
    if not overdue:
        return 0
    admin_url = settings.SITE_URL + reverse("admin:privacy_block_changelist") + "?overdue=yes"
    context = {
        "alert": "overdue_blocks",
        "admin_url": admin_url,
        # Ids and dates only: the mail links to the admin rather than carrying personal data.
        "blocks": [{"id": block.pk, "review_by": block.review_by.isoformat()} for block in overdue],
        "count": len(overdue),
    }
    return officers_alert_daily(topic="overdue-blocks", context=context, today=today)


def officers_alert_daily(*, topic: str, context: dict[str, Any], today: date) -> int:
    """Queue one staff alert about `topic` to each privacy officer, at most once a day."""
    queued = 0
    with transaction.atomic():
        for officer in privacy_officers():
            key = f"{topic}:{today.isoformat()}:{officer.pk}"
            # The unique (dedupe_key, person) index ignores rows without a person, so a rerun
            # on the same day is caught here; beat runs this once a day, so no race to guard.
            if Message.objects.filter(dedupe_key=key).exists():
                continue
            message_queue(
                kind=MessageKind.STAFF_ALERT,
                to_email=officer.email,
                context=context,
                dedupe_key=key,
            )
            queued += 1
    return queued
