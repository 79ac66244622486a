"""manage.py seed_bench_data: a million leads, their people and a chained consent log, fast.

For benchmarks only (PostgreSQL): rows go in with COPY, and the consent chain is computed in
Python exactly as privacy.services.consent_records_append computes it, so verify_consent_log
passes on the result and every list reads the same columns real submissions fill.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from leads.models import LandingForm, Lead
from privacy.consent.chain import record_columns_sealed
from privacy.consent.models import ConsentLogHead, ConsentMethod, ConsentWording
from privacy.documents.models import DocumentKind, DocumentVersion
from privacy.people.integrity import canonical_text, sha256_hex
from privacy.people.models import Decision, Purpose

SOURCES = ["", "", "", "yandex", "google", "vk", "telegram", "partner-42", "newsletter"]
MEDIUMS = ["cpc", "organic", "email", "social"]
REFERRERS = ["", "", "https://yandex.ru/search/", "https://www.google.com/", "https://vk.com/"]
STATUSES = ["new"] * 5 + ["contacted"] * 3 + ["qualified", "rejected"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0",
]
WORDINGS = {
    Purpose.PROCESSING: "I agree to the processing of my personal data under the Privacy Policy.",
    Purpose.MARKETING: "Send me product updates, offers and newsletters.",
    Purpose.ADVERTISING: "Show me advertising.",
}


class Command(BaseCommand):
    help = "Seed people, consent records and leads for benchmarks (PostgreSQL, COPY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=1_000_000)
        parser.add_argument("--people", type=int, default=0, help="default: leads * 0.6")
        parser.add_argument("--blocked", type=int, default=200, help="people to block")
        parser.add_argument("--days", type=int, default=730, help="spread over this many days")
        parser.add_argument("--seed", type=int, default=6)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench_data writes with COPY: it needs PostgreSQL.")
        rng = random.Random(options["seed"])
        leads = options["leads"]
        people = options["people"] or max(1, int(leads * 0.6))
        started = time.monotonic()
        call_command("load_demo", "--no-user", verbosity=0)
        versions = {kind: DocumentVersion.objects.in_force(kind) for kind in DocumentKind}
        now = datetime.now(UTC)
        span = timedelta(days=options["days"])
        with transaction.atomic():
            first_person = self._next_ids("privacy_person", people)
            person_rows, records = self._people(rng, first_person, people, now, span)
            self._copy("privacy_person", person_rows)
            self.stdout.write(f"{people} people in {time.monotonic() - started:.1f} s")
            count = self._consent_log(records, versions)
            self.stdout.write(f"{count} consent records in {time.monotonic() - started:.1f} s")
            first_lead = self._next_ids("leads_lead", leads)
            forms = self._forms()
            self._copy(
                "leads_lead", self._leads(rng, first_lead, leads, person_rows, now, span, forms)
            )
            self.stdout.write(f"{leads} leads in {time.monotonic() - started:.1f} s")
            self._blocks(rng, first_person, people, options["blocked"], now)
        with connection.cursor() as cursor:
            for table in ("privacy_person", "privacy_consentrecord", "leads_lead", "privacy_block"):
                # VACUUM sets the visibility map, so index-only scans skip the heap.
                cursor.execute(f"VACUUM ANALYZE {table}")
        self.stdout.write(f"Seeded in {time.monotonic() - started:.1f} s.")

    def _next_ids(self, table: str, count: int) -> int:
        """Reserve `count` ids from the table's sequence; return the first."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (own names)
            first = cursor.fetchone()[0] + 1
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def _copy(self, table: str, rows: Any) -> None:
        rows = iter(rows)
        first = next(rows)
        columns = ", ".join(first)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write_row(tuple(first.values()))
            for row in rows:
                copy.write_row(tuple(row.values()))

    def _people(self, rng: random.Random, first: int, count: int, now: datetime, span):
        rows, records = [], []
        for n in range(count):
            pk = first + n
            created = now - span * (1 - n / count) + timedelta(seconds=rng.random())
            marketing = rng.choice([Decision.GRANTED] * 4 + [Decision.DENIED, Decision.NOT_GIVEN])
            advertising = rng.choice([Decision.GRANTED, Decision.NOT_GIVEN, Decision.NOT_GIVEN])
            decided = {
                "processing": Decision.GRANTED,
                "marketing": marketing,
                "advertising": advertising,
            }
            rows.append(
                {
                    "id": pk,
                    "email": f"person{pk}@bench.example",
                    "phone": f"+7916{pk:07d}"[:16],
                    "language": "ru" if n % 3 else "en",
                    "created_at": created,
                    "updated_at": created,
                    "consent_processing": "granted",
                    "consent_marketing": "" if marketing == Decision.NOT_GIVEN else marketing,
                    "consent_advertising": "" if advertising == Decision.NOT_GIVEN else advertising,
                }
            )
            records.append((rows[-1], decided))
        return rows, records

    def _consent_log(self, people: list[tuple[dict, dict]], versions: dict) -> int:
        wordings = {}
        for purpose, text in WORDINGS.items():
            text = canonical_text(text)
            wordings[purpose] = sha256_hex(text)
            ConsentWording.objects.get_or_create(sha256=wordings[purpose], defaults={"text": text})
        policy = versions[DocumentKind.PRIVACY_POLICY]
        consent = {
            Purpose.PROCESSING: versions[DocumentKind.CONSENT_PROCESSING],
            Purpose.MARKETING: versions[DocumentKind.CONSENT_MARKETING],
            Purpose.ADVERTISING: versions[DocumentKind.CONSENT_ADVERTISING],
        }
        head = ConsentLogHead.objects.select_for_update().get_or_create(pk=1)[0]
        seq, prev = head.last_seq, head.last_hash

        def rows():
            nonlocal seq, prev
            for person, decided in people:
                for purpose, decision in decided.items():
                    seq += 1
                    version = consent[purpose]
                    row = record_columns_sealed(
                        {
                            "seq": seq,
                            "person_id": person["id"],
                            "purpose": str(purpose),
                            "decision": str(decision),
                            "method": str(ConsentMethod.WEB_FORM),
                            "policy_version_id": policy.pk,
                            "policy_sha256": policy.text("ru").sha256,
                            "consent_version_id": version.pk,
                            "consent_sha256": version.text("ru").sha256,
                            "wording_id": wordings[purpose],
                            "source": "bench",
                            "language": "ru",
                            "created_at": person["created_at"],
                            "subject_email": person["email"],
                            "subject_phone": person["phone"],
                            "ip": "203.0.113.7",
                            "user_agent": USER_AGENTS[0],
                            "page_url": "https://bench.example/",
                            "referrer": "",
                        },
                        prev_hash=prev,
                    )
                    yield row
                    prev = row["record_hash"]

        start_seq = seq
        self._copy("privacy_consentrecord", rows())
        ConsentLogHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
        return seq - start_seq

    def _forms(self) -> list[tuple[LandingForm, str, str]]:
        """Three forms, so lists filter by form: our page, a widget site and a partner's API."""
        main = LandingForm.objects.default()
        promo, _ = LandingForm.objects.get_or_create(
            slug="promo",
            defaults={"name": "Promo site", "allowed_origins": "https://promo.bench.example"},
        )
        partner, _ = LandingForm.objects.get_or_create(
            slug="partner", defaults={"name": "Partner", "source_tag": "partner"}
        )
        # Weighted like a business with most leads on its own page.
        return [(main, Lead.Channel.WEB_FORM.value, "")] * 16 + [
            *[(promo, Lead.Channel.WIDGET.value, "https://promo.bench.example")] * 3,
            (partner, Lead.Channel.API.value, ""),
        ]

    def _leads(
        self,
        rng: random.Random,
        first: int,
        count: int,
        people: list[dict],
        now,
        span,
        forms: list[tuple[LandingForm, str, str]],
    ):
        for n in range(count):
            form, channel, origin = forms[rng.randrange(len(forms))]
            # Every person has a lead; the rest come back again, later than they first did.
            person = people[n] if n < len(people) else people[rng.randrange(len(people))]
            created = (
                person["created_at"]
                if n < len(people)
                else min(now, person["created_at"] + timedelta(days=rng.randrange(60)))
            )
            source = rng.choice(SOURCES)
            yield {
                "id": first + n,
                "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "person_id": person["id"],
                "form_id": form.pk,
                "channel": channel,
                "source_tag": form.source_tag,
                "api_key_id": None,
                "origin": origin,
                "account_name": f"Account {first + n}",
                "phone": person["phone"],
                "email": person["email"],
                "language": person["language"],
                "status": rng.choice(STATUSES),
                "notes": "",
                "created_at": created,
                "submission_token": f"bench-{first + n}",
                "ip": f"10.{n % 250}.{n // 250 % 250}.{n % 7 + 1}",
                "user_agent": rng.choice(USER_AGENTS),
                "accessed_at": created - timedelta(seconds=40),
                "page_url": "https://bench.example/" + (f"?utm_source={source}" if source else ""),
                "referrer": "" if source else rng.choice(REFERRERS),
                "utm_source": source,
                "utm_medium": rng.choice(MEDIUMS) if source else "",
                "utm_campaign": f"campaign-{n % 12}" if source else "",
                "utm_term": "",
                "utm_content": "",
                "ga_client_id": f"GA1.2.{n}.{n}" if n % 2 else "",
                "ym_uid": "",
                "roistat_visit": "",
            }

    def _blocks(self, rng: random.Random, first: int, people: int, count: int, now) -> None:
        from privacy.blocks.models import Block, BlockRequester

        chosen = rng.sample(range(first, first + people), min(count, people))
        Block.objects.bulk_create(
            Block(
                person_id=pk,
                requested_by=rng.choice(BlockRequester.values),
                reason="Benchmark block",
                review_by=(now + timedelta(days=rng.randrange(-10, 30))).date(),
            )
            for pk in chosen
        )
