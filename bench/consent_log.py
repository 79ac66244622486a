"""Benchmark the consent log on PostgreSQL: appends per second and verification of 1M records.

    .venv/bin/python bench/consent_log.py [--records 1000000] [--appends 2000]

Works in its own database (BENCH_DATABASE_URL, default leadgen_bench on the local server),
dropped and created afresh, so it never touches real data. Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from bench.common import django_setup, recreate_database

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadgen_bench"
)
# Rows per COPY transaction while seeding: the head is advanced once per chunk.
SEED_CHUNK = 50_000


def append_many(count: int, person) -> None:
    from django.db import transaction

    from privacy.consent.models import ConsentMethod
    from privacy.consent.services import consent_record_append
    from privacy.people.models import Decision, Purpose
    from privacy.people.visits import Visit

    visit = Visit(ip="203.0.113.7", user_agent="bench", page_url="https://bench.example/")
    for _ in range(count):
        with transaction.atomic():  # one submission, one transaction, as lead_submit does
            consent_record_append(
                person=person,
                purpose=Purpose.MARKETING,
                decision=Decision.GRANTED,
                method=ConsentMethod.WEB_FORM,
                wording_text="Send me offers.",
                visit=visit,
            )


def appends_per_second(writers: int, total: int) -> float:
    from django.db import connection

    from privacy.people.services import person_find_or_create

    people = [
        person_find_or_create(email=f"bench-{writers}-{n}@example.com", phone="")
        for n in range(writers)
    ]
    barrier = threading.Barrier(writers + 1)

    def work(person) -> None:
        barrier.wait()
        try:
            append_many(total // writers, person)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return (total // writers * writers) / (time.perf_counter() - started)


def seed(until: int) -> None:
    """Append records up to seq `until` with COPY, computing the chain in Python."""
    from django.db import connection, transaction

    from privacy.consent.chain import record_columns_sealed
    from privacy.consent.models import ConsentLogHead, ConsentWording
    from privacy.documents.models import DocumentKind, DocumentVersion
    from privacy.people.integrity import canonical_text, sha256_hex
    from privacy.people.services import person_find_or_create

    policy = DocumentVersion.objects.in_force(DocumentKind.PRIVACY_POLICY)
    consent = DocumentVersion.objects.in_force(DocumentKind.CONSENT_MARKETING)
    text = canonical_text("Send me offers.")
    wording, _ = ConsentWording.objects.get_or_create(sha256=sha256_hex(text), text=text)
    person = person_find_or_create(email="seeded@example.com", phone="+79161234567")
    base = datetime.now(UTC)
    while True:
        with transaction.atomic():
            head = ConsentLogHead.objects.select_for_update().get(pk=1)
            if head.last_seq >= until:
                return
            seq, prev = head.last_seq, head.last_hash
            stop = min(until, seq + SEED_CHUNK)
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                rows = []
                while seq < stop:
                    seq += 1
                    row = record_columns_sealed(
                        {
                            "seq": seq,
                            "person_id": person.pk,
                            "purpose": "marketing",
                            "decision": "granted",
                            "method": "web_form",
                            "policy_version_id": policy.pk,
                            "policy_sha256": policy.text("ru").sha256,
                            "consent_version_id": consent.pk,
                            "consent_sha256": consent.text("ru").sha256,
                            "wording_id": wording.pk,
                            "source": f"lead:{seq}",
                            "language": "ru",
                            "created_at": base + timedelta(microseconds=seq),
                            "subject_email": "seeded@example.com",
                            "subject_phone": "+79161234567",
                            "ip": "203.0.113.7",
                            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) bench",
                            "page_url": "https://bench.example/",
                            "referrer": "",
                        },
                        prev_hash=prev,
                    )
                    rows.append(row)
                    prev = row["record_hash"]
                sql = f"COPY privacy_consentrecord ({', '.join(rows[0])}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(tuple(row.values()))
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])


def verify_in_child() -> dict[str, float]:
    """Run verify_consent_log in a fresh process; return its time and peak memory."""
    result = subprocess.run(
        [sys.executable, __file__, "--verify-child"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def verify_child() -> None:
    django_setup(database_url=BENCH_DATABASE_URL, redis_url="")
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("verify_consent_log", "--no-progress", stdout=out)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(out.getvalue().strip(), file=sys.stderr)
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mib": round(peak_mib, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--verify-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_child:
        verify_child()
        return

    recreate_database(BENCH_DATABASE_URL)
    django_setup(database_url=BENCH_DATABASE_URL, redis_url="")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))  # noqa: SIM115

    print(f"PostgreSQL at {BENCH_DATABASE_URL}, {os.cpu_count()} CPUs")
    for writers in (1, 16):
        rate = appends_per_second(writers, args.appends)
        print(f"appends, {writers:2d} writer(s): {rate:8.0f} records/s")
    checkpoints = sorted({min(100_000, args.records), args.records})
    for size in checkpoints:
        started = time.perf_counter()
        seed(size)
        print(f"seeded up to {size:,} records in {time.perf_counter() - started:.1f} s")
        figures = verify_in_child()
        print(
            f"verify_consent_log over {size:>9,} records: {figures['seconds']:6.2f} s, "
            f"peak RSS {figures['peak_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
