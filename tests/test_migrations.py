"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from alliance_conf.extensions import db


def _script_directory(app):
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_every_head(app):
    script = _script_directory(app)
    heads = set(script.get_heads())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    assert current <= heads
    # A plugin branch that depends on the core's head makes that head implicit in the table.
    reached = {rev.revision for rev in script.iterate_revisions(tuple(current), "base")}
    assert heads <= reached


def test_each_branch_is_labelled(app):
    script = _script_directory(app)
    bases = [script.get_revision(rev) for rev in script.get_bases()]
    labels = {label for rev in bases for label in rev.branch_labels}
    assert "core" in labels
    for rev in bases:
        assert rev.branch_labels, f"root revision {rev.revision} has no branch label"


def test_no_create_all_in_start_up(project_root):
    for path in (project_root / "alliance_conf").rglob("*.py"):
        if "testing" in path.parts:
            continue
        assert "create_all(" not in path.read_text(), path


def test_named_constraints_exist(app):
    inspector = sa.inspect(db.engine)
    uniques = {c["name"] for c in inspector.get_unique_constraints("delegations")}
    assert "uq_delegations_conference_id_country_code" in uniques
