"""Declarations in the browser: the whole drafting path on the seed conference, bad input, and
who may open which page."""

import hashlib
import json
import re
import unicodedata

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from alliance_conf.declarations import amendments, operations, transitions
from alliance_conf.declarations.models import (
    Amendment,
    AmendmentState,
    Declaration,
    DeclarationRevision,
    DeclarationState,
)
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD

CONFIRM = {"confirm": "y"}
NEW_OFFENDERS = (
    "Enhancing efforts to investigate cases of child sexual abuse online, to identify and "
    "prosecute offenders, and to share evidence across borders."
)


class UserClient(FlaskClient):
    """The tests share one app context, so Flask-Login's user cached in ``g`` would leak from
    one client to the next; each request here starts without it, as a real request does."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def browser(app):
    """A separate signed-in test client per user (or anonymous with ``None``)."""

    def open_as(user):
        client = UserClient(app, app.response_class, use_cookies=True)
        if user is not None:
            response = client.post(
                "/auth/login", data={"email": user.email, "password": TEST_PASSWORD}
            )
            assert response.status_code == 302
        return client

    return open_as


def recomputed_hash(content: dict) -> str:
    """The documented canonical form, written independently of canonical.py."""

    def norm(value):
        if isinstance(value, str):
            return " ".join(unicodedata.normalize("NFC", value).split())
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, dict):
            return {norm(k): norm(v) for k, v in value.items()}
        return value

    text = json.dumps(norm(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def revision_count(declaration) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(DeclarationRevision.id)).where(
            DeclarationRevision.declaration_id == declaration.id
        )
    )


def page(response) -> str:
    return response.get_data(as_text=True)


def test_the_whole_drafting_path_in_the_browser(browser, declaration_cast):
    cast = declaration_cast
    d = cast.declaration
    organiser, belgium, france = (
        browser(cast.organiser),
        browser(cast.head_be),
        browser(cast.minister_fr),
    )
    text = page(organiser.get(f"/declarations/{d.id}"))
    assert "Declaration on launching the Global Alliance" in text and "Draft" in text
    assert "Identifying and assisting victims" in text

    # draft -> consultation, through the confirmation page
    confirm = organiser.get(f"/declarations/{d.id}/transition?to=consultation")
    assert confirm.status_code == 200 and "Move the declaration to" in page(confirm)
    response = organiser.post(f"/declarations/{d.id}/transition", data={"to": "consultation"})
    assert response.status_code == 302

    # Belgium proposes and submits an amendment to commitment 2
    text = page(belgium.get(f"/declarations/{d.id}"))
    assert "Propose an amendment" in text and "target=offenders" in text
    response = belgium.post(
        f"/declarations/{d.id}/amendments/new",
        data={
            "target_key": "offenders",
            "kind": "replace",
            "proposed_text": NEW_OFFENDERS,
            "justification": "Evidence sharing is what makes prosecution work across borders.",
            "submit_now": "y",
        },
    )
    assert response.status_code == 302, page(response)
    accepted = db.session.scalar(sa.select(Amendment).where(Amendment.target_key == "offenders"))
    assert accepted.state == AmendmentState.submitted

    # France drafts one, then submits it; supports and comments on Belgium's
    response = france.post(
        f"/declarations/{d.id}/amendments/new",
        data={
            "target_key": "awareness",
            "kind": "delete",
            "justification": "National curricula already cover this.",
        },
    )
    assert response.status_code == 302
    rejected = db.session.scalar(sa.select(Amendment).where(Amendment.target_key == "awareness"))
    assert rejected.state == AmendmentState.draft
    assert france.post(f"/amendments/{rejected.id}/submit").status_code == 302
    assert france.post(f"/amendments/{accepted.id}/support").status_code == 302
    response = france.post(
        f"/amendments/{accepted.id}/comment", data={"body": "France supports this wording."}
    )
    assert response.status_code == 302
    text = page(belgium.get(f"/amendments/{accepted.id}"))
    assert "France supports this wording." in text and "Supported by" in text
    assert "France" in text

    # the organiser accepts one and rejects the other with a reason
    assert organiser.post(f"/amendments/{accepted.id}/accept", data=CONFIRM).status_code == 302
    response = organiser.post(
        f"/amendments/{rejected.id}/reject",
        data={"reason": "Awareness stays one of the four goals of the Alliance."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert accepted.state == AmendmentState.accepted and accepted.accepted_revision_number == 2
    assert rejected.state == AmendmentState.rejected
    assert "Awareness stays one of the four goals" in page(france.get(f"/amendments/{rejected.id}"))
    history = page(belgium.get(f"/declarations/{d.id}/history"))
    assert f"amendment #{accepted.id}" in history and "Revision 2" in history

    # consultation -> open: the freeze needs the confirmation box
    confirm = page(organiser.get(f"/declarations/{d.id}/transition?to=open"))
    assert "can never change again" in confirm
    response = organiser.post(f"/declarations/{d.id}/transition", data={"to": "open"})
    assert response.status_code == 422 and "Tick the box" in page(response)
    db.session.expire_all()
    assert d.state == DeclarationState.consultation and d.text_hash is None
    # the accepted amendment changed the English commitment 2: the French one is out of step
    response = organiser.post(
        f"/declarations/{d.id}/transition", data={"to": "open", "confirm": "y"}
    )
    assert response.status_code == 409 and "commitment 2" in page(response)
    text = page(organiser.get(f"/declarations/{d.id}?lang=fr"))
    assert "Translation needed" in text and "Update the French text" in text
    form = page(organiser.get(f"/declarations/{d.id}/translate/fr"))
    assert NEW_OFFENDERS in form  # the English text to follow is shown beside the field
    french = d.current_revision.text_in("fr")
    data = {"title": french["title"], "message": "Commitment 2 translated"}
    for section in ("preamble", "commitments", "closing"):
        for i, item in enumerate(french[section]):
            data.update({f"{section}-{i}-key": item["key"], f"{section}-{i}-text": item["text"]})
            if section == "commitments":
                data[f"{section}-{i}-title"] = item["title"]
    data["commitments-1-text"] = (
        "Intensifier les efforts visant à enquêter sur les cas d'abus sexuels commis contre des "
        "enfants en ligne et à poursuivre les auteurs, notamment par l'échange de preuves."
    )
    dropped = {k: v for k, v in data.items() if not k.startswith("closing-0")}
    response = organiser.post(f"/declarations/{d.id}/translate/fr", data=dropped)
    assert response.status_code == 422 and "follow-up" in page(response)
    response = organiser.post(f"/declarations/{d.id}/translate/fr", data=data)
    assert response.status_code == 302, page(response)
    db.session.expire_all()
    assert d.current_revision.out_of_step == {"en": [], "fr": []}
    response = organiser.post(
        f"/declarations/{d.id}/transition", data={"to": "open", "confirm": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert d.state == DeclarationState.open

    # the page shows the hash, and it is the one recomputed from the documented canonical form
    public = browser(None)
    text = page(public.get(f"/declarations/{d.id}"))
    assert "Open for signature" in text
    shown = re.search(r'<code class="hash">([0-9a-f]{64})</code>', text).group(1)
    final = db.session.scalar(
        sa.select(DeclarationRevision).where(
            DeclarationRevision.declaration_id == d.id, DeclarationRevision.number == 3
        )
    )
    hashes = {
        "en": recomputed_hash(final.content),
        "fr": recomputed_hash(final.translations["fr"]),
    }
    assert d.language_hashes == hashes
    assert shown == recomputed_hash(hashes) == d.text_hash
    assert hashes["en"] in text and hashes["fr"] in text
    download = public.get(f"/declarations/{d.id}/revisions/3/manifest.json")
    assert hashlib.sha256(download.data).hexdigest() == shown
    for language in ("en", "fr"):
        download = public.get(f"/declarations/{d.id}/revisions/3/canonical.json?lang={language}")
        assert hashlib.sha256(download.data).hexdigest() == hashes[language]

    # comparing revision 1 with the final one shows the accepted amendment word by word
    text = page(public.get(f"/declarations/{d.id}/compare?from=1&to=2"))
    ins = '<ins><span class="visually-hidden">[inserted: </span>{}<span class="visually-hidden">]'
    dele = '<del><span class="visually-hidden">[deleted: </span>{}<span class="visually-hidden">]'
    assert ins.format("offenders, and to share evidence across borders.") in text
    assert dele.format("offenders.") in text and dele.format("online and") in text
    assert "1 changed, 0 new, 0 removed, 0 moved" in text


# --- the editor ----------------------------------------------------------------------------


def _editor_form(content, message="", base=1):
    data = {"title": content["title"], "message": message, "base_revision": str(base)}
    for section in ("preamble", "commitments", "closing"):
        for i, item in enumerate(content[section]):
            for field, value in item.items():
                data[f"{section}-{i}-{field}"] = value
    return data


def test_organiser_edits_moves_and_adds_without_javascript(browser, declaration_cast):
    d = declaration_cast.declaration
    organiser = browser(declaration_cast.organiser)
    form = page(organiser.get(f"/declarations/{d.id}/edit"))
    assert 'name="commitments-3-text"' in form and 'value="up:commitments:3"' in form
    content = d.current_revision.content
    data = _editor_form(content)
    # "Move up" on commitment 4 re-renders the form in the new order, stores nothing
    response = organiser.post(
        f"/declarations/{d.id}/edit", data={**data, "action": "up:commitments:3"}
    )
    assert response.status_code == 200
    text = page(response)
    assert text.index("Less child abuse material online") < text.index(
        "Children&#39;s awareness of online risks"
    )
    assert revision_count(d) == 1
    response = organiser.post(f"/declarations/{d.id}/edit", data={**data, "action": "add:closing"})
    assert 'name="closing-1-text"' in page(response)

    moved = json.loads(json.dumps(content))
    moved["commitments"].insert(0, moved["commitments"].pop(3))
    moved["commitments"].append(
        {"key": "k-new1", "title": "Reporting", "text": "Reporting yearly."}
    )
    response = organiser.post(
        f"/declarations/{d.id}/edit",
        data={**_editor_form(moved, "Availability first"), "action": "save"},
    )
    assert response.status_code == 302
    assert revision_count(d) == 2
    text = page(organiser.get(f"/declarations/{d.id}/compare?from=1&to=2"))
    assert "Moved</strong> from position 4 to 1" in text
    assert "<strong>New</strong>" in text


def test_editing_a_frozen_text_is_refused(browser, declaration_cast):
    cast = declaration_cast
    for to in ("consultation", "open"):
        transitions.transition(cast.declaration, to, actor=cast.organiser)
    db.session.commit()
    organiser = browser(cast.organiser)
    response = organiser.get(f"/declarations/{cast.declaration.id}/edit")
    assert response.status_code == 409 and "frozen" in page(response)
    content = json.loads(json.dumps(cast.declaration.current_revision.content))
    content["commitments"][0]["text"] = "Changed after the freeze."
    response = organiser.post(
        f"/declarations/{cast.declaration.id}/edit",
        data={**_editor_form(content), "action": "save"},
    )
    assert response.status_code == 409 and "cannot be edited" in page(response)
    assert revision_count(cast.declaration) == 1
    assert "Edit the text" not in page(organiser.get(f"/declarations/{cast.declaration.id}"))


def test_too_long_text_is_refused_with_a_clear_message(browser, declaration_cast):
    d = declaration_cast.declaration
    content = json.loads(json.dumps(d.current_revision.content))
    content["commitments"][1]["text"] = "word " * 1001
    response = browser(declaration_cast.organiser).post(
        f"/declarations/{d.id}/edit", data={**_editor_form(content), "action": "save"}
    )
    assert response.status_code == 422
    assert "Commitment 2: the text is 5,004 characters long; the limit is 5,000." in page(response)
    assert revision_count(d) == 1


def test_text_is_escaped(browser, declaration_cast):
    d = declaration_cast.declaration
    content = json.loads(json.dumps(d.current_revision.content))
    content["preamble"][0]["text"] = "<script>alert(1)</script> & <b>bold</b>"
    operations.save_revision(d, content=content, actor=declaration_cast.organiser)
    db.session.commit()
    text = page(browser(declaration_cast.staff).get(f"/declarations/{d.id}"))
    assert "<script>alert(1)</script>" not in text and "<b>bold</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text


def test_an_illegal_state_move_is_refused(browser, declaration_cast):
    d = declaration_cast.declaration
    organiser = browser(declaration_cast.organiser)
    response = organiser.get(f"/declarations/{d.id}/transition?to=closed")
    assert response.status_code == 409
    assert "cannot move from draft to closed" in page(response)
    response = organiser.post(
        f"/declarations/{d.id}/transition", data={"to": "open", "confirm": "y"}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert d.state == DeclarationState.draft and d.text_hash is None


def test_transition_forms_need_the_csrf_token(make_app, declaration_cast):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/auth/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page(login)).group(1)
    client.post(
        "/auth/login",
        data={
            "email": declaration_cast.organiser.email,
            "password": TEST_PASSWORD,
            "csrf_token": token,
        },
    )
    d = declaration_cast.declaration
    response = client.post(f"/declarations/{d.id}/transition", data={"to": "consultation"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Declaration, d.id).state == DeclarationState.draft
    confirm = page(client.get(f"/declarations/{d.id}/transition?to=consultation"))
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', confirm)
    response = client.post(
        f"/declarations/{d.id}/transition", data={"to": "consultation", "csrf_token": token[1]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Declaration, d.id).state == DeclarationState.consultation


# --- amendments: bad input ---------------------------------------------------------------------


@pytest.fixture
def consultation(declaration_cast):
    cast = declaration_cast
    transitions.transition(cast.declaration, "consultation", actor=cast.organiser)
    cast.submitted = amendments.propose_amendment(
        cast.declaration,
        kind="replace",
        target_key="offenders",
        proposed_text=NEW_OFFENDERS,
        justification="Cross-border evidence.",
        submit=True,
        actor=cast.head_be,
    )
    cast.draft = amendments.propose_amendment(
        cast.declaration,
        kind="delete",
        target_key="awareness",
        justification="Still thinking.",
        actor=cast.head_be,
    )
    db.session.commit()
    return cast


def test_accepting_a_stale_amendment_is_refused_until_updated(browser, consultation):
    cast = consultation
    competing = amendments.propose_amendment(
        cast.declaration,
        kind="replace",
        target_key="offenders",
        proposed_text="Prosecuting offenders wherever they are.",
        justification="Shorter.",
        submit=True,
        actor=cast.minister_fr,
    )
    db.session.commit()
    organiser = browser(cast.organiser)
    assert (
        organiser.post(f"/amendments/{cast.submitted.id}/accept", data=CONFIRM).status_code == 302
    )
    text = page(organiser.get(f"/amendments/{competing.id}"))
    assert "Stale" in text and "commitment 2 changed after it was written" in text
    response = organiser.post(f"/amendments/{competing.id}/accept", data=CONFIRM)
    assert response.status_code == 409 and "This amendment is stale" in page(response)
    db.session.expire_all()
    assert competing.state == AmendmentState.submitted and revision_count(cast.declaration) == 2

    france = browser(cast.minister_fr)
    form = page(france.get(f"/amendments/{competing.id}/edit"))
    assert "share evidence across borders" in form  # the current text of the target
    response = france.post(
        f"/amendments/{competing.id}/edit",
        data={
            "proposed_text": "Prosecuting offenders wherever they are.",
            "justification": "Shorter.",
        },
    )
    assert response.status_code == 302
    assert organiser.post(f"/amendments/{competing.id}/accept", data=CONFIRM).status_code == 302
    db.session.expire_all()
    assert competing.state == AmendmentState.accepted and revision_count(cast.declaration) == 3


def test_accepting_an_amendment_asks_the_organiser_to_confirm(browser, consultation):
    cast = consultation
    organiser = browser(cast.organiser)
    assert "I have read the change" in page(organiser.get(f"/amendments/{cast.submitted.id}"))
    response = organiser.post(f"/amendments/{cast.submitted.id}/accept", follow_redirects=True)
    assert "Tick the box to confirm" in page(response)
    db.session.expire_all()
    assert cast.submitted.state == AmendmentState.submitted
    assert revision_count(cast.declaration) == 1


def test_a_delegate_cannot_act_on_another_delegations_amendment(browser, consultation):
    cast = consultation
    france = browser(cast.minister_fr)
    response = france.post(
        f"/amendments/{cast.submitted.id}/edit",
        data={"proposed_text": "Hijacked.", "justification": "Hijacked."},
    )
    assert response.status_code == 403 and "belongs to Belgium" in page(response)
    assert france.post(f"/amendments/{cast.submitted.id}/withdraw").status_code == 403
    assert france.post(f"/amendments/{cast.submitted.id}/accept").status_code == 403
    # Belgium's draft does not even exist for France
    assert france.get(f"/amendments/{cast.draft.id}").status_code == 404
    assert france.post(f"/amendments/{cast.draft.id}/submit").status_code == 404
    assert f"#{cast.draft.id}<" not in page(
        france.get(f"/declarations/{cast.declaration.id}/amendments")
    )
    # a delegation cannot support its own amendment
    belgium = browser(cast.head_be)
    assert belgium.post(f"/amendments/{cast.submitted.id}/support").status_code == 403
    db.session.expire_all()
    assert cast.submitted.proposed_text == NEW_OFFENDERS
    assert cast.submitted.state == AmendmentState.submitted and not cast.submitted.supports
    assert cast.draft.state == AmendmentState.draft


def test_a_delegate_without_rights_cannot_propose(browser, consultation):
    cast = consultation
    adviser = browser(cast.adviser_de)
    d = cast.declaration
    response = adviser.get(f"/declarations/{d.id}/amendments/new")
    assert response.status_code == 403
    assert "registered as adviser" in page(response)
    response = adviser.post(
        f"/declarations/{d.id}/amendments/new",
        data={"target_key": "victims", "kind": "delete", "justification": "x", "submit_now": "y"},
    )
    assert response.status_code == 403
    assert adviser.post(f"/amendments/{cast.submitted.id}/support").status_code == 403
    assert "Amend<" not in page(adviser.get(f"/declarations/{d.id}"))
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 2


def test_rejecting_needs_a_reason_and_amendment_text_has_limits(browser, consultation):
    cast = consultation
    organiser = browser(cast.organiser)
    response = organiser.post(f"/amendments/{cast.submitted.id}/reject", data={"reason": " "})
    assert response.status_code == 302
    db.session.expire_all()
    assert cast.submitted.state == AmendmentState.submitted
    response = browser(cast.minister_fr).post(
        f"/declarations/{cast.declaration.id}/amendments/new",
        data={
            "target_key": "victims",
            "kind": "replace",
            "proposed_text": "x" * 5001,
            "justification": "Longer.",
        },
    )
    assert response.status_code == 422
    assert "The proposed text is 5,001 characters long; the limit is 5,000." in page(response)
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 2


# --- who may open what -------------------------------------------------------------------------

ROLES = ["anonymous", "delegate_a", "delegate_b", "staff", "organiser", "admin"]
USERS = {
    "anonymous": None,
    "delegate_a": "head_be",
    "delegate_b": "minister_fr",
    "staff": "staff",
    "organiser": "organiser",
    "admin": "admin",
}
# expected status per role, in the order of ROLES; 302 for anonymous is the sign-in redirect
PAGES = {
    "/conferences/global-alliance-2012/declarations": [200, 200, 200, 200, 200, 200],
    "/conferences/global-alliance-2012/declarations/new": [302, 403, 403, 403, 200, 200],
    "/declarations/{d}": [302, 200, 200, 200, 200, 200],
    "/declarations/{d}/history": [302, 200, 200, 200, 200, 200],
    "/declarations/{d}/revisions/1": [302, 200, 200, 200, 200, 200],
    "/declarations/{d}/revisions/1/canonical.json": [302, 200, 200, 200, 200, 200],
    "/declarations/{d}/compare?from=1&to=1": [302, 200, 200, 200, 200, 200],
    "/declarations/{d}/edit": [302, 403, 403, 403, 200, 200],
    "/declarations/{d}/transition?to=open": [302, 403, 403, 403, 200, 200],
    "/declarations/{d}/amendments": [302, 200, 200, 200, 200, 200],
    "/declarations/{d}/amendments/new": [302, 200, 200, 403, 403, 403],
    "/amendments/{submitted}": [302, 200, 200, 200, 200, 200],
    "/amendments/{draft}": [302, 200, 404, 404, 200, 200],
    "/amendments/{submitted}/edit": [302, 200, 403, 403, 403, 403],
}


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(browser, consultation, role):
    cast = consultation
    client = browser(getattr(cast, USERS[role]) if USERS[role] else None)
    for path, statuses in PAGES.items():
        url = path.format(d=cast.declaration.id, submitted=cast.submitted.id, draft=cast.draft.id)
        response = client.get(url)
        expected = statuses[ROLES.index(role)]
        assert response.status_code == expected, (role, url, response.status_code)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("delegate_a", 403), ("delegate_b", 403), ("staff", 403)],
)
def test_only_organisers_accept_or_reject(browser, consultation, role, status):
    cast = consultation
    user = getattr(cast, USERS[role]) if USERS[role] else None
    client = browser(user)
    assert client.post(f"/amendments/{cast.submitted.id}/accept").status_code == status
    response = client.post(f"/amendments/{cast.submitted.id}/reject", data={"reason": "No."})
    assert response.status_code == status
    db.session.expire_all()
    assert cast.submitted.state == AmendmentState.submitted


def test_draft_declarations_are_hidden_from_delegates(browser, declaration_cast):
    d = declaration_cast.declaration
    assert browser(declaration_cast.head_be).get(f"/declarations/{d.id}").status_code == 403
    assert browser(declaration_cast.outsider).get(f"/declarations/{d.id}").status_code == 403
    listing = page(
        browser(declaration_cast.head_be).get("/conferences/global-alliance-2012/declarations")
    )
    assert "Declaration on launching" not in listing
    assert browser(declaration_cast.staff).get(f"/declarations/{d.id}").status_code == 200


def test_conference_page_links_to_its_declarations(client, seed):
    text = page(client.get("/conferences/global-alliance-2012"))
    assert "/conferences/global-alliance-2012/declarations" in text


POST_ACTIONS = ["submit", "withdraw", "support", "accept", "reject", "comment"]


@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_amendment_actions_refused_to_anonymous_and_staff(browser, consultation, role):
    cast = consultation
    client = browser(cast.staff if role == "staff" else None)
    for action in POST_ACTIONS:
        for amendment in (cast.submitted, cast.draft):
            response = client.post(
                f"/amendments/{amendment.id}/{action}", data={"reason": "x", "body": "x"}
            )
            if role == "anonymous":
                assert response.status_code == 302
                assert "/auth/login" in response.headers["Location"]
            else:
                assert response.status_code in (403, 404), (action, response.status_code)
    response = client.post(
        f"/declarations/{cast.declaration.id}/amendments/new",
        data={"target_key": "victims", "kind": "delete", "justification": "x"},
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    db.session.expire_all()
    assert cast.submitted.state == AmendmentState.submitted and not cast.submitted.comments
    assert cast.draft.state == AmendmentState.draft
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 2
