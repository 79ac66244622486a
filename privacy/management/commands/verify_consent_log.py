"""Recompute the consent log's hash chain and report the first broken record."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from privacy.consent.models import ConsentLogHead
from privacy.consent.verify import consent_log_verify

# Without a terminal (cron, CI logs) a line per step is readable; on a terminal, one line
# redrawn in place at every percent.
LOG_STEP_PERCENT = 10


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the consent log. Prints OK with the record count and the "
        "head hash, or the first broken record and why, and then exits with status 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not print progress to stderr."
        )

    def handle(self, *args: Any, no_progress: bool = False, **options: Any) -> None:
        head = ConsentLogHead.objects.filter(pk=1).first()
        total = head.last_seq if head else 0
        interactive = sys.stderr.isatty()
        step = 1 if interactive else LOG_STEP_PERCENT
        state = {"done": 0, "shown": -1}
        started = time.monotonic()

        def progress(count: int) -> None:
            state["done"] += count
            percent = min(100, state["done"] * 100 // max(total, 1))
            if no_progress or percent // step == state["shown"] // step:
                return
            state["shown"] = percent
            line = f"Verifying the consent log: {percent:3d}% ({state['done']:,}/{total:,})"
            self.stderr.write(f"\r{line}" if interactive else line, ending="")
            if not interactive:
                self.stderr.write("")

        broken = consent_log_verify(progress=progress)
        if interactive and not no_progress and state["shown"] >= 0:
            self.stderr.write("")
        elapsed = time.monotonic() - started
        if broken is not None:
            raise CommandError(f"BROKEN at record #{broken.seq}: {broken.reason}.")
        head = ConsentLogHead.objects.filter(pk=1).first()
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {state['done']:,} records, the chain is intact "
                f"(head #{head.last_seq if head else 0} {head.last_hash if head else '-'}; "
                f"{elapsed:.1f} s)."
            )
        )
