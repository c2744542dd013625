"""A plugin can be switched off and on again after its migrations ran: every installed plugin's
migration directory stays known to Alembic whatever its state, so ``flask db upgrade heads``
works on a database that holds its revisions (on SQLite and on PostgreSQL). Plugin settings are
defaults only: the environment and the app's explicit configuration override them, once.
"""

import secrets

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext

from alliance_conf.app import create_app
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import PG_ADMIN_URL, base_test_config, migrate_to_heads


@pytest.fixture
def fresh_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "switch.db")
        return
    name = f"alliance_switch_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _upgrade(url, tmp_path, disabled):
    app = create_app(
        {**base_test_config(url), "DISABLED_PLUGINS": disabled},
        instance_path=str(tmp_path / "instance"),
    )
    migrate_to_heads(app)
    with app.app_context():
        with db.engine.connect() as conn:
            heads = set(MigrationContext.configure(conn).get_current_heads())
            tables = set(sa.inspect(conn).get_table_names())
        db.engine.dispose()
    return heads, tables


def test_switching_a_plugin_off_and_on_keeps_upgrade_working(fresh_url, tmp_path):
    heads, tables = _upgrade(fresh_url, tmp_path, [])
    assert any(head.startswith("documents_") for head in heads)
    assert "document_templates" in tables
    for disabled in (["documents"], ["*"], []):
        after, tables = _upgrade(fresh_url, tmp_path, disabled)
        assert after == heads, disabled  # nothing lost, nothing to locate
        assert "document_templates" in tables


def test_plugin_settings_are_defaults_the_app_config_and_environment_override(
    monkeypatch, tmp_path, database_url
):
    monkeypatch.setenv("SIGNATURES_REQUIRE_EMAIL_CODE", "false")
    monkeypatch.setenv("SIGNATURES_STORE_IP", "false")
    app = create_app(
        {**base_test_config(database_url), "SIGNATURES_REQUIRE_EMAIL_CODE": True},
        instance_path=str(tmp_path / "instance"),
    )
    assert app.config["SIGNATURES_REQUIRE_EMAIL_CODE"] is True  # explicit beats the shell
    assert app.config["SIGNATURES_STORE_IP"] is False  # the environment beats the default
    monkeypatch.delenv("SIGNATURES_STORE_IP")
    app = create_app(base_test_config(database_url), instance_path=str(tmp_path / "other"))
    assert app.config["SIGNATURES_STORE_IP"] is True  # the plugin's default


def test_a_plugin_that_fails_to_import_keeps_its_history_known(fresh_url, tmp_path, monkeypatch):
    from importlib.metadata import EntryPoint

    from alliance_conf import plugins

    heads, _ = _upgrade(fresh_url, tmp_path, [])
    real = plugins.entry_points

    def broken_documents(group):
        found = [ep for ep in real(group=group) if ep.name != "documents"]
        return [*found, EntryPoint("documents", "plugins.documents:no_such_attribute", group)]

    monkeypatch.setattr(plugins, "entry_points", broken_documents)
    app = create_app(base_test_config(fresh_url), instance_path=str(tmp_path / "broken"))
    assert plugins.get_registry(app).plugins["documents"].state is plugins.PluginState.failed
    after, _ = _upgrade(fresh_url, tmp_path, [])
    assert after == heads
