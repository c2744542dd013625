"""Signatures plugin: delegations sign the frozen declaration online, with tamper evidence.

Entry point ``signatures = plugins.signatures`` (group ``alliance_conf.plugins``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from alliance_conf.config import Setting, split_list
from alliance_conf.hooks import NavItem, SlotContent, hookimpl
from plugins.signatures import models  # noqa: F401 - registers the tables

HERE = Path(__file__).resolve().parent

DEFAULTS = {
    # None: state delegations sign; or a list of group keys (e.g. ["eu_member", "partner"]).
    "SIGNATURES_SIGNING_GROUPS": Setting(None, split_list),
    # None: organisation delegations may support (not sign); or a list of group keys.
    "SIGNATURES_SUPPORT_GROUPS": Setting(None, split_list),
    "SIGNATURES_REQUIRE_EMAIL_CODE": False,
    "SIGNATURES_STORE_IP": True,
    "SIGNATURES_SIGNING_KEY": None,  # PEM Ed25519 private key; required in production
    "SIGNATURES_MAX_FAILURES": 5,
    "SIGNATURES_FAILURE_WINDOW_MINUTES": 15,
    "SIGNATURES_LOCK_MINUTES": 15,
    "SIGNATURES_CODE_MINUTES": 10,
    "SIGNATURES_REMINDER_HOURS": 24,
    # Public verification by code (page and API), per client address.
    "RATELIMIT_PUBLIC_VERIFY": "60 per minute",
}


@hookimpl
def alliance_settings():
    return DEFAULTS


@hookimpl
def alliance_configure(app: Flask):
    from plugins.signatures import crypto

    crypto.install_key(app)


@hookimpl
def alliance_blueprints(app: Flask):
    from plugins.signatures.api import api
    from plugins.signatures.blueprint import bp

    return [bp, api]


@hookimpl
def alliance_cli_commands(app: Flask):
    from plugins.signatures.cli import signatures_cli

    return [signatures_cli]


@hookimpl
def alliance_migration_dirs():
    return [str(HERE / "migrations" / "versions")]


@hookimpl
def alliance_nav_items(user):
    from alliance_conf.i18n import _

    return [NavItem(_("Verify a signature"), "signatures.verify_form", order=80, anonymous=True)]


@hookimpl
def alliance_template_slot(slot, context):
    from plugins.signatures import views

    if slot == "conference-overview" and context.get("conference") is not None:
        return SlotContent(
            "signatures/_conference_slot.html",
            views.conference_slot_context(context["conference"]),
            order=30,
        )
    if slot == "declaration-overview" and context.get("declaration") is not None:
        return SlotContent(
            "signatures/_declaration_slot.html",
            views.declaration_slot_context(context["declaration"]),
            order=10,
        )
    return None


@hookimpl
def alliance_declaration_can_reopen(declaration):
    from plugins.signatures.operations import reopen_veto

    return reopen_veto(declaration)


@hookimpl
def alliance_declaration_state_changed(declaration, old_state, new_state, actor):
    from plugins.signatures.chain import record_state_change

    record_state_change(declaration, old_state, new_state)


@hookimpl
def alliance_signature_rows(declaration):
    from plugins.signatures.board import signature_rows

    return signature_rows(declaration)


@hookimpl
def alliance_demo_load(conference, accounts):
    from plugins.signatures.demo import designate_demo_signatory

    designate_demo_signatory(conference, accounts)


@hookimpl(tryfirst=True)
def alliance_demo_week(week):
    """Signing comes right after the core's part of the week (the text opened), before the
    reporting round, which is computed from the signatures."""
    from plugins.signatures.demo import play_week

    return play_week(week)


@hookimpl
def alliance_backup_export(conference):
    from plugins.signatures.backup import export_section

    return "signatures", export_section(conference)


@hookimpl
def alliance_backup_import(conference, data, id_map):
    from plugins.signatures.backup import import_section

    import_section(data, id_map)
