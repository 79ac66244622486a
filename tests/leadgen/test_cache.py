"""The Redis cache backend: one client per pool, and the rate limit's one-round-trip counter."""

import time

from django.core.cache import cache

from privacy.people.ratelimit import rate_limit_hit


def test_the_cache_reuses_one_redis_client():
    first = cache._cache.get_client("a", write=True)

    assert cache._cache.get_client("b", write=True) is first


def test_a_counter_counts_and_expires_from_its_first_hit():
    counts = [cache.count_hit("hits", 2) for _ in range(3)]
    ttl = cache._cache.get_client(write=True).ttl(cache.make_key("hits"))

    assert counts == [1, 2, 3]
    assert 0 < ttl <= 2


def test_a_later_hit_does_not_extend_the_window():
    cache.count_hit("window", 1)
    time.sleep(0.6)
    cache.count_hit("window", 1)
    time.sleep(0.6)

    assert cache.count_hit("window", 1) == 1


def test_the_limit_allows_the_rate_and_refuses_one_more():
    results = [rate_limit_hit(scope="t", key="198.51.100.7", rate="3/m") for _ in range(4)]

    assert results == [False, False, False, True]
