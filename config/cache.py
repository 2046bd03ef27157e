"""Django's RedisCache, keeping one redis-py client per connection pool instead of making one per call.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call; building one sets up its
table of reply handlers, which costs more than a short reply from Redis itself, and every page makes
several cache calls (configuration, counts, status). A redis-py client holds no connection of its own
(each command borrows one from the pool) and may be shared between threads, so one per pool is enough.
The pools stay Django's own, created on first use as before, so the timeouts in OPTIONS still apply.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
