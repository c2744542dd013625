"""The organisers' "what needs you now" panel on the conference page (issue 19, item 7): the
counts (one query each), the page per role, the API and the CLI."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from alliance_conf.conferences.attention import attention
from alliance_conf.declarations import amendments, transitions
from alliance_conf.declarations.operations import create_declaration
from alliance_conf.extensions import db

SLUG = "attention-2030"
CONTENT = {
    "preamble": [{"key": "p-1", "text": "Recalling our commitments."}],
    "commitments": [{"key": "victims", "title": "Victims", "text": "Identify the victims."}],
    "closing": [],
}


@contextmanager
def count_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def world(make_conference, make_delegation, make_user, make_registration, grant_powers):
    """A conference with Belgium (signatory granted), France (a minister, no signatory),
    Europol (an organisation: never counted as lacking a signatory) and one pending
    registration."""
    from types import SimpleNamespace

    conference = make_conference(slug=SLUG)
    belgium = make_delegation(conference, "BE", group="eu_member")
    france = make_delegation(conference, "FR", group="eu_member")
    make_delegation(conference, organisation_name="Europol")
    organiser = make_user("organiser")
    head_be = make_user(full_name="Hélène Dubois")
    registration = make_registration(belgium, head_be, function="head_of_delegation")
    grant_powers(registration, organiser=organiser)
    minister_fr = make_user(full_name="Françoise Ministre")
    make_registration(france, minister_fr, function="minister")
    make_registration(france, make_user(), status="pending")
    return SimpleNamespace(
        conference=conference,
        belgium=belgium,
        france=france,
        organiser=organiser,
        head_be=head_be,
        minister_fr=minister_fr,
        staff=make_user("staff"),
    )


def _declaration(world, title="Declaration", consult=True):
    declaration = create_declaration(
        world.conference, title=title, content=CONTENT, actor=world.organiser
    )
    if consult:
        transitions.transition(declaration, "consultation", actor=world.organiser)
    db.session.commit()
    return declaration


def _amendment(world, declaration):
    amendment = amendments.propose_amendment(
        declaration,
        kind="replace",
        target_key="victims",
        justification="Clearer.",
        proposed_text="Identify and help the victims.",
        submit=True,
        actor=world.minister_fr,
    )
    db.session.commit()
    return amendment


def test_counts_follow_the_conference(world):
    found = attention(world.conference)
    assert (
        found.pending_registrations,
        found.delegations_without_signatory,  # France; Belgium has one; Europol is no state
        found.amendments_awaiting_decision,
        found.declarations_ready_to_open,
    ) == (1, 1, 0, [])
    draft = _declaration(world, "Still a draft", consult=False)
    ready = _declaration(world, "In consultation")
    assert attention(world.conference).declarations_ready_to_open == [ready.id]
    amendment = _amendment(world, ready)
    found = attention(world.conference)
    assert found.amendments_awaiting_decision == 1
    assert found.amendments_by_declaration == {ready.id: 1}
    assert found.declarations_ready_to_open == []  # an amendment is undecided
    amendments.reject_amendment(amendment, reason="Not now.", actor=world.organiser)
    db.session.commit()
    found = attention(world.conference)
    assert found.amendments_awaiting_decision == 0
    assert found.declarations_ready_to_open == [ready.id]
    transitions.transition(ready, "open", actor=world.organiser)
    db.session.commit()
    assert attention(world.conference).declarations_ready_to_open == []
    assert draft.id not in attention(world.conference).declarations_ready_to_open


def test_a_language_out_of_step_is_not_ready(world, make_conference, make_delegation):
    from alliance_conf.conferences.operations import set_conference_languages

    declaration = _declaration(world)
    assert attention(world.conference).declarations_ready_to_open == [declaration.id]
    # French added later: its text starts as a copy marked "translation needed".
    set_conference_languages(world.conference, ["en", "fr"], actor=world.organiser)
    db.session.commit()
    assert attention(world.conference).declarations_ready_to_open == []
    with pytest.raises(Exception, match="out of step"):
        transitions.transition(declaration, "open", actor=world.organiser)
    db.session.rollback()


def test_signatory_and_pending_counts_change_with_the_workflow(
    world, make_user, make_registration, grant_powers
):
    from alliance_conf.registrations import operations as registrations
    from alliance_conf.registrations.models import Registration, RegistrationStatus

    registration = db.session.scalar(
        sa.select(Registration).where(Registration.user_id == world.minister_fr.id)
    )
    grant_powers(registration, organiser=world.organiser)
    pending = db.session.scalar(
        sa.select(Registration).where(Registration.status == RegistrationStatus.pending)
    )
    registrations.decide_many(world.conference.id, [pending.id], "approved", actor=world.organiser)
    db.session.commit()
    found = attention(world.conference)
    assert (found.pending_registrations, found.delegations_without_signatory) == (0, 0)
    assert found.total == 0


def test_each_count_is_one_query_however_big_the_conference(
    world, make_delegation, make_user, make_registration
):
    for code in ("DE", "IT", "ES", "NL", "PT", "AT"):
        delegation = make_delegation(world.conference, code, group="eu_member")
        make_registration(delegation, make_user(), status="pending")
    for n in range(4):
        _amendment(world, _declaration(world, f"Declaration {n}"))
    _declaration(world, "Ready")
    db.session.expire_all()
    assert world.conference.languages == ["en"]  # the conference itself is loaded already
    with count_queries() as statements:
        found = attention(world.conference)
    assert len(statements) == 4, statements
    assert found.pending_registrations == 7
    assert found.delegations_without_signatory == 7
    assert found.amendments_awaiting_decision == 4
    assert len(found.declarations_ready_to_open) == 1


def _panel(html: str) -> str:
    match = re.search(r'<section class="panel attention".*?</section>', html, flags=re.S)
    return match.group(0) if match else ""


def test_the_organiser_sees_the_panel_with_links(client, login, world):
    declaration = _declaration(world)
    login(world.organiser)
    page = client.get(f"/conferences/{SLUG}").get_data(as_text=True)
    panel = _panel(page)
    assert "What needs you now" in panel
    assert (
        f'<li class="attention-item attention-due"><a href="/conferences/{SLUG}/registrations/'
        'pending">1 registration waiting for a decision</a></li>' in panel
    )
    assert f'href="/conferences/{SLUG}/signatories">1 state delegation without a signatory' in panel
    assert (
        f'href="/declarations/{declaration.id}">1 declaration ready to open for signature' in panel
    )
    # Nothing to do: shown, not highlighted, no link.
    assert '<li class="attention-item attention-clear">0 amendments awaiting a decision</li>' in (
        panel
    )
    # The rest of the links, grouped.
    for heading in ("Registration and accreditation", "Declaration", "Communication"):
        assert f">{heading}</h2>" in page
    assert f'href="/conferences/{SLUG}/invitations"' in page
    assert 'href="/outbox"' in page
    # The organiser has no delegation: no "My delegation" link (it would lead to a 404).
    assert "my-delegation" not in page


def test_amendments_link_to_their_declaration(client, login, world):
    declaration = _declaration(world)
    _amendment(world, declaration)
    login(world.organiser)
    panel = _panel(client.get(f"/conferences/{SLUG}").get_data(as_text=True))
    assert (
        f'href="/declarations/{declaration.id}/amendments">1 amendment awaiting a decision' in panel
    )
    assert "0 declarations ready to open for signature" in panel
    _amendment(world, _declaration(world, "Second"))
    panel = _panel(client.get(f"/conferences/{SLUG}").get_data(as_text=True))
    assert f'href="/conferences/{SLUG}/declarations">2 amendments awaiting a decision' in panel


def test_nothing_needs_you_now(client, login, make_conference, make_user):
    make_conference(slug="quiet-2030")
    login(make_user("organiser"))
    panel = _panel(client.get("/conferences/quiet-2030").get_data(as_text=True))
    assert "Nothing needs you now." in panel
    assert "attention-due" not in panel


@pytest.mark.parametrize("who", ["staff", "delegate", "anonymous"])
def test_others_do_not_see_the_organisers_counts(client, login, world, who):
    if who == "staff":
        login(world.staff)
    elif who == "delegate":
        login(world.head_be)
    page = client.get(f"/conferences/{SLUG}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "What needs you now" not in html and "attention-item" not in html
    assert "waiting for a decision" not in html and "without a signatory" not in html
    assert 'href="/outbox"' not in html
    if who == "delegate":
        assert f'href="/conferences/{SLUG}/my-delegation"' in html
    if who == "staff":
        assert f'href="/conferences/{SLUG}/signatories"' in html


def test_the_participants_link_only_where_it_leads_somewhere(app, world, make_user):
    """A delegate sees their delegation's participants only where they are approved: the link
    is not offered on another conference's page (it answered 403 there)."""
    from alliance_conf.testing.fixtures import TEST_PASSWORD

    participants = f'href="/conferences/{SLUG}/participants"'

    def as_user(user):
        client = app.test_client()
        client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
        page = client.get(f"/conferences/{SLUG}").get_data(as_text=True)
        return participants in page, client.get(f"/conferences/{SLUG}/participants").status_code

    assert as_user(world.head_be) == (True, 200)
    assert as_user(make_user(full_name="Not registered")) == (False, 403)
    assert as_user(world.staff) == (True, 200)


def test_the_panel_in_french(client, login, world):
    login(world.organiser)
    html = client.get(f"/conferences/{SLUG}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    panel = _panel(html)
    assert "Ce qui vous attend" in panel
    assert "1 inscription en attente de décision" in panel
    assert "Inscription et accréditation" in html


def test_api_counts_for_organisers_only(client, world, api_headers):
    _amendment(world, _declaration(world))
    url = f"/api/v1/conferences/{SLUG}/attention"
    response = client.get(url, headers=api_headers(world.organiser))
    assert response.status_code == 200
    body = response.get_json()
    assert body["pending_registrations"] == 1
    assert body["delegations_without_signatory"] == 1
    assert body["amendments_awaiting_decision"] == 1
    assert body["declarations_ready_to_open"] == 0
    assert body["total"] == 3
    assert client.get(url, headers=api_headers(world.staff)).status_code == 403
    assert client.get(url, headers=api_headers(world.head_be)).status_code == 403
    assert client.get(url).status_code == 401
    missing = client.get(
        "/api/v1/conferences/nowhere/attention", headers=api_headers(world.organiser)
    )
    assert missing.status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/conferences/{slug}/attention"]["get"]["operationId"] == (
        "get_conference_attention"
    )


def test_cli_prints_the_counts(cli, world):
    result = cli("conferences", "attention", SLUG)
    assert result.exit_code == 0
    assert "1\tPending registrations" in result.output
    assert "1\tDelegations without a signatory" in result.output
    assert cli("conferences", "attention", "nowhere").exit_code == 1
