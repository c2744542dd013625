"""The declarations API: the drafting path on the seed conference, bad input, roles."""

import hashlib
import json
import unicodedata

import pytest
import sqlalchemy as sa

from alliance_conf.declarations.models import (
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.extensions import db

SLUG = "global-alliance-2012"


def recomputed_hash(content: dict) -> str:
    """The canonical form as the README documents it, independently of canonical.py."""

    def norm(value):
        if isinstance(value, str):
            return " ".join(unicodedata.normalize("NFC", value).split())
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, dict):
            return {norm(k): norm(v) for k, v in value.items()}
        return value

    data = json.dumps(norm(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def error(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


@pytest.fixture
def people(declaration_cast, api_headers):
    cast = declaration_cast
    cast.h = {
        name: api_headers(getattr(cast, name))
        for name in ("organiser", "admin", "staff", "head_be", "minister_fr", "adviser_de")
    }
    cast.h["anonymous"] = {}
    cast.url = f"/api/v1/declarations/{cast.declaration.id}"
    return cast


def revision_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(DeclarationRevision.id)))


def test_the_whole_drafting_path_through_the_api(client, people):
    p, url = people, people.url
    listing = client.get(f"/api/v1/conferences/{SLUG}/declarations", headers=p.h["organiser"])
    assert listing.get_json()["items"][0]["state"] == "draft"
    body = client.get(url, headers=p.h["organiser"]).get_json()
    assert [c["key"] for c in body["content"]["commitments"]] == [
        "victims",
        "offenders",
        "awareness",
        "availability",
    ]
    assert body["content"]["commitments"][3]["number"] == 4
    assert body["allowed_transitions"] == ["consultation"]

    response = client.post(
        f"{url}/transitions", json={"to": "consultation"}, headers=p.h["organiser"]
    )
    assert response.status_code == 200 and response.get_json()["state"] == "consultation"

    first = client.post(
        f"{url}/amendments",
        json={
            "kind": "replace",
            "target_key": "availability",
            "proposed_title": "Less child abuse material online, faster",
            "proposed_text": "Reducing the availability of child abuse material online, removing it "
            "promptly, and preventing the re-victimization of children.",
            "justification": "Removal speed matters to victims.",
        },
        headers=p.h["head_be"],
    )
    assert first.status_code == 201, first.get_json()
    first = first.get_json()
    assert first["state"] == "draft" and first["delegation"] == "Belgium"
    assert sorted(first["actions"]) == ["submit", "update", "withdraw"]
    submitted = client.patch(
        f"/api/v1/amendments/{first['id']}", json={"state": "submitted"}, headers=p.h["head_be"]
    )
    assert submitted.get_json()["state"] == "submitted"

    second = client.post(
        f"{url}/amendments",
        json={
            "kind": "insert_after",
            "target_key": "availability",
            "proposed_title": "Annual reporting",
            "proposed_text": "Reporting every year on the action taken.",
            "justification": "Accountability.",
            "submit": True,
        },
        headers=p.h["minister_fr"],
    ).get_json()
    assert second["state"] == "submitted"

    support = client.post(f"/api/v1/amendments/{first['id']}/support", headers=p.h["minister_fr"])
    assert support.status_code == 201 and support.get_json()["delegation"] == "France"
    comment = client.post(
        f"/api/v1/amendments/{second['id']}/comments",
        json={"body": "Belgium would prefer biennial reports."},
        headers=p.h["head_be"],
    )
    assert comment.status_code == 201 and comment.get_json()["by"] == "Belgium"
    comments = client.get(f"/api/v1/amendments/{second['id']}/comments", headers=p.h["staff"])
    assert [c["body"] for c in comments.get_json()] == ["Belgium would prefer biennial reports."]

    accepted = client.patch(
        f"/api/v1/amendments/{first['id']}", json={"state": "accepted"}, headers=p.h["organiser"]
    ).get_json()
    assert accepted["state"] == "accepted" and accepted["accepted_revision"] == 2
    rejected = client.patch(
        f"/api/v1/amendments/{second['id']}",
        json={"state": "rejected", "reason": "Reporting is handled by the follow-up process."},
        headers=p.h["organiser"],
    ).get_json()
    assert rejected["state"] == "rejected"
    assert rejected["rejection_reason"] == "Reporting is handled by the follow-up process."

    # the accepted English amendment left the French commitment out of step: no freezing yet
    refused = client.post(f"{url}/transitions", json={"to": "open"}, headers=p.h["organiser"])
    assert "commitment 4" in error(refused, 409, "invalid_state")["message"]
    amended = client.get(url, headers=p.h["organiser"]).get_json()
    assert amended["out_of_step"] == {"en": [], "fr": ["availability"]}
    french = client.get(f"{url}?language=fr", headers=p.h["organiser"]).get_json()["content"]
    for section in ("preamble", "commitments", "closing"):
        for item in french[section]:
            del item["number"]  # the position is shown, not sent
    french["commitments"][3]["title"] = "Réduction plus rapide des contenus pédopornographiques"
    french["commitments"][3]["text"] = (
        "Réduire la disponibilité en ligne de matériel pédopornographique, le retirer "
        "promptement et prévenir la revictimisation des enfants."
    )
    translated = client.put(
        f"{url}/translations/fr", json={"content": french}, headers=p.h["organiser"]
    )
    assert translated.status_code == 200, translated.get_json()
    assert translated.get_json()["out_of_step"] == {"en": [], "fr": []}

    opened = client.post(f"{url}/transitions", json={"to": "open"}, headers=p.h["organiser"])
    opened = opened.get_json()
    assert opened["state"] == "open" and opened["frozen_revision"] == 3

    # anyone can now read it; the hash is the one recomputed from the documented canonical form
    public = client.get(url).get_json()
    assert public["text_hash"] == opened["text_hash"]
    final = client.get(f"{url}/revisions/3").get_json()
    assert final["frozen"] is True and final["languages"] == ["en", "fr"]
    assert client.get(f"{url}/revisions/2").get_json()["amendment_id"] == first["id"]
    stored = db.session.scalar(
        sa.select(DeclarationRevision).where(DeclarationRevision.number == 3)
    )
    hashes = {
        "en": recomputed_hash(stored.content),
        "fr": recomputed_hash(stored.translations["fr"]),
    }
    assert public["language_hashes"] == hashes == final["language_hashes"]
    assert public["text_hash"] == recomputed_hash(hashes) == final["text_hash"]

    history = client.get(f"{url}/revisions").get_json()
    assert [r["number"] for r in history] == [1, 2, 3]
    assert history[1]["message"] == f"Accepted amendment #{first['id']} from Belgium"

    compare = client.get(f"{url}/compare?from=1&to=2").get_json()
    assert compare["summary"] == {"inserted": 0, "deleted": 0, "changed": 1, "moved": 0}
    commitments = compare["sections"][1]["items"]
    changed = next(i for i in commitments if i["key"] == "availability")
    assert changed["status"] == "changed" and changed["new_number"] == 4
    assert {"op": "insert", "text": "online, faster"} in changed["title_ops"]
    assert changed["text_ops"][0] == {
        "op": "equal",
        "text": "Reducing the availability of child abuse material",
    }
    assert {"op": "insert", "text": "online, removing it promptly,"} in changed["text_ops"]
    assert {"op": "insert", "text": "preventing"} in changed["text_ops"]
    assert all(i["status"] == "unchanged" for i in commitments if i["key"] != "availability")
    # per language: the French text did not change in revision 2 but was out of step there
    french = client.get(f"{url}/compare?from=1&to=2&language=fr").get_json()
    assert french["language"] == "fr" and french["out_of_step"] == ["availability"]
    assert french["summary"]["changed"] == 0
    french = client.get(f"{url}/compare?from=2&to=3&language=fr").get_json()
    assert french["out_of_step"] == [] and french["summary"]["changed"] == 1
    unknown = client.get(f"{url}/compare?from=2&to=3&language=xx")
    assert "language" in error(unknown, 422, "validation_failed")["fields"]


def test_patch_saves_a_new_revision_and_refuses_a_stale_base(client, people):
    content = people.declaration.current_revision.content
    edited = json.loads(json.dumps(content))
    edited["commitments"].append({"title": "Reporting", "text": "Reporting every year."})
    response = client.patch(
        people.url,
        json={"content": edited, "message": "A fifth goal", "base_revision": 1},
        headers=people.h["organiser"],
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["current_revision"] == 2
    new_key = body["content"]["commitments"][4]["key"]
    assert new_key.startswith("k-")
    error(
        client.patch(
            people.url,
            json={"content": content, "base_revision": 1},
            headers=people.h["organiser"],
        ),
        409,
        "conflict",
    )
    assert revision_count() == 2


def test_editing_a_frozen_text_is_refused(client, people):
    for to in ("consultation", "open"):
        client.post(f"{people.url}/transitions", json={"to": to}, headers=people.h["organiser"])
    text_hash = client.get(people.url).get_json()["text_hash"]
    edited = json.loads(json.dumps(people.declaration.current_revision.content))
    edited["title"] = "Another title"
    err = error(
        client.patch(people.url, json={"content": edited}, headers=people.h["organiser"]),
        409,
        "invalid_state",
    )
    assert "frozen" in err["message"]
    assert revision_count() == 1
    assert client.get(people.url).get_json()["text_hash"] == text_hash


def test_too_long_and_too_many_are_refused_with_clear_messages(client, people):
    content = json.loads(json.dumps(people.declaration.current_revision.content))
    content["preamble"][0]["text"] = "x" * 5001
    err = error(
        client.patch(people.url, json={"content": content}, headers=people.h["organiser"]),
        422,
        "validation_failed",
    )
    assert err["fields"]["preamble.0.text"] == (
        "Preamble paragraph 1: the text is 5,001 characters long; the limit is 5,000."
    )
    content = json.loads(json.dumps(people.declaration.current_revision.content))
    content["commitments"] = [{"title": f"T{n}", "text": "x"} for n in range(201)]
    err = error(
        client.patch(people.url, json={"content": content}, headers=people.h["organiser"]),
        422,
        "validation_failed",
    )
    assert err["fields"]["commitments"] == "The text has 201 commitments; the limit is 200."
    content["commitments"] = [{"title": "", "text": "bell\x07character"}]
    err = error(
        client.patch(people.url, json={"content": content}, headers=people.h["organiser"]),
        422,
        "validation_failed",
    )
    assert set(err["fields"]) == {"commitments.0.title", "commitments.0.text"}
    assert revision_count() == 1


def test_illegal_and_unknown_state_moves_are_refused(client, people):
    err = error(
        client.post(
            f"{people.url}/transitions", json={"to": "open"}, headers=people.h["organiser"]
        ),
        409,
        "invalid_state",
    )
    assert err["message"] == (
        "A declaration cannot move from draft to open for signature; from draft it can move "
        "to in consultation."
    )
    error(
        client.post(
            f"{people.url}/transitions", json={"to": "signed"}, headers=people.h["organiser"]
        ),
        422,
        "validation_failed",
    )
    db.session.expire_all()
    declaration = db.session.scalar(sa.select(Declaration))
    assert declaration.state == DeclarationState.draft and declaration.text_hash is None


@pytest.fixture
def consultation(client, people):
    client.post(
        f"{people.url}/transitions", json={"to": "consultation"}, headers=people.h["organiser"]
    )
    people.submitted = client.post(
        f"{people.url}/amendments",
        json={
            "kind": "replace",
            "target_key": "victims",
            "proposed_text": "Identifying victims sooner and assisting them.",
            "justification": "Speed.",
            "submit": True,
        },
        headers=people.h["head_be"],
    ).get_json()
    people.draft = client.post(
        f"{people.url}/amendments",
        json={
            "kind": "delete",
            "target_key": "awareness",
            "justification": "Draft thought.",
        },
        headers=people.h["head_be"],
    ).get_json()
    return people


def test_accepting_a_stale_amendment_is_refused_until_its_author_updates_it(client, consultation):
    p = consultation
    competing = client.post(
        f"{p.url}/amendments",
        json={
            "kind": "replace",
            "target_key": "victims",
            "proposed_text": "Identifying and protecting victims.",
            "justification": "Protection.",
            "submit": True,
        },
        headers=p.h["minister_fr"],
    ).get_json()
    client.patch(
        f"/api/v1/amendments/{p.submitted['id']}",
        json={"state": "accepted"},
        headers=p.h["organiser"],
    )
    now = client.get(f"/api/v1/amendments/{competing['id']}", headers=p.h["minister_fr"]).get_json()
    assert now["stale"] is True and "commitment 1 changed" in now["stale_reason"]
    err = error(
        client.patch(
            f"/api/v1/amendments/{competing['id']}",
            json={"state": "accepted"},
            headers=p.h["organiser"],
        ),
        409,
        "invalid_state",
    )
    assert "stale" in err["message"] and "France must update it" in err["message"]
    assert revision_count() == 2
    # Belgium cannot update France's amendment; France can, and then it is accepted
    error(
        client.patch(
            f"/api/v1/amendments/{competing['id']}",
            json={"proposed_text": "Belgian rewrite."},
            headers=p.h["head_be"],
        ),
        403,
        "forbidden",
    )
    updated = client.patch(
        f"/api/v1/amendments/{competing['id']}",
        json={"proposed_text": "Identifying victims sooner, assisting and protecting them."},
        headers=p.h["minister_fr"],
    ).get_json()
    assert updated["stale"] is False and updated["base_revision"] == 2
    accepted = client.patch(
        f"/api/v1/amendments/{competing['id']}",
        json={"state": "accepted"},
        headers=p.h["organiser"],
    ).get_json()
    assert accepted["accepted_revision"] == 3


def test_a_delegate_cannot_act_on_another_delegations_amendment(client, consultation):
    p = consultation
    sid, did = p.submitted["id"], p.draft["id"]
    for body in ({"state": "withdrawn"}, {"justification": "Mine now."}, {"state": "accepted"}):
        error(
            client.patch(f"/api/v1/amendments/{sid}", json=body, headers=p.h["minister_fr"]),
            403,
            "forbidden",
        )
    # the draft is invisible to other delegations and to staff
    for who in ("minister_fr", "staff"):
        error(client.get(f"/api/v1/amendments/{did}", headers=p.h[who]), 404, "not_found")
        error(
            client.patch(
                f"/api/v1/amendments/{did}", json={"state": "submitted"}, headers=p.h[who]
            ),
            404,
            "not_found",
        )
        ids = [a["id"] for a in client.get(f"{p.url}/amendments", headers=p.h[who]).get_json()]
        assert ids == [sid]
    own = [a["id"] for a in client.get(f"{p.url}/amendments", headers=p.h["head_be"]).get_json()]
    assert own == [sid, did]
    error(
        client.post(f"/api/v1/amendments/{sid}/support", headers=p.h["head_be"]), 403, "forbidden"
    )
    client.post(f"/api/v1/amendments/{sid}/support", headers=p.h["minister_fr"])
    err = error(
        client.post(f"/api/v1/amendments/{sid}/support", headers=p.h["minister_fr"]),
        409,
        "conflict",
    )
    assert err["message"] == "France already supports this amendment."
    db.session.expire_all()
    amendment = db.session.get(Amendment, sid)
    assert amendment.state == AmendmentState.submitted and amendment.justification == "Speed."
    assert len(amendment.supports) == 1


def test_a_delegate_without_rights_cannot_propose_or_support(client, consultation):
    p = consultation
    err = error(
        client.post(
            f"{p.url}/amendments",
            json={"kind": "delete", "target_key": "victims", "justification": "x"},
            headers=p.h["adviser_de"],
        ),
        403,
        "forbidden",
    )
    assert "registered as adviser" in err["message"]
    error(
        client.post(f"/api/v1/amendments/{p.submitted['id']}/support", headers=p.h["adviser_de"]),
        403,
        "forbidden",
    )
    error(
        client.post(
            f"/api/v1/amendments/{p.submitted['id']}/comments",
            json={"body": "Hi"},
            headers=p.h["adviser_de"],
        ),
        403,
        "forbidden",
    )
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 2


def test_rejecting_without_a_reason_and_amending_an_unknown_key(client, consultation):
    p = consultation
    err = error(
        client.patch(
            f"/api/v1/amendments/{p.submitted['id']}",
            json={"state": "rejected"},
            headers=p.h["organiser"],
        ),
        422,
        "validation_failed",
    )
    assert "reason" in err["fields"]
    err = error(
        client.post(
            f"{p.url}/amendments",
            json={"kind": "delete", "target_key": "nope", "justification": "x"},
            headers=p.h["minister_fr"],
        ),
        422,
        "validation_failed",
    )
    assert "target_key" in err["fields"]
    err = error(
        client.post(
            f"{p.url}/amendments",
            json={
                "kind": "replace",
                "target_key": "victims",
                "justification": "",
                "proposed_text": "",
            },
            headers=p.h["minister_fr"],
        ),
        422,
        "validation_failed",
    )
    assert set(err["fields"]) == {"proposed_text", "justification"}
    db.session.expire_all()
    assert db.session.get(Amendment, p.submitted["id"]).state == AmendmentState.submitted
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 2


# --- roles per endpoint -------------------------------------------------------------------------

ROLES = ["anonymous", "head_be", "minister_fr", "staff", "organiser", "admin"]
# (method, path, body) -> expected status per role, in the order of ROLES
ENDPOINTS = [
    ("GET", "/api/v1/conferences/global-alliance-2012/declarations", None, [200] * 6),
    ("GET", "{d}", None, [401, 200, 200, 200, 200, 200]),
    ("GET", "{d}/revisions", None, [401, 200, 200, 200, 200, 200]),
    ("GET", "{d}/revisions/1", None, [401, 200, 200, 200, 200, 200]),
    ("GET", "{d}/compare?from=1&to=1", None, [401, 200, 200, 200, 200, 200]),
    ("GET", "{d}/amendments", None, [401, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/amendments/{submitted}", None, [401, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/amendments/{draft}", None, [401, 200, 404, 404, 200, 200]),
    ("GET", "/api/v1/amendments/{submitted}/comments", None, [401, 200, 200, 200, 200, 200]),
    ("PATCH", "{d}", {"content": {"title": "Renamed"}}, [401, 403, 403, 403, 200, 200]),
    (
        "POST",
        "/api/v1/conferences/global-alliance-2012/declarations",
        {"title": "Second declaration"},
        [401, 403, 403, 403, 201, 201],
    ),
    (
        "POST",
        "{d}/amendments",
        {"kind": "delete", "target_key": "closing-x", "justification": "x"},
        [401, 422, 422, 403, 403, 403],
    ),
    (
        "PATCH",
        "/api/v1/amendments/{submitted}",
        {"justification": "Changed."},
        [401, 200, 403, 403, 403, 403],
    ),
    ("POST", "/api/v1/amendments/{submitted}/support", None, [401, 403, 201, 403, 403, 403]),
    (
        "POST",
        "/api/v1/amendments/{submitted}/comments",
        {"body": "A view."},
        [401, 201, 201, 403, 201, 201],
    ),
    ("POST", "{d}/transitions", {"to": "draft"}, [401, 403, 403, 403, 200, 200]),
]


@pytest.mark.parametrize("role", ROLES)
def test_endpoints_by_role(client, consultation, role):
    p = consultation
    for method, path, body, statuses in ENDPOINTS:
        url = path.format(d=p.url, submitted=p.submitted["id"], draft=p.draft["id"])
        kwargs = {"headers": p.h[role]}
        if body is not None:
            kwargs["json"] = body
        response = client.open(url, method=method, **kwargs)
        expected = statuses[ROLES.index(role)]
        assert response.status_code == expected, (role, method, url, response.get_json())


def test_anonymous_sees_only_open_declarations(client, people):
    listing = client.get(f"/api/v1/conferences/{SLUG}/declarations").get_json()
    assert listing["total"] == 0
    for to in ("consultation", "open"):
        client.post(f"{people.url}/transitions", json={"to": to}, headers=people.h["organiser"])
    listing = client.get(f"/api/v1/conferences/{SLUG}/declarations").get_json()
    assert listing["total"] == 1 and listing["items"][0]["text_hash"]
