"""Celery beat task for blocks: mail privacy officers the blocks whose review date has passed."""

from __future__ import annotations

from celery import shared_task

from .blocks import blocks_overdue_notify


@shared_task(ignore_result=True)
def mail_overdue_blocks() -> int:
    return blocks_overdue_notify()
