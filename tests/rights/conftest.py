from __future__ import annotations

import re

import pytest
from django.core import mail

from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import message_send
from privacy.rights.models import RightsRequest
from tests.staff.conftest import (  # noqa: F401  (shared staff and lead fixtures)
    PASSWORD,
    _default_language,
    lead,
    make_lead,
    officer,
    reviewer,
)

LINK = re.compile(r"https?://\S+/privacy/requests/(confirm|email|export)/([^/\s]+)/")


def send_outbox() -> list[str]:
    """Send every queued message now, as the worker would (the gate decides each)."""
    return [
        message_send(message_id=pk)
        for pk in Message.objects.filter(status=Message.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def link_in(message, kind: str = "confirm") -> str:
    """The path of the first link of `kind` in an e-mail's text."""
    for match in LINK.finditer(message.body):
        if match.group(1) == kind:
            return "/" + match.group(0).split("/", 3)[3]
    raise AssertionError(f"no {kind} link in {message.body!r}")


@pytest.fixture
def submit(client, published_documents):
    def _submit(kind: str = "access", email: str = "anna@example.com", **extra):
        return client.post("/privacy/requests/", {"kind": kind, "email": email, **extra})

    return _submit


@pytest.fixture
def confirmed(client, submit):
    """Submit a request, open the one-time link from the e-mail, confirm; return the request."""

    def _confirmed(kind: str = "access", email: str = "anna@example.com", **extra):
        assert submit(kind, email, **extra).status_code == 303
        send_outbox()
        path = link_in(mails_to(email)[-1])
        assert client.post(path).status_code == 303
        return RightsRequest.objects.order_by("-pk").first()

    return _confirmed


def rights_messages(event: str) -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.RIGHTS, context__event=event))
