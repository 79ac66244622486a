"""A no-op task: the queue's own limit, to compare the campaign's throughput with."""

import redis
from celery import shared_task
from django.conf import settings


@shared_task(ignore_result=True, acks_late=True)
def noop() -> None:
    redis.Redis.from_url(settings.REDIS_URL).incr("bench:noop")
