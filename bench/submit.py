"""Lead form submissions per second and latency, against a bare one-row-insert Django view.

Serves the app with gunicorn (DEBUG off) on PostgreSQL and Redis, then drives it with 1, 8 and
32 concurrent keep-alive clients, each POST carrying a fresh signed form token (the GET that
would fetch it is left out of every side, so the comparison is POST against POST). A third
view, the bound, does all the form's own work but stores one row: what no way of storing a
submission can beat.

    .venv/bin/python bench/submit.py [--seconds 5] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from bench.common import recreate_database

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "leadgen_bench_submit"
PORT = 8765

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


class Client(threading.Thread):
    def __init__(self, index, path, bodies, stop_at, csrf) -> None:
        super().__init__(daemon=True)
        self.index, self.path, self.bodies, self.stop_at, self.csrf = (
            index,
            path,
            bodies,
            stop_at,
            csrf,
        )
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
            "Referer": f"http://127.0.0.1:{PORT}/",
        }
        while time.monotonic() < self.stop_at:
            body = next(self.bodies)
            start = time.perf_counter()
            try:
                conn.request("POST", self.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 303
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                ok = False
            self.latencies.append(time.perf_counter() - start)
            if not ok:
                self.errors += 1


def bodies_for_form(tokens: list[str], prefix: str):
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


def bodies_for_bare(prefix: str):
    index = 0
    while True:
        index += 1
        yield urllib.parse.urlencode({"email": f"{prefix}{index}@example.com"})


class Shared:
    """A generator shared by threads."""

    def __init__(self, generator) -> None:
        self.generator, self.lock = generator, threading.Lock()

    def __next__(self):
        with self.lock:
            return next(self.generator)


def measure(path: str, bodies, clients: int, seconds: float, csrf: str) -> dict:
    stop_at = time.monotonic() + seconds
    threads = [Client(i, path, bodies, stop_at, csrf) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies = sorted(lat for thread in threads for lat in thread.latencies)
    errors = sum(thread.errors for thread in threads)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "count": len(latencies),
        "errors": errors,
    }


def _figures(result: dict) -> str:
    return f"{result['rps']:>6.0f} {result['p50']:>6.1f} {result['p99']:>6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    prepare()
    levels = (1, 8, 32)
    tokens = make_tokens(int(args.seconds * 2000 * len(levels)) // 2 + 1000)
    csrf = csrf_cookie()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "bench.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        token_stream = Shared(bodies_for_form(tokens, "lead"))
        measure("/", token_stream, 4, 1, csrf)  # warm up every worker
        measure("/bench/bare-insert/", Shared(bodies_for_bare("warm")), 4, 1, csrf)
        measure("/bench/form-checks-one-insert/", token_stream, 4, 1, csrf)
        print(
            f"gunicorn workers: {args.workers}, {args.seconds:.0f} s per measurement, "
            f"cores: {os.cpu_count()}"
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
        for clients in levels:
            bare = measure(
                "/bench/bare-insert/",
                Shared(bodies_for_bare(f"b{clients}-")),
                clients,
                args.seconds,
                csrf,
            )
            bound = measure(
                "/bench/form-checks-one-insert/", bound_bodies, clients, args.seconds, csrf
            )
            unhanded = measure(
                "/bench/form-checks-one-insert-no-hand-over/",
                bound_bodies,
                clients,
                args.seconds,
                csrf,
            )
            form = measure("/", token_stream, clients, args.seconds, csrf)
            errors = {
                name: result["errors"]
                for name, result in (
                    ("bare", bare),
                    ("bound", bound),
                    ("bound-h", unhanded),
                    ("form", form),
                )
                if result["errors"]
            }
            print(
                f"{clients:>7} | "
                + " | ".join(_figures(result) for result in (bare, bound, form))
                + f" | {form['rps'] / bare['rps']:>9.2f} | {bound['rps'] / bare['rps']:>10.2f}"
                + f" | {unhanded['rps'] / bare['rps']:>12.2f}"
                + (f"  (errors: {errors})" if errors else "")
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
