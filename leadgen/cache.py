"""Django's Redis cache, with one client per connection pool and a one-round-trip counter.

Django's RedisCacheClient builds a new redis.Redis object on every call, which costs more than
the round trip itself on the lead form's hot path (the rate limit); a client is thread-safe and
only wraps the pool, so one per pool is enough.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Private in Django's RedisCacheClient, and so absent from its stubs.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(  # type: ignore[attr-defined]
                connection_pool=self._get_connection_pool(write)  # type: ignore[attr-defined]
            )
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def count_hit(self, key: str, timeout: int) -> int:
        """Add one to a counter that expires `timeout` seconds after its first hit; return it.

        INCR and EXPIRE NX in one pipelined round trip, where add() then incr() takes three.
        """
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout, nx=True)
        count, _expiry_set = pipe.execute()
        return int(count)
