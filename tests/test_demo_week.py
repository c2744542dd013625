"""The seed conference's week (issue 19): ``flask demo load`` tells a story that could have
happened. Delegates accredited, the text amended and brought in step in French, opened and
signed on 5 December 2012 in Brussels, then a first reporting round for the signatories only,
all through the real operations, so the signature chain verifies. Playing it again changes
nothing; the day-one state the other tests use stays as it was."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.core.db import StoryClock, replayed_time, utcnow
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationState,
)
from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage, MailStatus
from alliance_conf.registrations.models import Registration, RegistrationStatus
from plugins.reporting.models import Report, ReportingRound, ReportState
from plugins.signatures import chain
from plugins.signatures.models import Signature

BRUSSELS = ZoneInfo("Europe/Brussels")
SIGNED = {"US", "FR", "DE", "NL", "RO", "SE", "JP", "AU"}


def table_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables
        }


def _declaration(conference) -> Declaration:
    return db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == conference.id)
    )


def test_the_week_is_a_coherent_story(seed_week):
    conference = seed_week.conference
    declaration = _declaration(conference)

    # Accreditation: several delegates per delegation approved, some pending, all dated.
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.conference_id == conference.id)
    ).all()
    by_status = {s: [r for r in registrations if r.status == s] for s in RegistrationStatus}
    assert len(by_status[RegistrationStatus.approved]) == 14
    assert len(by_status[RegistrationStatus.pending]) == 3
    per_delegation = {}
    for r in by_status[RegistrationStatus.approved]:
        per_delegation.setdefault(r.delegation.country_code, []).append(r)
    assert len(per_delegation["US"]) == 2 and len(per_delegation["BE"]) == 2

    # The text: amended (accepted, rejected with its reason, withdrawn), French in step, open.
    amendments = db.session.scalars(
        sa.select(Amendment).where(Amendment.declaration_id == declaration.id)
    ).all()
    states = sorted(a.state.value for a in amendments)
    assert states == ["accepted", "accepted", "rejected", "withdrawn"]
    (rejected,) = [a for a in amendments if a.state == AmendmentState.rejected]
    assert "co-chairs" in rejected.rejection_reason
    assert declaration.state == DeclarationState.open
    frozen = declaration.frozen_revision
    assert frozen.number == 4 and frozen.out_of_step == {"en": [], "fr": []}
    french = {c["key"]: c["text"] for c in frozen.text_in("fr")["commitments"]}
    english = {c["key"]: c["text"] for c in frozen.text_in("en")["commitments"]}
    assert "coopération transfrontière" in french["offenders"]
    assert "across borders" in english["offenders"]
    assert "parents" in french["awareness"] and "parents" in english["awareness"]
    assert set(declaration.language_hashes) == {"en", "fr"}
    assert declaration.frozen_at.astimezone(BRUSSELS).replace(tzinfo=None).isoformat() >= (
        "2012-12-05T10:00"
    )

    # Signatures: eight delegations, one reservation, the Netherlands withdrew and signed again.
    signatures = db.session.scalars(
        sa.select(Signature).where(Signature.declaration_id == declaration.id)
    ).all()
    active = [s for s in signatures if s.withdrawn_at is None]
    assert {s.delegation.country_code for s in active} == SIGNED
    assert len(active) == 8 and len(signatures) == 9
    dutch = [s for s in signatures if s.delegation.country_code == "NL"]
    assert len(dutch) == 2 and sum(1 for s in dutch if s.withdrawn_at is None) == 1
    (withdrawn,) = [s for s in dutch if s.withdrawn_at is not None]
    assert "instructions from The Hague" in withdrawn.withdrawal_reason
    reservations = [s for s in active if any(i["kind"] == "reservation" for i in s.statements)]
    assert [s.delegation.country_code for s in reservations] == ["DE"]
    for signature in signatures:
        local = signature.signed_at.astimezone(BRUSSELS)
        assert local.date() == date(2012, 12, 5) and 10 <= local.hour < 13, local
        assert signature.revision_number == 4 and signature.text_hash == declaration.text_hash
    japan = next(s for s in active if s.delegation.country_code == "JP")
    assert japan.endorsed_keys == ["victims", "offenders", "availability"]
    assert not japan.endorses_all
    assert "BE" not in {s.delegation.country_code for s in signatures}  # the demo head may sign

    # The chain verifies (every event, every signature, the declaration row).
    report = chain.verify_chain(declaration)
    assert report.ok, report.problems
    assert report.signatures == 9

    # The first reporting round: a report per signatory on what it endorsed, in 2013-2014.
    (round_,) = db.session.scalars(sa.select(ReportingRound)).all()
    assert round_.coverage == "signatures"
    assert round_.created_at.astimezone(BRUSSELS).date() == date(2013, 1, 15)
    reports = {r.delegation.country_code: r for r in round_.reports}
    assert set(reports) == SIGNED
    assert reports["JP"].commitment_keys == ["victims", "offenders", "availability"]
    assert {c: r.state.value for c, r in reports.items() if r.state != ReportState.draft} == {
        "FR": "reviewed",
        "NL": "reviewed",
        "US": "submitted",
        "RO": "submitted",
    }
    for r in reports.values():
        if r.submitted_at is not None:
            assert date(2013, 1, 1) <= r.submitted_at.date() <= date(2014, 12, 31)
            signatory = db.session.scalar(
                sa.select(Registration.user_id).where(
                    Registration.delegation_id == r.delegation_id,
                    Registration.is_signatory.is_(True),
                )
            )
            assert r.submitted_by_id == signatory  # the delegation's own signatory reported
    assert [c for c, r in reports.items() if r.submitted_at and r.is_late] == ["RO"]

    # Nothing of the story happened "now", and its mail stays in the outbox.
    latest = db.session.scalar(sa.select(sa.func.max(AuditEvent.created_at)))
    assert latest.year == 2014
    statuses = set(db.session.scalars(sa.select(MailMessage.status)))
    assert statuses == {MailStatus.queued}


def test_playing_the_week_again_changes_nothing(seed_week):
    from alliance_conf.demo.operations import load_demo_story

    before = table_counts()
    again = load_demo_story()
    assert table_counts() == before
    assert again.week.summary == seed_week.week.summary
    assert again.week.new_passwords == {} and again.new_passwords == {}


def test_the_week_after_a_day_one_load_and_the_day_one_load_after_the_week(seed):
    """``flask demo load --day-one`` then ``flask demo load``: the signatories are new accounts
    the week creates, so the story plays in full; the day-one load then leaves it alone."""
    from alliance_conf.demo.operations import load_demo, load_demo_story

    result = load_demo_story()
    assert len(result.week.new_passwords) == 8
    declaration = _declaration(seed.conference)
    assert chain.verify_chain(declaration).ok
    before = table_counts()
    load_demo()
    db.session.commit()
    assert table_counts() == before


def test_the_day_one_seed_is_unchanged_and_has_no_reporting_round(seed):
    declaration = _declaration(seed.conference)
    assert declaration.state == DeclarationState.draft
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ReportingRound.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0
    head = db.session.scalar(
        sa.select(Registration).where(Registration.user_id == seed.accounts["head"].id)
    )
    assert head.is_signatory


def test_the_week_summary_names_what_happened(seed_week):
    summary = "\n".join(seed_week.week.summary)
    assert "Accredited delegates: 14 in 10 delegations; pending: 3." in summary
    assert "Amendments: 2 accepted, 1 rejected, 1 withdrawn." in summary
    assert "Declaration: open for signature, revision 4." in summary
    assert "Signatures: 8 active, 1 withdrawn, 1 with a reservation." in summary
    assert "Signature chain: intact, 11 events verified." in summary
    assert "8 reports (one per signatory), 2 submitted, 2 reviewed." in summary


def test_cli_plays_the_week_prints_its_summary_and_the_chain_verifies(cli, client):
    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "The week of 5 December 2012 in Brussels:" in output
    assert "Signatures: 8 active, 1 withdrawn, 1 with a reservation." in output
    assert "First progress report (2013)" in output
    assert "--- mail" not in output  # 2012's mail is held in the outbox
    line = next(line for line in output.splitlines() if "minister.fr@demo" in line)
    password = line.strip("| ").split()[-1]
    response = client.post(
        "/auth/login", data={"email": "minister.fr@demo.alliance-conf.org", "password": password}
    )
    assert response.status_code == 302

    verified = cli("signatures", "verify", "global-alliance-2012")
    assert verified.exit_code == 0, verified.output
    assert "chain intact" in verified.output

    again = cli("demo", "load")
    assert again.exit_code == 0
    assert "minister.fr@demo" not in again.output and "already exist" in again.output
    assert "Signatures: 8 active, 1 withdrawn, 1 with a reservation." in again.output


def test_cli_day_one_skips_the_week(cli):
    result = cli("demo", "load", "--day-one")
    assert result.exit_code == 0, result.output
    assert "The week of" not in result.output
    declaration = db.session.scalar(sa.select(Declaration))
    assert declaration.state == DeclarationState.draft
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


def test_the_story_clock_only_answers_inside_its_block():
    moment = utcnow()
    clock = StoryClock(moment.replace(year=2012))
    with replayed_time(clock):
        first, second = utcnow(), utcnow()
        assert first.year == 2012 and second > first
    assert utcnow().year >= moment.year


def test_a_signing_policy_beyond_passwords_leaves_the_text_unsigned(app):
    """The story's signatories have passwords only: with e-mailed codes required, the week
    stops at the opened text, and says so (no round either: nothing is signed)."""
    from alliance_conf.demo.operations import load_demo_story

    saved = app.config["SIGNATURES_REQUIRE_EMAIL_CODE"]
    app.config["SIGNATURES_REQUIRE_EMAIL_CODE"] = True
    try:
        result = load_demo_story()
    finally:
        app.config["SIGNATURES_REQUIRE_EMAIL_CODE"] = saved
    assert _declaration(result.conference).state == DeclarationState.open
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ReportingRound.id))) == 0
    summary = "\n".join(result.week.summary)
    assert "Signing not played" in summary and "Reporting: no round" in summary


def test_a_text_someone_already_moved_on_is_left_as_it_is(seed):
    from alliance_conf.declarations.transitions import transition
    from alliance_conf.demo.operations import load_demo_story

    declaration = _declaration(seed.conference)
    transition(declaration, "consultation", actor=seed.accounts["organiser"])
    db.session.commit()
    result = load_demo_story()
    db.session.refresh(declaration)
    assert declaration.state == DeclarationState.consultation
    assert declaration.current_revision.number == 1
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ReportingRound.id))) == 0
    assert "Signatures: 0 active" in "\n".join(result.week.summary)
