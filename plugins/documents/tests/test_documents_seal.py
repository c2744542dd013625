"""The sealed PDF of the final declaration: PDF/A-2b by LibreOffice, a PAdES seal that
pyHanko's own validator accepts and that one changed byte breaks; the seal's hash in the audit
log; refusals for a certificate that cannot seal, with nothing stored."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.errors import InvalidState
from alliance_conf.extensions import db
from plugins.documents import seal
from plugins.documents.models import SealedDocument
from plugins.documents.tests.test_documents_final import row
from plugins.documents.tests.test_documents_pdf import require_tools

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


def validate(pdf: Path, trust: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            *(PYHANKO, "sign", "validate", "--pretty-print", "--no-revocation-check"),
            *("--trust", str(trust), "--trust-replace", str(pdf)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def seal_key(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["documents", "seal-key", str(tmp_path / "seal.p12"), "--name", "Test seal"]
    )
    assert result.exit_code == 0, result.output
    assert "DOCUMENTS_SEAL_PKCS12=" in result.output
    assert (tmp_path / "seal.p12").stat().st_mode & 0o077 == 0  # the key is private
    app.config["DOCUMENTS_SEAL_PKCS12"] = str(tmp_path / "seal.p12")
    yield tmp_path / "seal.pem"
    app.config["DOCUMENTS_SEAL_PKCS12"] = None


def test_sealed_pdf_validates_and_one_changed_byte_breaks_it(
    app,
    client,
    login,
    make_user,
    make_declaration,
    make_delegation,
    conference,
    signatures,
    seal_key,
    tmp_path,
):
    require_tools()
    declaration = make_declaration(freeze=True)
    estonia = make_delegation(conference, "EE")
    signatures.rows_by_declaration[declaration.id] = [row(estonia, "Kaja Kallas")]
    out = tmp_path / "sealed.pdf"
    result = app.test_cli_runner().invoke(
        args=["documents", "seal", conference.slug, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest in result.output
    assert b"<pdfaid:part>2</pdfaid:part>" in data and b"<pdfaid:conformance>B" in data

    checked = validate(out, seal_key)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The signature is judged VALID." in checked.stdout
    assert "The signature covers the entire file." in checked.stdout

    broken = bytearray(data)
    middle = data.index(b"stream", len(data) // 3) + 20  # inside page content, signed bytes
    broken[middle] ^= 0x01
    (tmp_path / "broken.pdf").write_bytes(bytes(broken))
    assert validate(tmp_path / "broken.pdf", seal_key).returncode != 0

    (stored,) = db.session.scalars(sa.select(SealedDocument)).all()
    assert stored.sha256 == digest and stored.signature_count == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "documents.sealed"))
    assert event.data["sha256"] == digest

    # Anyone who may read the declaration downloads it; the download is audited.
    reader = make_user("staff")
    login(reader)
    response = client.get(f"/declarations/{declaration.id}/documents/sealed.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == digest
    download = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "documents.downloaded")
        .order_by(AuditEvent.id.desc())
    )
    assert download.actor_id == reader.id
    assert download.data == {
        "document": "sealed",
        "revision": str(declaration.frozen_revision.number),
        "sha256": digest,
        "size": len(data),
    }
    page = client.get(f"/declarations/{declaration.id}/documents").get_data(as_text=True)
    assert digest in page


def _pkcs12_without_key(path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

    full = tmp = path.with_suffix(".full.p12")
    seal.make_demo_key(tmp, "No key", None)
    _, certificate, _ = pkcs12.load_key_and_certificates(full.read_bytes(), None)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(b"x", None, certificate, None, NoEncryption())
    )


def test_certificates_that_cannot_seal_are_refused_with_the_reason(tmp_path):
    with pytest.raises(InvalidState, match="No sealing certificate is configured"):
        seal.load_sealing_key(None, None)
    expired = tmp_path / "expired.p12"
    seal.make_demo_key(
        expired, "Old", None, days=1, not_before=datetime.now(UTC) - timedelta(days=10)
    )
    with pytest.raises(InvalidState, match="expired on"):
        seal.load_sealing_key(str(expired), None)
    keyless = tmp_path / "keyless.p12"
    _pkcs12_without_key(keyless)
    with pytest.raises(InvalidState, match="has no private key"):
        seal.load_sealing_key(str(keyless), None)
    locked = tmp_path / "locked.p12"
    seal.make_demo_key(locked, "Locked", "right")
    with pytest.raises(InvalidState, match="password is wrong"):
        seal.load_sealing_key(str(locked), "wrong")
    assert seal.load_sealing_key(str(locked), "right").subject.startswith("O=")


def test_a_refused_seal_stores_nothing(
    app, client, make_declaration, make_user, api_headers, tmp_path
):
    declaration = make_declaration(freeze=True)
    expired = tmp_path / "expired.p12"
    seal.make_demo_key(
        expired, "Old", None, days=1, not_before=datetime.now(UTC) - timedelta(days=10)
    )
    app.config["DOCUMENTS_SEAL_PKCS12"] = str(expired)
    try:
        response = client.post(
            f"/api/v1/declarations/{declaration.id}/documents/seal",
            headers=api_headers(make_user("organiser")),
        )
    finally:
        app.config["DOCUMENTS_SEAL_PKCS12"] = None
    assert response.status_code == 409
    assert "expired" in response.get_json()["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedDocument)) == 0
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "documents.sealed"))
        == 0
    )
    missing = client.get(
        f"/api/v1/declarations/{declaration.id}/documents/sealed.pdf",
        headers=api_headers(make_user("staff")),
    )
    assert missing.status_code == 404


def test_status_board_and_receipts_link_to_the_sealed_pdf(
    client, login, make_user, make_declaration, make_delegation, make_registration, conference
):
    from alliance_conf.core.db import utcnow
    from alliance_conf.testing.fixtures import TEST_PASSWORD
    from plugins.signatures import operations as signatures

    declaration = make_declaration(freeze=True)
    estonia = make_delegation(conference, "EE")
    minister = make_user("delegate", full_name="Kaja Minister")
    make_registration(
        estonia,
        minister,
        function="minister",
        is_signatory=True,
        signatory_designated_at=utcnow(),
    )
    signature = signatures.sign_declaration(
        declaration, actor=minister, password=TEST_PASSWORD, typed_name=minister.full_name
    )
    pdf = b"%PDF-1.7 stand-in for a sealed file"
    db.session.add(
        SealedDocument(
            declaration_id=declaration.id,
            revision_number=declaration.frozen_revision.number,
            signature_count=1,
            content=pdf,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            certificate_subject="CN=Test",
            certificate_sha256="0" * 64,
        )
    )
    db.session.commit()
    login(minister)
    link = f"/declarations/{declaration.id}/documents/sealed.pdf"
    for page in (f"/declarations/{declaration.id}/signatures", f"/signatures/{signature.id}"):
        html = client.get(page).get_data(as_text=True)
        assert link in html and hashlib.sha256(pdf).hexdigest() in html, page
    response = client.get(link)
    assert response.status_code == 200 and response.data == pdf  # the signatory may download


def test_cli_documents_carry_absolute_verification_addresses(
    app, tmp_path, make_user, make_declaration, make_delegation, make_registration, conference
):
    """Made by the CLI (no request), the final declaration's verification addresses are
    absolute when PUBLIC_BASE_URL is set."""
    from alliance_conf.core.db import utcnow
    from alliance_conf.testing.fixtures import TEST_PASSWORD
    from plugins.documents.tests.helpers import open_docx, table_rows
    from plugins.signatures import operations as signatures

    declaration = make_declaration(freeze=True)
    estonia = make_delegation(conference, "EE")
    minister = make_user("delegate", full_name="Kaja Minister")
    make_registration(
        estonia, minister, function="minister", is_signatory=True, signatory_designated_at=utcnow()
    )
    signatures.sign_declaration(
        declaration, actor=minister, password=TEST_PASSWORD, typed_name=minister.full_name
    )
    db.session.commit()
    out = tmp_path / "final.docx"
    saved = app.config["PUBLIC_BASE_URL"]  # the app is shared: put back what was there
    app.config["PUBLIC_BASE_URL"] = "https://conference.example.org/"
    try:
        result = app.test_cli_runner().invoke(
            args=["documents", "declaration", conference.slug, "--out", str(out)]
        )
    finally:
        app.config["PUBLIC_BASE_URL"] = saved
    assert result.exit_code == 0, result.output
    (record,) = table_rows(open_docx(out.read_bytes()).tables[0])[1:]
    assert record[3].startswith("https://conference.example.org/verify/")


def test_sealing_works_inside_a_running_event_loop(app, seal_key):
    """pyHanko's synchronous API calls asyncio.run: inside a running loop (an async server, or a
    test session driving a browser) the seal must still be made, not fail."""
    import asyncio
    import threading
    from io import BytesIO

    from docx import Document

    require_tools()
    key = seal.load_sealing_key(app.config["DOCUMENTS_SEAL_PKCS12"], None)
    document, buffer = Document(), BytesIO()
    document.add_paragraph("Done at Brussels.")
    document.save(buffer)
    pdf = seal.to_pdfa(buffer.getvalue())

    async def inside_a_loop():
        return seal.seal_pdf(pdf, key, reason="Test", location="Brussels", name="Test seal")

    # A thread of its own, so that the loop here is the only one, whatever ran before.
    results = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_loop())))
    thread.start()
    thread.join(timeout=120)
    (sealed,) = results
    assert sealed.startswith(b"%PDF") and len(sealed) > len(pdf) and b"/ByteRange" in sealed
