"""Provider events (through anymail's authenticated webhooks) that suppress an address."""

from __future__ import annotations

import logging

from anymail.signals import AnymailTrackingEvent, EventType

from privacy.outbox.models import Suppression

logger = logging.getLogger(__name__)

SUPPRESSING_EVENTS = {
    EventType.BOUNCED: Suppression.Reason.BOUNCED,
    EventType.COMPLAINED: Suppression.Reason.COMPLAINED,
    EventType.UNSUBSCRIBED: Suppression.Reason.UNSUBSCRIBED,
    EventType.REJECTED: Suppression.Reason.REJECTED,
}


def suppression_record(*, email: str, reason: str, detail: str = "", event_id: str = "") -> bool:
    """Suppress an address; returns False when it already was."""
    _suppression, created = Suppression.objects.get_or_create(
        email=email.strip().lower(),
        defaults={"reason": reason, "detail": detail[:2000], "esp_event_id": event_id[:200]},
    )
    return created


def on_tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    reason = SUPPRESSING_EVENTS.get(event.event_type)
    if reason is None or not event.recipient:
        return
    detail = " ".join(filter(None, [esp_name, event.reject_reason, event.description]))
    if suppression_record(
        email=event.recipient, reason=reason, detail=detail, event_id=event.event_id or ""
    ):
        logger.info("suppressed an address after a %s event from %s", event.event_type, esp_name)
