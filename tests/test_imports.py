"""CSV imports of delegations and registrations: all rows or none, clear messages."""

import io

import pytest
import sqlalchemy as sa

from alliance_conf.audit.models import AuditEvent
from alliance_conf.auth.models import User
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration
from tests.test_api import assert_error

SLUG = "import-2030"
DELEGATIONS = (
    "country_code,organisation_name,group,contact_email,delegate_quota\n"
    "BE,,eu_member,protocol@diplobel.example,6\n"
    "us,,partner,,\n"
    ",Europol,observer,press@europol.example,2\n"
)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def conference(make_conference):
    return make_conference(slug=SLUG)


@pytest.fixture
def write(tmp_path):
    def factory(content, name="file.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return str(path)

    return factory


def import_delegations(cli, write, content):
    return cli("delegations", "import", write(content), "--conference", SLUG)


def import_participants(cli, write, content):
    return cli("participants", "import", write(content), "--conference", SLUG)


# --- delegations ------------------------------------------------------------------------------


def test_delegation_import_creates_then_changes_nothing_then_updates(cli, write, conference):
    result = import_delegations(cli, write, DELEGATIONS)
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    names = set(db.session.scalars(sa.select(Delegation.name)))
    assert names == {"Belgium", "United States", "Europol"}
    belgium = db.session.scalar(sa.select(Delegation).where(Delegation.country_code == "BE"))
    assert belgium.delegate_quota == 6 and belgium.contact_email == "protocol@diplobel.example"

    result = import_delegations(cli, write, DELEGATIONS)
    assert result.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in result.output
    assert count(Delegation) == 3

    changed = DELEGATIONS.replace("BE,,eu_member,protocol@diplobel.example,6", "be,,eu_member,,8")
    changed = changed.replace(",Europol,", ",EUROPOL,")
    result = import_delegations(cli, write, changed)
    assert result.exit_code == 0 and "0 created, 1 updated, 2 unchanged" in result.output
    db.session.refresh(belgium)
    assert belgium.delegate_quota == 8 and belgium.contact_email is None
    assert count(Delegation) == 3
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "delegations.imported")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.data["created"] for e in events] == [3, 0, 0]


def test_delegation_import_accepts_a_bom_and_only_the_required_columns(cli, write, conference):
    content = "\ufeffCountry Code,Group\r\nFR,eu_member\r\n\r\nDE,eu_member\r\n"
    result = import_delegations(cli, write, content)
    assert result.exit_code == 0, result.output
    assert count(Delegation) == 2


def test_delegation_import_lists_every_bad_row_and_stores_nothing(cli, write, conference):
    content = (
        "country_code,organisation_name,group,contact_email,delegate_quota\n"
        "BE,,eu_member,,\n"  # line 2: fine
        "XX,,partner,,\n"  # line 3: unknown code
        "be,,eu_member,,\n"  # line 4: duplicate of line 2
        "FR,,eu_member,not-an-email,\n"  # line 5
        "DE,,galaxy,,\n"  # line 6
        "IT,,eu_member,,-3\n"  # line 7
        ",,eu_member,,\n"  # line 8: neither
        "ES,Red Cross,eu_member,,\n"  # line 9: both
        ",Interpol,observer,,\n"  # line 10
        ",interpol,observer,,\n"  # line 11: duplicate, case-insensitive
    )
    result = import_delegations(cli, write, content)
    assert result.exit_code == 1
    output = result.output
    assert "8 bad rows; nothing was imported" in output
    assert "line 3: unknown country code 'XX'" in output
    assert "line 4: duplicate delegation: Belgium is already on line 2" in output
    assert "line 5: 'not-an-email' is not a valid e-mail address" in output
    assert "line 6: unknown group 'galaxy'" in output
    assert "line 7: delegate_quota '-3' is not a whole number" in output
    assert "line 8: give either a country_code or an organisation_name" in output
    assert "line 9: give either" in output
    assert "line 11: duplicate delegation: interpol is already on line 10" in output
    assert "line 2:" not in output and "line 10:" not in output
    assert count(Delegation) == 0
    assert count(AuditEvent) == 1  # the conference's creation only


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        ("country_code,group\nFR,eu_member\n".encode("utf-16"), "not UTF-8"),
        ("country_code,group\nCI,partner\nCôte,partner\n".encode("latin-1"), "bad byte on line 3"),
        (b"country_code,group\n", "no data rows"),
        (b"country_code,quota\nFR,3\n", "missing column group"),
        (
            b"group,contact_email\neu_member,a@b.example\n",
            "one of country_code or organisation_name",
        ),
        (b"country_code,group,colour\nFR,eu_member,blue\n", "unknown column colour"),
        (b"country_code,group\nFR,eu_member,extra\n", "line 2: 3 cells"),
    ],
)
def test_delegation_import_bad_files(cli, write, conference, content, message):
    result = import_delegations(cli, write, content)
    assert result.exit_code == 1
    assert message in result.output
    assert count(Delegation) == 0


def test_too_large_file_is_refused(cli, write, conference, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 100)
    content = "country_code,group\n" + "".join(f"{c},eu_member\n" for c in ("FR", "DE") * 20)
    result = import_delegations(cli, write, content)
    assert result.exit_code == 1
    assert "too large" in result.output
    assert count(Delegation) == 0


def test_quota_below_approved_delegates_is_refused_on_reimport(
    cli, write, conference, make_delegation, make_registration, make_user
):
    belgium = make_delegation(conference, "BE", group="eu_member", delegate_quota=5)
    for _ in range(2):
        make_registration(belgium, make_user())
    result = import_delegations(cli, write, "country_code,group,delegate_quota\nBE,eu_member,1\n")
    assert result.exit_code == 1
    assert "already has 2 approved delegates" in result.output
    db.session.refresh(belgium)
    assert belgium.delegate_quota == 5


def upload(client, url, content: bytes, filename="file.csv"):
    return client.post(
        url,
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_delegation_upload_page(client, conference, make_user, login):
    login(make_user(role="organiser"))
    url = f"/conferences/{SLUG}/delegations/import"
    response = upload(client, url, b"country_code,group\nXX,partner\nFR,moon\n")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "2 bad rows; nothing was imported" in text
    assert "Line 2: unknown country code" in text and "Line 3: unknown group" in text
    assert count(Delegation) == 0
    response = upload(client, url, DELEGATIONS.encode())
    assert response.status_code == 200
    assert "3 created, 0 updated, 0 unchanged" in response.get_data(as_text=True)
    assert count(Delegation) == 3


def test_delegation_upload_page_escapes_the_file_content(client, conference, make_user, login):
    login(make_user(role="organiser"))
    response = upload(
        client,
        f"/conferences/{SLUG}/delegations/import",
        b"country_code,group\n<script>,partner\n",
    )
    text = response.get_data(as_text=True)
    assert "<script>" not in text and "&lt;SCRIPT&gt;" in text


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("delegate", 403), ("staff", 403), ("organiser", 200), ("admin", 200)],
)
def test_api_delegation_import_by_role(client, conference, make_user, api_headers, role, status):
    headers = api_headers(make_user(role=role)) if role else {}
    response = client.post(
        f"/api/v1/conferences/{SLUG}/delegations/import",
        data=DELEGATIONS.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == status
    if status == 200:
        assert response.get_json() == {"created": 3, "updated": 0, "unchanged": 0, "total": 3}
    else:
        assert count(Delegation) == 0


def test_api_delegation_import_bad_input_is_a_422(client, conference, make_user, api_headers):
    headers = {**api_headers(make_user(role="organiser")), "Content-Type": "text/csv"}
    url = f"/api/v1/conferences/{SLUG}/delegations/import"
    error = assert_error(
        client.post(
            url, data=b"country_code,group\nXX,partner\nBE,partner\nbe,partner\n", headers=headers
        ),
        422,
        "validation_failed",
    )
    assert error["fields"]["line 2"].startswith("unknown country code")
    assert error["fields"]["line 4"].startswith("duplicate delegation")
    assert_error(
        client.post(url, data="group\nx\n".encode("utf-16"), headers=headers),
        422,
        "validation_failed",
    )
    error = assert_error(
        client.post(url, data=b"a,b\n1,2\n", headers=headers), 422, "validation_failed"
    )
    assert "header" in error["fields"]
    assert count(Delegation) == 0


# --- participants -----------------------------------------------------------------------------

PEOPLE_HEADER = "delegation,email,full_name,position,organisation,function,status,consent\n"


@pytest.fixture
def delegations(conference, make_delegation):
    return {
        "BE": make_delegation(conference, "BE", group="eu_member", delegate_quota=3),
        "US": make_delegation(conference, "US", group="partner"),
        "Europol": make_delegation(conference, organisation_name="Europol", group="observer"),
    }


def test_participant_import_registers_everyone_in_bulk(cli, write, delegations, make_user):
    existing = make_user(email="known@example.org", full_name="Already Known")
    content = PEOPLE_HEADER + (
        "BE,Anne.Leroy@Diplobel.example,Anne Leroy,Minister,Ministry of Justice,"
        "head_of_delegation,approved,yes\n"
        "be,marc@diplobel.example,Marc Dupont,Adviser,Ministry of Justice,Adviser,pending,no\n"
        "US,known@example.org,Ignored Name,Attorney General,DoJ,minister,approved,yes\n"
        "europol,analyst@europol.example,Eva Analyst,,,,,\n"
    )
    result = import_participants(cli, write, content)
    assert result.exit_code == 0, result.output
    assert "4 registrations imported (2 approved, 2 pending); 3 new accounts" in result.output
    anne = db.session.scalar(sa.select(User).where(User.email == "anne.leroy@diplobel.example"))
    assert anne.password_hash is None and anne.role == "delegate"
    registration = db.session.scalar(sa.select(Registration).where(Registration.user_id == anne.id))
    assert registration.delegation_id == delegations["BE"].id
    assert registration.function == "head_of_delegation" and registration.status == "approved"
    assert registration.decided_at is not None and registration.consent_participant_list
    known = db.session.scalar(sa.select(Registration).where(Registration.user_id == existing.id))
    assert known.delegation_id == delegations["US"].id
    db.session.refresh(existing)
    assert existing.full_name == "Already Known"
    eva = db.session.scalar(
        sa.select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(User.email == "analyst@europol.example")
    )
    assert eva.status == "pending" and eva.function == "other"
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "participants.imported")
    ).all()
    assert len(events) == 1
    assert events[0].data["registrations"] == 4 and events[0].data["users_created"] == 3


def test_participant_import_bad_rows_store_nothing(
    cli, write, delegations, make_user, make_registration
):
    registered = make_user(email="registered@example.org")
    make_registration(delegations["US"], registered, status="pending")
    users_before = count(User)
    content = PEOPLE_HEADER + (
        "BE,ok@example.org,Fine Person,,,adviser,approved,yes\n"  # line 2: fine
        "FR,nobody@example.org,No Delegation,,,,,\n"  # line 3
        "BE,not-an-email,Bad Mail,,,,,\n"  # line 4
        "BE,OK@example.org,Same Person,,,,,\n"  # line 5: duplicate of line 2
        "US,registered@example.org,Registered Already,,,,,\n"  # line 6
        "BE,new@example.org,,,,,,\n"  # line 7: no name
        "BE,role@example.org,Bad Function,,,chauffeur,,\n"  # line 8
        "BE,status@example.org,Bad Status,,,,rejected,\n"  # line 9
        "BE,consent@example.org,Bad Consent,,,,,maybe\n"  # line 10
    )
    result = import_participants(cli, write, content)
    assert result.exit_code == 1
    output = result.output
    assert "8 bad rows; nothing was imported" in output
    assert "line 3: no delegation 'FR' at this conference" in output
    assert "line 4: 'not-an-email' is not a valid e-mail address" in output
    assert "line 5: duplicate: ok@example.org is already on line 2" in output
    assert "line 6: registered@example.org is already registered" in output
    assert "line 7: the full name is missing" in output
    assert "line 8: unknown function 'chauffeur'" in output
    assert "line 9: status 'rejected' must be pending or approved" in output
    assert "line 10: consent 'maybe' must be yes or no" in output
    assert "line 2:" not in output
    assert count(User) == users_before
    assert count(Registration) == 1


def test_participant_import_refuses_a_file_that_exceeds_a_quota(
    cli, write, delegations, make_user, make_registration
):
    make_registration(delegations["BE"], make_user(), status="approved")
    rows = "".join(f"BE,p{n}@example.org,Person {n},,,,approved,\n" for n in range(3))
    result = import_participants(cli, write, PEOPLE_HEADER + rows + "BE,q@example.org,Q,,,,,\n")
    assert result.exit_code == 1
    assert "line 4: approving this row exceeds the quota of Belgium (3 approved delegates)" in (
        result.output
    )
    assert count(Registration) == 1
    # pending rows do not count against the quota
    rows = "".join(f"BE,p{n}@example.org,Person {n},,,,pending,\n" for n in range(5))
    assert import_participants(cli, write, PEOPLE_HEADER + rows).exit_code == 0
    assert count(Registration) == 6


def test_participant_import_allows_one_head_per_state(
    cli, write, delegations, make_user, make_registration
):
    content = PEOPLE_HEADER + (
        "US,a@example.org,A Head,,,head_of_delegation,pending,\n"
        "US,b@example.org,B Head,,,head_of_delegation,pending,\n"
    )
    result = import_participants(cli, write, content)
    assert result.exit_code == 1
    assert "line 3: United States can have only one head of delegation (also on line 2)" in (
        result.output
    )
    make_registration(delegations["BE"], make_user(), function="head_of_delegation")
    result = import_participants(
        cli, write, PEOPLE_HEADER + "BE,c@example.org,C Head,,,head_of_delegation,,\n"
    )
    assert result.exit_code == 1 and "Belgium already has a head of delegation" in result.output


def test_participant_import_refuses_deactivated_delegations(cli, write, delegations):
    delegations["US"].active = False
    db.session.commit()
    result = import_participants(cli, write, PEOPLE_HEADER + "US,a@example.org,A,,,,,\n")
    assert result.exit_code == 1 and "United States is deactivated" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ("delegation,email,full_name\nBE,é@x.example,É\n".encode("cp1252"), "not UTF-8"),
        (b"delegation,full_name\nBE,Someone\n", "missing column email"),
    ],
)
def test_participant_import_bad_files(cli, write, delegations, content, message):
    result = import_participants(cli, write, content)
    assert result.exit_code == 1 and message in result.output
    assert count(Registration) == 0


def test_participant_upload_page(client, delegations, make_user, login):
    url = f"/conferences/{SLUG}/participants/import"
    login(make_user(role="staff"))
    assert client.get(url).status_code == 403
    client.post("/auth/logout")
    login(make_user(role="organiser"))
    response = upload(client, url, (PEOPLE_HEADER + "BE,bad,B,,,,,\n").encode())
    assert response.status_code == 422 and "Line 2: &#39;bad&#39; is not a valid" in (
        response.get_data(as_text=True)
    )
    response = upload(client, url, (PEOPLE_HEADER + "BE,good@example.org,G,,,,,\n").encode())
    assert response.status_code == 200
    assert "1 registration imported" in response.get_data(as_text=True)
    assert count(Registration) == 1


def test_imports_refuse_invisible_formatting_in_identity_fields(cli, write, delegations):
    """Issue 12: a right-to-left override can make a name or position read differently."""
    result = import_participants(
        cli, write, PEOPLE_HEADER + "BE,rlo@example.org,Anne\u202eyorel,Minister,,,,\n"
    )
    assert result.exit_code == 1 and "invisible formatting characters" in result.output
    result = import_delegations(cli, write, "organisation_name,group\nInter\u202epol,observer\n")
    assert result.exit_code == 1 and "invisible formatting characters" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


# --- templates to fill in ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "imported"),
    [
        ("delegations", "2 created"),
        ("invitations", "1 invitation"),
        ("participants", "1 registration imported"),
    ],
)
def test_each_import_offers_a_template_that_imports_as_it_is(
    client, conference, make_delegation, make_user, login, area, imported
):
    """The template beside each import is a file that import takes (so the two cannot drift)."""
    if area != "delegations":
        make_delegation(conference, "EE", group="eu_member")
    login(make_user(role="organiser"))
    page = client.get(f"/conferences/{SLUG}/{area}/import").get_data(as_text=True)
    template_url = f"/conferences/{SLUG}/{area}/import/template.csv"
    assert f'href="{template_url}" download' in page
    template = client.get(template_url)
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert f"{SLUG}-{area}.csv" in template.headers["Content-Disposition"]
    response = upload(client, f"/conferences/{SLUG}/{area}/import", template.data)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    follow = client.get(response.location) if response.status_code == 302 else response
    assert imported in follow.get_data(as_text=True)


def test_import_templates_are_for_organisers_only(client, conference, make_user, login):
    login(make_user(role="staff"))
    for area in ("delegations", "invitations", "participants"):
        assert client.get(f"/conferences/{SLUG}/{area}/import/template.csv").status_code == 403
