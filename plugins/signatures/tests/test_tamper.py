"""Direct database edits an attacker with the database's rights could make, each done with raw
SQL; ``flask signatures verify`` must catch every one and name what broke. Also the signed
checkpoints and the ``--against`` proof that the chain extends a checkpoint or a receipt."""

from __future__ import annotations

import json

import sqlalchemy as sa

from alliance_conf.core.db import utcnow
from alliance_conf.declarations.models import DeclarationRevision
from alliance_conf.declarations.transitions import transition
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.signatures import checkpoints, crypto
from plugins.signatures.chain import verify_chain
from plugins.signatures.models import Signature, SignatureCheckpoint, SignatureEvent
from plugins.signatures.operations import sign_declaration, withdraw_signature
from plugins.signatures.receipts import signed_receipt

SLUG = "global-alliance-2012"


def _sign(declaration, make_signatory, *codes):
    signatures = []
    for code in codes:
        user = make_signatory(code)
        signatures.append(
            sign_declaration(
                declaration, actor=user, password=TEST_PASSWORD, typed_name=user.full_name
            )
        )
        db.session.commit()
    return signatures


def _sql(statement: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text(statement), params)
    db.session.expire_all()


def _broken(declaration, cli, expected: str) -> None:
    report = verify_chain(declaration)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    result = cli("signatures", "verify", SLUG)
    assert result.exit_code == 1
    assert "BROKEN" in result.output and expected in result.output


def _last_sequence(declaration) -> int:
    return db.session.scalar(
        sa.select(sa.func.max(SignatureEvent.sequence)).where(
            SignatureEvent.declaration_id == declaration.id
        )
    )


def test_a_deleting_the_last_link_and_its_signature_is_caught(
    app, declaration, make_signatory, cli
):
    _sign(declaration, make_signatory, "AT", "NL")
    assert verify_chain(declaration).ok
    last = _last_sequence(declaration)
    signature_id = db.session.scalar(
        sa.select(SignatureEvent.signature_id).where(SignatureEvent.sequence == last)
    )
    _sql("DELETE FROM signature_events WHERE sequence = :s", s=last)
    _sql("DELETE FROM signatures WHERE id = :i", i=signature_id)
    _broken(declaration, cli, f"proves link #{last} existed")


def test_b_deleting_a_withdrawal_and_restoring_the_signature_is_caught(
    app, declaration, make_signatory, cli
):
    (austria,) = _sign(declaration, make_signatory, "AT")
    withdraw_signature(
        austria, actor=austria.signatory, reason="Signed by mistake", password=TEST_PASSWORD
    )
    db.session.commit()
    assert verify_chain(declaration).ok
    last = _last_sequence(declaration)
    _sql("DELETE FROM signature_events WHERE sequence = :s AND kind = 'withdrawn'", s=last)
    _sql(
        "UPDATE signatures SET withdrawn_at = NULL, withdrawal_reason = NULL, "
        "withdrawn_by_id = NULL WHERE id = :i",
        i=austria.id,
    )
    _broken(declaration, cli, "the chain was cut short")


def test_b_a_withdrawal_in_the_middle_of_the_chain_is_caught_too(
    app, declaration, make_signatory, cli
):
    (austria,) = _sign(declaration, make_signatory, "AT")
    withdraw_signature(
        austria, actor=austria.signatory, reason="Signed by mistake", password=TEST_PASSWORD
    )
    db.session.commit()
    _sign(declaration, make_signatory, "NL")
    _sql("DELETE FROM signature_events WHERE kind = 'withdrawn'")
    _sql("UPDATE signatures SET withdrawn_at = NULL WHERE id = :i", i=austria.id)
    _broken(declaration, cli, "a link is missing")


def test_c_deleting_the_closing_link_and_reopening_is_caught(app, declaration, make_signatory, cli):
    _sign(declaration, make_signatory, "AT")
    transition(declaration, "closed", actor=None)
    db.session.commit()
    assert verify_chain(declaration).ok
    _sql("DELETE FROM signature_events WHERE kind = 'closed'")
    _sql("UPDATE declarations SET state = 'open' WHERE id = :i", i=declaration.id)
    _broken(declaration, cli, "the chain was cut short")


def test_c_reopening_without_deleting_the_link_names_the_state(
    app, declaration, make_signatory, cli
):
    transition(declaration, "closed", actor=None)
    db.session.commit()
    _sql("UPDATE declarations SET state = 'open' WHERE id = :i", i=declaration.id)
    _broken(declaration, cli, "declaration: its state is “open”")


def test_d_pointing_the_frozen_revision_elsewhere_is_caught(app, declaration, cli):
    frozen = declaration.frozen_revision
    content = {**frozen.content, "closing": [{"key": "x", "text": "We commit to nothing."}]}
    other = DeclarationRevision(
        declaration_id=declaration.id, number=frozen.number + 1, content=content
    )
    db.session.add(other)
    db.session.commit()
    other = other.id
    _sql("UPDATE declarations SET frozen_revision_id = :r WHERE id = :i", r=other, i=declaration.id)
    _broken(declaration, cli, "not to the revision")


def test_e_changing_the_text_hash_is_caught(app, declaration, make_signatory, cli):
    _sign(declaration, make_signatory, "AT")
    _sql("UPDATE declarations SET text_hash = :h WHERE id = :i", h="a" * 64, i=declaration.id)
    _broken(declaration, cli, f"its text hash {'a' * 64} is not the")


def test_checkpoints_are_published_and_a_kept_one_catches_a_rewrite(
    app, client, declaration, make_signatory, cli, tmp_path
):
    (austria, netherlands) = _sign(declaration, make_signatory, "AT", "NL")
    body = client.get(f"/api/v1/declarations/{declaration.id}/signatures/checkpoints").get_json()
    latest = body[0]
    assert latest["checkpoint"]["sequence"] == _last_sequence(declaration) == 3
    assert crypto.verify(crypto.canonical_json(latest["checkpoint"]), latest["signature"]), (
        "the published checkpoint is signed by the server key"
    )
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(latest))
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(signed_receipt(austria)))
    assert receipt.read_text().count('"chain_sequence": 2') == 1  # the head when it signed
    ok = cli("signatures", "verify", SLUG, "--against", str(kept), "--against", str(receipt))
    assert ok.exit_code == 0 and "extends the 2 files given" in ok.output

    # An attacker removes the Dutch signature, its link AND the stored checkpoints, then
    # re-signs a consistent but shorter chain: only the kept checkpoint can tell.
    _sql("DELETE FROM signature_checkpoints")
    _sql("DELETE FROM signature_events WHERE sequence = 3")
    _sql("DELETE FROM signatures WHERE id = :i", i=netherlands.id)
    assert verify_chain(declaration).ok  # nothing left inside the database to tell
    still = cli("signatures", "verify", SLUG, "--against", str(receipt))
    assert still.exit_code == 0  # Austria's link is still there
    caught = cli("signatures", "verify", SLUG, "--against", str(kept))
    assert caught.exit_code == 1 and "proves link #3 existed" in caught.output


def test_bad_anchor_files_are_refused_clearly(app, declaration, make_signatory, cli, tmp_path):
    _sign(declaration, make_signatory, "AT")
    latest = checkpoints.document(checkpoints.published(declaration.id, 1)[0])
    cases = {
        "tampered": {**latest, "checkpoint": {**latest["checkpoint"], "sequence": 1}},
        "other": None,
        "junk": {"hello": 1},
    }
    foreign = SignatureCheckpoint(
        declaration_id=declaration.id + 1000,
        sequence=1,
        head_hash="b" * 64,
        created_at=utcnow(),
    )
    foreign.server_signature = crypto.sign(crypto.canonical_json(checkpoints.body(foreign)))
    cases["other"] = checkpoints.document(foreign)
    messages = {
        "tampered": "server signature does not match",
        "other": f"belongs to declaration {declaration.id + 1000}",
        "junk": "neither a checkpoint nor a receipt",
    }
    for name, document in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        result = cli("signatures", "verify", SLUG, "--against", str(path))
        assert result.exit_code == 1, name
        assert messages[name] in result.output, (name, result.output)
    (tmp_path / "notjson.json").write_text("{")
    result = cli("signatures", "verify", SLUG, "--against", str(tmp_path / "notjson.json"))
    assert result.exit_code == 1 and "is not a JSON file" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 1


def test_board_shows_the_latest_checkpoint(
    app, client, login, make_user, declaration, make_signatory
):
    _sign(declaration, make_signatory, "AT")
    login(make_user("organiser"))
    html = client.get(f"/declarations/{declaration.id}/signatures").get_data(as_text=True)
    head = checkpoints.published(declaration.id, 1)[0]
    assert head.head_hash in html and f"Link #{head.sequence}" in html
