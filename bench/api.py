"""API submissions per second beside the HTML form, in the same run, on the same server.

Serves the app with gunicorn (DEBUG off) on PostgreSQL and Redis, as bench/submit.py does, and
posts at 1, 8 and 32 keep-alive clients to three doors of the one submission service:
- form:   the HTML form at `/` (CSRF, urlencoded, 303), a fresh signed token per POST;
- widget: the browser API, JSON with an allowed Origin and a fresh token per POST;
- key:    the server API, JSON with an API key and one token for every POST (a back end shows
          the same texts to every visitor); each POST is a new submission (no Idempotency-Key).
After each measurement the leads stored are counted against the successes answered.

    .venv/bin/python bench/api.py [--seconds 5] [--workers 4] [--rounds 1]
    .venv/bin/python bench/api.py --interleaved 2000

`--interleaved N` measures in one process, without gunicorn or a load generator: N times a
form POST, a widget POST and a key POST in turn, through Django's whole stack (DEBUG off), and
prints each door's median and mean time per submission. Taking the doors in turn makes the
ratio robust on a machine whose load changes from second to second (a shared CI host).

Target (issue 18): the API's throughput at least the HTML form's.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
from bench.submit import (
    ENV,
    LEVELS,
    PORT,
    Leadgen,
    Session,
    Shared,
    bodies_for_form,
    count_leads,
    csrf_cookie,
    gunicorn,
    measure,
    prepare,
)

ORIGIN = "https://landing.bench.example"
API_ENV = {**ENV, "API_KEY_RATE_LIMIT": "100000000/m"}
PATH = "/api/v1/forms/main/submissions/"


class ApiDoor:
    """A JSON client of the API: the widget (Origin) or a server (key); 201 or 200 is stored."""

    port = PORT

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = {"Content-Type": "application/json", **headers}

    def open(self, conn: http.client.HTTPConnection) -> Session:
        return Session(dict(self.headers))

    def stored(self, status: int, body: bytes) -> bool:
        return status in (200, 201)


def set_up() -> tuple[str, list[str], str]:
    """The default form open to ORIGIN, a key for it, widget tokens and the server's token."""
    from leads.keys import api_key_issue
    from leads.models import LandingForm
    from leads.services import documents_in_force, form_token_issue

    form = LandingForm.objects.default()
    form.allowed_origins = ORIGIN
    form.save()
    key = api_key_issue(form=form, name="bench", staff=None).secret
    documents = {kind: documents_in_force()[kind] for kind in form.document_kinds()}

    def token(origin: str) -> str:
        return form_token_issue(
            documents=documents,
            landing_url="",
            referrer="",
            form=form,
            origin=origin,
            language="en",
        )

    return key, [token(ORIGIN) for _ in range(60_000)], token("")


def json_bodies(tokens: Iterator[str], prefix: str, server: bool) -> Iterator[str]:
    for index, token in enumerate(tokens):
        body = {
            "token": token,
            "account_name": f"Bench {index}",
            "phone": f"+7913{index % 10_000_000:07d}",
            "email": f"{prefix}{index}@example.com",
            "consent_processing": True,
            "consent_marketing": bool(index % 2),
            "page_url": f"{ORIGIN}/?utm_source=bench",
        }
        if server:
            body |= {"visitor_ip": "203.0.113.5", "user_agent": "Mozilla/5.0 (bench)"}
        yield json.dumps(body)


def interleaved(count: int) -> None:
    """Each door once in turn, `count` times, in this process; times per submission."""
    from django.test import Client

    key, widget_tokens, server_token = set_up()
    from bench.submit import make_tokens

    form_tokens = make_tokens(count + 100)
    form_bodies = bodies_for_form(form_tokens, "iform")
    widget_bodies = json_bodies(iter(widget_tokens), "iwidget", server=False)
    server_bodies = json_bodies(itertools.repeat(server_token), "iserver", server=True)
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    csrf = csrf_cookie()
    client.cookies["csrftoken"] = csrf
    doors = {
        "form": lambda: client.post(
            "/",
            next(form_bodies),
            content_type="application/x-www-form-urlencoded",
            headers={"X-CSRFToken": csrf, "Referer": "http://127.0.0.1/"},
        ),
        "widget": lambda: client.post(
            PATH, next(widget_bodies), content_type="application/json",
            headers={"Origin": ORIGIN},
        ),
        "key": lambda: client.post(
            PATH, next(server_bodies), content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        ),
    }
    expected = {"form": 303, "widget": 201, "key": 201}
    times: dict[str, list[float]] = {name: [] for name in doors}
    for _ in range(20):  # warm up
        for post in doors.values():
            post()
    for _ in range(count):
        for name, post in doors.items():
            started = time.perf_counter()
            status = post().status_code
            times[name].append(time.perf_counter() - started)
            if status != expected[name]:
                raise SystemExit(f"{name} answered {status}")
    form_median = statistics.median(times["form"])
    print(f"{count} submissions per door, in turn, in one process (ms per submission)")
    print(f"{'door':>7} | {'median':>7} {'mean':>7} | throughput / form's")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:>7} | {median * 1000:>7.2f} {statistics.fmean(values) * 1000:>7.2f} |"
            f" {form_median / median:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--interleaved", type=int, metavar="N", help="in one process, see above")
    args = parser.parse_args()

    os.environ.update(API_ENV)
    prepare()
    if args.interleaved:
        interleaved(args.interleaved)
        return
    key, widget_tokens, server_token = set_up()
    from bench.submit import make_tokens

    form_tokens = make_tokens(60_000)
    html = Leadgen(csrf_cookie())
    widget = ApiDoor({"Origin": ORIGIN})
    server = ApiDoor({"Authorization": f"Bearer {key}"})
    env = {**os.environ, **API_ENV, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    form_bodies = Shared(bodies_for_form(form_tokens, "form"))
    widget_bodies = Shared(json_bodies(iter(widget_tokens), "widget", server=False))
    server_bodies = Shared(json_bodies(itertools.repeat(server_token), "server", server=True))
    failures = []
    ratios: dict[int, dict[str, list[float]]] = {n: {"widget": [], "key": []} for n in LEVELS}
    with gunicorn("bench.wsgi", PORT, args.workers, env, "/healthz"):
        for door, path, bodies in (
            (html, "/", form_bodies),
            (widget, PATH, widget_bodies),
            (server, PATH, server_bodies),
        ):
            measure(door, path, bodies, 4, 1)  # warm up every worker on every door
        print(
            f"gunicorn workers: {args.workers}, {args.seconds:g} s per measurement, "
            f"{args.rounds} round(s), cores: {os.cpu_count()} (req/s, p50 and p99 in ms)"
        )
        for round_number in range(1, args.rounds + 1):
            print(f"\nround {round_number}")
            print(
                f"{'clients':>7} | {'form':>6} {'p50':>6} {'p99':>6} | {'widget':>6} {'p50':>6} "
                f"{'p99':>6} | {'key':>6} {'p50':>6} {'p99':>6} | widget/form | key/form"
            )
            for clients in LEVELS:
                results = {}
                for name, door, path, bodies in (
                    ("form", html, "/", form_bodies),
                    ("widget", widget, PATH, widget_bodies),
                    ("key", server, PATH, server_bodies),
                ):
                    before = count_leads()
                    result = measure(door, path, bodies, clients, args.seconds)
                    stored = count_leads() - before
                    if result.errors or stored != result.successes:
                        failures.append(
                            f"{clients} clients, {name}: {result.successes} answered stored,"
                            f" {stored} stored, {result.errors} errors"
                        )
                    results[name] = result
                form = results["form"]
                ratios[clients]["widget"].append(results["widget"].rps / form.rps)
                ratios[clients]["key"].append(results["key"].rps / form.rps)
                print(
                    f"{clients:>7} | "
                    + " | ".join(
                        f"{r.rps:>6.0f} {r.p50:>6.1f} {r.p99:>6.1f}" for r in results.values()
                    )
                    + f" | {results['widget'].rps / form.rps:>11.2f}"
                    + f" | {results['key'].rps / form.rps:>8.2f}",
                    flush=True,
                )
    if args.rounds > 1:
        print("\nmedian over rounds: widget/form, key/form")
        for clients in LEVELS:
            print(
                f"{clients:>7} | {statistics.median(ratios[clients]['widget']):>6.2f}"
                f" | {statistics.median(ratios[clients]['key']):>6.2f}"
            )
    if failures:
        print("\n!!! stored other than answered, or errors:", *failures, sep="\n!!! ")
        raise SystemExit(1)
    print("\nleads stored = successes answered, zero errors, every door and level")


if __name__ == "__main__":
    main()
