"""Creating the Redis client: one server or a Redis Cluster, from the settings."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from screening.security.clients import redis_options
from screening.settings import Settings

AnyRedis = Redis | RedisCluster


def make_redis(settings: Settings, **overrides: Any) -> AnyRedis:
    """A client with timeouts that fit the latency budget; callers own and close it."""
    options: dict[str, Any] = {
        "socket_timeout": settings.redis_timeout_s,
        "socket_connect_timeout": settings.redis_timeout_s,
        "decode_responses": False,
        "health_check_interval": 0,
    }
    options.update(redis_options(settings))
    options.update(overrides)
    if settings.redis_cluster:
        return RedisCluster.from_url(settings.redis_url, **options)
    return Redis.from_url(settings.redis_url, **options)
