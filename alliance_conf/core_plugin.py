"""The core registers its own blueprints, commands and navigation through the plugin hooks."""

from __future__ import annotations

from flask import Flask

from alliance_conf.hooks import NavItem, SlotContent, hookimpl
from alliance_conf.i18n import _l
from alliance_conf.notifications.reactions import *  # noqa: F403 - the core's event reactions


@hookimpl
def alliance_configure(app: Flask):
    from alliance_conf.auth import loading
    from alliance_conf.delegations.countries import country_name, delegation_name
    from alliance_conf.notifications import operations as notifications

    app.before_request(loading.load_api_user)
    # Country names in the interface's language: ``delegation_name(row.name, row.country_code)``
    app.jinja_env.globals.update(country_name=country_name, delegation_name=delegation_name)
    notifications.init_app(app)


@hookimpl
def alliance_blueprints(app: Flask):
    from alliance_conf.api.views import api as meta_api
    from alliance_conf.auth.api import api as auth_api
    from alliance_conf.auth.blueprint import bp as auth_bp
    from alliance_conf.badges.api import api as badges_api
    from alliance_conf.badges.blueprint import bp as badges_bp
    from alliance_conf.conferences.api import api as conferences_api
    from alliance_conf.conferences.blueprint import bp as conferences_bp
    from alliance_conf.declarations.api import api as declarations_api
    from alliance_conf.declarations.blueprint import bp as declarations_bp
    from alliance_conf.delegations.api import api as delegations_api
    from alliance_conf.delegations.blueprint import bp as delegations_bp
    from alliance_conf.design.blueprint import bp as design_bp
    from alliance_conf.health.blueprint import bp as health_bp
    from alliance_conf.i18n.blueprint import bp as i18n_bp
    from alliance_conf.invitations.api import api as invitations_api
    from alliance_conf.invitations.blueprint import bp as invitations_bp
    from alliance_conf.jobs.api import api as jobs_api
    from alliance_conf.jobs.blueprint import bp as jobs_bp
    from alliance_conf.mail.blueprint import bp as mail_bp
    from alliance_conf.notifications.api import api as notifications_api
    from alliance_conf.notifications.blueprint import bp as notifications_bp
    from alliance_conf.participants.api import api as participants_api
    from alliance_conf.participants.blueprint import bp as participants_bp
    from alliance_conf.registrations.api import api as registrations_api
    from alliance_conf.registrations.blueprint import bp as registrations_bp

    return [
        auth_bp,
        conferences_bp,
        meta_api,
        auth_api,
        conferences_api,
        delegations_api,
        health_bp,
        invitations_bp,
        invitations_api,
        mail_bp,
        registrations_bp,
        registrations_api,
        declarations_bp,
        declarations_api,
        design_bp,
        delegations_bp,
        participants_bp,
        participants_api,
        jobs_bp,
        jobs_api,
        i18n_bp,
        badges_bp,
        badges_api,
        notifications_bp,
        notifications_api,
    ]


@hookimpl
def alliance_cli_commands(app: Flask):
    from alliance_conf.auth.cli import users_cli
    from alliance_conf.backup.cli import backup_cli
    from alliance_conf.badges.cli import badges_cli
    from alliance_conf.cli import plugins_cli
    from alliance_conf.conferences.cli import conferences_cli
    from alliance_conf.declarations.cli import declarations_cli
    from alliance_conf.delegations.cli import delegations_cli
    from alliance_conf.demo.cli import demo_cli
    from alliance_conf.invitations.cli import invitations_cli
    from alliance_conf.jobs.cli import jobs_cli
    from alliance_conf.mail.cli import mail_cli
    from alliance_conf.participants.cli import participants_cli

    return [
        users_cli,
        plugins_cli,
        demo_cli,
        backup_cli,
        invitations_cli,
        jobs_cli,
        mail_cli,
        declarations_cli,
        delegations_cli,
        participants_cli,
        badges_cli,
        conferences_cli,
    ]


@hookimpl
def alliance_nav_items(user):
    return [
        NavItem(_l("Conferences"), "conferences.index", order=10, anonymous=True),
        NavItem(
            _l("New conference"), "conferences.create", order=90, roles=frozenset({"organiser"})
        ),
        NavItem(_l("My registrations"), "registrations.mine", order=50),
        NavItem(_l("Outbox"), "mail.outbox", order=95, roles=frozenset({"organiser"})),
    ]


@hookimpl
def alliance_template_slot(slot, context):
    if slot == "conference-links-registration":
        return [
            SlotContent(
                "participants/_conference_links.html",
                order=10,
                context={"own_registration": _own_registration(context.get("conference"))},
            ),
            SlotContent(
                "registrations/_conference_links.html",
                order=20,
                context={"own_registration": _own_registration(context.get("conference"))},
            ),
            SlotContent("badges/_conference_links.html", order=30, context=_badge(context)),
        ]
    if slot == "conference-links-declaration":
        return SlotContent("declarations/_conference_links.html", order=10)
    if slot == "conference-links-communication":
        return SlotContent("mail/_conference_links.html", order=10)
    return None


@hookimpl
def alliance_registration_status_changed(registration, old_status, new_status, actor):
    from alliance_conf.badges.operations import on_registration_status_changed

    on_registration_status_changed(registration, old_status, new_status, actor)


def _badge(context):
    from flask_login import current_user

    from alliance_conf.badges.operations import own_badge

    conference = context.get("conference")
    return {"own_badge": conference and own_badge(current_user, conference)}


def _own_registration(conference):
    """Offer "My delegation" only to people it leads somewhere for."""
    from flask_login import current_user

    from alliance_conf.registrations.operations import own_approved_registration

    return conference and own_approved_registration(current_user, conference.id)
