import pytest

from alliance_conf import create_app
from alliance_conf.config import ConfigError, apply_environment, normalise_database_url


def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ALLIANCE_ENV": "production"}, instance_path=str(tmp_path))


def test_production_with_a_real_key_uses_secure_cookies(tmp_path):
    # Plugins off: some (signatures) need their own production settings, tested with them.
    app = create_app(
        {
            "ALLIANCE_ENV": "production",
            "SECRET_KEY": "k" * 40,
            "PUBLIC_BASE_URL": "https://conference.example.org",
            "DISABLED_PLUGINS": ["*"],
        },
        instance_path=str(tmp_path),
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_default_database_is_a_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/alliance.db"


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    (tmp_path / "alliance.cfg").write_text("MAIL_SERVER = 'from-file'\nMAIL_PORT = 2525\n")
    monkeypatch.setenv("MAIL_SERVER", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/x")
    monkeypatch.setenv("ALLIANCE_DISABLED_PLUGINS", "signatures, documents")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["MAIL_SERVER"] == "from-env"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/x"
    assert app.config["DISABLED_PLUGINS"] == ["signatures", "documents"]


def test_bad_integer_in_environment_is_a_clear_error():
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        apply_environment({}, {"MAIL_PORT": "twenty-five"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg://a@h/d", "postgresql+psycopg://a@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_spellings(given, expected):
    assert normalise_database_url(given) == expected
