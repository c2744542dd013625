"""With the plugin switched off, the core and the declarations work as before."""

from __future__ import annotations

from alliance_conf.plugins import PluginState, get_registry
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.documents.tests.support import CONTENT


def test_core_and_declarations_work_without_the_plugin(
    make_app, make_declaration, make_user, conference, api_headers
):
    declaration = make_declaration(freeze=True)
    staff = make_user("staff")
    headers = api_headers(staff)
    app = make_app(DISABLED_PLUGINS=["documents"])
    assert get_registry(app).plugins["documents"].state is PluginState.disabled
    assert "documents" not in app.blueprints and "documents_api" not in app.blueprints
    assert "documents" not in app.cli.commands
    client = app.test_client()
    with app.app_context():
        assert client.get(f"/conferences/{conference.slug}").status_code == 200
        page = client.get(f"/declarations/{declaration.id}")
        assert page.status_code == 200
        assert CONTENT["commitments"][0]["text"] in page.get_data(as_text=True)
        assert client.get(f"/declarations/{declaration.id}/documents").status_code == 404
        response = client.get(f"/api/v1/declarations/{declaration.id}", headers=headers)
        assert response.status_code == 200
        assert response.get_json()["text_hash"] == declaration.text_hash
        missing = client.get(
            f"/api/v1/declarations/{declaration.id}/documents/final.docx", headers=headers
        )
        assert missing.status_code == 404
        spec = client.get("/api/v1/openapi.json").get_json()
        assert not any("/documents/" in path for path in spec["paths"])
        signed_in = client.post(
            "/auth/login", data={"email": staff.email, "password": TEST_PASSWORD}
        )
        assert signed_in.status_code == 302
        html = client.get(f"/declarations/{declaration.id}").get_data(as_text=True)
        assert staff.full_name in html  # signed in as staff
        assert "Word documents" not in html
        assert "/documents/" not in html
