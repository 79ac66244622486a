"""Faults, tested for real: broker down, task run twice, worker killed, provider errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from leadgen.celery import app as celery_app
from leads.models import Lead
from privacy.outbox.models import Message, MessageKind
from privacy.outbox.services import (
    INTERRUPTED,
    MAX_ATTEMPTS,
    message_queue,
    message_retry,
    message_send,
    messages_sweep,
)
from privacy.people.models import Person
from tests.support.mail import sent_lines

ROOT = Path(__file__).resolve().parents[3]
DEAD_BROKER = "redis://127.0.0.1:1/0"


def people(count: int) -> list[Person]:
    return Person.objects.bulk_create(
        Person(email=f"p{i}@example.com", phone=f"+7912{i:07d}") for i in range(count)
    )


def use_broker(url: str, *, eager: bool) -> None:
    """Point this process's Celery app at `url`, dropping pooled connections."""
    celery_app.conf.task_always_eager = eager
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def real_broker(settings):
    """Tasks go through Redis to a separate worker process instead of running in-process."""
    url = settings.CELERY_BROKER_URL
    subprocess.run(
        ["redis-cli", "-u", url, "del", "celery", "unacked", "unacked_index"],
        capture_output=True,
        check=False,
    )
    use_broker(url, eager=False)
    yield url
    use_broker(url, eager=True)


class Worker:
    """A real `celery worker` process on the test database, logging each send to a file."""

    def __init__(self, tmp_path: Path, *, delay: float = 0.0, concurrency: int = 2) -> None:
        self.log = tmp_path / "sent.jsonl"
        self.output = tmp_path / "worker.log"
        self.delay, self.concurrency = delay, concurrency
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MAIL_BACKEND": "tests.support.mail.FileLogBackend",
            "SENT_LOG": str(self.log),
            "SEND_DELAY": str(self.delay),
        }
        with self.output.open("a") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "leadgen",
                    "worker",
                    f"--concurrency={self.concurrency}",
                    "--pool=prefork",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: no chance to finish or ack."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def sent(self) -> list[dict]:
        return sent_lines(self.log)


def wait_until(predicate, *, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_the_same_task_run_twice_at_once_sends_one_email():
    [person] = people(1)
    message = message_queue(kind=MessageKind.ACKNOWLEDGMENT, person=person, to_email=person.email)
    barrier = threading.Barrier(4)
    results = []

    def run() -> None:
        barrier.wait()
        results.append(message_send(message_id=message.pk))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 1
    assert len(results) == 4
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_a_submission_with_the_broker_down_succeeds_fast_and_is_delivered_later(
    published_documents, tmp_path, real_broker, settings
):
    from tests.support.forms import form_token

    client = Client()
    data = {
        "account_name": "Acme",
        "phone": "+79123456789",
        "email": "ivan@example.com",
        "consent_processing": "on",
        "form_token": form_token(client.get("/")),
    }
    use_broker(DEAD_BROKER, eager=False)

    started = time.monotonic()
    response = client.post("/", data)
    elapsed = time.monotonic() - started

    assert response.status_code == 303
    assert elapsed < 2.0, f"the visitor waited {elapsed:.1f} s"
    assert Lead.objects.count() == 1
    ack = Message.objects.get(kind=MessageKind.ACKNOWLEDGMENT)
    assert (ack.status, ack.enqueued_at) == ("queued", None)

    use_broker(real_broker, eager=False)  # the broker is back
    worker = Worker(tmp_path).start()
    try:
        swept = messages_sweep(now=timezone.now() + timedelta(minutes=1))
        assert swept["requeued"] == 1
        wait_until(
            lambda: Message.objects.get(pk=ack.pk).status == "sent",
            what="delivery after the broker came back",
        )
    finally:
        worker.stop()
    assert [line["to"] for line in worker.sent()] == [["ivan@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_nothing_twice_and_loses_nothing(tmp_path, real_broker):
    recipients = people(40)
    with_ids = []
    for person in recipients:
        message = message_queue(
            kind=MessageKind.ACKNOWLEDGMENT, person=person, to_email=person.email
        )
        with_ids.append(message.pk)
    worker = Worker(tmp_path, delay=0.1).start()
    try:
        wait_until(lambda: len(worker.sent()) >= 5, what="the first sends")
        worker.kill()
        killed_after = len(worker.sent())
        assert killed_after < 40, "the kill came too late to test anything"

        # The sweeper fails rows the dead worker held and re-hands rows nobody took.
        later = timezone.now() + timedelta(minutes=11)
        messages_sweep(now=later)
        worker = Worker(tmp_path, delay=0.0).start()
        wait_until(
            lambda: not Message.objects.filter(status__in=["queued", "sending"]).exists(),
            timeout=60,
            what="the batch to finish after the restart",
        )
    finally:
        worker.stop()

    sends = [int(line["metadata"]["message_id"]) for line in worker.sent()]
    assert len(sends) == len(set(sends)), "a message was sent twice"
    rows = dict(Message.objects.values_list("pk", "status"))
    assert set(rows) == set(with_ids)
    for pk, status in rows.items():
        if status == "sent":
            assert sends.count(pk) == 1
        else:
            # Held by the killed worker: flagged for staff, never silently dropped.
            assert status == "failed"
            assert Message.objects.get(pk=pk).error == INTERRUPTED
    assert list(rows.values()).count("failed") <= 2  # at most one per pool process


@pytest.mark.django_db
def test_provider_errors_are_retried_then_recorded_and_staff_can_retry(settings, monkeypatch):
    [person] = people(1)
    message = message_queue(kind=MessageKind.ACKNOWLEDGMENT, person=person, to_email=person.email)
    response = SimpleNamespace(status_code=503, reason="Service Unavailable", text="down")
    outage = AnymailAPIError("ESP unavailable", response=response)
    sends = []

    def failing_send(self, *args, **kwargs):
        sends.append(self)
        raise outage

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", failing_send)
    from privacy.outbox.services import TransientSendError

    for _attempt in range(MAX_ATTEMPTS - 1):
        with pytest.raises(TransientSendError):
            message_send(message_id=message.pk)
    assert message_send(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert "ESP unavailable" in message.error
    assert len(sends) == MAX_ATTEMPTS
    assert message_send(message_id=message.pk) == "failed"  # no sixth try by itself

    monkeypatch.undo()
    assert message_retry(message=message)
    assert message_send(message_id=message.pk) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refused_recipient_is_not_retried(monkeypatch):
    from anymail.exceptions import AnymailRecipientsRefused

    [person] = people(1)
    message = message_queue(kind=MessageKind.ACKNOWLEDGMENT, person=person, to_email=person.email)

    def refuse(self, *args, **kwargs):
        raise AnymailRecipientsRefused("invalid recipient")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    assert message_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.attempts == 1


def test_backoff_grows_exponentially():
    from privacy.outbox.services import backoff_seconds

    assert [backoff_seconds(n) for n in range(1, 5)] == [10, 20, 40, 80]
