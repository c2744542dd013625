"""Backups: the seed conference round-trips through `flask backup export` / `import`."""

import json
import stat
from datetime import date

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.auth.models import User, UserRole
from alliance_conf.backup.operations import FORMAT, VERSION, export_conference
from alliance_conf.backup.serialise import IdMap, dump_row, load_row
from alliance_conf.conferences.models import Conference, ConferenceStatus
from alliance_conf.core.db import utcnow
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.hooks import hookimpl
from alliance_conf.plugins import get_registry
from alliance_conf.registrations.models import Registration
from alliance_conf.testing.fixtures import TEST_PASSWORD, empty_all_tables

SECTIONS = {
    "conference": Conference,
    "delegations": Delegation,
    "users": User,
    "registrations": Registration,
    "audit_events": AuditEvent,
}


def table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


def canonical(backup: dict) -> dict:
    """The backup with every id replaced by the row's rank in its table, so two databases that
    hold the same data compare equal; references to rows outside the backup become None."""
    core = backup["core"]
    rows_of = {s: core[s] if isinstance(core[s], list) else [core[s]] for s in SECTIONS}
    rank = {
        model.__table__.name: {row["id"]: i for i, row in enumerate(rows_of[s])}
        for s, model in SECTIONS.items()
    }
    tables = {m.__name__: m.__table__.name for m in SECTIONS.values()}
    result = {}
    for section, model in SECTIONS.items():
        out = []
        for row in rows_of[section]:
            row = dict(row)
            for attr in sa.inspect(model).column_attrs:
                column, key = attr.columns[0], attr.key
                if column.primary_key:
                    row[key] = rank[model.__table__.name][row[key]]
                elif column.foreign_keys and row[key] is not None:
                    target = next(iter(column.foreign_keys)).column.table.name
                    row[key] = rank[target].get(row[key])
            if section == "audit_events" and row["object_type"] in tables:
                row["object_id"] = rank[tables[row["object_type"]]].get(int(row["object_id"]))
            out.append(row)
        result[section] = out
    result["audit_events"] = [
        e for e in result["audit_events"] if e["action"] != "conference.restored"
    ]
    result["plugins"] = backup["plugins"]
    return result


class NotesPlugin:
    """A stand-in plugin with its own backup section, registered only for these tests."""

    def __init__(self):
        self.imported = []

    @hookimpl
    def alliance_backup_export(self, conference):
        names = db.session.scalars(
            sa.select(Delegation.country_code)
            .where(Delegation.conference_id == conference.id)
            .order_by(Delegation.id)
            .limit(2)
        ).all()
        return "notes", {
            "notes": [{"country": code, "text": "Ünïcode <b>ok</b>"} for code in names]
        }

    @hookimpl
    def alliance_backup_import(self, conference, data, id_map):
        self.imported.append((conference.slug, data, id_map.table("delegations")))


@pytest.fixture
def notes_plugin(app):
    manager = get_registry(app).manager
    plugin = NotesPlugin()
    manager.register(plugin, name="notes")
    yield plugin
    manager.unregister(name="notes")


@pytest.fixture
def populated(seed, make_user, make_registration, grant_powers):
    """The seed conference with registrations in several states and an organiser's decisions."""
    conference = seed.conference
    organiser = seed.accounts["organiser"]
    delegations = conference.delegations.order_by(Delegation.id).all()
    signatory = make_user(full_name="Ministre Élodie Ñúñez")
    signatory_registration = make_registration(
        delegations[1],
        signatory,
        function="minister",
        decided_by_id=organiser.id,
        decided_at=utcnow(),
        dietary_needs="Halal",
        consent_participant_list=True,
        privacy_accepted_at=utcnow(),
    )
    grant_powers(signatory_registration, organiser)
    make_registration(
        delegations[2],
        make_user(),
        status="rejected",
        rejection_reason="Quota reached",
        decided_by_id=organiser.id,
    )
    make_registration(delegations[3], make_user(), status="pending", accessibility_needs="♿ ramp")
    return conference


def test_backup_round_trips_the_seed_conference(
    app, cli, client, populated, notes_plugin, tmp_path
):
    slug = populated.slug
    file = tmp_path / "backup.json"
    result = cli("backup", "export", str(file), "--conference", slug)
    assert result.exit_code == 0, result.output
    assert "49 delegations, 4 registrations" in result.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    original = json.loads(file.read_text(encoding="utf-8"))
    assert (original["format"], original["version"]) == (FORMAT, VERSION)
    assert {"notes", "signatures", "reporting"} <= set(original["plugins"])
    assert all(u["password_hash"].startswith("$argon2") for u in original["core"]["users"])
    assert len(original["core"]["audit_events"]) >= 50

    db.session.remove()
    empty_all_tables(app)
    assert table_counts()["conferences"] == 0

    result = cli("backup", "import", str(file))
    assert result.exit_code == 0, result.output
    restored = db.session.scalar(sa.select(Conference).where(Conference.slug == slug))
    assert restored.status == ConferenceStatus.registration_open
    assert restored.start_date == date(2012, 12, 5)
    again = export_conference(restored)
    assert canonical(again) == canonical(original)
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "conference.restored")
    )

    ((imported_slug, data, delegation_ids),) = notes_plugin.imported
    assert imported_slug == slug and data == original["plugins"]["notes"]
    assert len(delegation_ids) == 49

    head = next(u for u in original["core"]["users"] if u["email"].startswith("head"))
    signed_in = client.post("/auth/login", data={"email": head["email"], "password": "x" * 12})
    assert signed_in.status_code == 422  # the hash came back: a wrong password is still wrong
    signatory = db.session.scalar(sa.select(User).where(User.full_name.like("Ministre%")))
    response = client.post(
        "/auth/login", data={"email": signatory.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_import_refuses_an_existing_conference_and_writes_nothing(cli, populated, tmp_path):
    file = tmp_path / "backup.json"
    assert cli("backup", "export", str(file), "--conference", populated.slug).exit_code == 0
    before = table_counts()
    result = cli("backup", "import", str(file))
    assert result.exit_code == 1
    assert "already exists" in result.output and "Traceback" not in result.output
    assert table_counts() == before


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=99), "format version 99"),
        (lambda d: d.update(format="something-else"), "not an alliance-conf backup"),
        (lambda d: d["core"].pop("registrations"), "lacks its core section: registrations"),
        (lambda d: d["plugins"].update(petitions={}), "petitions, which is not enabled"),
        (
            lambda d: d["core"]["registrations"][0].update(delegation_id=987654),
            "delegations 987654, which is not in the backup",
        ),
    ],
)
def test_a_bad_backup_is_refused_clearly_and_nothing_is_written(
    app, cli, populated, tmp_path, mutate, message
):
    data = export_conference(populated)
    db.session.remove()
    empty_all_tables(app)
    mutate(data)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    result = cli("backup", "import", str(file))
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert all(count == 0 for count in table_counts().values())


def test_import_of_a_file_that_is_not_json(cli, tmp_path):
    file = tmp_path / "bad.json"
    file.write_bytes(b"\xff\xfe not json")
    result = cli("backup", "import", str(file))
    assert result.exit_code == 1 and "is not a JSON backup" in result.output


def test_export_of_an_unknown_conference(cli, tmp_path):
    result = cli("backup", "export", str(tmp_path / "x.json"), "--conference", "nope")
    assert result.exit_code == 1 and "There is no conference 'nope'" in result.output
    assert not (tmp_path / "x.json").exists()


def test_row_helpers_round_trip_enums_dates_datetimes_and_json(make_conference, make_user):
    conference = make_conference(co_chairs=[{"name": "Ä Chair", "title": "Co-chair"}])
    conference.status = ConferenceStatus.in_session
    db.session.commit()
    data = dump_row(conference)
    assert data["status"] == "in_session"
    assert data["start_date"] == "2030-03-01"
    assert data["created_at"].endswith("+00:00")
    json.dumps(data)  # JSON-ready
    user = make_user(role="staff")
    user_data = dump_row(user)
    assert user_data["role"] == "staff" and user_data["is_active_account"] is True

    data["slug"] = "copy-of-" + conference.slug
    copy = load_row(Conference, data, id_map := IdMap())
    assert copy.id != conference.id
    assert id_map.get("conferences", conference.id) == copy.id
    assert copy.status is ConferenceStatus.in_session
    assert copy.start_date == conference.start_date
    assert copy.created_at == conference.created_at
    assert copy.co_chairs == conference.co_chairs
    user_data["email"] = "copy@example.org"
    user_copy = load_row(User, user_data, id_map)
    assert user_copy.role is UserRole.staff and user_copy.password_hash == user.password_hash
