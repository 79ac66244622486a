"""Liveness of the parts the site depends on, for load balancers and docker-compose."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"
# Without REDIS_URL tasks run in-process: there is no broker to be down.
IN_PROCESS = "in-process"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; the reason goes to the log, not the client
        logger.exception("health check: database unreachable")
        return DOWN
    return OK


def broker_status() -> str:
    if not settings.REDIS_URL:
        return IN_PROCESS
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
        socket_timeout=settings.REDIS_CONNECT_TIMEOUT,
    )
    try:
        client.ping()
    except redis.RedisError:
        logger.exception("health check: broker unreachable")
        return DOWN
    finally:
        client.close()
    return OK


def health_report() -> tuple[dict[str, str], bool]:
    """Return each dependency's status and whether all of them are usable."""
    report = {"database": database_status(), "broker": broker_status()}
    return report, all(status != DOWN for status in report.values())
