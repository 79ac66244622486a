"""Fan-out: one message to each person of an audience, written to the outbox in steps.

Campaigns (leads) and breach notices (incidents) both walk their audience with this: keyset
steps over person ids, each step one transaction under the owner's row lock (the owner keeps
the cursor), messages made unique per person by the dedupe key, so a step run twice, or a
fan-out restarted after a lost task, writes nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from privacy.outbox.models import Message
from privacy.outbox.services import messages_enqueue
from privacy.people.models import Person

# People per step: small enough that a step holds the owner's lock briefly (and a pause
# takes effect within one step), large enough to amortise the queries.
FAN_OUT_STEP = 500


@dataclass(frozen=True)
class FanOutStep:
    cursor: int  # the last person id of the step: where the next one starts
    written: int  # messages this step wrote (none for people a repeated step had reached)


def messages_fan_out_step(
    *,
    audience: QuerySet[Person],
    after: int,
    kind: str,
    context: dict[str, Any],
    dedupe_key: str,
    size: int | None = None,
) -> FanOutStep | None:
    """Write a message for the next people of `audience` after person id `after`.

    Returns where the step ended, or None when no one is left. Runs in the caller's
    transaction; the messages go to Celery when it commits.
    """
    step = list(
        audience.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "email", "language")[: size or FAN_OUT_STEP]
    )
    if not step:
        return None
    Message.objects.bulk_create(
        [
            Message(
                kind=kind,
                person_id=person_id,
                to_email=email or "",  # the audience holds people with an address
                language=language,
                context=context,
                dedupe_key=dedupe_key,
            )
            for person_id, email, language in step
        ],
        ignore_conflicts=True,
    )
    ids = list(
        Message.objects.filter(
            dedupe_key=dedupe_key,
            person_id__in=[person_id for person_id, _email, _language in step],
            status=Message.Status.QUEUED,
            enqueued_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: messages_enqueue(message_ids=ids))
    return FanOutStep(cursor=step[-1][0], written=len(ids))


def fan_out_messages(*, dedupe_key: str) -> QuerySet[Message]:
    return Message.objects.filter(dedupe_key=dedupe_key)


def fan_out_progress(*, dedupe_key: str) -> dict[str, int]:
    """The fan-out's messages by status, and the skipped ones by reason ("skipped:<reason>")."""
    rows = (
        fan_out_messages(dedupe_key=dedupe_key)
        .values("status", "skip_reason")
        .annotate(count=Count("pk"))
    )
    progress: dict[str, int] = {status: 0 for status in Message.Status.values}
    for row in rows:
        progress[row["status"]] += row["count"]
        if row["skip_reason"]:
            key = f"skipped:{row['skip_reason']}"
            progress[key] = progress.get(key, 0) + row["count"]
    return progress
