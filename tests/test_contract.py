"""The OpenAPI document tells the truth: the limits, enums, nullability and formats it declares
are the ones the server applies (the API, the web forms and the operations share the pydantic
rules), and an empty PATCH changes nothing, so it is refused.
"""

import pytest
import sqlalchemy as sa

from alliance_conf.declarations.content import (
    MAX_COMMITMENT_TITLE,
    MAX_ITEMS,
    MAX_PARAGRAPH,
    MAX_TITLE,
)
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import DelegateFunction, RegistrationStatus


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _schema(spec, name):
    return spec["components"]["schemas"][name]


def _query_param(spec, path, name):
    operation = spec["paths"][path]["get"]
    return next(p["schema"] for p in operation["parameters"] if p["name"] == name)


def _enum(schema):
    if "enum" in schema:
        return set(schema["enum"])
    for option in schema.get("anyOf", []):
        if "$ref" in option or "enum" in option:
            return _enum(option) if "enum" in option else None
    return None


def test_declaration_text_limits_are_the_operations_limits(spec):
    content = _schema(spec, "ContentIn")["properties"]
    assert content["title"]["maxLength"] == MAX_TITLE
    assert content["title"]["minLength"] == 1
    paragraph = _schema(spec, "ParagraphIn")["properties"]["text"]
    assert paragraph["maxLength"] == MAX_PARAGRAPH
    commitment = _schema(spec, "CommitmentIn")["properties"]["title"]
    assert commitment["maxLength"] == MAX_COMMITMENT_TITLE
    assert content["preamble"]["maxItems"] == MAX_ITEMS["preamble"]


def test_filters_and_status_change_are_enums(spec):
    path = "/api/v1/conferences/{slug}/registrations"
    statuses = {s.value for s in RegistrationStatus}
    functions = {f.value for f in DelegateFunction}
    refs = spec["components"]["schemas"]

    def resolve(schema):
        for option in [schema, *schema.get("anyOf", [])]:
            if "$ref" in option:
                return set(refs[option["$ref"].rsplit("/", 1)[1]]["enum"])
            if "enum" in option:
                return set(option["enum"])
        return None

    assert resolve(_query_param(spec, path, "status")) == statuses
    assert resolve(_query_param(spec, path, "function")) == functions
    change = _schema(spec, "RegistrationStatusChange")["properties"]["status"]
    assert resolve(change) and resolve(change) <= statuses


def test_compare_from_has_the_servers_maximum(spec):
    path = "/api/v1/declarations/{declaration_id}/compare"
    assert _query_param(spec, path, "from")["maximum"] == 2**31 - 1


def test_delegation_patch_group_is_not_nullable(spec):
    group = _schema(spec, "DelegationPatch")["properties"]["group"]
    assert "anyOf" not in group and group["type"] == "string"


def test_empty_or_no_op_patch_is_422_and_declared(client, seed, api_headers, spec):
    headers = api_headers(seed.accounts["organiser"])
    delegation = db.session.scalar(
        sa.select(Delegation).where(Delegation.conference_id == seed.conference.id).limit(1)
    )
    url = f"/api/v1/conferences/{seed.conference.slug}/delegations/{delegation.id}"
    for kwargs in ({"json": {}}, {}):
        response = client.patch(url, headers=headers, **kwargs)
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["code"] == "validation_failed"
    assert _schema(spec, "DelegationPatch")["minProperties"] == 1
    response = client.patch(url, headers=headers, json={"group": None})
    assert response.status_code == 422
    same = {"group": delegation.group, "active": delegation.active}
    response = client.patch(url, headers=headers, json=same)
    assert response.status_code == 422, response.get_json()
    assert "Nothing to change" in response.get_json()["error"]["message"]


def test_dates_are_iso_strings_only(client, seed, api_headers, spec):
    headers = api_headers(seed.accounts["organiser"])
    body = {"slug": "epoch-day", "title": "Epoch", "city": "Brussels", "end_date": "2030-01-02"}
    response = client.post("/api/v1/conferences", json={**body, "start_date": 0}, headers=headers)
    assert response.status_code == 422
    assert "start_date" in response.get_json()["error"]["fields"]
    response = client.post(
        "/api/v1/conferences", json={**body, "start_date": "2030-01-01"}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    start = _schema(spec, "ConferenceIn")["properties"]["start_date"]
    assert start == {"format": "date", "title": "Start Date", "type": "string"}


def test_spec_is_made_for_client_generators(spec):
    operations = [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids))
    assert {"list_delegations", "create_delegation", "sign_declaration"} <= set(ids)
    assert not [name for name in ids if name.startswith(("get_api", "post_api"))]
    titles = [schema.get("title") for schema in spec["components"]["schemas"].values()]
    assert len(titles) == len(set(titles)), "two schemas share a name"
    for method, path, operation in operations:
        for status, response in operation["responses"].items():
            if status != "204":
                assert response.get("content"), f"{method} {path} {status} has no content"
    final = spec["paths"]["/api/v1/declarations/{declaration_id}/documents/final.docx"]["get"]
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert final["responses"]["200"]["content"][word]["schema"]["format"] == "binary"


def test_create_operations_link_to_their_reads(spec):
    created = spec["paths"]["/api/v1/conferences/{slug}/delegations"]["post"]["responses"]["201"]
    link = created["links"]["update_delegation"]
    assert link["parameters"] == {
        "slug": "$request.path.slug",
        "delegation_id": "$response.body#/id",
    }
    amendment = spec["paths"]["/api/v1/declarations/{declaration_id}/amendments"]["post"]
    link = amendment["responses"]["201"]["links"]["get_amendment"]
    assert link == {
        "operationId": "get_amendment",
        "parameters": {"amendment_id": "$response.body#/id"},
    }
