"""pytest fixtures shared by the core's and every plugin's tests (the pytest plugin the root
``conftest.py`` loads). They live by subject; this module gathers them:

- ``databases``: the app on SQLite and on a fresh PostgreSQL database, clients, configuration;
- ``factories``: users, conferences, delegations, registrations, full powers, the seed (day
  one, and ``seed_week``);
- ``clients``: signing in, API bearer headers, the CLI;
- ``mail``: a loopback SMTP server and free ports.
"""

from __future__ import annotations

from alliance_conf.testing.clients import api_headers, cli, login, project_root
from alliance_conf.testing.databases import (
    IN_CI,
    PG_ADMIN_URL,
    TEST_SIGNING_KEY,
    FreshRequestClient,
    _databases,
    _session_app,
    app,
    base_test_config,
    client,
    database_url,
    empty_all_tables,
    ensure_postgresql,
    is_postgresql,
    make_app,
    migrate_to_heads,
    postgresql_url,
)
from alliance_conf.testing.factories import (
    TEST_PASSWORD,
    declaration_cast,
    grant_powers,
    make_conference,
    make_delegates,
    make_delegation,
    make_registration,
    make_user,
    seed,
    seed_week,
)
from alliance_conf.testing.mail import SmtpInbox, free_port, smtp_server

__all__ = [
    "IN_CI",
    "PG_ADMIN_URL",
    "TEST_PASSWORD",
    "TEST_SIGNING_KEY",
    "FreshRequestClient",
    "SmtpInbox",
    "_databases",
    "_session_app",
    "api_headers",
    "app",
    "base_test_config",
    "cli",
    "client",
    "database_url",
    "declaration_cast",
    "empty_all_tables",
    "ensure_postgresql",
    "free_port",
    "grant_powers",
    "is_postgresql",
    "login",
    "make_app",
    "make_conference",
    "make_delegates",
    "make_delegation",
    "make_registration",
    "make_user",
    "migrate_to_heads",
    "postgresql_url",
    "project_root",
    "seed",
    "seed_week",
    "smtp_server",
]
