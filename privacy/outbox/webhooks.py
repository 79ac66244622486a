"""Provider events that suppress an address, through anymail's webhooks, signed or refused.

A "bounce" posted by anyone would silence every e-mail to an address, legal and rights notices
included, so only the tracking webhook of the provider the site sends through is routed, and
it refuses every event without the shared secret (ANYMAIL_WEBHOOK_SECRET, as HTTP basic auth)
on top of the provider's own signature where it has one, whatever the configuration: without
a secret nothing is accepted at all. Other providers' routes and inbound mail answer 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from privacy.outbox.models import Suppression

logger = logging.getLogger(__name__)

ANYMAIL_BACKENDS = "anymail.backends."
UNSIGNED_REFUSED = "ANYMAIL_WEBHOOK_SECRET is not set: provider events are refused until it is."
NOT_CONFIGURED = "The %s webhook is not fully configured (%s): provider events are refused."


def webhook_provider() -> str:
    """The anymail name of the provider the site sends through ("postmark"), or ""."""
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if not backend.startswith(ANYMAIL_BACKENDS):
        return ""
    provider = backend.removeprefix(ANYMAIL_BACKENDS).split(".", 1)[0]
    return "" if provider in ("test", "console") else provider


def webhook_secret() -> list[str]:
    secret = settings.ANYMAIL.get("WEBHOOK_SECRET", "")
    secrets = [secret] if isinstance(secret, str) else list(secret)
    return [s for s in secrets if s]


def tracking_views() -> dict[str, Any]:
    """Anymail's tracking webhook view of every provider it supports, by provider name."""
    from anymail.urls import urlpatterns

    return {
        pattern.name.removesuffix("_tracking_webhook"): pattern.callback
        for pattern in urlpatterns
        if pattern.name and pattern.name.endswith("_tracking_webhook")
    }


def webhook_problems() -> list[str]:
    """What keeps the configured provider's webhook from accepting signed events."""
    provider = webhook_provider()
    if not provider:
        return []
    view = tracking_views().get(provider)
    if view is None:
        return []  # anymail has no tracking webhook for it: nothing is routed
    problems = [] if webhook_secret() else [UNSIGNED_REFUSED]
    try:
        view.view_class(**view.view_initkwargs)  # reads the provider's own signing keys
    except ImproperlyConfigured as exc:
        problems.append(str(exc))
    return problems


@csrf_exempt  # authenticated by the shared secret and the provider's signature instead
def tracking_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """Anymail's tracking webhook of the configured provider; signed events only."""
    view: Callable[..., HttpResponse] | None = tracking_views().get(provider)
    if view is None or provider != webhook_provider():
        raise Http404
    if request.method == "POST" and not webhook_secret():
        logger.error(UNSIGNED_REFUSED)
        raise AnymailWebhookValidationFailure(UNSIGNED_REFUSED)
    try:
        return view(request)
    except ImproperlyConfigured as exc:
        logger.error(NOT_CONFIGURED, provider, exc)
        raise AnymailWebhookValidationFailure(NOT_CONFIGURED % (provider, exc)) from exc


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


def webhook_deploy_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """`check --deploy`: a provider backend without what its webhook needs is an error."""
    from django.core import checks

    return [
        checks.Error(
            problem,
            hint="Set ANYMAIL_WEBHOOK_SECRET=user:password (a long random password) and the "
            "provider's webhook signing key, and give the provider the webhook URL with them.",
            id="privacy.E001",
        )
        for problem in webhook_problems()
    ]
