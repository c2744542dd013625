#!/usr/bin/env bash
# Make sure the services the tests need are running: PostgreSQL on 127.0.0.1:5432.
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
