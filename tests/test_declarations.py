"""Declarations: the pure parts (canonical form, comparison), the operations, seed and CLI."""

import hashlib
import json
import unicodedata

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.errors import InvalidState, PermissionDenied, ValidationFailed
from alliance_conf.declarations import amendments, canonical, diff, operations, transitions
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.extensions import db
from alliance_conf.hooks import hookimpl
from alliance_conf.plugins import get_registry

# --- the canonical form ------------------------------------------------------------------------


def test_canonical_form_is_sorted_compact_nfc_json():
    content = {
        "title": "  Caf\u0065\u0301\n declaration ",
        "preamble": [{"text": "a\t\u00a0 b", "key": "p-1"}],
        "commitments": [],
        "closing": [],
    }
    data = canonical.canonical_bytes(content)
    assert (
        data
        == (
            '{"closing":[],"commitments":[],"preamble":[{"key":"p-1","text":"a b"}],'
            '"title":"Café declaration"}'
        ).encode()
    )
    assert unicodedata.is_normalized("NFC", data.decode())
    assert canonical.text_hash(content) == hashlib.sha256(data).hexdigest()


# --- the comparison ----------------------------------------------------------------------------


def test_word_ops_give_back_both_texts():
    old = "Enhancing efforts to identify victims and ensuring help"
    new = "Greatly enhancing efforts to find victims and ensuring help"
    ops = diff.word_ops(old, new)
    assert diff.side_text(ops, "old") == old
    assert diff.side_text(ops, "new") == new
    assert {"op": "delete", "text": "identify"} in ops
    assert {"op": "insert", "text": "find"} in ops
    assert ops[-1] == {"op": "equal", "text": "victims and ensuring help"}


def _content(*commitments):
    return {
        "title": "T",
        "preamble": [],
        "commitments": [{"key": k, "title": k.upper(), "text": t} for k, t in commitments],
        "closing": [],
    }


def test_compare_aligns_by_key_and_flags_moves_insertions_deletions():
    old = _content(("a", "one"), ("b", "two"), ("c", "three"), ("d", "four"))
    new = _content(("c", "three"), ("a", "one"), ("n", "new one"), ("b", "two changed"))
    result = diff.compare(old, new)
    items = {i["key"]: i for i in result["sections"][1]["items"]}
    assert [i["key"] for i in result["sections"][1]["items"]] == ["c", "a", "n", "b", "d"]
    assert items["c"]["moved"] and (items["c"]["old_number"], items["c"]["new_number"]) == (3, 1)
    assert not items["a"]["moved"] and not items["b"]["moved"]
    assert items["n"]["status"] == "inserted"
    assert items["n"]["text_ops"] == [{"op": "insert", "text": "new one"}]
    assert items["d"]["status"] == "deleted" and items["d"]["new_number"] is None
    assert items["b"]["status"] == "changed"
    assert items["b"]["text_ops"] == [
        {"op": "equal", "text": "two"},
        {"op": "insert", "text": "changed"},
    ]
    assert result["summary"] == {"inserted": 1, "deleted": 1, "changed": 1, "moved": 1}


def test_insertion_alone_is_not_a_move():
    old = _content(("a", "x"), ("b", "y"))
    new = _content(("n", "z"), ("a", "x"), ("b", "y"))
    items = diff.compare(old, new)["sections"][1]["items"]
    assert [i["moved"] for i in items] == [False, False, False]


# --- operations --------------------------------------------------------------------------------


def test_seed_has_the_draft_with_the_four_press_release_commitments(seed):
    declaration = db.session.scalar(sa.select(Declaration))
    assert declaration.state == DeclarationState.draft
    assert declaration.title.startswith("Declaration on launching the Global Alliance")
    content = declaration.current_revision.content
    assert [c["key"] for c in content["commitments"]] == [
        "victims",
        "offenders",
        "awareness",
        "availability",
    ]
    assert len(content["preamble"]) == 2 and len(content["closing"]) == 1
    assert "27 Member States" in content["preamble"][0]["text"]


def test_seed_is_idempotent(seed):
    from alliance_conf.demo.operations import load_demo

    load_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Declaration.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(DeclarationRevision.id))) == 1


def test_revisions_cannot_be_updated(declaration_cast):
    revision = declaration_cast.declaration.current_revision
    revision.message = "rewritten history"
    with pytest.raises(RuntimeError, match="immutable"):
        db.session.flush()
    db.session.rollback()
    assert declaration_cast.declaration.current_revision.message != "rewritten history"


def test_the_database_refuses_to_change_a_saved_revision(declaration_cast):
    revision_id = declaration_cast.declaration.current_revision.id
    with pytest.raises(sa.exc.DatabaseError, match="immutable"):
        db.session.execute(
            sa.text("UPDATE declaration_revisions SET message = 'forged' WHERE id = :id"),
            {"id": revision_id},
        )
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="immutable"):
        db.session.execute(
            sa.text("UPDATE declaration_revisions SET content = '{}' WHERE id = :id"),
            {"id": revision_id},
        )
    db.session.rollback()
    assert db.session.get(DeclarationRevision, revision_id).message != "forged"


def test_one_revision_number_per_declaration_is_a_named_constraint(declaration_cast):
    inspector = sa.inspect(db.engine)
    names = {c["name"] for c in inspector.get_unique_constraints("declaration_revisions")}
    assert "uq_declaration_revisions_one_number_per_declaration" in names
    names = {c["name"] for c in inspector.get_unique_constraints("amendment_supports")}
    assert "uq_amendment_supports_one_per_delegation" in names
    db.session.add(
        DeclarationRevision(
            declaration_id=declaration_cast.declaration.id, number=1, content={}, message=""
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_rejected_amendment_needs_a_reason_in_the_database(declaration_cast):
    cast = declaration_cast
    db.session.add(
        Amendment(
            declaration_id=cast.declaration.id,
            delegation_id=cast.belgium.id,
            state=AmendmentState.rejected,
            kind="delete",
            target_key="victims",
            base_revision_number=1,
            justification="x",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_open_declaration_must_carry_a_hash(declaration_cast):
    declaration = declaration_cast.declaration
    declaration.state = DeclarationState.open
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _to_consultation(cast):
    transitions.transition(cast.declaration, "consultation", actor=cast.organiser)
    db.session.commit()


def test_state_moves_are_audited_and_fire_the_hook(declaration_cast):
    cast = declaration_cast
    seen = []

    class Recorder:
        @hookimpl
        def alliance_declaration_state_changed(self, declaration, old_state, new_state, actor):
            seen.append((declaration.id, old_state, new_state, actor))

    manager = get_registry().manager
    manager.register(Recorder(), name="test-recorder")
    try:
        _to_consultation(cast)
        transitions.transition(cast.declaration, "open", actor=cast.organiser)
        db.session.commit()
    finally:
        manager.unregister(name="test-recorder")
    assert seen == [
        (cast.declaration.id, "draft", "consultation", cast.organiser),
        (cast.declaration.id, "consultation", "open", cast.organiser),
    ]
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "declaration.state_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.data["from"], e.data["to"]) for e in events] == [
        ("draft", "consultation"),
        ("consultation", "open"),
    ]
    assert events[1].data["text_hash"] == cast.declaration.text_hash
    assert events[1].actor_id == cast.organiser.id


def test_reopening_is_vetoed_by_a_plugin_and_allowed_otherwise(declaration_cast):
    cast = declaration_cast
    _to_consultation(cast)
    transitions.transition(cast.declaration, "open", actor=cast.organiser)
    db.session.commit()
    frozen_hash = cast.declaration.text_hash

    class Signatures:
        @hookimpl
        def alliance_declaration_can_reopen(self, declaration):
            return "Belgium has already signed it"

    manager = get_registry().manager
    manager.register(Signatures(), name="test-signatures")
    try:
        with pytest.raises(InvalidState, match="Belgium has already signed it"):
            transitions.transition(cast.declaration, "consultation", actor=cast.organiser)
        db.session.rollback()
    finally:
        manager.unregister(name="test-signatures")
    db.session.refresh(cast.declaration)
    assert cast.declaration.state == DeclarationState.open
    assert cast.declaration.text_hash == frozen_hash

    transitions.transition(cast.declaration, "consultation", actor=cast.organiser)
    db.session.commit()
    assert cast.declaration.text_hash is None and cast.declaration.frozen_revision_id is None


def test_closed_is_final(declaration_cast):
    cast = declaration_cast
    for to in ("consultation", "open", "closed"):
        transitions.transition(cast.declaration, to, actor=cast.organiser)
    db.session.commit()
    with pytest.raises(InvalidState, match="nothing"):
        transitions.transition(cast.declaration, "open", actor=cast.organiser)


def test_opening_waits_for_every_submitted_amendment_to_be_decided(declaration_cast):
    cast = declaration_cast
    _to_consultation(cast)
    amendments.propose_amendment(
        cast.declaration,
        kind="delete",
        target_key="awareness",
        justification="Covered elsewhere.",
        submit=True,
        actor=cast.head_be,
    )
    db.session.commit()
    with pytest.raises(InvalidState, match="1 submitted amendment"):
        transitions.transition(cast.declaration, "open", actor=cast.organiser)
    db.session.rollback()
    assert cast.declaration.state == DeclarationState.consultation


def test_insert_and_delete_amendments_apply_by_key(declaration_cast):
    cast = declaration_cast
    _to_consultation(cast)
    insert = amendments.propose_amendment(
        cast.declaration,
        kind="insert_after",
        target_key="victims",
        proposed_title="Cooperation with industry",
        proposed_text="Working with the private sector to remove material quickly.",
        justification="A fifth goal.",
        submit=True,
        actor=cast.head_be,
    )
    delete = amendments.propose_amendment(
        cast.declaration,
        kind="delete",
        target_key="awareness",
        justification="Covered by national programmes.",
        submit=True,
        actor=cast.minister_fr,
    )
    db.session.commit()
    amendments.accept_amendment(insert, actor=cast.organiser)
    amendments.accept_amendment(delete, actor=cast.organiser)
    db.session.commit()
    commitments = cast.declaration.current_revision.content["commitments"]
    assert commitments[0]["key"] == "victims"
    assert commitments[1]["title"] == "Cooperation with industry"
    assert commitments[1]["key"].startswith("k-")
    assert [c["key"] for c in commitments][2:] == ["offenders", "availability"]
    assert cast.declaration.current_revision.amendment_id == delete.id


def test_organiser_cannot_propose_and_delegate_cannot_edit(declaration_cast):
    cast = declaration_cast
    _to_consultation(cast)
    with pytest.raises(PermissionDenied):
        amendments.propose_amendment(
            cast.declaration,
            kind="delete",
            target_key="victims",
            justification="x",
            actor=cast.organiser,
        )
    with pytest.raises(PermissionDenied):
        operations.save_revision(
            cast.declaration,
            content=cast.declaration.current_revision.content,
            actor=cast.head_be,
        )


def test_saving_the_same_text_again_is_refused(declaration_cast):
    cast = declaration_cast
    with pytest.raises(ValidationFailed, match="Nothing changed"):
        operations.save_revision(
            cast.declaration,
            content=cast.declaration.current_revision.content,
            actor=cast.organiser,
        )


def test_duplicate_and_malformed_keys_are_refused(declaration_cast):
    cast = declaration_cast
    content = json.loads(json.dumps(cast.declaration.current_revision.content))
    content["commitments"][1]["key"] = "victims"
    content["closing"][0]["key"] = "Not A Key!"
    with pytest.raises(ValidationFailed) as caught:
        operations.save_revision(cast.declaration, content=content, actor=cast.organiser)
    assert set(caught.value.fields) == {"commitments.1.key", "closing.0.key"}


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_show_prints_the_text_and_the_hash_once_frozen(cli, declaration_cast):
    result = cli("declarations", "show", "global-alliance-2012")
    assert result.exit_code == 0, result.output
    assert "# Declaration on launching the Global Alliance" in result.output
    assert "1. Identifying and assisting victims" in result.output
    assert "SHA-256" not in result.output
    result = cli("declarations", "transition", "global-alliance-2012", "--to", "consultation")
    assert result.exit_code == 0, result.output
    result = cli("declarations", "transition", "global-alliance-2012", "--to", "open")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    declaration = db.session.scalar(sa.select(Declaration))
    assert declaration.state == DeclarationState.open
    result = cli("declarations", "show", "global-alliance-2012")
    assert f"SHA-256 {declaration.text_hash}" in result.output
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "declaration.state_changed").limit(1)
    )
    assert event.actor_label == "system"


def test_cli_illegal_move_fails_cleanly(app, declaration_cast):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["declarations", "transition", "global-alliance-2012", "--to", "closed"]
    )
    assert result.exit_code == 1
    assert "cannot move from draft to closed" in result.output
    result = runner.invoke(args=["declarations", "show", "no-such-conference"])
    assert result.exit_code == 1 and "no conference" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(Declaration.state)) == DeclarationState.draft
