"""A fixed-window rate limit in the shared cache (Redis in production), per client key.

Used by every public form that writes: the lead form, rights requests, the cookie banner.
"""

from __future__ import annotations

import logging
import re
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' -> (10, 60)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*([smhd])\s*", rate)
    if not match:
        raise ImproperlyConfigured(f"A rate looks like '10/m' (per s, m, h or d), not {rate!r}.")
    return int(match.group(1)), PERIODS[match.group(2)]


def rate_limit_hit(*, scope: str, key: str, rate: str) -> bool:
    """Count one hit; return True when the key is over its limit for the current window.

    When the cache is unreachable the limit is not enforced: losing a visitor's submission
    because Redis is down would be worse than letting a few extra through.
    """
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    try:
        count_hit = getattr(cache, "count_hit", None)  # leadgen.cache.RedisCache: one round trip
        if count_hit is not None:
            count = count_hit(cache_key, period + 1)
        else:
            count = 1 if cache.add(cache_key, 1, timeout=period + 1) else cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        count = 1
    except Exception:  # a cache outage must not turn into a failed submission
        logger.warning("rate limit not enforced: cache unavailable", exc_info=True)
        return False
    return count > limit
