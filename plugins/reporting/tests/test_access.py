"""Who may use which route: one row per route and role, on the pages and the API."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask import g

from alliance_conf.extensions import db
from plugins.reporting import actions, rounds
from plugins.reporting.tests.support import CONTENT, report_of, signature_row

ROLES = ("anonymous", "outsider", "be_adviser", "be_head", "us_head", "staff", "organiser")


@pytest.fixture
def routes(world, round_):
    action = actions.create_action(
        world.declaration,
        world.be,
        actions.ActionData(commitment_key="victims", title="Belgian action"),
        actor=world.be_head,
    )
    db.session.commit()
    report = report_of(round_, world.be)
    d = world.declaration.id
    return {
        "index": ("GET", "/reporting"),
        "overview": ("GET", f"/declarations/{d}/reporting"),
        "chart": ("GET", f"/declarations/{d}/reporting/progress.svg"),
        "figures": ("GET", f"/declarations/{d}/reporting/figures.csv"),
        "round_new": ("GET", f"/declarations/{d}/reporting/rounds/new"),
        "round": ("GET", f"/reporting/rounds/{round_.id}"),
        "round_csv": ("GET", f"/reporting/rounds/{round_.id}/report.csv"),
        "remind": ("POST", f"/reporting/rounds/{round_.id}/remind"),
        "report": ("GET", f"/reporting/reports/{report.id}"),
        "report_edit": ("GET", f"/reporting/reports/{report.id}/edit"),
        "review": ("POST", f"/reporting/reports/{report.id}/review"),
        "return": ("POST", f"/reporting/reports/{report.id}/return"),
        "actions": ("GET", f"/declarations/{d}/reporting/actions"),
        "action_new": ("GET", f"/declarations/{d}/reporting/actions/new"),
        "action_edit": ("GET", f"/reporting/actions/{action.id}/edit"),
    }


# expected status per route for: anonymous, outsider, BE adviser, BE head, US head, staff, organiser
# (review/return on a draft answer 409: the role passed, the state did not)
EXPECTED = {
    "index": (302, 200, 200, 200, 200, 200, 200),
    "overview": (302, 403, 200, 200, 200, 200, 200),
    "chart": (302, 403, 403, 403, 403, 200, 200),
    "figures": (302, 403, 403, 403, 403, 200, 200),
    "round_new": (302, 403, 403, 403, 403, 403, 200),
    "round": (302, 403, 403, 403, 403, 200, 200),
    "round_csv": (302, 403, 403, 403, 403, 200, 200),
    "remind": (302, 403, 403, 403, 403, 403, 302),
    "report": (302, 403, 200, 200, 403, 200, 200),
    "report_edit": (302, 403, 403, 200, 403, 403, 403),
    "review": (302, 403, 403, 403, 403, 403, 409),
    "return": (302, 403, 403, 403, 403, 403, 409),
    "actions": (302, 403, 200, 200, 200, 200, 200),
    "action_new": (302, 403, 403, 200, 200, 403, 403),
    "action_edit": (302, 403, 403, 200, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_web_routes_by_role(client, world, routes, login, role):
    if role != "anonymous":
        login(getattr(world, role))
    else:
        g.pop("_login_user", None)
    column = ROLES.index(role)
    seen = {}
    for name, (method, url) in routes.items():
        response = client.open(url, method=method)
        seen[name] = response.status_code
    expected = {name: codes[column] for name, codes in EXPECTED.items()}
    assert seen == expected


API_EXPECTED = {
    # anonymous, outsider, BE adviser, BE head, US head, staff, organiser
    "rounds": (401, 403, 200, 200, 200, 200, 200),
    "round_create": (401, 403, 403, 403, 403, 403, 422),
    "round": (401, 403, 200, 200, 200, 200, 200),
    "matrix": (401, 403, 403, 403, 403, 200, 200),
    "reminders": (401, 403, 403, 403, 403, 403, 200),
    "reports": (401, 403, 200, 200, 200, 200, 200),
    "report": (401, 403, 200, 200, 403, 200, 200),
    "report_put": (401, 403, 403, 200, 403, 403, 403),
    "review": (401, 403, 403, 403, 403, 403, 409),
    "actions": (401, 403, 200, 200, 200, 200, 200),
    "action_create": (401, 403, 403, 201, 201, 403, 403),
    "action_patch": (401, 403, 403, 200, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_api_routes_by_role(client, world, round_, routes, api_headers, role):
    headers = {} if role == "anonymous" else api_headers(getattr(world, role))
    report = report_of(round_, world.be)
    action_id = routes["action_edit"][1].split("/")[3]
    d = world.declaration.id
    calls = {
        "rounds": ("GET", f"/api/v1/declarations/{d}/reporting/rounds", None),
        "round_create": ("POST", f"/api/v1/declarations/{d}/reporting/rounds", {"title": ""}),
        "round": ("GET", f"/api/v1/reporting/rounds/{round_.id}", None),
        "matrix": ("GET", f"/api/v1/reporting/rounds/{round_.id}/matrix", None),
        "reminders": ("POST", f"/api/v1/reporting/rounds/{round_.id}/reminders", None),
        "reports": ("GET", f"/api/v1/reporting/rounds/{round_.id}/reports", None),
        "report": ("GET", f"/api/v1/reporting/reports/{report.id}", None),
        "report_put": (
            "PUT",
            f"/api/v1/reporting/reports/{report.id}",
            {"entries": {"victims": {"status": "in_progress"}}},
        ),
        "review": ("POST", f"/api/v1/reporting/reports/{report.id}/review", {}),
        "actions": ("GET", f"/api/v1/declarations/{d}/reporting/actions", None),
        "action_create": (
            "POST",
            f"/api/v1/declarations/{d}/reporting/actions",
            {"commitment_key": "victims", "title": "New action"},
        ),
        "action_patch": (
            "PATCH",
            f"/api/v1/reporting/actions/{action_id}",
            {"status": "completed"},
        ),
    }
    column = ROLES.index(role)
    seen = {}
    for name, (method, url, body) in calls.items():
        kwargs = {"json": body} if body is not None else {}
        seen[name] = client.open(url, method=method, headers=headers, **kwargs).status_code
    assert seen == {name: codes[column] for name, codes in API_EXPECTED.items()}


def test_delegates_see_only_their_own_reports_in_lists(client, world, round_, api_headers):
    listed = client.get(
        f"/api/v1/reporting/rounds/{round_.id}/reports", headers=api_headers(world.us_head)
    ).get_json()
    assert [r["delegation_name"] for r in listed] == ["United States"]
    everyone = client.get(
        f"/api/v1/reporting/rounds/{round_.id}/reports", headers=api_headers(world.staff)
    ).get_json()
    assert sorted(r["delegation_name"] for r in everyone) == ["Belgium", "United States"]


def test_delegates_cannot_list_another_delegations_actions(client, world, round_, api_headers):
    response = client.get(
        f"/api/v1/declarations/{world.declaration.id}/reporting/actions?delegation_id={world.be.id}",
        headers=api_headers(world.us_head),
    )
    assert response.status_code == 403


def test_forms_need_a_csrf_token(make_app, world, round_):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world.be_head.get_id()
        session["_fresh"] = True
    report = report_of(round_, world.be)
    page = client.get(f"/reporting/reports/{report.id}")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    assert client.post(f"/reporting/reports/{report.id}/submit").status_code == 400
    edit = client.post(f"/reporting/reports/{report.id}/edit", data={"c0_status": "achieved"})
    assert edit.status_code == 400
    db.session.expire_all()
    assert report_of(round_, world.be).state.value == "draft"
    assert report_of(round_, world.be).entries == []


def test_a_draft_declaration_is_hidden_from_delegates_until_a_round_asks_them(
    client, world, as_user, api_headers
):
    from alliance_conf.declarations.operations import create_declaration

    draft = create_declaration(
        world.conference, title="A second, draft declaration", content=CONTENT, actor=None
    )
    db.session.commit()
    as_user(world.be_head)
    assert client.get(f"/declarations/{draft.id}/reporting").status_code == 403
    assert client.get(f"/declarations/{draft.id}/reporting/actions").status_code == 403
    page = client.get(f"/conferences/{world.conference.slug}").get_data(as_text=True)
    assert f"/declarations/{draft.id}/reporting" not in page
    assert f"/declarations/{world.declaration.id}/reporting" in page  # the open one
    rounds.open_round(
        draft,
        title="Round",
        period_start=date(2030, 1, 1),
        period_end=date(2030, 12, 31),
        deadline=date(2031, 1, 31),
        actor=None,
    )
    db.session.commit()
    assert client.get(f"/declarations/{draft.id}/reporting").status_code == 200
    page = client.get(f"/conferences/{world.conference.slug}").get_data(as_text=True)
    assert f"/declarations/{draft.id}/reporting" in page
    listed = client.get(
        f"/api/v1/declarations/{draft.id}/reporting/rounds", headers=api_headers(world.us_head)
    )
    assert listed.status_code == 200


def test_a_late_signatory_gets_its_report_through_the_api(
    client, world, round_, signatures, make_user, make_registration, api_headers
):
    fr_head = make_user(full_name="French Head")
    make_registration(world.fr, fr_head, function="head_of_delegation")
    headers = api_headers(fr_head)
    url = f"/api/v1/reporting/rounds/{round_.id}/reports"
    refused = client.post(url, json={}, headers=headers)
    assert refused.status_code == 409  # France has not signed
    signatures.rows.append(signature_row(world.fr, ["awareness"]))
    response = client.post(url, json={}, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["commitment_keys"] == ["awareness"]
    assert client.post(url, json={}, headers=headers).status_code == 409
    other = client.post(url, json={"delegation_id": world.be.id}, headers=headers)
    assert other.status_code == 403


def test_signing_after_a_round_opened_adds_the_report(world, round_, signatures):
    from types import SimpleNamespace

    from alliance_conf.plugins import hook

    signatures.rows.append(signature_row(world.fr, ["victims"]))
    signature = SimpleNamespace(declaration_id=world.declaration.id, delegation_id=world.fr.id)
    hook().alliance_signature_recorded(signature=signature, actor=None)
    hook().alliance_signature_recorded(signature=signature, actor=None)  # idempotent
    db.session.commit()
    db.session.refresh(round_)
    assert report_of(round_, world.fr).commitment_keys == ["victims"]
    assert len(round_.reports) == 3


class _Statements:
    """Counts the SQL statements run on the test database while active."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def test_the_reaction_to_a_signature_does_not_grow_with_the_signatures(world, signatures):
    """The reaction to a signature reads neither every signature nor every delegation: one
    query when no round is open; with a round open, the keys come from the signature itself."""
    from types import SimpleNamespace

    from alliance_conf.plugins import hook

    signatures.rows.extend(signature_row(world.fr, ["victims"]) for _ in range(50))
    late = SimpleNamespace(
        declaration_id=world.declaration.id,
        delegation_id=world.fr.id,
        kind=SimpleNamespace(value="signature"),
        withdrawn_at=None,
        endorses_all=False,
        endorsed_keys=["awareness"],
    )
    declaration = world.declaration
    with _Statements() as no_round:
        assert rounds.add_signatory_reports(declaration, world.fr.id, late) == []
    assert no_round.count == 1

    del signatures.rows[2:]  # France has not signed when the round opens
    round_ = rounds.open_round(
        declaration,
        title="Late round",
        period_start=date(2030, 3, 2),
        period_end=date(2031, 3, 1),
        deadline=date(2031, 6, 30),
        actor=world.organiser,
    )
    db.session.commit()
    signatures.rows.clear()  # the signature rows are not consulted any more
    hook().alliance_signature_recorded(signature=late, actor=None)
    db.session.commit()
    assert report_of(round_, world.fr).commitment_keys == ["awareness"]
