"""Who can download what, from the pages and the API; what the OpenAPI document says."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.hooks import DocumentExporter, hookimpl
from alliance_conf.plugins import get_registry
from plugins.documents.builder import DOCX_CONTENT_TYPE
from plugins.documents.models import DocumentTemplate
from plugins.documents.tests.helpers import body_text, open_docx
from plugins.documents.tests.support import CONTENT
from plugins.documents.tests.test_documents_redline import revised
from plugins.documents.tests.test_documents_templates import custom_template


@pytest.fixture
def frozen(make_declaration):
    return make_declaration(CONTENT, revised(CONTENT), freeze=True)


def web_urls(declaration, slug):
    d = declaration.id
    return [
        f"/declarations/{d}/documents",
        f"/declarations/{d}/documents/final.docx",
        f"/declarations/{d}/documents/revision.docx?revision=1",
        f"/declarations/{d}/documents/compare.docx?from=1&to=2",
        f"/conferences/{slug}/documents",
        f"/conferences/{slug}/documents/participants.docx",
        f"/conferences/{slug}/documents/template.docx",
    ]


def api_urls(declaration, slug):
    d = declaration.id
    return [
        f"/api/v1/declarations/{d}/documents/final.docx",
        f"/api/v1/declarations/{d}/documents/revisions/1.docx",
        f"/api/v1/declarations/{d}/documents/compare.docx?from=1&to=2",
        f"/api/v1/conferences/{slug}/documents/participants.docx",
        f"/api/v1/conferences/{slug}/documents/participants.docx",
    ]


def test_web_downloads_by_role(client, login, make_user, frozen, conference):
    urls = web_urls(frozen, conference.slug)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location, url
    login(make_user("delegate"))
    for url in urls:
        assert client.get(url).status_code == 403, url
    for role in ("staff", "organiser", "admin"):
        client.post("/auth/logout")
        login(make_user(role))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            if url.endswith("documents"):
                assert response.mimetype == "text/html"
            else:
                assert response.mimetype == DOCX_CONTENT_TYPE
                assert response.headers["Content-Disposition"].startswith("attachment;")
                open_docx(response.data)


def test_download_names_and_bad_requests(client, login, make_user, frozen, conference):
    login(make_user("staff"))
    d = frozen.id
    response = client.get(f"/declarations/{d}/documents/compare.docx?from=1&to=2")
    assert (
        f'filename="safer-2030-declaration-{d}-compare-r1-r2.docx"'
        in response.headers["Content-Disposition"]
    )
    assert body_text(response.data, "reject")[0] == CONTENT["title"]
    assert client.get(f"/declarations/{d}/documents/revision.docx").status_code == 422
    assert client.get(f"/declarations/{d}/documents/revision.docx?revision=x").status_code == 422
    assert client.get(f"/declarations/{d}/documents/revision.docx?revision=9").status_code == 404
    assert client.get(f"/declarations/{d}/documents/nothing.docx").status_code == 404
    assert client.get(f"/declarations/{d}/documents/final.xlsx").status_code == 404
    assert client.get(f"/conferences/{conference.slug}/documents/final.docx").status_code == 404


def test_final_of_an_unfrozen_declaration_is_refused(client, login, make_user, make_declaration):
    declaration = make_declaration()
    login(make_user("staff"))
    response = client.get(f"/declarations/{declaration.id}/documents/final.docx")
    assert response.status_code == 409
    assert "not frozen" in response.get_data(as_text=True)


def test_buttons_only_for_staff_and_organisers(client, login, make_user, frozen, conference):
    page = f"/declarations/{frozen.id}/documents/final.docx"
    html = client.get(f"/declarations/{frozen.id}").get_data(as_text=True)
    assert page not in html  # the open declaration is public, the buttons are not
    login(make_user("delegate"))
    assert page not in client.get(f"/declarations/{frozen.id}").get_data(as_text=True)
    assert "participants.docx" not in client.get(f"/conferences/{conference.slug}").get_data(
        as_text=True
    )
    client.post("/auth/logout")
    login(make_user("staff"))
    html = client.get(f"/declarations/{frozen.id}").get_data(as_text=True)
    assert page in html and "Download the final declaration (.docx)" in html
    assert "participants.docx" in client.get(f"/conferences/{conference.slug}").get_data(
        as_text=True
    )
    listing = client.get(f"/declarations/{frozen.id}/documents").get_data(as_text=True)
    for label in ("Final declaration", "Draft of a revision", "Redline between two revisions"):
        assert label in listing


def test_api_downloads_by_role(client, make_user, api_headers, frozen, conference):
    urls = api_urls(frozen, conference.slug)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "unauthorised"
    delegate = api_headers(make_user("delegate"))
    for url in urls:
        assert client.get(url, headers=delegate).status_code == 403, url
    for role in ("staff", "organiser", "admin"):
        headers = api_headers(make_user(role))
        for url in urls:
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (role, url)
            assert response.mimetype == DOCX_CONTENT_TYPE
            open_docx(response.data)


def test_api_errors(client, make_user, api_headers, make_declaration, conference):
    declaration = make_declaration()
    headers = api_headers(make_user("staff"))
    base = f"/api/v1/declarations/{declaration.id}/documents"
    response = client.get(f"{base}/final.docx", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    response = client.get(f"{base}/compare.docx?from=1", headers=headers)
    assert response.status_code == 422
    assert "to" in response.get_json()["error"]["fields"]
    assert client.get(f"{base}/revisions/4.docx", headers=headers).status_code == 404
    assert (
        client.get("/api/v1/declarations/999/documents/final.docx", headers=headers).status_code
        == 404
    )
    assert (
        client.get(
            "/api/v1/conferences/nope/documents/participants.docx", headers=headers
        ).status_code
        == 404
    )
    exporters = client.get("/api/v1/documents/exporters", headers=headers).get_json()
    assert {e["name"] for e in exporters} >= {"final", "revision", "compare", "participants"}


def test_openapi_declares_the_word_content_type(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/declarations/{declaration_id}/documents/final.docx",
        "/api/v1/declarations/{declaration_id}/documents/revisions/{number}.docx",
        "/api/v1/declarations/{declaration_id}/documents/compare.docx",
        "/api/v1/conferences/{slug}/documents/participants.docx",
    ):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(content) == [DOCX_CONTENT_TYPE], path


def test_template_upload_page(client, login, make_user, conference, make_app):
    login(make_user("organiser"))
    url = f"/conferences/{conference.slug}/documents/template"
    import io

    response = client.post(
        url,
        data={"file": (io.BytesIO(b"not a zip"), "letter.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "letter.docx is not a Word .docx file" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0
    template = custom_template()
    response = client.post(
        url,
        data={"file": (io.BytesIO(template), "../templates/Modèle ministère.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/conferences/{conference.slug}/documents").get_data(as_text=True)
    assert "<strong>Modèle ministère.docx</strong>" in page
    downloaded = client.get(f"/conferences/{conference.slug}/documents/template.docx")
    assert downloaded.data == template
    assert downloaded.headers["Content-Disposition"] == (
        'attachment; filename="Modele_ministere.docx"; '
        "filename*=UTF-8''Mod%C3%A8le%20minist%C3%A8re.docx"
    )
    assert client.post(f"{url}/remove").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0


def test_template_forms_need_csrf(make_app, make_user, conference):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = make_user("organiser")
    client = app.test_client()
    with app.app_context():
        login_page = client.get("/auth/login").get_data(as_text=True)
    import io
    import re

    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page).group(1)
    client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery staple", "csrf_token": token},
    )
    response = client.post(
        f"/conferences/{conference.slug}/documents/template",
        data={"file": (io.BytesIO(custom_template()), "ministry.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 422)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0


class AttendanceSheet:
    """Another plugin offering a conference document through the same hook."""

    @hookimpl
    def alliance_document_exporters(self):
        return [
            DocumentExporter(
                name="attendance",
                label="Attendance sheet",
                kind="attendance",
                extension="txt",
                content_type="text/plain",
                generate=lambda conference: f"Attendance at {conference.title}".encode(),
                roles=frozenset({"organiser"}),
            )
        ]


def test_other_plugins_add_documents_through_the_exporter_hook(
    app, client, login, make_user, api_headers, conference
):
    manager = get_registry(app).manager
    manager.register(AttendanceSheet(), name="test-attendance")
    try:
        login(make_user("organiser"))
        page = client.get(f"/conferences/{conference.slug}/documents").get_data(as_text=True)
        assert "Attendance sheet (.txt)" in page
        response = client.get(f"/conferences/{conference.slug}/documents/attendance.txt")
        assert response.status_code == 200 and response.mimetype == "text/plain"
        assert response.data == b"Attendance at Ministerial conference on safer children"
        url = f"/api/v1/conferences/{conference.slug}/documents/attendance.txt"
        assert client.get(url, headers=api_headers(make_user("organiser"))).status_code == 200
        # The exporter's own roles apply: staff may not download this one.
        staff = api_headers(make_user("staff"))
        assert client.get(url, headers=staff).status_code == 403
        names = {e["name"] for e in client.get("/api/v1/documents/exporters", headers=staff).json}
        assert "attendance" not in names and "final" in names
        assert (
            client.get(f"/conferences/{conference.slug}/documents/attendance.docx").status_code
            == 404
        )
    finally:
        manager.unregister(name="test-attendance")


def test_every_download_is_audited(client, login, make_user, frozen, conference, api_headers):
    import hashlib

    from alliance_conf.audit.models import AuditEvent

    def last_download():
        return db.session.scalar(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "documents.downloaded")
            .order_by(AuditEvent.id.desc())
        )

    staff = make_user("staff")
    login(staff)
    response = client.get(f"/declarations/{frozen.id}/documents/compare.docx?from=1&to=2")
    event = last_download()
    assert (event.actor_id, event.object_type, event.object_id) == (
        staff.id,
        "Declaration",
        str(frozen.id),
    )
    assert event.data == {
        "document": "compare",
        "revision": "1:2",
        "sha256": hashlib.sha256(response.data).hexdigest(),
        "size": len(response.data),
    }
    organiser = make_user("organiser")
    response = client.get(
        f"/api/v1/declarations/{frozen.id}/documents/final.docx", headers=api_headers(organiser)
    )
    event = last_download()
    assert event.actor_id == organiser.id and event.data["document"] == "final"
    assert event.data["revision"] == str(frozen.frozen_revision.number)
    assert event.data["sha256"] == hashlib.sha256(response.data).hexdigest()
    response = client.get(f"/conferences/{conference.slug}/documents/participants.docx")
    event = last_download()
    assert (event.object_type, event.conference_id) == ("Conference", conference.id)
    assert event.data["document"] == "participants"
