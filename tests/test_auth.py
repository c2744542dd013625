import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.auth.models import User
from alliance_conf.core.errors import Conflict, ValidationFailed
from alliance_conf.extensions import db
from alliance_conf.testing.fixtures import TEST_PASSWORD


def test_passwords_are_stored_as_argon2_hashes(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2")
    assert TEST_PASSWORD not in user.password_hash
    assert user.check_password(TEST_PASSWORD)
    assert not user.check_password("wrong password!")


def test_email_is_unique_case_insensitively(make_user):
    from alliance_conf.auth.operations import create_user

    make_user(email="Minister@Example.org")
    with pytest.raises(Conflict):
        create_user(
            email="minister@example.ORG", full_name="X", password=TEST_PASSWORD, role="delegate"
        )


def test_invalid_email_and_short_password_are_refused(app):
    from alliance_conf.auth.operations import create_user

    with pytest.raises(ValidationFailed, match="not a valid e-mail"):
        create_user(email="not-an-email", full_name="X", password=TEST_PASSWORD, role="delegate")
    with pytest.raises(ValidationFailed, match="at least 12"):
        create_user(email="a@example.org", full_name="X", password="short", role="delegate")
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_sign_in_page_and_successful_sign_in(client, make_user):
    user = make_user(role="organiser")
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert b'<label for="email">E-mail</label>' in page.data
    response = client.post(
        "/auth/login", data={"email": user.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert user.full_name.encode() in home.data
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.signed_in"))


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, make_user):
    user = make_user()
    response = client.post("/auth/login", data={"email": user.email, "password": "nope nope nope"})
    assert response.status_code == 422
    assert b"The e-mail or the password is wrong." in response.data
    assert b"Sign out" not in response.data


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user()
    user.is_active_account = False
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 422


def test_sign_out_invalidates_the_old_session_cookie(client, make_user, login, app):
    user = make_user(role="organiser")
    login(user)
    stolen_cookie = client.get_cookie("session").value
    assert client.get("/conferences/new").status_code == 200
    client.post("/auth/logout")
    other = app.test_client()
    other.set_cookie("session", stolen_cookie)
    response = other.get("/conferences/new")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_session_is_rotated_at_sign_in(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_next_parameter_cannot_redirect_off_site(client, make_user):
    user = make_user()
    response = client.post(
        "/auth/login?next=https://evil.example/x",
        data={"email": user.email, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post(
        "/auth/login?next=/conferences/x", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/conferences/x"


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), ("delegate", 403), ("staff", 403), ("organiser", 200), ("admin", 200)],
)
def test_role_check_on_organiser_page(client, make_user, login, role, expected):
    if role:
        login(make_user(role=role))
    response = client.get("/conferences/new")
    assert response.status_code == expected
    if expected == 403:
        assert b"You cannot open this page" in response.data


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
