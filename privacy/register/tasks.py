"""Celery tasks of the register: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task

from privacy.register.alerts import register_clocks_notify


@shared_task(ignore_result=True)
def mail_register_clocks() -> int:
    return register_clocks_notify()
