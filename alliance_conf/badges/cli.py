from __future__ import annotations

import click
from flask.cli import with_appcontext

from alliance_conf.badges import operations, pdf
from alliance_conf.conferences.operations import get_conference
from alliance_conf.core.cli import domain_errors
from alliance_conf.core.errors import NotFound
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.i18n import _, ngettext
from alliance_conf.registrations.models import Registration


@click.group("badges", help="Issue, print and revoke accreditation badges; check people in.")
def badges_cli():
    pass


def _delegation(conference, key: str) -> Delegation:
    """A delegation by its country code (BE) or id."""
    query = db.select(Delegation).where(Delegation.conference_id == conference.id)
    if key.isdigit():
        query = query.where(Delegation.id == int(key))
    else:
        query = query.where(Delegation.country_code == key.strip().upper())
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(_("There is no delegation %(key)s in this conference.", key=key))
    return found


@badges_cli.command("issue")
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@click.option("--delegation", "delegation_key", help="Only this delegation (code or id).")
@click.option("--registration", "registration_id", type=int, help="Re-issue for one registration.")
@with_appcontext
@domain_errors
def issue_command(slug, delegation_key, registration_id):
    """Issue a badge to every approved delegate without one (or re-issue one registration's)."""
    conference = get_conference(slug)
    if registration_id is not None:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.conference_id != conference.id:
            raise NotFound(_("There is no registration %(id)s here.", id=registration_id))
        badge = operations.issue_badge(registration, actor=None)
        db.session.commit()
        click.echo(
            _("Badge %(id)s issued to %(name)s.", id=badge.id, name=registration.user.full_name)
        )
        return
    delegation = _delegation(conference, delegation_key) if delegation_key else None
    issued = operations.issue_missing(conference, actor=None, delegation=delegation)
    db.session.commit()
    click.echo(ngettext("%(num)d badge issued.", "%(num)d badges issued.", issued))


@badges_cli.command("print")
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@click.option("--delegation", "delegation_key", required=True, help="Country code or id.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), required=True)
@click.option("--language", help="Print every badge in this language (default: each holder's).")
@with_appcontext
@domain_errors
def print_command(slug, delegation_key, output, language):
    """Write a delegation's valid badges to one PDF, one A6 page each."""
    delegation = _delegation(get_conference(slug), delegation_key)
    badges = pdf.delegation_badges(delegation)
    with open(output, "wb") as target:
        target.write(pdf.render(badges, language))
    click.echo(ngettext("%(num)d badge written.", "%(num)d badges written.", len(badges)))


@badges_cli.command("check-in")
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@click.option("--door", default="", help="Which door (kept with the arrival).")
@click.argument("code")
@with_appcontext
@domain_errors
def check_in_command(slug, door, code):
    """Check in the badge whose QR code reads CODE (exit code 1 when refused)."""
    scan = operations.check_in(get_conference(slug), code, actor=None, door=door)
    if not scan.ok:
        db.session.rollback()
        raise click.ClickException(scan.message)
    db.session.commit()
    click.echo(scan.message)


@badges_cli.command("revoke")
@click.option("--conference", "slug", required=True, help="The conference's slug.")
@click.option("--reason", required=True, help="Why (kept with the badge).")
@click.argument("badge_id", type=int)
@with_appcontext
@domain_errors
def revoke_command(slug, reason, badge_id):
    """Revoke badge BADGE_ID: its QR code is refused at the door from now on."""
    badge = operations.get_badge(badge_id, get_conference(slug))
    operations.revoke_badge(badge, actor=None, reason=reason)
    db.session.commit()
    click.echo(_("Badge %(id)s revoked.", id=badge.id))
