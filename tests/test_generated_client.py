"""A client nobody on the team wrote: ``openapi-python-client`` generates a Python package from
``/api/v1/openapi.json`` (with no warning: nothing dropped), and that package works against the
app served over real HTTP on a free port: list conferences and delegations, create a delegation,
move the declaration to signature and download the final Word document as bytes.
"""

import importlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Generators handle binary bodies as application/octet-stream; Word and PDF files are binary.
CONFIG = (
    "post_hooks: []\ncontent_type_overrides:\n"
    f"  {WORD}: application/octet-stream\n  application/pdf: application/octet-stream\n"
)


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def generated(client, tmp_path, monkeypatch):
    (tmp_path / "openapi.json").write_bytes(client.get("/api/v1/openapi.json").data)
    (tmp_path / "config.yaml").write_text(CONFIG)
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(generator), "generate", "--path", "openapi.json", "--config", "config.yaml",
         "--meta", "none", "--output-path", "alliance_client"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "Warning" not in output, output
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("alliance_client")]:
        del sys.modules[name]
    return lambda module: importlib.import_module(f"alliance_client.{module}")


def test_a_generated_client_works_against_the_served_app(seed, api_headers, served, generated):
    token = api_headers(seed.accounts["organiser"])["Authorization"].removeprefix("Bearer ")
    slug = seed.conference.slug
    group = sorted(seed.conference.groups)[0]
    declaration_id = db.session.scalar(
        sa.select(Declaration.id).where(Declaration.conference_id == seed.conference.id)
    )
    db.session.remove()  # the server thread works with its own sessions
    client = generated("client").AuthenticatedClient(base_url=served, token=token)
    api = "api.{}".format

    conferences = generated(api("conferences.list_conferences")).sync(client=client)
    assert slug in [c.slug for c in conferences.items]
    delegations = generated(api("delegations.list_delegations")).sync(slug, client=client)
    assert delegations.total == len(delegations.items) or delegations.pages > 1
    before = delegations.total

    body = generated("models").DelegationIn(organisation_name="Interpol", group=group)
    created = generated(api("delegations.create_delegation")).sync(slug, client=client, body=body)
    assert getattr(created, "name", None) == "Interpol", created
    after = generated(api("delegations.list_delegations")).sync(slug, client=client)
    assert after.total == before + 1

    transition = generated(api("declarations.transition_declaration"))
    models = generated("models")
    for state in ("consultation", "open"):
        response = transition.sync_detailed(
            declaration_id, client=client, body=models.TransitionIn(to=models.TransitionInTo(state))
        )
        assert response.status_code == 200, response.content
    download = generated(api("documents.download_final_declaration"))
    response = download.sync_detailed(declaration_id, client=client)
    assert response.status_code == 200
    data = response.parsed.payload.read()
    assert data[:2] == b"PK" and response.headers["content-type"] == WORD
