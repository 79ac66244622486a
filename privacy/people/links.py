"""Every message to a person: the outbox, the one gate that decides at send time, the send.

The life of a message: `message_queue` writes the row in the caller's transaction and hands
its id to Celery on commit; `message_send` (the task's body) claims the row with a
conditional UPDATE, asks `message_gate` with the state at that moment, and sends through
anymail or records why not. `messages_sweep` (Celery beat) re-hands rows the queue lost.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "privacy.unsubscribe"
CONFIRM_SALT = "privacy.confirm-consent"
RECONSENT_SALT = "privacy.reconsent"
# Links in e-mails stay valid this long; an older link shows a page explaining what to do.
LINK_MAX_AGE = 180 * 24 * 3600


def signed_link(*, view: str, salt: str, payload: dict) -> str:
    token = signing.dumps(payload, salt=salt, compress=True)
    return settings.SITE_URL + reverse(view, kwargs={"token": token})
