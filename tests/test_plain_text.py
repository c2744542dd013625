"""Every text field refuses control characters (tab and line breaks only in multi-line text) and
invisible Unicode format characters such as a right-to-left override: one check
(``alliance_conf.core.inputs.plain_text_error``) used by the operations, the JSON API (``Line``
and ``Text``, whose JSON schema declares the rule as a ``pattern``) and the web forms
(``PlainText``), with the same message everywhere."""

import re
import unicodedata

import pytest
import sqlalchemy as sa

from alliance_conf.conferences.models import Conference
from alliance_conf.core.inputs import (
    CONTROL_CHARACTERS_MESSAGE,
    FORMAT_CHARACTERS_MESSAGE,
    plain_text_error,
    plain_text_pattern,
)
from alliance_conf.extensions import db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Summit\u202etxt.exe" reads differently
# Secrets and opaque machine data, compared as they are, never shown to anyone as text.
OPAQUE = {
    "password",
    "token",
    "email_code",
    "code",
    "signature",
    "document_base64",
    "algorithm",
    "canonicalisation",
}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _string_schemas(spec, schema, where, seen=()):
    """(where, schema) of every string an input may carry, following refs and containers."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return
        schema = spec["components"]["schemas"][name]
        seen = (*seen, name)
    if schema.get("type") == "string" and not ({"enum", "const", "format"} & set(schema)):
        yield where, schema
    for key, child in schema.get("properties", {}).items():
        if key not in OPAQUE:
            yield from _string_schemas(spec, child, f"{where}.{key}", seen)
    for key in ("items", "additionalProperties", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield from _string_schemas(spec, schema[key], f"{where}[{key}]", seen)
    for key in ("anyOf", "allOf", "oneOf"):
        for child in schema.get(key, []):
            if "pattern" in schema:  # a pattern beside anyOf constrains its string branch
                child = {"pattern": schema["pattern"], **child}
            yield from _string_schemas(spec, child, where, seen)


def _inputs(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            name = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                if param["in"] == "query" and param["name"] not in OPAQUE:
                    yield from _string_schemas(spec, param["schema"], f"{name}?{param['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield from _string_schemas(spec, body["schema"], f"{name} body")


def test_every_text_field_of_the_api_declares_the_plain_text_rule(spec):
    checked, missing = 0, []
    for where, schema in _inputs(spec):
        pattern = schema.get("pattern")
        refuses = pattern is not None and not any(
            re.search(pattern, f"a{bad}b") for bad in (RLO, "\x01", "\x00", "\ufeff")
        )
        if not refuses:
            missing.append(where)
        checked += 1
    assert checked > 80
    assert missing == []


def test_the_declared_pattern_is_the_check():
    """The document's pattern and the server's check agree on every character."""
    samples = [chr(cp) for cp in range(0x3000)] + [chr(cp) for cp in range(0xFE00, 0x10000)]
    samples += ["\U000e0001", "\U000e0041", "\U0001d173", "\U0001f600", "\U000110bd"]
    for multiline in (False, True):
        pattern = re.compile(plain_text_pattern(multiline))
        for ch in samples:
            text = f"a{ch}b"
            assert (pattern.match(text) is None) == bool(
                plain_text_error(text, multiline=multiline)
            ), (multiline, hex(ord(ch)), unicodedata.category(ch))
    assert plain_text_error("Zwei\u200cwort und Shah\u200dram") is None  # joiners names need
    assert plain_text_error("one\ntwo", multiline=True) is None
    assert plain_text_error("one\ntwo") == CONTROL_CHARACTERS_MESSAGE


def _api_conference(client, api_headers, seed, **fields):
    body = {"slug": "plain-text-2031", "title": "Plain", "city": "Tallinn", **fields}
    return client.post(
        "/api/v1/conferences", json=body, headers=api_headers(seed.accounts["organiser"])
    )


FORM = {
    "title": "Ministerial on online safety",
    "slug": "plain-text-2031",
    "city": "Tallinn",
    "start_date": "2031-05-04",
    "end_date": "2031-05-05",
    "timezone": "Europe/Tallinn",
    "co_chairs": "Kaja Kallas, Prime Minister of Estonia",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", f"Summit{RLO}2031", FORMAT_CHARACTERS_MESSAGE),
        ("city", "Tal\u200blinn", FORMAT_CHARACTERS_MESSAGE),
        ("title", "Summit\x1b[31m", CONTROL_CHARACTERS_MESSAGE),
        ("title", "Summit\n2031", CONTROL_CHARACTERS_MESSAGE),  # a title is one line
    ],
)
def test_the_form_and_the_api_refuse_the_same_text_with_the_same_message(
    client, seed, api_headers, login, make_user, field, value, message
):
    api_value = {"start_date": "2031-05-04", "end_date": "2031-05-05", field: value}
    response = _api_conference(client, api_headers, seed, **api_value)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"] == {field: message}

    login(make_user(role="organiser"))
    response = client.post("/conferences/new", data={**FORM, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Conference).where(Conference.slug == FORM["slug"])) is None


def test_multi_line_text_takes_line_breaks_but_no_other_control_character(client, login, make_user):
    login(make_user(role="organiser"))
    data = {**FORM, "co_chairs": "Kaja Kallas, Prime Minister\x07"}
    response = client.post("/conferences/new", data=data)
    assert response.status_code == 422
    assert CONTROL_CHARACTERS_MESSAGE in response.get_data(as_text=True)
    response = client.post("/conferences/new", data={**FORM, "co_chairs": "A, B\r\nC, D"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/conferences/{slug}/delegations",
            {"organisation_name": f"UN{RLO}", "group": "eu_member"},
            "organisation_name",
        ),
        (
            "/conferences/{slug}/invitations",
            {"email": "a@example.org", "full_name": f"A{RLO}"},
            "full_name",
        ),
    ],
)
def test_identity_fields_are_refused_by_the_api_before_the_operation(
    client, seed, api_headers, path, body, field
):
    response = client.post(
        "/api/v1" + path.format(slug=seed.conference.slug),
        json=body,
        headers=api_headers(seed.accounts["organiser"]),
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"][field] == FORMAT_CHARACTERS_MESSAGE


def test_a_query_string_filter_is_plain_text_too(client, seed, api_headers):
    url = f"/api/v1/conferences/{seed.conference.slug}/registrations?q=a{RLO}b"
    response = client.get(url, headers=api_headers(seed.accounts["organiser"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"q": FORMAT_CHARACTERS_MESSAGE}
