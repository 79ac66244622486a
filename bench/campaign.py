"""A campaign to 10,000 and then 100,000 consenting people through 2 Celery worker processes.

Prints messages per second end to end (fan-out, gate, render, send through anymail's test
backend, status recorded), the throughput of a no-op task on the same queue and workers (the
queue's limit), and peak worker memory for each audience size.

    .venv/bin/python bench/campaign.py [--small 10000] [--large 100000]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from bench.common import recreate_database

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "leadgen_bench_campaign"
REDIS_DB = 11
ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-secret-key-" + "c" * 50,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    "MAIL_BACKEND": "bench.mail.EmailBackend",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "false",
}


def setup_database() -> None:
    recreate_database(ENV["DATABASE_URL"])
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "leadgen.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-user", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def seed_people(start: int, count: int) -> None:
    """People with marketing consent given on the form and confirmed by e-mail link."""
    from privacy.consent.models import ConsentMethod
    from privacy.consent.services import ConsentEntry, consent_records_append
    from privacy.documents.models import DocumentKind, DocumentVersion
    from privacy.people.models import Decision, Person
    from privacy.people.visits import Visit

    policy = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    visit = Visit(ip="192.0.2.1", user_agent="bench")
    for offset in range(start, start + count, 1000):
        people = Person.objects.bulk_create(
            Person(email=f"person{n}@example.com", phone=f"+7912{n:07d}")
            for n in range(offset, min(offset + 1000, start + count))
        )
        consent_records_append(
            entries=[
                ConsentEntry(
                    person=person,
                    purpose="marketing",
                    decision=Decision.GRANTED,
                    method=method,
                    wording_text="bench consent",
                    visit=visit,
                    policy_version=policy,
                )
                for person in people
                for method in (ConsentMethod.WEB_FORM, ConsentMethod.EMAIL_LINK)
            ]
        )


class Workers:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "leadgen",
                "worker",
                "--concurrency=2",
                "--pool=prefork",
                "--loglevel=WARNING",
                "-I",
                "bench.tasks",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env={**os.environ, **ENV},
            start_new_session=True,
        )
        time.sleep(4)

    def pids(self) -> list[int]:
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [self.process.pid, *map(int, children)]

    def peak_rss_mib(self) -> float:
        peaks = []
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def noop_rate(count: int) -> float:
    import redis

    from bench.tasks import noop

    client = redis.Redis.from_url(ENV["REDIS_URL"])
    client.delete("bench:noop")
    started = time.monotonic()
    for _ in range(count):
        noop.delay()
    while int(client.get("bench:noop") or 0) < count:
        time.sleep(0.05)
    return count / (time.monotonic() - started)


def run_campaign(expected: int) -> tuple[float, dict]:
    from django.db import transaction

    from leads.campaigns import campaign_progress, campaign_start
    from leads.models import Campaign
    from privacy.outbox.models import Message

    campaign = Campaign.objects.create(
        name=f"bench {expected}",
        purpose="marketing",
        subject="Bench",
        body_text="Hello from the benchmark.",
    )
    started = time.monotonic()
    with transaction.atomic():
        campaign_start(campaign=campaign)
    done = Message.objects.filter(dedupe_key=campaign.dedupe_key).exclude(
        status__in=["queued", "sending"]
    )
    while done.count() < expected:
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    return expected / elapsed, campaign_progress(campaign=campaign)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()

    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], capture_output=True, check=True)
    setup_database()
    print(f"cores: {os.cpu_count()}; 2 worker processes (prefork), broker Redis db {REDIS_DB}")
    seeded = 0
    for size in (args.small, args.large):
        t = time.monotonic()
        seed_people(seeded, size - seeded)
        seeded = size
        print(f"seeded {size} consenting people in {time.monotonic() - t:.0f} s")
        workers = Workers()
        try:
            baseline = noop_rate(20_000)
            rate, progress = run_campaign(size)
            peak = workers.peak_rss_mib()
        finally:
            workers.stop()
        print(
            f"audience {size:>7}: campaign {rate:6.0f} messages/s end to end; "
            f"no-op task {baseline:6.0f} tasks/s; ratio {rate / baseline:.2f}; "
            f"peak worker RSS {peak:.0f} MiB; sent {progress['sent']}, "
            f"skipped {progress['skipped']}, failed {progress['failed']}"
        )


if __name__ == "__main__":
    main()
