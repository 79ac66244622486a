"""The officers' morning reminder of the register's clocks that are close or late, through
the outbox's daily staff alert (one a day per officer)."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from privacy.outbox.alerts import officers_alert_daily
from privacy.register.integrations import integrations_sync
from privacy.register.selectors import register_clocks


def register_clocks_notify(*, now: datetime | None = None) -> int:
    """Mail each privacy officer what the register says is due soon or late; return the
    messages queued. Ids, names of notices and dates only: no personal data."""
    now = now or timezone.now()
    integrations_sync()  # a new integration is a processor, whoever looks or not
    items = [item for item in register_clocks(now=now) if item["late"] or item["urgent"]]
    if not items:
        return 0
    context = {
        "alert": "register_clocks",
        "admin_url": settings.SITE_URL + reverse("admin:privacy_operator_changelist"),
        "items": [
            {
                "what": str(item["what"]),
                "due": _when(item["due"]),
                "late": bool(item["late"]),
            }
            for item in items
        ],
        "count": len(items),
    }
    return officers_alert_daily(
        topic="register-clocks", context=context, today=timezone.localdate(now)
    )


def _when(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
