from __future__ import annotations

import click
from flask.cli import with_appcontext

from alliance_conf.auth import operations
from alliance_conf.auth.models import UserRole
from alliance_conf.core.cli import domain_errors
from alliance_conf.extensions import db


@click.group("users", help="Manage user accounts.")
def users_cli():
    pass


def _create(email, password, name, role):
    user = operations.create_user(email=email, full_name=name, password=password, role=role)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="Sign-in e-mail.")
@click.option("--name", default="Administrator", show_default=True, help="Full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
@domain_errors
def create_admin(email, name, password):
    """Create an administrator account (prompts for what is omitted)."""
    _create(email, password, name, UserRole.admin)


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Full name")
@click.option("--role", type=click.Choice([r.value for r in UserRole]), prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
@domain_errors
def create_user(email, name, role, password):
    """Create an account with any role."""
    _create(email, password, name, UserRole(role))


@users_cli.command("translator")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the permission away instead.")
@with_appcontext
@domain_errors
def translator(email, revoke):
    """Grant (or revoke) a staff member the translator permission."""
    from alliance_conf.core.errors import NotFound
    from alliance_conf.i18n import _

    user = operations.find_user_by_email(email)
    if user is None:
        raise NotFound(_("There is no account with the e-mail %(email)s.", email=email))
    operations.set_translator(user, not revoke)
    db.session.commit()
    if revoke:
        click.echo(_("%(email)s is no longer a translator.", email=user.email))
    else:
        click.echo(_("%(email)s is now a translator.", email=user.email))
