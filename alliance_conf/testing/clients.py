"""Acting as someone in a test: signing in through the form, API bearer headers, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance_conf.extensions import db
from alliance_conf.testing.factories import TEST_PASSWORD


@pytest.fixture
def login(client):
    def do_login(user, password=TEST_PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def api_headers(app):
    """Bearer headers for a user, through the real token path."""
    from alliance_conf.auth.operations import issue_api_token

    def factory(user) -> dict:
        _, secret = issue_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[2]
