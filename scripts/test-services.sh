#!/usr/bin/env bash
# Make sure the services the tests need are running: PostgreSQL on 127.0.0.1:5432, Redis on
# 127.0.0.1:6379 (shared rate limits), and that the browser tests' tooling is installed:
# Debian's Chromium, axe-core and world-atlas (npm).
# Installs nothing it does not need; safe to run again.
set -euo pipefail

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

# The documents plugin converts its .docx files to PDF to prove they open (LibreOffice, poppler).
if { ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; } \
   && [ "$(id -u)" = 0 ]; then
  echo "Installing LibreOffice Writer and poppler-utils (Debian packages)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends libreoffice-writer-nogui poppler-utils fonts-liberation >/dev/null
fi

# The redline test drives LibreOffice over UNO (accept/reject all) with the system Python.
if ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing python3-uno (Debian package) for the LibreOffice redline test..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends python3-uno >/dev/null
fi

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

# Browser tests: Debian's Chromium (never a browser downloaded by Playwright) and axe-core from npm.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Chromium (Debian package) for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
  else
    echo "/usr/bin/chromium is missing: browser tests will be skipped (they fail in CI)." >&2
  fi
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$root/node_modules/axe-core/axe.min.js" ] \
   || [ ! -f "$root/node_modules/world-atlas/countries-110m.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "Installing axe-core (accessibility checks) and world-atlas (the maps) from npm..."
    if [ -f "$root/package-lock.json" ]; then
      (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$root" && npm install --no-audit --no-fund --loglevel=error)
    fi
  else
    echo "npm is missing: accessibility checks will be skipped (they fail in CI)." >&2
  fi
fi
