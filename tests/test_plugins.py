"""The plugin engine, proved with a tiny third-party distribution installed on sys.path."""

import importlib
import textwrap

import pluggy
import pytest

from alliance_conf.plugins import PluginState, get_registry

HELLO_PLUGIN = """
import click
from flask import Blueprint

from alliance_conf.auth.access import public
from alliance_conf.hooks import NavItem, SlotContent, hookimpl

bp = Blueprint("hello", __name__, template_folder="templates")


@public
def hello_page():
    return "Hello from a plugin"


bp.add_url_rule("/hello", "page", hello_page)


@click.command("hello")
def hello_command():
    click.echo("hello from the plugin CLI")


@hookimpl
def alliance_blueprints(app):
    return [bp]


@hookimpl
def alliance_cli_commands(app):
    return [hello_command]


@hookimpl
def alliance_nav_items(user):
    return [NavItem("Hello plugin", "hello.page", anonymous=True)]


@hookimpl
def alliance_template_slot(slot, context):
    if slot == "conference-overview":
        return SlotContent("hello/slot.html", {"greeting": "Greetings"})


EVENTS = []


@hookimpl
def alliance_delegation_created(delegation, actor):
    EVENTS.append(delegation.name)
"""

BROKEN_PLUGIN = "raise RuntimeError('this plugin is broken on purpose')\n"
MISSPELT_PLUGIN = """
from alliance_conf.hooks import hookimpl


@hookimpl
def alliance_blueprint(app):  # missing the final s
    return []
"""


def install_fake_distribution(root, dist_name, entry_name, module_name, source, templates=None):
    package = root / module_name
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(source))
    for path, text in (templates or {}).items():
        target = package / "templates" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    info = root / f"{dist_name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[alliance_conf.plugins]\n{entry_name} = {module_name}\n"
    )


def run_cli(app, args):
    """Invoke the CLI of ``app`` (not of the app the test fixtures already pushed)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args)


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()

    def install(kind):
        sources = {"hello": HELLO_PLUGIN, "broken": BROKEN_PLUGIN, "misspelt": MISSPELT_PLUGIN}
        templates = {
            "hello/slot.html": "<p class='hello-slot'>{{ greeting }}, {{ conference.city }}</p>"
        }
        install_fake_distribution(
            site, f"{kind}-plugin", kind, f"{kind}_plugin_mod", sources[kind], templates
        )
        importlib.invalidate_caches()

    yield install
    import sys

    for name in [m for m in sys.modules if m.endswith("_plugin_mod")]:
        del sys.modules[name]


@pytest.fixture
def build_app(make_app):
    return make_app


def test_third_party_plugin_adds_page_nav_item_slot_and_cli(third_party, build_app, seed):
    third_party("hello")
    app = build_app()
    registry = get_registry(app)
    assert registry.plugins["hello"].state is PluginState.enabled
    assert registry.plugins["hello"].version == "1.0"
    client = app.test_client()
    assert client.get("/hello").get_data(as_text=True) == "Hello from a plugin"
    home = client.get("/").get_data(as_text=True)
    assert 'href="/hello"' in home and "Hello plugin" in home
    conference_page = client.get("/conferences/global-alliance-2012").get_data(as_text=True)
    assert "<p class='hello-slot'>Greetings, Brussels</p>" in conference_page
    result = run_cli(app, ["hello"])
    assert result.exit_code == 0 and "hello from the plugin CLI" in result.output
    listing = run_cli(app, ["plugins", "list"])
    assert "hello" in listing.output and "1.0" in listing.output and "enabled" in listing.output


def test_plugin_receives_domain_events(third_party, build_app, make_conference):
    third_party("hello")
    app = build_app()
    import hello_plugin_mod

    from alliance_conf.delegations.operations import create_delegation

    with app.app_context():
        conference = make_conference()
        create_delegation(conference, group="partner", country_code="NO")
    assert hello_plugin_mod.EVENTS == ["Norway"]


def test_disabled_plugin_adds_nothing(third_party, build_app):
    third_party("hello")
    app = build_app(DISABLED_PLUGINS=["hello"])
    assert get_registry(app).plugins["hello"].state is PluginState.disabled
    assert app.test_client().get("/hello").status_code == 404
    assert "hello" not in app.cli.commands
    listing = run_cli(app, ["plugins", "list"])
    assert "disabled" in listing.output


def test_all_plugins_can_be_disabled_and_the_core_still_serves(third_party, build_app, seed):
    third_party("hello")
    app = build_app(DISABLED_PLUGINS=["*"])
    registry = get_registry(app)
    assert registry.plugins and all(
        info.state is PluginState.disabled for info in registry.plugins.values()
    )
    client = app.test_client()
    assert client.get("/auth/login").status_code == 200
    page = client.get("/conferences/global-alliance-2012").get_data(as_text=True)
    assert 'Delegations <span class="count">(49)</span>' in page


def test_a_broken_plugin_is_blocked_and_the_app_starts(third_party, build_app):
    third_party("broken")
    app = build_app()
    info = get_registry(app).plugins["broken"]
    assert info.state is PluginState.failed
    assert "broken on purpose" in info.error
    assert app.test_client().get("/auth/login").status_code == 200
    listing = run_cli(app, ["plugins", "list"])
    assert "failed" in listing.output


def test_a_misspelt_hook_fails_loudly(third_party, build_app):
    third_party("misspelt")
    with pytest.raises(pluggy.PluginValidationError, match="alliance_blueprint"):
        build_app()


def test_unknown_plugin_in_cli_is_an_error(cli):
    result = cli("plugins", "show", "no-such-plugin")
    assert result.exit_code == 1
    assert "No plugin named 'no-such-plugin'" in result.output
