import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.conferences.models import Conference
from alliance_conf.extensions import db

FORM = {
    "title": "Ministerial on online safety",
    "slug": "online-safety-2031",
    "city": "Tallinn",
    "venue": "Kultuurikatel",
    "start_date": "2031-05-04",
    "end_date": "2031-05-05",
    "timezone": "Europe/Tallinn",
    "co_chairs": "Kaja Kallas, Prime Minister of Estonia\nAnother Chair, Minister",
}


def test_seed_conference_page_shows_49_delegations_and_co_chairs(client, seed):
    page = client.get("/conferences/global-alliance-2012").get_data(as_text=True)
    assert "Launch of the Global Alliance against Child Sexual Abuse Online" in page
    assert 'Delegations <span class="count">(49)</span>' in page
    assert 'EU member state <span class="count">(27)</span>' in page
    assert 'Partner country <span class="count">(22)</span>' in page
    assert "Eric Holder" in page and "Cecilia Malmström" in page
    assert "Republic of Korea" in page and "Croatia" in page


def test_organiser_creates_a_conference_in_the_browser(client, make_user, login):
    login(make_user(role="organiser"))
    response = client.post("/conferences/new", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/conferences/online-safety-2031"
    conference = db.session.scalar(sa.select(Conference))
    assert conference.co_chairs[0] == {"name": "Kaja Kallas", "title": "Prime Minister of Estonia"}
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "conference.created")
    )
    assert event.object_id == str(conference.id)


def test_conference_form_errors_are_shown_and_nothing_is_stored(client, make_user, login):
    login(make_user(role="organiser"))
    response = client.post(
        "/conferences/new", data={**FORM, "end_date": "2031-05-01", "timezone": "Nowhere/Land"}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The conference cannot end before it starts." in text
    assert "is not a known time zone" in text
    assert 'aria-invalid="true"' in text
    assert db.session.scalar(sa.select(sa.func.count(Conference.id))) == 0


def test_duplicate_slug_in_form(client, make_user, login, make_conference):
    make_conference(slug="online-safety-2031")
    login(make_user(role="organiser"))
    response = client.post("/conferences/new", data=FORM)
    assert response.status_code == 422
    assert "Already taken." in response.get_data(as_text=True)


def test_page_text_is_escaped(client, make_conference):
    make_conference(slug="escape-test", title="<script>alert(1)</script>")
    page = client.get("/conferences/escape-test").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_csrf_is_enforced_on_forms(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = make_user(role="organiser")
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": "x" * 12})
    assert response.status_code == 400
