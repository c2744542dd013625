"""Notifications: each event tells the right people once, in their language, with the link to
the page concerned; everyone sees their own notifications and nobody else's."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage
from alliance_conf.notifications.models import Notification, NotificationKind
from alliance_conf.testing.fixtures import TEST_PASSWORD

CONTENT = {
    "preamble": [{"text": "Recalling the test."}],
    "commitments": [{"title": "First", "text": "We commit to testing."}],
    "closing": [],
}


@pytest.fixture
def cast(make_conference, make_delegation, make_user, make_registration, grant_powers):
    """A conference with two delegations: Belgium's head holds full powers and prefers French,
    France's minister holds none, Belgium's adviser and an outsider are bystanders."""
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.declarations.transitions import transition

    conference = make_conference(slug="notify-conf")
    be = make_delegation(conference, country_code="BE", group="eu_member")
    fr = make_delegation(conference, country_code="FR", group="eu_member")
    organiser = make_user(role="organiser")
    head_be = make_user(full_name="Hélène Dubois")
    head_be.language = "fr"
    adviser_be = make_user(full_name="Bart Adviser")
    minister_fr = make_user(full_name="Marc Ministre")
    outsider = make_user(full_name="Otto Outsider")
    db.session.commit()
    reg_head_be = make_registration(be, head_be, function="head_of_delegation")
    make_registration(be, adviser_be, function="adviser")
    reg_minister_fr = make_registration(fr, minister_fr, function="minister")
    declaration = create_declaration(
        conference, title="Declaration of Notifications", content=CONTENT, actor=organiser
    )
    transition(declaration, "consultation", actor=organiser)
    db.session.commit()
    return SimpleNamespace(
        conference=conference,
        be=be,
        fr=fr,
        organiser=organiser,
        head_be=head_be,
        adviser_be=adviser_be,
        minister_fr=minister_fr,
        outsider=outsider,
        reg_head_be=reg_head_be,
        reg_minister_fr=reg_minister_fr,
        declaration=declaration,
        grant=lambda reg: grant_powers(reg, organiser=organiser),
    )


def notices(user, kind=None) -> list[Notification]:
    statement = sa.select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        statement = statement.where(Notification.kind == kind)
    return db.session.scalars(statement.order_by(Notification.id)).all()


def mail_of(notification: Notification) -> MailMessage:
    return db.session.get(MailMessage, notification.mail_message_id)


def test_full_powers_granted_and_revoked_tell_the_holder_in_their_language(cast):
    from alliance_conf.registrations.powers import Instrument, revoke_full_powers

    cast.grant(cast.reg_head_be)
    (granted,) = notices(cast.head_be, NotificationKind.full_powers_granted)
    assert granted.link == f"/registrations/{cast.reg_head_be.id}"
    message = mail_of(granted)
    assert message.to_address == cast.head_be.email
    assert message.subject == (
        "Vous d\u00e9tenez les pleins pouvoirs pour signer (d\u00e9l\u00e9gation\u00a0: Belgique)"
    )
    assert f"http://localhost/registrations/{cast.reg_head_be.id}" in message.body_text
    assert message.body_text.startswith("Bonjour Hélène Dubois,")

    revoke_full_powers(
        cast.reg_head_be,
        Instrument("FP/REVOKE/1", "foreign_minister", issued_on=date(2025, 2, 1)),
        actor=cast.organiser,
        reason="Replaced by the new minister.",
    )
    db.session.commit()
    (revoked,) = notices(cast.head_be, NotificationKind.full_powers_revoked)
    assert "Replaced by the new minister." in mail_of(revoked).body_text
    # Nobody else heard of it.
    for bystander in (cast.adviser_be, cast.minister_fr, cast.outsider, cast.organiser):
        assert notices(bystander) == []


def test_opening_a_declaration_tells_every_signatory_once(cast):
    from alliance_conf.declarations.transitions import transition

    cast.grant(cast.reg_head_be)
    cast.grant(cast.reg_minister_fr)
    transition(cast.declaration, "open", actor=cast.organiser)
    db.session.commit()  # the signatories are told after the commit (the lock is released)
    db.session.expire_all()
    for signatory in (cast.head_be, cast.minister_fr):
        (opened,) = notices(signatory, NotificationKind.declaration_opened)
        assert opened.link == f"/declarations/{cast.declaration.id}"
        assert f"http://localhost/declarations/{cast.declaration.id}" in mail_of(opened).body_text
    assert mail_of(notices(cast.minister_fr, NotificationKind.declaration_opened)[0]).subject == (
        "“Declaration of Notifications” is open for signature"
    )
    assert mail_of(notices(cast.head_be, NotificationKind.declaration_opened)[0]).subject == (
        "\u00ab\u00a0Declaration of Notifications\u00a0\u00bb est ouverte \u00e0 la signature"
    )
    for bystander in (cast.adviser_be, cast.outsider, cast.organiser):
        assert notices(bystander, NotificationKind.declaration_opened) == []


def test_signature_recorded_with_its_code_then_withdrawn(cast):
    from alliance_conf.declarations.transitions import transition
    from plugins.signatures.operations import sign_declaration, withdraw_signature

    cast.grant(cast.reg_minister_fr)
    transition(cast.declaration, "open", actor=cast.organiser)
    db.session.commit()
    signature = sign_declaration(
        cast.declaration,
        actor=cast.minister_fr,
        password=TEST_PASSWORD,
        typed_name=cast.minister_fr.full_name,
    )
    db.session.commit()
    db.session.expire_all()
    (recorded,) = notices(cast.minister_fr, NotificationKind.signature_recorded)
    assert recorded.link == f"/signatures/{signature.id}"
    body = mail_of(recorded).body_text
    assert signature.verification_code in body
    assert f"http://localhost/signatures/{signature.id}" in body

    withdraw_signature(
        signature, actor=cast.minister_fr, reason="Signed the wrong text.", password=TEST_PASSWORD
    )
    db.session.commit()
    db.session.expire_all()
    (withdrawn,) = notices(cast.minister_fr, NotificationKind.signature_withdrawn)
    assert "Signed the wrong text." in mail_of(withdrawn).body_text
    for bystander in (cast.head_be, cast.adviser_be, cast.outsider, cast.organiser):
        assert notices(bystander, NotificationKind.signature_recorded) == []
        assert notices(bystander, NotificationKind.signature_withdrawn) == []


def test_amendment_decision_tells_its_delegation_with_the_reason(cast):
    from alliance_conf.declarations.amendments import (
        accept_amendment,
        propose_amendment,
        reject_amendment,
    )

    key = cast.declaration.current_revision.content["commitments"][0]["key"]

    def proposal(actor, text):
        return propose_amendment(
            cast.declaration,
            kind="replace",
            target_key=key,
            proposed_text=text,
            justification="Clearer.",
            submit=True,
            actor=actor,
        )

    rejected = proposal(cast.head_be, "We commit to testing more.")
    db.session.commit()
    reject_amendment(rejected, reason="Out of scope for this text.", actor=cast.organiser)
    db.session.commit()
    (notice,) = notices(cast.head_be, NotificationKind.amendment_rejected)
    assert notice.link == f"/amendments/{rejected.id}"
    message = mail_of(notice)
    assert "Out of scope for this text." in message.body_text
    assert message.subject.startswith(
        f"L\u2019amendement n\u00b0\u00a0{rejected.id} (d\u00e9l\u00e9gation\u00a0: Belgique)"
    )
    # The Belgian adviser does not act for the delegation; France is not concerned.
    for bystander in (cast.adviser_be, cast.minister_fr, cast.outsider, cast.organiser):
        assert notices(bystander) == []

    accepted = proposal(cast.minister_fr, "We commit to testing everything.")
    db.session.commit()
    accept_amendment(accepted, actor=cast.organiser)
    db.session.commit()
    (notice,) = notices(cast.minister_fr, NotificationKind.amendment_accepted)
    assert "revision 2" in mail_of(notice).body_text
    assert notices(cast.head_be, NotificationKind.amendment_accepted) == []


def test_a_rolled_back_action_leaves_no_notification(cast):
    cast.grant(cast.reg_head_be)
    before = db.session.scalar(sa.select(sa.func.count(Notification.id)))
    from alliance_conf.registrations.powers import Instrument, revoke_full_powers

    revoke_full_powers(
        cast.reg_head_be,
        Instrument("FP/REVOKE/2", "foreign_minister", issued_on=date(2025, 2, 1)),
        actor=cast.organiser,
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == before


# --- seeing one's own ------------------------------------------------------------------------


def test_each_person_sees_only_their_own_on_the_page_and_the_api(app, cast, api_headers, make_user):
    from alliance_conf.testing.routes import sign_in_session

    cast.grant(cast.reg_head_be)
    cast.grant(cast.reg_minister_fr)
    mine = notices(cast.minister_fr)[0]
    theirs = notices(cast.head_be)[0]
    client = app.test_client()
    staff = make_user(role="staff")
    admin = make_user(role="admin")
    for user in (cast.minister_fr, cast.adviser_be, cast.outsider, cast.organiser, staff, admin):
        sign_in_session(client, user)
        page = client.get("/notifications").get_data(as_text=True)
        assert "Belgique" not in page and "Belgium" not in page, user.full_name
        assert client.get(f"/notifications/{theirs.id}").status_code == 404
        listed = client.get("/api/v1/notifications", headers=api_headers(user)).get_json()
        assert all(item["id"] != theirs.id for item in listed["items"])
        if user is cast.minister_fr:
            assert "France" in page
            assert [item["id"] for item in listed["items"]] == [mine.id]
        else:
            assert listed["items"] == []
    assert app.test_client().get("/api/v1/notifications").status_code == 401
    assert app.test_client().get("/notifications").status_code == 302


def test_list_marks_unread_counts_in_the_header_and_marks_all_read(cast, client, login):
    cast.grant(cast.reg_minister_fr)
    from alliance_conf.declarations.transitions import transition

    transition(cast.declaration, "open", actor=cast.organiser)
    db.session.commit()
    login(cast.minister_fr)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("Unread</span>") == 2
    assert "2 unread" in page  # the header's count
    newest_first = page.index("is open for signature") < page.index("You hold full powers")
    assert newest_first
    assert client.post("/notifications/read").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "Unread</span>" not in page and "unread</span>" not in page
    assert all(n.read_at is not None for n in notices(cast.minister_fr))


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(cast, client, login):
    cast.grant(cast.reg_minister_fr)
    (notice,) = notices(cast.minister_fr)
    login(cast.minister_fr)
    response = client.get(f"/notifications/{notice.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/registrations/{cast.reg_minister_fr.id}")
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is not None


def test_mark_all_read_needs_the_csrf_token(make_app, cast):
    from alliance_conf.testing.routes import sign_in_session

    strict = make_app(WTF_CSRF_ENABLED=True)
    cast.grant(cast.reg_minister_fr)
    client = strict.test_client()
    sign_in_session(client, cast.minister_fr)
    assert client.post("/notifications/read").status_code == 400
    db.session.expire_all()
    assert all(n.read_at is None for n in notices(cast.minister_fr))


def test_pages_of_notifications(cast, client, login, api_headers):
    from alliance_conf.notifications.operations import PAGE_SIZE, notify

    for number in range(PAGE_SIZE + 3):
        notify(
            cast.minister_fr,
            NotificationKind.report_overdue,
            endpoint="notifications.index",
            values={},
            data={"delegation": "France", "round": f"Round {number}", "deadline": "2031-06-30"},
            mail=False,
        )
    db.session.commit()
    login(cast.minister_fr)
    first = client.get("/notifications").get_data(as_text=True)
    assert f"Round {PAGE_SIZE + 2}\u201d" in first and "Round 0\u201d" not in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Round 0\u201d" in second and "In the app only" in second
    listed = client.get(
        "/api/v1/notifications?per_page=5", headers=api_headers(cast.minister_fr)
    ).get_json()
    assert listed["total"] == PAGE_SIZE + 3 and len(listed["items"]) == 5


def test_the_list_and_api_speak_french(cast, client, login, api_headers):
    cast.grant(cast.reg_head_be)
    login(cast.head_be)  # her account says French
    page = client.get("/notifications").get_data(as_text=True)
    assert "Vos notifications" in page and "Tout marquer comme lu" in page
    assert "Vous détenez les pleins pouvoirs" in page
    listed = client.get(
        "/api/v1/notifications", headers={**api_headers(cast.minister_fr), "Accept-Language": "fr"}
    ).get_json()
    assert listed["items"] == []
    listed = client.get(
        "/api/v1/notifications", headers={**api_headers(cast.head_be), "Accept-Language": "fr"}
    ).get_json()
    (item,) = listed["items"]
    assert item["title"].startswith("Vous détenez les pleins pouvoirs")
    assert item["url"] == f"http://localhost/registrations/{cast.reg_head_be.id}"
    assert item["kind"] == "full_powers_granted" and item["read_at"] is None
