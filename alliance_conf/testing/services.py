"""Find (or start) the services some tests need; in CI a missing service fails, never skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from alliance_conf.testing.fixtures import IN_CI

REDIS_URL = os.environ.get("ALLIANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False
    finally:
        client.close()


def _start_redis() -> None:
    server = shutil.which("redis-server")
    if server:
        subprocess.run(
            [
                server,
                "--daemonize", "yes",
                "--bind", "127.0.0.1",
                "--port", "6379",
                "--save", "",
                "--appendonly", "no",
            ],
            check=False,
            capture_output=True,
        )  # fmt: skip


def ensure_redis(url: str = REDIS_URL) -> str:
    """The URL of a reachable Redis, started locally when needed."""
    if _redis_reachable(url):
        return url
    _start_redis()
    for _ in range(50):
        if _redis_reachable(url):
            return url
        time.sleep(0.1)
    message = f"Redis is not reachable at {url} and could not be started (scripts/test-services.sh)"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
