"""Malformed files: CSV imports refuse wrong encodings, binary junk, huge lines and hostile
cells with a clear message and store nothing; CSV exports neutralise cells a spreadsheet would
run as a formula (starting with =, +, -, @)."""

import csv
import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.invitations.models import Invitation
from alliance_conf.invitations.operations import import_invitations
from alliance_conf.mail.models import MailMessage
from alliance_conf.testing.fixtures import TEST_PASSWORD

HEADER = b"delegation,email,name\n"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"0" * 5_000_000)
    return buffer.getvalue()


MALFORMED_CSV = {
    "latin-1": HEADER + "BE,a@example.org,Hélène Müller\n".encode("latin-1"),
    "utf-16": "delegation,email,name\nBE,a@example.org,A\n".encode("utf-16"),
    "binary junk": bytes(range(256)) * 40,
    "NUL bytes": HEADER + b"BE,a@example.org,A\x00B\n",
    "control character in a name": HEADER + b"BE,a@example.org,A\x07B\n",
    "huge line": HEADER + b"BE,a@example.org," + b"x" * 300_000 + b"\n",
    "unterminated quote": HEADER + b'BE,a@example.org,"A\n' + b"x" * 200_000,
    "no header": b"BE,a@example.org,A\n",
    "empty": b"",
    "only white space": b" \n\r\n\t",
    "a zip file": _zip_bomb(),
    "a PDF": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
    "formula as e-mail": HEADER + b'BE,"=HYPERLINK(""http://x"")",A\n',
    "formula as delegation": HEADER + b"=1+1,a@example.org,A\n",
    "unknown delegation": HEADER + b"ZZ,a@example.org,A\n",
    "name too long": HEADER + b"BE,a@example.org," + b"n" * 201 + b"\n",
    "one bad row among good ones": HEADER
    + b"BE,ok1@example.org,One\nFR,not-an-email,Two\nDE,ok3@example.org,Three\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED_CSV))
def test_invitation_import_refuses_malformed_files_and_stores_nothing(seed, name):
    data = MALFORMED_CSV[name]
    mail_before = db.session.scalar(sa.select(sa.func.count(MailMessage.id)))
    with pytest.raises(ValidationFailed) as caught:
        import_invitations(seed.conference, data, actor=seed.accounts["organiser"])
    db.session.rollback()
    assert "nothing was imported" in caught.value.message or caught.value.fields
    assert "Traceback" not in caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == mail_before


@pytest.mark.parametrize("name", ["latin-1", "binary junk", "huge line", "a zip file", "NUL bytes"])
def test_invitation_import_page_answers_422_with_the_reason(seed, client, login, name):
    organiser = seed.accounts["organiser"]
    organiser.set_password(TEST_PASSWORD)
    db.session.commit()
    login(organiser)
    response = client.post(
        f"/conferences/{seed.conference.slug}/invitations/import",
        data={"file": (io.BytesIO(MALFORMED_CSV[name]), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "nothing was imported" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_a_formula_in_a_name_is_stored_as_text(seed):
    data = HEADER + b'BE,formula@example.org,=HYPERLINK("http://evil")\n'
    report = import_invitations(seed.conference, data, actor=seed.accounts["organiser"])
    db.session.commit()
    (invitation,) = report.created
    assert invitation.full_name == '=HYPERLINK("http://evil")'


FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://evil")']


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_neutralised(text: str) -> None:
    cells = _cells(text)
    assert cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@")), cell
        if cell.startswith("-"):
            assert cell.lstrip("-").replace(".", "").isdigit(), cell  # a negative number


def test_signature_status_board_csv_neutralises_formulas(seed, client, login, make_user):
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.registrations.models import Registration
    from plugins.signatures.operations import sign_declaration

    conference = seed.conference
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == conference.id)
    )
    transition(declaration, "consultation", actor=None)
    transition(declaration, "open", actor=None)
    delegation = db.session.scalar(
        sa.select(Delegation).where(
            Delegation.conference_id == conference.id, Delegation.country_code == "NL"
        )
    )
    delegation.name = "=cmd|' /C calc'!A0"
    user = make_user("delegate", full_name="@SUM(1+1)")
    db.session.add(
        Registration(
            conference_id=conference.id,
            delegation_id=delegation.id,
            user_id=user.id,
            status="approved",
            function="minister",
            position="+Minister",
            is_signatory=True,
            signatory_designated_at=utcnow(),
        )
    )
    db.session.commit()
    sign_declaration(
        declaration,
        actor=user,
        password=TEST_PASSWORD,
        typed_name=user.full_name,
        statements=[{"kind": "statement", "text": f} for f in FORMULAS[:3]],
    )
    db.session.commit()
    organiser = seed.accounts["organiser"]
    organiser.set_password(TEST_PASSWORD)
    db.session.commit()
    login(organiser)
    response = client.get(f"/declarations/{declaration.id}/signatures.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "'=cmd" in text and "'@SUM(1+1)" in text and "'+Minister" in text
    assert_neutralised(text)


def test_reporting_csv_exports_neutralise_formulas(seed, client, login):
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.registrations.models import Registration
    from plugins.reporting.models import ReportState
    from plugins.reporting.reports import EntryData, save_report
    from plugins.reporting.rounds import open_round

    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == seed.conference.id)
    )
    round_ = open_round(  # nothing signed on day one: every delegation reports (assumed)
        declaration,
        title="First progress report",
        period_start=seed.conference.start_date,
        period_end=date(2013, 12, 31),
        deadline=date(2014, 3, 31),
        actor=seed.accounts["organiser"],
    )
    db.session.commit()
    reports = round_.reports
    head = seed.accounts["head"]
    belgium = db.session.scalar(
        sa.select(Registration.delegation_id).where(Registration.user_id == head.id)
    )
    draft = next(r for r in reports if r.state == ReportState.draft and r.delegation_id == belgium)
    db.session.get(Delegation, draft.delegation_id).name = "=2+5"
    key = draft.commitment_keys[0]
    save_report(
        draft,
        {key: EntryData(status="in_progress", narrative="-1+1 @A1 =B2")},
        actor=seed.accounts["head"],
    )
    db.session.commit()
    organiser = seed.accounts["organiser"]
    organiser.set_password(TEST_PASSWORD)
    db.session.commit()
    login(organiser)
    declaration_id = draft.round.declaration_id
    for path in (
        f"/reporting/rounds/{draft.round_id}/report.csv",
        f"/declarations/{declaration_id}/reporting/figures.csv",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert_neutralised(text)
    assert "'=2+5" in client.get(f"/reporting/rounds/{draft.round_id}/report.csv").get_data(
        as_text=True
    )


# --- Word templates (documents plugin) ---------------------------------------------------------


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _lying_zip() -> bytes:
    """A small part whose directory entry claims a tiny size but inflates to 20 MB."""
    data = bytearray(
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * 20_000_000})
    )
    entry = data.rfind(b"PK\x01\x02")  # last central directory entry: word/document.xml
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # uncompressed size
    return bytes(data)


def _default_template() -> bytes:
    from plugins.documents.builder import default_template_bytes

    return default_template_bytes()


def _with_extra(entries: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_default_template()))
    parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts.update(entries)
    return _zip(parts)


BAD_TEMPLATES = {
    "empty": (b"", "t.docx"),
    "plain text": (b"Dear delegate, this is not Word.", "t.docx"),
    "PDF": (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "t.docx"),
    "truncated docx": (_default_template()[:2000], "t.docx"),
    "zip bomb": (_zip({"word/document.xml": b"0" * 60_000_000}), "t.docx"),
    "lying zip directory": (_lying_zip(), "t.docx"),
    "too many parts": (_zip({f"p/{n}.xml": b"x" for n in range(1200)}), "t.docx"),
    "zip that is not Word": (_zip({"hello.txt": b"hi"}), "t.docx"),
    "macros inside": (_with_extra({"word/vbaProject.bin": b"\x00" * 64}), "t.docx"),
    "macro-enabled name": (_default_template(), "t.docm"),
    "too big": (b"PK" + b"\x00" * (6 * 1024 * 1024), "t.docx"),
}


@pytest.mark.parametrize("name", sorted(BAD_TEMPLATES))
def test_template_upload_refuses_malformed_files_and_stores_nothing(seed, name):
    from plugins.documents.models import DocumentTemplate
    from plugins.documents.operations import upload_template

    data, filename = BAD_TEMPLATES[name]
    with pytest.raises(ValidationFailed) as caught:
        upload_template(seed.conference, filename, data, actor=seed.accounts["organiser"])
    db.session.rollback()
    assert caught.value.fields.get("file"), caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0


def test_template_upload_page_refuses_a_zip_bomb(seed, client, login):
    from plugins.documents.models import DocumentTemplate

    organiser = seed.accounts["organiser"]
    organiser.set_password(TEST_PASSWORD)
    db.session.commit()
    login(organiser)
    response = client.post(
        f"/conferences/{seed.conference.slug}/documents/template",
        data={"file": (io.BytesIO(BAD_TEMPLATES["zip bomb"][0]), "bomb.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "ZIP bomb" in response.get_data(as_text=True) or "expands" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(DocumentTemplate.id))) == 0


# --- delegation and participant imports ---------------------------------------------------------

JUNK = {
    name: MALFORMED_CSV[name]
    for name in (
        "latin-1",
        "utf-16",
        "binary junk",
        "NUL bytes",
        "huge line",
        "unterminated quote",
        "empty",
        "a zip file",
        "a PDF",
    )
}


def _table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


@pytest.mark.parametrize("area", ["delegations", "participants"])
@pytest.mark.parametrize("name", sorted(JUNK))
def test_delegation_and_participant_imports_refuse_junk_and_store_nothing(seed, area, name):
    from alliance_conf.delegations.imports import import_delegations
    from alliance_conf.participants.imports import import_participants

    importer = import_delegations if area == "delegations" else import_participants
    before = _table_counts()
    with pytest.raises(ValidationFailed) as caught:
        importer(seed.conference, JUNK[name], actor=seed.accounts["organiser"])
    db.session.rollback()
    assert caught.value.message and "Traceback" not in caught.value.message
    assert _table_counts() == before
