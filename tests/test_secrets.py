"""No known secrets: no published session key, no key derived from one, no links from Host."""

import os

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from alliance_conf import create_app
from alliance_conf.config import DEV_SECRET_KEY, ConfigError
from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage


def forged_cookie(secret_key: str, user) -> str:
    """A session cookie for ``user`` signed with ``secret_key``, as Flask would write it."""
    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": user.get_id(), "_fresh": True})


def test_a_cookie_forged_with_the_old_development_key_is_refused(make_app, make_user, tmp_path):
    """Like `make run`: no SECRET_KEY configured. It used to fall back to the published key."""
    organiser = make_user("organiser")
    app = make_app(SECRET_KEY=None)
    assert app.secret_key and app.secret_key != DEV_SECRET_KEY
    client = app.test_client()
    client.set_cookie("session", forged_cookie(DEV_SECRET_KEY, organiser), domain="localhost")
    response = client.get("/conferences/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_first_run_writes_a_random_key_into_the_instance_folder(make_app, tmp_path):
    first = make_app(SECRET_KEY=None)
    path = tmp_path / "instance" / "secret_key"
    assert path.read_text().strip() == first.secret_key and len(first.secret_key) >= 48
    assert os.stat(path).st_mode & 0o077 == 0  # readable by the owner only
    assert make_app(SECRET_KEY=None).secret_key == first.secret_key  # kept across restarts


@pytest.mark.parametrize("env", ["development", "production"])
def test_the_published_key_is_refused_everywhere(tmp_path, env):
    config = {
        "ALLIANCE_ENV": env,
        "SECRET_KEY": DEV_SECRET_KEY,
        "PUBLIC_BASE_URL": "https://c.example.org",
    }
    with pytest.raises(ConfigError, match="published"):
        create_app(config, instance_path=str(tmp_path))


def test_production_requires_public_base_url(tmp_path):
    config = {"ALLIANCE_ENV": "production", "SECRET_KEY": "k" * 40, "DISABLED_PLUGINS": ["*"]}
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app(config, instance_path=str(tmp_path))


def test_links_never_come_from_the_host_header(make_app, make_user, make_conference, seed):
    """An invitation sent during a request with ``Host: evil.example`` links to PUBLIC_BASE_URL."""
    from alliance_conf.auth.operations import issue_api_token

    app = make_app(SERVER_NAME=None, PUBLIC_BASE_URL="https://conference.example.org")
    organiser = make_user("organiser")
    _, secret = issue_api_token(organiser)
    db.session.commit()
    response = app.test_client().post(
        f"/api/v1/conferences/{seed.conference.slug}/invitations",
        json={"delegation": "BE", "email": "victim@example.be"},
        headers={"Authorization": f"Bearer {secret}", "Host": "evil.example"},
    )
    assert response.status_code == 201, response.get_json()
    body = db.session.scalar(
        sa.select(MailMessage.body_text).where(MailMessage.to_address == "victim@example.be")
    )
    assert "evil.example" not in body
    assert "https://conference.example.org/register/" in body
