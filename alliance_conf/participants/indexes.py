"""Indexes that keep the participant list, dashboard and exports fast at COP scale.

They are declared here, on the tables of other areas, so the participant queries and the
indexes they rely on are read together; ``alliance_conf.models`` imports this module.
"""

import sqlalchemy as sa

from alliance_conf.auth.models import User
from alliance_conf.registrations.models import Registration

users = User.__table__
registrations = Registration.__table__

# Sorting the list by name walks this index and stops after one page.
sa.Index("ix_users_full_name_id", users.c.full_name, users.c.id)
# Sorting by registration date, and counting a conference's registrations from the index only.
sa.Index(
    "ix_registrations_conference_created",
    registrations.c.conference_id,
    registrations.c.created_at,
    registrations.c.id,
)
# The dashboard groups a conference's registrations by delegation and status from this index.
sa.Index(
    "ix_registrations_conference_delegation_status",
    registrations.c.conference_id,
    registrations.c.delegation_id,
    registrations.c.status,
)
# ...and finds the delegations that have a signatory from this one.
sa.Index(
    "ix_registrations_conference_signatory",
    registrations.c.conference_id,
    registrations.c.is_signatory,
    registrations.c.delegation_id,
)
# The head of each delegation (and the list filtered by delegation and function).
sa.Index(
    "ix_registrations_delegation_function",
    registrations.c.delegation_id,
    registrations.c.function,
    registrations.c.status,
)


def search_text(full_name, email):
    """The text the participant search looks in on PostgreSQL, as indexed below."""
    return sa.func.lower(full_name).op("||")(sa.literal_column("' '")).op("||")(email)


# Name/e-mail search: a trigram index answers ``LIKE '%term%'`` on PostgreSQL (extension
# pg_trgm, created by the migration). SQLite has no such index and scans the users table.
sa.Index(
    "ix_users_search_trgm",
    search_text(users.c.full_name, users.c.email).label("search"),
    postgresql_using="gin",
    postgresql_ops={"search": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
