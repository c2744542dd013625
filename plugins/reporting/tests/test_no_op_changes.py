"""A PUT of a report or a PATCH of a national action that changes nothing is a 422 (the API
framework refuses a change request that commits no change), and nothing is written."""

import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.extensions import db
from plugins.reporting import actions
from plugins.reporting.tests.support import report_of


def _events():
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def _refused_as_no_op(response):
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["message"].startswith("Nothing to change")


def test_saving_a_report_with_the_same_entries_is_a_422(client, world, round_, api_headers):
    report = report_of(round_, world.be)
    url, headers = f"/api/v1/reporting/reports/{report.id}", api_headers(world.be_head)
    body = {"entries": {"victims": {"status": "achieved", "narrative": "Done."}}}
    assert client.put(url, json=body, headers=headers).status_code == 200
    before = _events()
    _refused_as_no_op(client.put(url, json=body, headers=headers))
    _refused_as_no_op(client.put(url, json={"entries": {}}, headers=headers))
    assert _events() == before
    body["entries"]["victims"]["narrative"] = "Done, and more."
    assert client.put(url, json=body, headers=headers).status_code == 200


def test_patching_an_action_with_its_own_values_is_a_422(client, world, signatures, api_headers):
    action = actions.create_action(
        world.declaration,
        world.be,
        actions.ActionData(commitment_key="victims", title="Belgian action"),
        actor=world.be_head,
    )
    db.session.commit()
    url, headers = f"/api/v1/reporting/actions/{action.id}", api_headers(world.be_head)
    before = _events()
    same = {"title": "Belgian action", "commitment_key": "victims", "status": "planned"}
    _refused_as_no_op(client.patch(url, json=same, headers=headers))
    assert _events() == before
    response = client.patch(url, json={"title": "Belgian action, renamed"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["title"] == "Belgian action, renamed"
