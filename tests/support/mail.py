"""Mail backends for tests that run a real Celery worker in another process."""

from __future__ import annotations

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend


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
