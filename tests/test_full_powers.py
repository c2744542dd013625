"""Who may sign for a country: requested functions, nominations, full powers granted by organisers.

Each attack of issue 12 that concerns the chain of powers is one test here.
"""

import base64
import csv
import io
import json

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.errors import PermissionDenied
from alliance_conf.declarations.operations import create_declaration
from alliance_conf.declarations.transitions import transition
from alliance_conf.extensions import db
from alliance_conf.registrations import operations
from alliance_conf.registrations.models import (
    DelegateFunction,
    FullPowers,
    Registration,
    RegistrationStatus,
)
from alliance_conf.registrations.powers import Instrument, grant_full_powers
from tests.accreditation_support import build_world
from tests.test_api import assert_error
from tests.test_invitations import REGISTER, SLUG, invite

INSTRUMENT = {
    "instrument_reference": "FR/FP/2030/12",
    "issuing_authority": "head_of_state",
    "instrument_date": "2025-02-01",
}


@pytest.fixture
def world(make_user, make_conference, make_delegation, make_registration):
    return build_world(make_user, make_conference, make_delegation, make_registration)


def open_declaration(world):
    declaration = create_declaration(
        world.conference,
        title="Declaration",
        content={"preamble": [], "commitments": [{"title": "One", "text": "We act."}]},
        actor=world.organiser,
    )
    transition(declaration, "consultation", actor=world.organiser)
    transition(declaration, "open", actor=world.organiser)
    db.session.commit()
    return declaration


def registration_of(email: str) -> Registration:
    return db.session.scalar(
        sa.select(Registration).join(Registration.user).where(sa.text("users.email = :e")),
        {"e": email},
    )


def test_self_asserted_head_of_delegation_cannot_sign(client, login, world, api_headers, make_user):
    """The issue's attack: register as 'head', get approved, self-designate, sign."""
    token = invite(client, login, world, email="claimant@example.fr", delegation=world.b)
    response = client.post(
        f"/register/{token}",
        data={**REGISTER, "email": "claimant@example.fr", "function": "head_of_delegation"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    client.post("/auth/logout")
    registration = registration_of("claimant@example.fr")
    assert registration.function == DelegateFunction.other
    assert registration.requested_function == DelegateFunction.head_of_delegation

    login(world.organiser)
    pending = client.get(f"/conferences/{SLUG}/registrations/pending").get_data(as_text=True)
    assert "requests: Head of delegation" in pending
    client.post(
        f"/conferences/{SLUG}/registrations/pending",
        data={"ids": [registration.id], "decision": "approved"},
    )
    client.post("/auth/logout")
    db.session.expire_all()
    assert registration.status == RegistrationStatus.approved
    assert registration.function == DelegateFunction.other  # still only a request

    claimant = registration.user
    headers = api_headers(claimant)
    url = f"/api/v1/registrations/{registration.id}/signatory"
    assert_error(client.post(url, headers=headers), 403, "forbidden")
    assert_error(
        client.post(
            f"/api/v1/registrations/{registration.id}/full-powers", json=INSTRUMENT, headers=headers
        ),
        403,
        "forbidden",
    )
    declaration = open_declaration(world)
    body = {"password": REGISTER["password"], "typed_name": claimant.full_name}
    signed = client.post(
        f"/api/v1/declarations/{declaration.id}/signatures", json=body, headers=headers
    )
    assert_error(signed, 403, "forbidden")
    db.session.expire_all()
    assert not registration.is_signatory


def test_confirmed_head_only_nominates_and_organisers_grant(
    client, login, world, api_headers, make_user
):
    token = invite(client, login, world, email="head@example.fr", delegation=world.b)
    client.post(
        f"/register/{token}",
        data={**REGISTER, "email": "head@example.fr", "function": "head_of_delegation"},
    )
    client.post("/auth/logout")
    registration = registration_of("head@example.fr")
    login(world.organiser)
    page = client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    assert "requests: <strong>Head of delegation</strong>" in page
    client.post(
        f"/registrations/{registration.id}/status",
        data={"status": "approved", "function": "head_of_delegation", "reason": ""},
    )
    client.post("/auth/logout")
    db.session.expire_all()
    assert registration.function == DelegateFunction.head_of_delegation
    assert registration.requested_function is None

    head = registration.user
    headers = api_headers(head)
    # The confirmed head nominates themself: recorded, but grants nothing.
    nominated = client.post(f"/api/v1/registrations/{registration.id}/signatory", headers=headers)
    assert nominated.status_code == 200 and nominated.get_json()["is_signatory"] is False
    declaration = open_declaration(world)
    body = {"password": REGISTER["password"], "typed_name": head.full_name}
    url = f"/api/v1/declarations/{declaration.id}/signatures"
    assert_error(client.post(url, json=body, headers=headers), 403, "forbidden")
    # The organiser checks the instrument and grants full powers through the API.
    letter = base64.b64encode(b"%PDF-1.7 letter of full powers").decode()
    granted = client.post(
        f"/api/v1/registrations/{registration.id}/full-powers",
        json={**INSTRUMENT, "document_base64": letter, "document_filename": "fr.pdf"},
        headers=api_headers(world.organiser),
    )
    assert granted.status_code == 201, granted.get_json()
    assert granted.get_json()["has_document"] is True
    assert client.post(url, json=body, headers=headers).status_code == 201


def test_nobody_grants_powers_to_themselves(world, make_user, make_registration):
    organiser = world.organiser
    own = make_registration(world.b, organiser, function="head_of_delegation")
    with pytest.raises(PermissionDenied, match="themselves"):
        grant_full_powers(
            own, Instrument("X/1", "head_of_state", issued_on="2025-01-01"), actor=organiser
        )
    with pytest.raises(PermissionDenied, match="Only organisers"):
        grant_full_powers(
            world.reg_head_a,
            Instrument("X/1", "head_of_state", issued_on="2025-01-01"),
            actor=world.head_a,
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(FullPowers.id))) == 0


def test_self_granted_powers_through_the_web_are_refused(client, login, world):
    login(world.head_a)
    response = client.post(f"/registrations/{world.reg_head_a.id}/full-powers", data=INSTRUMENT)
    assert response.status_code == 403
    db.session.expire_all()
    assert not world.reg_head_a.is_signatory


def test_a_backup_cannot_smuggle_in_powers(app, cli, seed, tmp_path):
    """An edited backup that flags a signatory without a grant restores without powers."""
    from alliance_conf.backup.operations import export_conference
    from alliance_conf.testing.fixtures import empty_all_tables

    data = json.loads(json.dumps(export_conference(seed.conference), default=str))
    data["core"]["full_powers"] = []
    for row in data["core"]["registrations"]:
        row["is_signatory"] = True
        row["signatory_designated_at"] = row["created_at"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    db.session.commit()
    empty_all_tables(app)
    result = cli("backup", "import", str(path))
    assert result.exit_code == 0, result.output
    flagged = db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(Registration.is_signatory.is_(True))
    )
    assert flagged == 0


def test_instrument_is_checked_and_pdf_is_size_limited(client, login, world, app):
    login(world.organiser)
    url = f"/registrations/{world.reg_head_a.id}/full-powers"
    missing = client.post(url, data={"issuing_authority": "other", "instrument_date": "2025-01-01"})
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert "Name the issuing authority" in text or "This field is required" in text
    app.config["FULL_POWERS_MAX_PDF_BYTES"] = 100
    try:
        big = client.post(
            url,
            data={**INSTRUMENT, "document": (io.BytesIO(b"%PDF-" + b"x" * 200), "big.pdf")},
            content_type="multipart/form-data",
        )
        assert big.status_code == 422 and "the limit is 100" in big.get_data(as_text=True)
        fake = client.post(
            url,
            data={**INSTRUMENT, "document": (io.BytesIO(b"MZ not a pdf"), "fake.pdf")},
            content_type="multipart/form-data",
        )
        assert fake.status_code == 422 and "must be a PDF" in fake.get_data(as_text=True)
    finally:
        app.config.pop("FULL_POWERS_MAX_PDF_BYTES")
    db.session.expire_all()
    assert not world.reg_head_a.is_signatory


def test_grant_revoke_and_the_register(client, login, world, api_headers):
    login(world.organiser)
    url = f"/registrations/{world.reg_head_a.id}/full-powers"
    granted = client.post(
        url,
        data={**INSTRUMENT, "document": (io.BytesIO(b"%PDF-1.4 ok"), "be.pdf")},
        content_type="multipart/form-data",
    )
    assert granted.status_code == 302, granted.get_data(as_text=True)[:600]
    db.session.expire_all()
    assert world.reg_head_a.is_signatory
    powers = db.session.scalar(sa.select(FullPowers))
    document = client.get(f"/full-powers/{powers.id}/document")
    assert document.data == b"%PDF-1.4 ok" and document.headers["Cache-Control"] == "no-store"
    revoked = client.post(
        url,
        data={
            "instrument_reference": "FR/REV/1",
            "issuing_authority": "other",
            "issuing_authority_text": "Ambassador, by note verbale",
            "instrument_date": "2025-03-01",
            "reason": "Replaced by the minister",
        },
    )
    assert revoked.status_code == 302
    db.session.expire_all()
    assert not world.reg_head_a.is_signatory
    page = client.get(f"/conferences/{SLUG}/full-powers").get_data(as_text=True)
    assert "FR/FP/2030/12" in page and "FR/REV/1" in page and "Head of State" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/conferences/{SLUG}/full-powers.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[0][0] == "Delegation" and rows[1][3] == "FR/FP/2030/12"
    assert rows[1][13] == "2025-03-01" and rows[1][12] == "Ambassador, by note verbale"
    api = client.get(
        f"/api/v1/conferences/{SLUG}/full-powers", headers=api_headers(world.organiser)
    )
    assert api.get_json()[0]["revocation_reference"] == "FR/REV/1"
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.like("registration.full_powers%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["registration.full_powers_granted", "registration.full_powers_revoked"]
    client.post("/auth/logout")
    login(world.head_a)
    assert client.get(f"/full-powers/{powers.id}/document").status_code == 403
    assert client.get(f"/conferences/{SLUG}/full-powers").status_code == 403


@pytest.mark.parametrize(
    "name",
    ["Marie\u202eertsiniM", "Zero\u200bwidth", "Bell\x07", "Iso\u2066late\u2069"],
)
def test_identity_fields_refuse_format_and_control_characters(client, login, world, name):
    token = invite(client, login, world)
    response = client.post(f"/register/{token}", data={**REGISTER, "full_name": name})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "plain text" in text
    position = client.post(
        f"/register/{token}", data={**REGISTER, "position": "Minister\u202e of Justice"}
    )
    assert position.status_code == 422 and "formatting character" in position.get_data(as_text=True)
    assert registration_of("marie@example.be") is None


def test_names_that_need_joiners_are_accepted(client, login, world):
    token = invite(client, login, world)
    persian = "\u0645\u06cc\u200c\u0631\u0636\u0627"  # ZWNJ inside a Persian name
    response = client.post(f"/register/{token}", data={**REGISTER, "full_name": persian})
    assert response.status_code == 302


def test_organisation_delegation_names_are_plain_text(world, make_delegation):
    from alliance_conf.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="formatting character"):
        make_delegation(world.conference, organisation_name="Inter\u202epol")
    db.session.rollback()


def test_confirm_function_is_organisers_only(world):
    with pytest.raises(PermissionDenied):
        operations.confirm_function(world.reg_delegate_a, "minister", actor=world.head_a)
    operations.confirm_function(world.reg_delegate_a, "minister", actor=world.organiser)
    db.session.commit()
    assert world.reg_delegate_a.function == DelegateFunction.minister


def test_a_request_left_by_bulk_approval_is_confirmed_later(client, login, world):
    token = invite(client, login, world, email="later@example.fr", delegation=world.b)
    client.post(
        f"/register/{token}",
        data={**REGISTER, "email": "later@example.fr", "function": "senior_official"},
    )
    client.post("/auth/logout")
    registration = registration_of("later@example.fr")
    login(world.organiser)
    client.post(
        f"/conferences/{SLUG}/registrations/pending",
        data={"ids": [registration.id], "decision": "approved"},
    )
    page = client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    assert "Confirm the function" in page
    client.post(f"/registrations/{registration.id}/function", data={"function": "senior_official"})
    db.session.expire_all()
    assert registration.function == DelegateFunction.senior_official
    assert registration.requested_function is None
    client.post("/auth/logout")
    login(world.head_a)
    refused = client.post(
        f"/registrations/{registration.id}/function", data={"function": "minister"}
    )
    assert refused.status_code == 403
