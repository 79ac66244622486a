"""Mail in tests: the outbox sent as a worker would, links read back, and a file backend for
tests that run a real Celery worker in another process."""

from __future__ import annotations

import json
import os
import re
import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import message_send


class FileLogBackend(BaseEmailBackend):
    """Append one JSON line per e-mail sent to $SENT_LOG, after $SEND_DELAY seconds.

    The delay opens a window in which a test can kill the worker mid-send; the line is
    flushed and fsynced so that every accepted send is counted even if the process dies.
    """

    def send_messages(self, email_messages):
        path = os.environ["SENT_LOG"]
        delay = float(os.environ.get("SEND_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            line = json.dumps(
                {"to": message.to, "metadata": getattr(message, "metadata", {}), "pid": os.getpid()}
            )
            with open(path, "a") as log:
                log.write(line + "\n")
                log.flush()
                os.fsync(log.fileno())
        return len(email_messages)


def sent_lines(path) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path) as log:
        return [json.loads(line) for line in log if line.strip()]


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


def rights_messages(event: str) -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.RIGHTS, context__event=event))
