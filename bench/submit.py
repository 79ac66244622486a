"""Lead form submissions per second and latency, against a bare one-row-insert Django view.

Serves the app with gunicorn (DEBUG off) on PostgreSQL and Redis, then drives it with 1, 8 and
32 concurrent keep-alive clients, each POST carrying a fresh signed form token (the GET that
would fetch it is left out of every side, so the comparison is POST against POST). A third
view, the bound, does all the form's own work but stores one row: what no way of storing a
submission can beat.

    .venv/bin/python bench/submit.py [--seconds 5] [--workers 4]

With `--peer wagtail` (needs the bench extra: `pip install -e ".[bench]"`), Wagtail's form
page (bench/wagtail_peer: its own database and gunicorn, the same workers) is measured beside
bare, bound and form, over `--rounds` rounds (3 by default), with the ratios' min / median /
max; each of its clients fetches a CSRF token once (a GET, before the clock starts). After
every measurement the rows each side stored are counted against the successes it answered: a
mismatch or any error is printed loudly and the run exits non-zero.

    .venv/bin/python bench/submit.py --peer wagtail [--seconds 5] [--workers 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import importlib.util
import itertools
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from bench.common import recreate_database

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "leadgen_bench_submit"
PORT = 8765
WAGTAIL_PORT = 8766
LEVELS = (1, 8, 32)

ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-secret-key-" + "b" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": os.environ.get(
        "BENCH_SUBMIT_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    ),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LEAD_RATE_LIMIT": "100000000/m",
    "MAIL_BACKEND": "anymail.backends.test.EmailBackend",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "LOG_LEVEL": "WARNING",
}


def prepare() -> None:
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "leadgen.settings"
    recreate_database(ENV["DATABASE_URL"])
    import redis

    # The bench's own Redis database: hand-overs queued by earlier runs (no worker runs here).
    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-user", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_row (id bigserial primary key, payload text, created timestamptz)"
        )
    connection.close()


def make_tokens(count: int) -> list[str]:
    from leads.services import documents_in_force, form_token_issue

    documents = documents_in_force()
    return [
        form_token_issue(documents=documents, landing_url="http://127.0.0.1/", referrer="")
        for _ in range(count)
    ]


def csrf_cookie() -> str:
    from django.middleware.csrf import _get_new_csrf_string  # a valid unmasked secret

    return _get_new_csrf_string()


@dataclass(frozen=True)
class Session:
    """What a client sends with every POST: its headers, and fields its session adds."""

    headers: dict[str, str]
    extra_fields: str = ""


class Side(Protocol):
    """A site under measurement: where it listens, how a client starts, what counts as stored."""

    port: int

    def open(self, conn: http.client.HTTPConnection) -> Session: ...

    def stored(self, status: int, body: bytes) -> bool: ...


class Leadgen:
    """Ours: one CSRF secret made by the bench for every client, a stored POST answers 303."""

    port = PORT

    def __init__(self, csrf: str) -> None:
        self.csrf = csrf

    def open(self, conn: http.client.HTTPConnection) -> Session:
        return Session(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={self.csrf}",
                "X-CSRFToken": self.csrf,
                "Referer": f"http://127.0.0.1:{self.port}/",
            }
        )

    def stored(self, status: int, body: bytes) -> bool:
        return status == 303


class Wagtail:
    """Wagtail's form page: each client GETs it once for a CSRF cookie and form token; a
    stored POST answers 200 with the landing page (an invalid one 200 with the form again)."""

    port = WAGTAIL_PORT
    path = "/"

    def __init__(self, landing_text: str) -> None:
        self.landing = landing_text.encode()

    def open(self, conn: http.client.HTTPConnection) -> Session:
        conn.request("GET", self.path)
        response = conn.getresponse()
        page = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or cookie is None or token is None:
            raise SystemExit(f"Wagtail's form page gave no CSRF token (HTTP {response.status})")
        return Session(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie[1]}",
                "Referer": f"http://127.0.0.1:{self.port}{self.path}",
            },
            "&" + urllib.parse.urlencode({"csrfmiddlewaretoken": token[1]}),
        )

    def stored(self, status: int, body: bytes) -> bool:
        return status == 200 and self.landing in body


class Shared:
    """A generator shared by threads."""

    def __init__(self, generator: Iterator[str]) -> None:
        self.generator, self.lock = generator, threading.Lock()

    def __next__(self) -> str:
        with self.lock:
            return next(self.generator)


class Client(threading.Thread):
    def __init__(self, side: Side, path: str, bodies: Shared) -> None:
        super().__init__(daemon=True)
        self.side, self.path, self.bodies = side, path, bodies
        self.conn = http.client.HTTPConnection("127.0.0.1", side.port, timeout=30)
        self.session = side.open(self.conn)  # before the clock starts
        self.stop_at = 0.0
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        headers, extra_fields = self.session.headers, self.session.extra_fields
        while time.monotonic() < self.stop_at:
            body = next(self.bodies) + extra_fields
            start = time.perf_counter()
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                response = self.conn.getresponse()
                ok = self.side.stored(response.status, response.read())
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.side.port, timeout=30)
                ok = False
            self.latencies.append(time.perf_counter() - start)
            if not ok:
                self.errors += 1


def bodies_for_form(tokens: list[str], prefix: str) -> Iterator[str]:
    for index, token in enumerate(tokens):
        yield urllib.parse.urlencode(
            {
                "account_name": f"Bench {index}",
                "phone": f"+7912{index % 10_000_000:07d}",
                "email": f"{prefix}{index}@example.com",
                "consent_processing": "on",
                "consent_marketing": "on" if index % 2 else "",
                "form_token": token,
            }
        )


def bodies_for_bare(prefix: str) -> Iterator[str]:
    index = 0
    while True:
        index += 1
        yield urllib.parse.urlencode({"email": f"{prefix}{index}@example.com"})


def bodies_for_wagtail(prefix: str) -> Iterator[str]:
    """The four fields of the peer's form page (bench/wagtail_peer/site.py), all valid."""
    for index in itertools.count():
        yield urllib.parse.urlencode(
            {
                "account_name": f"Bench {index}",
                "phone": f"+7912{index % 10_000_000:07d}",
                "email": f"{prefix}{index}@example.com",
                "consent": "on",
            }
        )


@dataclass(frozen=True)
class Result:
    rps: float
    p50: float  # ms
    p99: float  # ms
    count: int  # requests answered, stored or not
    errors: int  # requests not answered as stored

    @property
    def successes(self) -> int:
        return self.count - self.errors


def measure(side: Side, path: str, bodies: Shared, clients: int, seconds: float) -> Result:
    threads = [Client(side, path, bodies) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.stop_at = started + seconds
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies = sorted(lat for thread in threads for lat in thread.latencies)
    return Result(
        rps=len(latencies) / elapsed,
        p50=statistics.median(latencies) * 1000,
        p99=latencies[int(len(latencies) * 0.99) - 1] * 1000,
        count=len(latencies),
        errors=sum(thread.errors for thread in threads),
    )


def _figures(result: Result) -> str:
    return f"{result.rps:>6.0f} {result.p50:>6.1f} {result.p99:>6.1f}"


@contextlib.contextmanager
def gunicorn(app: str, port: int, workers: int, env: dict[str, str], probe: str) -> Iterator[None]:
    """Serve the WSGI module `app` on `port` until the block ends."""
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", probe)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start ({app})") from None
                time.sleep(0.2)
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--peer", choices=["wagtail"], help="measure Wagtail's form page beside ours"
    )
    parser.add_argument(
        "--rounds", type=int, help="rounds of every measurement, with --peer (default 3)"
    )
    args = parser.parse_args()
    if args.peer is None:
        if args.rounds is not None:
            parser.error("--rounds needs --peer")
        run_plain(args.seconds, args.workers)
        return
    if importlib.util.find_spec("wagtail") is None:
        raise SystemExit('--peer wagtail needs the bench extra: pip install -e ".[bench]"')
    run_with_peer(args.seconds, args.workers, args.rounds or 3)


def run_plain(seconds: float, workers: int) -> None:
    """Bare, bound, bound without the hand-over, and the form, once at each level."""
    prepare()
    tokens = make_tokens(int(seconds * 2000 * len(LEVELS)) // 2 + 1000)
    ours = Leadgen(csrf_cookie())
    env = {**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with gunicorn("bench.wsgi", PORT, workers, env, "/healthz"):
        token_stream = Shared(bodies_for_form(tokens, "lead"))
        measure(ours, "/", token_stream, 4, 1)  # warm up every worker
        measure(ours, "/bench/bare-insert/", Shared(bodies_for_bare("warm")), 4, 1)
        measure(ours, "/bench/form-checks-one-insert/", token_stream, 4, 1)
        print(
            f"gunicorn workers: {workers}, {seconds:.0f} s per measurement, cores: {os.cpu_count()}"
        )
        print(
            "bare: one INSERT; bound: the form's checks + one INSERT + one Celery hand-over;"
            " bound-h: the same without the hand-over; form: the lead form"
            " (req/s, p50 and p99 in ms)"
        )
        print(
            f"{'clients':>7} | {'bare':>6} {'p50':>6} {'p99':>6} | {'bound':>6} {'p50':>6} "
            f"{'p99':>6} | {'form':>6} {'p50':>6} {'p99':>6} | form/bare | bound/bare"
            " | bound-h/bare"
        )
        bound_bodies = Shared(itertools.cycle(list(bodies_for_form(tokens[:2000], "bound"))))
        for clients in LEVELS:
            bare = measure(
                ours,
                "/bench/bare-insert/",
                Shared(bodies_for_bare(f"b{clients}-")),
                clients,
                seconds,
            )
            bound = measure(ours, "/bench/form-checks-one-insert/", bound_bodies, clients, seconds)
            unhanded = measure(
                ours,
                "/bench/form-checks-one-insert-no-hand-over/",
                bound_bodies,
                clients,
                seconds,
            )
            form = measure(ours, "/", token_stream, clients, seconds)
            errors = {
                name: result.errors
                for name, result in (
                    ("bare", bare),
                    ("bound", bound),
                    ("bound-h", unhanded),
                    ("form", form),
                )
                if result.errors
            }
            print(
                f"{clients:>7} | "
                + " | ".join(_figures(result) for result in (bare, bound, form))
                + f" | {form.rps / bare.rps:>9.2f} | {bound.rps / bare.rps:>10.2f}"
                + f" | {unhanded.rps / bare.rps:>12.2f}"
                + (f"  (errors: {errors})" if errors else "")
            )


def count_leads() -> int:
    from leads.models import Lead

    return Lead.objects.count()


def count_bench_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_row")
        return cursor.fetchone()[0]


def wagtail_counter(database_url: str, table: str) -> Callable[[], int]:
    import psycopg

    def count() -> int:
        with psycopg.connect(database_url) as conn:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            return row[0] if row else 0

    return count


@dataclass(frozen=True)
class Target:
    """A view under measurement, and how to count the rows it stores."""

    name: str
    side: Side
    path: str
    rows: Callable[[], int]


class Ledger:
    """Measures, then checks that a target stored one row for each success it answered."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.failures: list[str] = []

    def measure(self, target: Target, bodies: Shared, clients: int, where: str) -> Result:
        before = target.rows()
        result = measure(target.side, target.path, bodies, clients, self.seconds)
        stored = target.rows() - before
        if result.errors or stored != result.successes:
            failure = (
                f"{where}, {clients} clients, {target.name}: answered {result.successes} as"
                f" stored, {stored} rows stored, {result.errors} errors"
            )
            self.failures.append(failure)
            print(f"!!! MISMATCH !!! {failure}", flush=True)
        return result


def _spread(values: list[float], width: int, digits: int) -> str:
    figures = (min(values), statistics.median(values), max(values))
    return " ".join(f"{value:>{width}.{digits}f}" for value in figures)


def run_with_peer(seconds: float, workers: int, rounds: int) -> None:
    """Bare, bound, form and Wagtail's form page at each level, `rounds` times, rows checked."""
    prepare()
    wagtail_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.wagtail_peer.settings"}
    subprocess.run(
        [sys.executable, "-m", "bench.wagtail_peer.site"], cwd=ROOT, env=wagtail_env, check=True
    )
    from bench.wagtail_peer.site import LANDING_TEXT, SUBMISSION_TABLE, database_url

    count_submissions = wagtail_counter(database_url(), SUBMISSION_TABLE)
    tokens = make_tokens(int(seconds * 1000 * len(LEVELS) * rounds) + 1000)
    ours, peer = Leadgen(csrf_cookie()), Wagtail(LANDING_TEXT)
    ours_env = {**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    bare_view = Target("bare", ours, "/bench/bare-insert/", count_bench_rows)
    bound_view = Target("bound", ours, "/bench/form-checks-one-insert/", count_bench_rows)
    form_view = Target("form", ours, "/", count_leads)
    wagtail_page = Target("wagtail", peer, peer.path, count_submissions)
    ledger = Ledger(seconds)
    with (
        gunicorn("bench.wsgi", PORT, workers, ours_env, "/healthz"),
        gunicorn("bench.wagtail_peer.wsgi", WAGTAIL_PORT, workers, wagtail_env, peer.path),
    ):
        token_stream = Shared(bodies_for_form(tokens, "lead"))
        bound_bodies = Shared(itertools.cycle(list(bodies_for_form(tokens[:2000], "bound"))))
        wagtail_bodies = Shared(bodies_for_wagtail("peer"))
        measure(ours, "/", token_stream, 4, 1)  # warm up every worker
        measure(ours, "/bench/bare-insert/", Shared(bodies_for_bare("warm")), 4, 1)
        measure(ours, "/bench/form-checks-one-insert/", token_stream, 4, 1)
        measure(peer, peer.path, wagtail_bodies, 4, 1)
        versions = {name: importlib.metadata.version(name) for name in ("wagtail", "django")}
        print(
            f"gunicorn workers: {workers} per site, {seconds:g} s per measurement, "
            f"{rounds} round(s), cores: {os.cpu_count()}; "
            f"Wagtail {versions['wagtail']} on Django {versions['django']}"
        )
        print(
            "bare: one INSERT; bound: the form's checks + one INSERT + one Celery hand-over;"
            " form: the lead form; wagtail: Wagtail's form page (wagtail.contrib.forms)"
            " (req/s, p50 and p99 in ms)"
        )
        ratios: dict[int, dict[str, list[float]]] = {
            clients: {"form/wagtail": [], "form/bound": [], "form p99": []} for clients in LEVELS
        }
        for round_number in range(1, rounds + 1):
            where = f"round {round_number}"
            print(f"\n{where}")
            print(
                f"{'clients':>7} | {'bare':>6} {'p50':>6} {'p99':>6} | {'bound':>6} {'p50':>6} "
                f"{'p99':>6} | {'form':>6} {'p50':>6} {'p99':>6} | {'wagtail':>7} {'p50':>6} "
                f"{'p99':>6} | form/wagtail | form/bound"
            )
            for clients in LEVELS:
                bare_bodies = Shared(bodies_for_bare(f"r{round_number}b{clients}-"))
                bare = ledger.measure(bare_view, bare_bodies, clients, where)
                bound = ledger.measure(bound_view, bound_bodies, clients, where)
                form = ledger.measure(form_view, token_stream, clients, where)
                wagtail = ledger.measure(wagtail_page, wagtail_bodies, clients, where)
                ratios[clients]["form/wagtail"].append(form.rps / wagtail.rps)
                ratios[clients]["form/bound"].append(form.rps / bound.rps)
                ratios[clients]["form p99"].append(form.p99)
                print(
                    f"{clients:>7} | "
                    + " | ".join(_figures(result) for result in (bare, bound, form))
                    + f" | {wagtail.rps:>7.0f} {wagtail.p50:>6.1f} {wagtail.p99:>6.1f}"
                    + f" | {form.rps / wagtail.rps:>12.2f} | {form.rps / bound.rps:>10.2f}",
                    flush=True,
                )
    print(f"\nover {rounds} round(s), min / median / max")
    print(f"{'clients':>7} | {'form/wagtail':>20} | {'form/bound':>20} | {'form p99 (ms)':>20}")
    for clients in LEVELS:
        figures = ratios[clients]
        print(
            f"{clients:>7} | {_spread(figures['form/wagtail'], 6, 2)} | "
            f"{_spread(figures['form/bound'], 6, 2)} | {_spread(figures['form p99'], 6, 1)}"
        )
    if ledger.failures:
        print(
            f"\n!!! {len(ledger.failures)} measurement(s) stored other than they answered,"
            " or had errors:",
            file=sys.stderr,
        )
        for failure in ledger.failures:
            print(f"!!!   {failure}", file=sys.stderr)
        raise SystemExit(1)
    print("\nrows stored = successes answered, zero errors: every side, every measurement")


if __name__ == "__main__":
    main()
