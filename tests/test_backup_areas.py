"""Backups cover every area: declarations (revisions, amendments, comments, supports),
invitations, signatures (hash chain, receipts, reminders) and reporting. The seed conference,
signed and reported on, round-trips into an empty database; ids, hashes and Ed25519 receipts come
back as they were, so `flask signatures verify` still passes."""

import copy
import json
from datetime import date

import sqlalchemy as sa

from alliance_conf.backup.operations import export_conference
from alliance_conf.conferences.models import Conference
from alliance_conf.core.db import utcnow
from alliance_conf.declarations import amendments, transitions
from alliance_conf.declarations import operations as declarations
from alliance_conf.declarations.models import Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.invitations.models import Invitation
from alliance_conf.registrations.models import Registration
from alliance_conf.registrations.powers import Instrument, grant_full_powers
from alliance_conf.testing.fixtures import TEST_PASSWORD, empty_all_tables
from plugins.reporting import operations as reporting
from plugins.reporting import reports, rounds
from plugins.reporting.models import ReportState
from plugins.signatures import operations as signatures
from plugins.signatures.board import send_reminders
from plugins.signatures.models import Signature, SignatureEvent
from plugins.signatures.receipts import check_receipt, signed_receipt


def _signatory(make_user, delegation, name):
    user = make_user("delegate", full_name=name)
    db.session.add(
        Registration(
            conference_id=delegation.conference_id,
            delegation_id=delegation.id,
            user_id=user.id,
            status="approved",
            function="minister",
            position="Minister « Ünïcode »",
        )
    )
    db.session.flush()
    registration = db.session.scalar(sa.select(Registration).where(Registration.user_id == user.id))
    grant_full_powers(
        registration,
        Instrument("FP/1", "head_of_government", issued_on=date(2012, 12, 1)),
        actor=make_user("organiser"),
    )
    db.session.commit()
    return user


def _busy_conference(seed, make_user):
    """Amendments with a comment and a support, an accepted amendment, two signatures (one
    withdrawn, one signed again), a reminder, a reporting round with a submitted report."""
    conference = seed.conference
    organiser = seed.accounts["organiser"]
    head = seed.accounts["head"]
    head.set_password(TEST_PASSWORD)
    delegations = {
        d.country_code: d
        for d in db.session.scalars(
            sa.select(Delegation).where(Delegation.conference_id == conference.id)
        )
    }
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == conference.id)
    )
    if declaration.state.value == "draft":
        transitions.transition(declaration, "consultation", actor=organiser)
    german = _signatory(make_user, delegations["DE"], "Bundesministerin Jürgen <b>Groß</b>")
    french = _signatory(make_user, delegations["FR"], "Ministre Éloïse d'Arc")
    commitment = declaration.current_revision.content["commitments"][0]["key"]
    amendment = amendments.propose_amendment(
        declaration,
        kind="replace",
        target_key=commitment,
        justification="Clearer <script>alert(1)</script> wording ✓",
        proposed_text="A better commitment — with “quotes”.",
        submit=True,
        actor=german,
    )
    amendments.add_comment(amendment, body="Agreed, mostly. 👍", actor=organiser)
    amendments.support_amendment(amendment, actor=french)
    amendments.accept_amendment(amendment, actor=organiser)
    # The seed is in English and French: a translator brings the French text back in step.
    translator = make_user(role="staff")
    translator.is_translator = True
    french_text = copy.deepcopy(declaration.current_revision.text_in("fr"))
    declarations.save_translation(declaration, language="fr", content=french_text, actor=translator)
    transitions.transition(declaration, "open", actor=organiser)
    db.session.commit()

    signatures.sign_declaration(
        declaration, actor=head, password=TEST_PASSWORD, typed_name=head.full_name
    )
    first = signatures.sign_declaration(
        declaration,
        actor=german,
        password=TEST_PASSWORD,
        typed_name=german.full_name,
    )
    db.session.commit()
    signatures.withdraw_signature(
        first, actor=german, reason="Signed too early", password=TEST_PASSWORD
    )
    db.session.commit()
    signatures.sign_declaration(
        declaration, actor=german, password=TEST_PASSWORD, typed_name=german.full_name
    )
    send_reminders(declaration, actor=organiser)
    db.session.commit()

    round_ = rounds.open_round(
        declaration,
        title="First round",
        period_start=date(2013, 1, 1),
        period_end=date(2013, 12, 31),
        deadline=date(2014, 3, 31),
        actor=organiser,
    )
    db.session.commit()
    report = next(r for r in round_.reports if r.delegation_id == delegations["BE"].id)
    key = report.commitment_keys[0]
    indicator = next(iter(reporting.indicators()))
    reports.save_report(
        report,
        {
            key: reports.EntryData(
                status="in_progress", narrative="Progress, «done»", figures={indicator: "42"}
            )
        },
        actor=head,
    )
    reports.submit_report(report, actor=head)
    db.session.commit()
    from plugins.documents import operations as documents
    from plugins.documents.builder import default_template_bytes

    documents.upload_template(
        conference, "house-style.docx", default_template_bytes(), actor=organiser
    )
    db.session.commit()
    assert report.state == ReportState.submitted
    return conference, declaration


def test_signed_and_reported_seed_conference_round_trips_and_verifies(
    app, cli, seed, make_user, tmp_path
):
    conference, declaration = _busy_conference(seed, make_user)
    slug = conference.slug
    before = cli("signatures", "verify", slug)
    assert before.exit_code == 0, before.output
    file = tmp_path / "backup.json"
    result = cli("backup", "export", str(file), "--conference", slug)
    assert result.exit_code == 0, result.output
    original = json.loads(file.read_text(encoding="utf-8"))
    assert {"signatures", "reporting"} <= set(original["plugins"])
    section = original["plugins"]["signatures"]
    assert len(section["signatures"]) == 3 and len(section["events"]) >= 5
    assert len(section["reminders"]) >= 1
    assert len(section["checkpoints"]) == len(section["events"])  # one signed per link
    assert 42 in [f["value"] for f in original["plugins"]["reporting"]["figures"]]
    (template,) = original["plugins"]["documents"]["templates"]
    assert template["filename"] == "house-style.docx"
    core = original["core"]
    assert len(core["amendments"]) == 1 and len(core["amendment_comments"]) == 1
    assert len(core["amendment_supports"]) == 1 and len(core["declaration_revisions"]) >= 2
    receipts = {
        s.verification_code: signed_receipt(s) for s in db.session.scalars(sa.select(Signature))
    }

    db.session.remove()
    empty_all_tables(app)
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0

    result = cli("backup", "import", str(file))
    assert result.exit_code == 0, result.output
    after = cli("signatures", "verify", slug)
    assert after.exit_code == 0, after.output
    assert "chain intact" in after.output
    assert after.output == before.output

    restored = db.session.scalar(sa.select(Conference).where(Conference.slug == slug))
    again = export_conference(restored)
    assert again["plugins"] == original["plugins"]
    for name, rows in original["core"].items():
        if name == "audit_events":
            rows = [r for r in again["core"][name] if r["action"] != "conference.restored"]
            assert rows == original["core"][name]
        else:
            assert again["core"][name] == rows, name
    for signature in db.session.scalars(sa.select(Signature)):
        receipt = signed_receipt(signature)
        assert receipt == receipts[signature.verification_code]
        assert check_receipt(receipt).valid
    restored_declaration = db.session.get(Declaration, declaration.id)
    assert restored_declaration.frozen_revision is not None
    from plugins.documents.operations import final_declaration, get_template

    assert get_template(restored).sha256 == template["sha256"]
    assert final_declaration(restored_declaration)[:2] == b"PK"  # the Word document still builds

    # The app carries on: new rows get fresh ids after the restored ones (sequences moved on).
    last_event = db.session.scalar(sa.select(sa.func.max(SignatureEvent.id)))
    newcomer = make_user("delegate", full_name="Late Signatory")
    db.session.add(
        Registration(
            conference_id=restored.id,
            delegation_id=db.session.scalar(
                sa.select(Delegation.id).where(
                    Delegation.conference_id == restored.id, Delegation.country_code == "IT"
                )
            ),
            user_id=newcomer.id,
            status="approved",
            function="minister",
            is_signatory=True,
            signatory_designated_at=utcnow(),
        )
    )
    db.session.commit()
    signatures.sign_declaration(
        restored_declaration,
        actor=newcomer,
        password=TEST_PASSWORD,
        typed_name=newcomer.full_name,
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.max(SignatureEvent.id))) > last_event
    assert cli("signatures", "verify", slug).exit_code == 0


def test_invitations_are_in_the_backup(app, cli, seed, tmp_path):
    from alliance_conf.invitations.operations import create_invitation

    conference = seed.conference
    delegation = conference.delegations.order_by(Delegation.id).first()
    create_invitation(delegation, "guest@example.org", actor=seed.accounts["organiser"])
    db.session.commit()
    data = export_conference(conference)
    assert [i["email"] for i in data["core"]["invitations"]] == ["guest@example.org"]
    db.session.remove()
    empty_all_tables(app)
    file = tmp_path / "b.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    assert cli("backup", "import", str(file)).exit_code == 0
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.email == "guest@example.org"
    assert invitation.nonce_hash == data["core"]["invitations"][0]["nonce_hash"]
