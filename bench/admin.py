"""Benchmark the staff admin on a million leads: every changelist page, filter and search.

    .venv/bin/python bench/admin.py [--leads 1000000] [--reuse] [--runs 5]

Works in its own database (BENCH_DATABASE_URL, default leadgen_bench_admin on the local
server), dropped and seeded afresh with `manage.py seed_bench_data` unless --reuse. Requests go
through Django's full stack in-process (middleware, admin, templates; DEBUG off) as a
privacy officer; the figure is the median wall time of --runs requests after one warm-up.
Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from bench.common import django_setup, recreate_database

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/leadgen_bench_admin"
)
BUDGET_MS = 500


def cases() -> list[tuple[str, str]]:
    from django.utils import timezone

    from leads.models import Lead
    from privacy.people.models import Person

    sample = Lead.objects.order_by("-id").values("email", "phone", "person_id").first()
    local = sample["phone"][2:]  # +7 916 ... -> 8 (916) ...
    national = f"8 ({local[:3]}) {local[3:6]}-{local[6:8]}-{local[8:]}"
    from urllib.parse import quote

    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = midnight.date()
    week_ago = quote(str(midnight - timezone.timedelta(days=7)))
    tomorrow = quote(str(midnight + timezone.timedelta(days=1)))
    year = today.year
    person = Person.objects.order_by("-id").values_list("pk", flat=True).first()
    deep = max(1, min(5000, Lead.objects.count() // 100 // 2))
    leads = "/admin/leads/lead/"
    people = "/admin/privacy/person/"
    return [
        ("leads: first page", leads),
        ("leads: page 2", f"{leads}?p=2"),
        (f"leads: page {deep}", f"{leads}?p={deep}"),
        ("leads: status = qualified", f"{leads}?status__exact=qualified"),
        ("leads: status = rejected, page 20", f"{leads}?status__exact=rejected&p=20"),
        ("leads: marketing consent denied", f"{leads}?consent=marketing:denied"),
        ("leads: advertising never decided", f"{leads}?consent=advertising:none"),
        ("leads: blocked", f"{leads}?blocked=yes"),
        ("leads: not blocked", f"{leads}?blocked=no"),
        ("leads: source = yandex", f"{leads}?source=yandex"),
        ("leads: source = referral", f"{leads}?source=(referral)"),
        ("leads: source = direct", f"{leads}?source=(direct)"),
        (
            "leads: past 7 days",
            f"{leads}?created_at__gte={week_ago}&created_at__lt={tomorrow}",
        ),
        ("leads: date hierarchy year", f"{leads}?created_at__year={year}"),
        ("leads: date hierarchy month", f"{leads}?created_at__year={year}&created_at__month=1"),
        (
            "leads: qualified + marketing granted + yandex",
            f"{leads}?status__exact=qualified&consent=marketing:granted&source=yandex",
        ),
        ("leads: sorted by e-mail", f"{leads}?o=3"),
        ("leads: search phone 8 (9xx) …", f"{leads}?q={national}"),
        ("leads: search phone +7…", f"{leads}?q={sample['phone']}"),
        ("leads: search e-mail", f"{leads}?q={sample['email'].upper()}"),
        ("leads: search e-mail prefix", f"{leads}?q=person12345"),
        ("leads: search, no match", f"{leads}?q=nobody@nowhere.example"),
        ("people: first page", people),
        ("people: marketing denied", f"{people}?consent=marketing:denied"),
        ("people: blocked", f"{people}?blocked=yes"),
        ("people: search phone", f"{people}?q={national}"),
        ("person page", f"{people}{person}/change/"),
        ("blocks: review overdue", "/admin/privacy/block/?overdue=yes"),
        ("audit trail", "/admin/privacy/auditentry/"),
        ("messages", "/admin/privacy/message/"),
    ]


def measure(client, url: str, runs: int) -> tuple[float, int]:
    response = client.get(url)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(timings), max(timings)


def export_figures(client) -> tuple[int, float, float]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/admin/leads/lead/export/?status__exact=qualified")
    rows = -1
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return rows, seconds, grown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database(BENCH_DATABASE_URL)
    django_setup(database_url=BENCH_DATABASE_URL, redis_url="redis://127.0.0.1:6379/6")
    from django.core.management import call_command
    from django.test import Client

    from accounts.services import staff_create
    from leads.models import Lead

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_bench_data", leads=args.leads)
        print(f"seed_bench_data --leads {args.leads}: {time.perf_counter() - started:.0f} s")
    officer, _created = staff_create(email="officer@bench.example", role="privacy-officer")
    client = Client()
    client.force_login(officer)
    print(f"{Lead.objects.count():,} leads; median of {args.runs} requests after a warm-up")
    print(f"{'page':48} {'median ms':>10} {'max ms':>8}")
    slow = []
    for name, url in cases():
        median, worst = measure(client, url, args.runs)
        flag = "" if median < BUDGET_MS else "  <-- over budget"
        slow += [name] if flag else []
        print(f"{name:48} {median:10.1f} {worst:8.1f}{flag}")
    rows, seconds, grown = export_figures(client)
    print(
        f"export (status = qualified): {rows:,} rows in {seconds:.1f} s "
        f"({rows / seconds:,.0f} rows/s), peak memory grew {grown:.0f} MiB"
    )
    print("all under budget" if not slow else f"over {BUDGET_MS} ms: {', '.join(slow)}")


if __name__ == "__main__":
    main()
