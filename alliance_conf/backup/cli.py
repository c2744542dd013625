from __future__ import annotations

import json
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from alliance_conf.backup.operations import export_conference, import_backup
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext


@click.group("backup", help="Export one conference to a JSON file, or restore one from it.")
def backup_cli():
    pass


@backup_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@with_appcontext
@domain_errors
def export_command(file: Path, slug: str):
    """Write the conference to FILE (readable only by you: it holds personal data and password
    hashes)."""
    data = export_conference(get_conference(slug))
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    core = data["core"]
    counts = {
        "delegations": ngettext(
            "%(num)d delegation", "%(num)d delegations", len(core["delegations"])
        ),
        "registrations": ngettext(
            "%(num)d registration", "%(num)d registrations", len(core["registrations"])
        ),
        "accounts": ngettext("%(num)d account", "%(num)d accounts", len(core["users"])),
        "events": ngettext(
            "%(num)d audit event", "%(num)d audit events", len(core["audit_events"])
        ),
    }
    click.echo(
        _(
            "Exported '%(slug)s': %(delegations)s, %(registrations)s, %(accounts)s, %(events)s, "
            "plugins: %(plugins)s -> %(file)s",
            slug=slug,
            plugins=", ".join(sorted(data["plugins"])) or _("none"),
            file=file,
            **counts,
        )
    )


@backup_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@domain_errors
def import_command(file: Path):
    """Restore the conference in FILE, all or nothing."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(
            _("%(file)s is not a JSON backup: %(error)s", file=file, error=exc)
        ) from None
    try:
        conference = import_backup(data)
        db.session.commit()
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(
            _(
                "The backup could not be restored; nothing was written. %(error)s: %(detail)s",
                error=type(exc).__name__,
                detail=getattr(exc, "orig", exc),
            )
        ) from None
    except Exception:
        db.session.rollback()
        raise
    click.echo(_("Restored conference '%(slug)s' from %(file)s.", slug=conference.slug, file=file))
