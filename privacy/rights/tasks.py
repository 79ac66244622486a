"""Celery tasks of rights requests: the officers' morning reminder and housekeeping."""

from __future__ import annotations

from celery import shared_task

from privacy.rights.services import (
    requests_due_notify,
    requests_purge_unconfirmed,
    rights_scrub_erased,
)


@shared_task(ignore_result=True)
def mail_due_requests() -> dict[str, int]:
    """Each morning: remind officers of requests due soon, and clear what no longer may stay."""
    return {
        "reminders": requests_due_notify(),
        "unconfirmed_purged": requests_purge_unconfirmed(),
        "erased_addresses_cleared": rights_scrub_erased(),
    }
