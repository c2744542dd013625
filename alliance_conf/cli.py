"""``flask plugins``: what the plugin engine found."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from alliance_conf.i18n import _
from alliance_conf.plugins import get_registry


@click.group("plugins", help="Inspect the installed plugins.")
def plugins_cli():
    pass


@plugins_cli.command("list")
@with_appcontext
def list_plugins():
    """Each discovered plugin, its version and whether it is enabled."""
    registry = get_registry(current_app)
    if not registry.plugins:
        click.echo(_("No plugins installed."))
        return
    width = max(len(name) for name in registry.plugins)
    for info in registry.plugins.values():
        line = f"{info.name:<{width}}  {info.version:<10}  {info.state.value:<8}  {info.module}"
        if info.error:
            line += f"  ({info.error})"
        click.echo(line)


@plugins_cli.command("show")
@click.argument("name")
@with_appcontext
def show_plugin(name):
    """Details of one plugin."""
    registry = get_registry(current_app)
    info = registry.plugins.get(name)
    if info is None:
        known = ", ".join(registry.plugins) or _("none")
        raise click.ClickException(
            _(
                "No plugin named '%(name)s' is installed (installed: %(known)s).",
                name=name,
                known=known,
            )
        )
    click.echo(f"name:         {info.name}")
    click.echo(f"module:       {info.module}")
    click.echo(f"distribution: {info.distribution} {info.version}")
    click.echo(f"state:        {info.state.value}")
    if info.error:
        click.echo(f"error:        {info.error}")
