import sqlalchemy as sa

from alliance_conf.auth.models import User, UserRole
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db


def test_create_admin_with_options(cli):
    result = cli(
        "users", "create-admin", "--email", "Root@Example.org", "--password", "a-long-password"
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "root@example.org" and user.role == UserRole.admin
    assert user.check_password("a-long-password")


def test_create_admin_prompts_for_what_is_omitted(cli):
    result = cli(
        "users",
        "create-admin",
        "--name",
        "Ada Admin",
        input="admin@example.org\nsecret-secret\nsecret-secret\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.full_name)) == "Ada Admin"


def test_create_admin_duplicate_email_fails_cleanly(cli):
    assert (
        cli(
            "users",
            "create-admin",
            "--email",
            "a@example.org",
            "--password",
            "Quartz lantern 7 rivers",
        ).exit_code
        == 0
    )
    result = cli(
        "users",
        "create-admin",
        "--email",
        "A@example.org",
        "--password",
        "Velvet otter 42 harbours",
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_admin_bad_password_and_email(cli):
    result = cli("users", "create-admin", "--email", "a@example.org", "--password", "short")
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    result = cli(
        "users", "create-admin", "--email", "nobody", "--password", "Quartz lantern 7 rivers"
    )
    assert result.exit_code == 1 and "not a valid e-mail" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_demo_load_is_idempotent_and_prints_accounts_once(cli):
    first = cli("demo", "load")
    assert first.exit_code == 0, first.output
    assert "with 49 delegations" in first.output
    assert "organiser@demo.alliance-conf.org" in first.output
    assert "head.us@demo.alliance-conf.org" in first.output  # a signatory of the week
    second = cli("demo", "load")
    assert second.exit_code == 0
    assert "0 added now" in second.output and "already exist" in second.output
    assert "organiser@demo.alliance-conf.org" not in second.output
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 49
    # the three day-one accounts and the sixteen delegates of the week
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 19


def test_demo_load_day_one_is_the_state_before_the_week(cli):
    first = cli("demo", "load", "--day-one")
    assert first.exit_code == 0, first.output
    assert "organiser@demo.alliance-conf.org" in first.output
    assert "The week of" not in first.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 3


def test_demo_password_printed_actually_signs_in(cli, client):
    output = cli("demo", "load").output
    line = next(line for line in output.splitlines() if "organiser@demo" in line)
    assert line.startswith("| ") and line.endswith(" |"), (
        "accounts are framed where a newcomer sees them"
    )
    password = line.strip("| ").split()[-1]
    response = client.post(
        "/auth/login", data={"email": "organiser@demo.alliance-conf.org", "password": password}
    )
    assert response.status_code == 302
