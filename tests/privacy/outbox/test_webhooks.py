"""Provider webhooks: only the sending provider's, only signed events, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from privacy.outbox.models import Suppression
from privacy.outbox.webhooks import tracking_views

pytestmark = pytest.mark.django_db

POSTMARK = "anymail.backends.postmark.EmailBackend"
MAILGUN = "anymail.backends.mailgun.EmailBackend"
BOUNCE = {
    "RecordType": "Bounce",
    "ID": 42,
    "Type": "HardBounce",
    "TypeCode": 1,
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Description": "The server was unable to deliver your message.",
    "Email": "victim@example.com",
    "BouncedAt": "2026-11-25T10:00:00Z",
}
SECRET = "hook:s3cret-9f8e7d6c"


def basic(credentials: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


@pytest.fixture
def provider(settings):
    def _configure(backend: str, **anymail: str) -> None:
        settings.MAILERS = {"default": {"BACKEND": backend}}
        settings.ANYMAIL = anymail

    return _configure


def post_bounce(client, path: str = "/anymail/postmark/tracking/", **headers):
    return client.post(path, BOUNCE, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    "headers",
    [{}, basic("hook:wrong"), basic("other:s3cret-9f8e7d6c"), {"Authorization": "Bearer x"}],
)
def test_an_unsigned_or_wrongly_signed_event_is_refused_and_suppresses_nothing(
    client, provider, headers
):
    provider(POSTMARK, WEBHOOK_SECRET=SECRET)

    response = post_bounce(client, **headers)

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_signed_event_suppresses_the_address(client, provider):
    provider(POSTMARK, WEBHOOK_SECRET=SECRET)

    response = post_bounce(client, **basic(SECRET))

    assert response.status_code == 200
    assert Suppression.objects.get().email == "victim@example.com"


@pytest.mark.parametrize("headers", [{}, basic(SECRET), basic(":")])
def test_without_a_webhook_secret_every_event_is_refused(client, provider, headers):
    provider(POSTMARK)  # the default of .env.example and `make run` before this change

    response = post_bounce(client, **headers)

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_the_routes_of_providers_not_configured_answer_404(client, provider):
    provider(POSTMARK, WEBHOOK_SECRET=SECRET)
    others = sorted(set(tracking_views()) - {"postmark"})
    assert len(others) >= 12
    paths = [f"/anymail/{name}/tracking/" for name in others]
    # Inbound mail is not handled at all, for any provider.
    paths += [f"/anymail/{name}/inbound/" for name in ("postmark", "mailgun", "sendgrid")]
    paths += ["/anymail/mailgun/inbound_mime/", "/anymail/mandrill/"]

    for path in paths:
        response = post_bounce(client, path, **basic(SECRET))
        assert response.status_code == 404, path
    assert not Suppression.objects.exists()


def test_with_no_provider_configured_every_webhook_route_answers_404(client, provider):
    provider("anymail.backends.test.EmailBackend", WEBHOOK_SECRET=SECRET)

    for name in tracking_views():
        assert post_bounce(client, f"/anymail/{name}/tracking/").status_code == 404, name


def mailgun_event(signing_key: str, *, signature: str | None = None) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    expected = hmac.new(
        signing_key.encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {
            "timestamp": timestamp,
            "token": token,
            "signature": signature if signature is not None else expected,
        },
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "recipient": "victim@example.com",
            "timestamp": float(timestamp),
            "id": "evt-1",
            "delivery-status": {"code": 550, "message": "No such user"},
        },
    }


def test_a_provider_missing_its_signing_key_refuses_events_rather_than_failing(client, provider):
    provider(MAILGUN, WEBHOOK_SECRET=SECRET)  # no MAILGUN_WEBHOOK_SIGNING_KEY

    response = client.post(
        "/anymail/mailgun/tracking/",
        json.dumps(mailgun_event("key")),
        content_type="application/json",
        headers=basic(SECRET),
    )

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_signing_provider_needs_both_its_signature_and_the_shared_secret(client, provider):
    provider(MAILGUN, WEBHOOK_SECRET=SECRET, MAILGUN_WEBHOOK_SIGNING_KEY="signing-key")

    def post(event: dict, headers: dict):
        return client.post(
            "/anymail/mailgun/tracking/",
            json.dumps(event),
            content_type="application/json",
            headers=headers,
        )

    assert post(mailgun_event("signing-key", signature="0" * 64), basic(SECRET)).status_code == 400
    assert post(mailgun_event("signing-key"), {}).status_code == 400
    assert not Suppression.objects.exists()
    assert post(mailgun_event("signing-key"), basic(SECRET)).status_code == 200
    assert Suppression.objects.get().email == "victim@example.com"
