#!/usr/bin/env bash
# Make sure the services the tests need are running: PostgreSQL on 127.0.0.1:5432 and Redis on
# 127.0.0.1:6379 (shared rate limits).
# Installs nothing it does not need; safe to run again.
set -euo pipefail

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing PostgreSQL (Debian package)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_ready; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1 || true)
  if [ -n "$version" ]; then
    echo "Starting PostgreSQL $version..."
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi

if pg_ready; then
  echo "PostgreSQL is ready on 127.0.0.1:5432."
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432; PostgreSQL tests will fail in CI." >&2
fi

redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! command -v redis-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Redis (Debian package)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

if ! redis_ready && command -v redis-server >/dev/null 2>&1; then
  echo "Starting Redis..."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis_ready && break; sleep 0.2; done
fi

if redis_ready; then
  echo "Redis is ready on 127.0.0.1:6379."
else
  echo "Redis is not reachable on 127.0.0.1:6379; the shared rate-limit test will fail in CI." >&2
fi
