"""The "Done when" path on the seed conference, in the browser and through the API."""

from __future__ import annotations

import re
from contextlib import contextmanager

import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures.chain import verify_chain
from plugins.signatures.models import EventKind, Signature, SignatureEvent
from plugins.signatures.receipts import format_code
from plugins.signatures.tests.support import sign_payload


def _sign_in_browser(client, declaration, user, **fields):
    data = {
        "endorsed": fields.pop("endorsed", ["victims", "offenders", "awareness", "availability"]),
        "password": TEST_PASSWORD,
        "typed_name": user.full_name,
        "confirm": "y",
        **fields,
    }
    return client.post(f"/declarations/{declaration.id}/sign", data=data)


def test_seed_conference_signing_path(
    app, client, login, head, declaration, make_signatory, api_headers, cli, counts
):
    # Belgium signs in the browser: the page shows the frozen text and its hash.
    login(head)
    page = client.get(f"/declarations/{declaration.id}/sign")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert declaration.text_hash in html
    assert "Sign for Belgium" in html
    # Every commitment starts ticked: the "victims" checkbox itself carries `checked`.
    victims = re.search(r'<input[^>]*\bname="endorsed"[^>]*\bvalue="victims"[^>]*>', html)
    assert victims is not None and re.search(r"\bchecked\b", victims.group(0))
    response = _sign_in_browser(
        client,
        declaration,
        head,
        endorsed=["victims", "offenders", "awareness"],
        statement_kind="reservation",
        statement_target="availability",
        statement_text="Belgium will implement this commitment within its constitutional limits.",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    belgium = db.session.scalar(sa.select(Signature).where(Signature.signatory_id == head.id))
    assert belgium.endorsed_keys == ["victims", "offenders", "awareness"]
    assert belgium.endorses_all is False
    assert belgium.statements[0]["kind"] == "reservation"
    assert belgium.statements[0]["commitment_key"] == "availability"
    assert belgium.text_hash == declaration.text_hash
    assert belgium.ip_address == "127.0.0.1"
    assert belgium.auth_method.value == "password"
    receipt_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert format_code(belgium.verification_code) in receipt_page
    assert "Ed25519" in receipt_page

    # France signs in the browser too, Germany and the United States through the API.
    france = make_signatory("FR", name="Jean Martin")
    client.post("/auth/logout")
    login(france)
    assert _sign_in_browser(client, declaration, france).status_code == 302
    for code in ("DE", "US"):
        user = make_signatory(code)
        response = client.post(
            f"/api/v1/declarations/{declaration.id}/signatures",
            json=sign_payload(user),
            headers=api_headers(user),
        )
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["endorses_all"] is True
        assert body["receipt"]["receipt"]["text_hash"] == declaration.text_hash

    # Belgium withdraws (reason required), then signs again.
    client.post("/auth/logout")
    login(head)
    refused = client.post(f"/signatures/{belgium.id}/withdraw", data={"reason": ""})
    assert refused.status_code == 422
    # Withdrawing asks for the same re-authentication as signing.
    unconfirmed = client.post(
        f"/signatures/{belgium.id}/withdraw",
        data={"reason": "Parliament asked to review the reservation."},
    )
    assert unconfirmed.status_code == 422
    wrong = client.post(
        f"/signatures/{belgium.id}/withdraw",
        data={"reason": "Parliament asked to review the reservation.", "password": "nope"},
    )
    assert wrong.status_code == 403 and "Wrong password" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Signature, belgium.id).withdrawn_at is None
    withdrawn = client.post(
        f"/signatures/{belgium.id}/withdraw",
        data={"reason": "Parliament asked to review the reservation.", "password": TEST_PASSWORD},
    )
    assert withdrawn.status_code == 302
    assert _sign_in_browser(client, declaration, head).status_code == 302
    rows = db.session.scalars(
        sa.select(Signature).where(Signature.signatory_id == head.id).order_by(Signature.id)
    ).all()
    assert [r.withdrawn_at is not None for r in rows] == [True, False]

    # The status board shows the withdrawn row with its date, and who signed.
    board = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    assert "4 of 49 delegations have signed" in board
    assert "Withdrawn on" in board and "Parliament asked to review the reservation." in board
    assert "Jean Martin" in board
    assert "Not yet signed" in board
    # ... and the declaration and conference pages show the live count.
    assert "4</strong> of 49" in client.get(f"/declarations/{declaration.id}").get_data(
        as_text=True
    )
    conference_page = client.get("/conferences/global-alliance-2012").get_data(as_text=True)
    assert "4</strong> of 49 delegations have signed" in conference_page

    # The public verification page (no sign-in) shows the old one withdrawn, the new one active.
    client.post("/auth/logout")
    old = client.get(f"/verify/{format_code(rows[0].verification_code)}").get_data(as_text=True)
    assert "Withdrawn on" in old and "Valid" in old and "Hélène Dubois" in old
    new_page = client.get(f"/verify/{rows[1].verification_code.lower()}")
    assert new_page.status_code == 200
    new = new_page.get_data(as_text=True)
    assert "Active" in new and declaration.text_hash in new
    assert head.email not in new and "127.0.0.1" not in new and "reservation" not in new.lower()

    # verify passes; the chain has opened + 5 signed + 1 withdrawn links.
    assert counts()["signatures"] == 5
    kinds = db.session.scalars(
        sa.select(SignatureEvent.kind).order_by(SignatureEvent.sequence)
    ).all()
    assert kinds[0] == EventKind.opened and kinds.count(EventKind.signed) == 5
    assert kinds.count(EventKind.withdrawn) == 1
    result = cli("signatures", "verify", "global-alliance-2012")
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output and "7 events" in result.output

    # An edit behind the app's back is caught and the first broken event named.
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE signatures SET signatory_name = 'Someone Else' WHERE id = :id"),
            {"id": rows[1].id},
        )
    db.session.expire_all()
    result = cli("signatures", "verify", "global-alliance-2012")
    assert result.exit_code == 1
    assert "BROKEN at event #7 (signed, Belgium)" in result.output
    assert "signatory_name" in result.output
    # The public page now says the record is not valid.
    tampered = client.get(f"/verify/{rows[1].verification_code}").get_data(as_text=True)
    assert "Not valid" in tampered


@contextmanager
def revision_trigger_disabled(conn):
    """Switch off the immutability trigger of declaration revisions for the block."""
    name = "declaration_revisions_immutable"
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"ALTER TABLE declaration_revisions DISABLE TRIGGER {name}"))
        yield
        conn.execute(sa.text(f"ALTER TABLE declaration_revisions ENABLE TRIGGER {name}"))
        return
    ddl = conn.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name}
    ).scalar_one()
    conn.execute(sa.text(f"DROP TRIGGER {name}"))
    yield
    conn.execute(sa.text(ddl))


def test_verify_catches_an_edited_chain_link_and_an_edited_frozen_text(
    app, declaration, make_signatory, cli
):
    from plugins.signatures.operations import sign_declaration

    for code in ("AT", "NL"):
        user = make_signatory(code)
        sign_declaration(declaration, actor=user, password=TEST_PASSWORD, typed_name=user.full_name)
        db.session.commit()
    assert verify_chain(declaration).ok
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE signature_events SET previous_hash = :h WHERE sequence = 3"),
            {"h": "f" * 64},
        )
    db.session.expire_all()
    report = verify_chain(declaration)
    assert report.problems[0].startswith("event #3 (signed, Netherlands)")
    result = cli("signatures", "verify", "global-alliance-2012")
    assert result.exit_code == 1 and "event #3" in result.output

    # Restore the link, then change the frozen text itself (revisions are immutable in the app).
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE signature_events SET previous_hash = "
                "(SELECT event_hash FROM signature_events WHERE sequence = 2) WHERE sequence = 3"
            )
        )
    db.session.expire_all()
    assert verify_chain(declaration).ok
    revision = declaration.frozen_revision
    content = dict(revision.content)
    content["closing"] = [{"key": "follow-up", "text": "We commit to nothing."}]
    # The database refuses edits to revisions (a trigger); an attacker with the database's
    # own rights gets past it, and that is what verify must still catch.
    with db.engine.begin() as conn, revision_trigger_disabled(conn):
        conn.execute(
            sa.update(revision.__table__)
            .where(revision.__table__.c.id == revision.id)
            .values(content=content)
        )
    db.session.expire_all()
    report = verify_chain(declaration)
    assert not report.ok
    assert "no longer hashes" in report.problems[0]


def test_signature_rows_for_documents(app, declaration, make_signatory):
    from alliance_conf.plugins import flatten, hook
    from plugins.signatures.operations import sign_declaration, withdraw_signature

    user = make_signatory("IE")
    sig = sign_declaration(
        declaration,
        actor=user,
        password=TEST_PASSWORD,
        typed_name=user.full_name,
        endorsed_keys=["victims"],
        statements=[{"kind": "statement", "text": "Ireland welcomes the Alliance."}],
    )
    other = make_signatory("PT")
    sign_declaration(declaration, actor=other, password=TEST_PASSWORD, typed_name=other.full_name)
    db.session.commit()
    withdraw_signature(
        db.session.get(Signature, sig.id), actor=user, reason="Review", password=TEST_PASSWORD
    )
    db.session.commit()
    rows = flatten(hook().alliance_signature_rows(declaration=declaration))
    assert [r.delegation_name for r in rows] == ["Portugal"]
    assert rows[0].endorses_all and rows[0].country_code == "PT"
    assert rows[0].verification_url.endswith("/verify/" + rows[0].verification_code)


def test_events_are_fired_after_commit_outside_the_lock(
    app, declaration, make_signatory, monkeypatch
):
    """Other plugins react once the signature is committed (the declaration's row lock is
    released): a reaction sees the row from another connection; a rollback fires nothing."""
    from plugins.signatures import operations

    seen = []

    def committed(signature_id) -> bool:
        with db.engine.connect() as conn:
            row = conn.execute(sa.select(Signature.id).where(Signature.id == signature_id))
            return row.first() is not None

    class Recorder:
        def alliance_signature_recorded(self, signature, actor):
            seen.append(("recorded", signature.delegation.name, committed(signature.id)))

        def alliance_signature_withdrawn(self, signature, actor):
            seen.append(("withdrawn", signature.delegation.name, actor.full_name))

    class FakeHook:
        def __getattr__(self, name):
            return getattr(Recorder(), name, lambda **kw: [])

    monkeypatch.setattr(operations, "hook", FakeHook)
    user = make_signatory("LU")
    sig = operations.sign_declaration(
        declaration, actor=user, password=TEST_PASSWORD, typed_name=user.full_name
    )
    assert seen == []  # not inside the transaction that holds the lock
    db.session.commit()
    operations.withdraw_signature(sig, actor=user, reason="Mistake", password=TEST_PASSWORD)
    db.session.commit()
    assert seen == [("recorded", "Luxembourg", True), ("withdrawn", "Luxembourg", user.full_name)]

    other = make_signatory("PT")
    operations.sign_declaration(
        declaration, actor=other, password=TEST_PASSWORD, typed_name=other.full_name
    )
    db.session.rollback()
    db.session.commit()
    assert len(seen) == 2  # rolled back: no reaction


def test_a_second_submission_is_refused_before_the_password_is_checked(
    app, client, declaration, head, api_headers, counts
):
    """The delegation has signed: a second submission gets the 409 at once, without paying for
    (or counting) a password check: even a wrong password is not a failed attempt."""
    url = f"/api/v1/declarations/{declaration.id}/signatures"
    assert client.post(url, json=sign_payload(head), headers=api_headers(head)).status_code == 201
    before = counts()
    again = client.post(
        url, json=sign_payload(head, password="not the password"), headers=api_headers(head)
    )
    assert again.status_code == 409, again.get_json()
    assert "has already signed" in again.get_json()["error"]["message"]
    assert counts() == before  # no failure recorded, nothing stored


def test_reopening_is_refused_once_anyone_signed(app, client, login, declaration, head):
    from alliance_conf.core.errors import InvalidState
    from alliance_conf.declarations.transitions import transition
    from plugins.signatures.operations import sign_declaration

    sign_declaration(declaration, actor=head, password=TEST_PASSWORD, typed_name=head.full_name)
    db.session.commit()
    try:
        transition(declaration, "consultation", actor=None)
    except InvalidState as exc:
        assert "signature" in exc.message
    else:
        raise AssertionError("reopening should be refused")
    db.session.rollback()


def test_closing_adds_a_link_and_stops_signing(app, declaration, head, make_signatory, cli):
    from alliance_conf.core.errors import InvalidState
    from alliance_conf.declarations.transitions import transition
    from plugins.signatures.operations import sign_declaration

    sign_declaration(declaration, actor=head, password=TEST_PASSWORD, typed_name=head.full_name)
    transition(declaration, "closed", actor=None)
    db.session.commit()
    last = db.session.scalar(sa.select(SignatureEvent).order_by(SignatureEvent.sequence.desc()))
    assert last.kind == EventKind.closed and last.data["active_signatures"] == 1
    late = make_signatory("ES")
    try:
        sign_declaration(declaration, actor=late, password=TEST_PASSWORD, typed_name=late.full_name)
    except InvalidState as exc:
        assert "not open for signature" in exc.message
    else:
        raise AssertionError("signing a closed declaration must fail")
    db.session.rollback()
    assert cli("signatures", "verify", "global-alliance-2012").exit_code == 0
