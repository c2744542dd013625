"""Property tests: the text fields people type (declaration titles and paragraphs, amendment
justifications and proposals, signature statements, registration names and positions) take
arbitrary Unicode, HTML and huge strings. Each input is either stored exactly as documented
(declaration and statement text are NFC with runs of white space collapsed; registration fields
are trimmed) or refused with a clear ValidationFailed and nothing stored; never a 500. Pages show
it escaped: the `<script>` an input carries never reaches a page raw; the Word document of a
declaration (documents plugin, read back with python-docx) holds the stored text.
"""

import io
import itertools

import pytest
import sqlalchemy as sa
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_conf.core.errors import ValidationFailed
from alliance_conf.declarations import amendments, canonical, transitions
from alliance_conf.declarations import operations as declarations
from alliance_conf.declarations.models import Amendment, Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration
from alliance_conf.registrations.operations import register_on_behalf
from alliance_conf.testing.fixtures import TEST_PASSWORD
from plugins.documents.operations import draft_revision
from plugins.signatures import chain
from plugins.signatures import operations as signatures
from plugins.signatures.models import Signature

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }} {% raw %}",
    "Robert'); DROP TABLE users;--",
    "\u202eevil\u202c",
    "a\u0000b",
    "\ud7ff\ue000\U0010ffff",
    "e\u0301 vs \u00e9",
    "  lots   of\n\n white\tspace  ",
    "=cmd|' /C calc'!A0",
    "x" * 100_000,
    "👨‍👩‍👧‍👦" * 500,
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60).map(
        lambda t: f"{t}{SCRIPT}"
    ),
)
SETTINGS = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXAMPLES = {"declarations": 0, "amendments": 0, "statements": 0, "registrations": 0}
STORED = dict.fromkeys(EXAMPLES, 0)


def assert_escaped(html: str, *texts: str) -> None:
    assert SCRIPT not in html
    for text in texts:
        if "<" in text:
            assert text not in html or "<" not in text


def refused_cleanly(exc: ValidationFailed) -> None:
    assert exc.message and "Traceback" not in exc.message


def word_text(data: bytes) -> str:
    """Every paragraph of a .docx (body and tables), read back with python-docx."""
    document = Document(io.BytesIO(data))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return "\n".join(p.text for p in paragraphs)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def organiser_client(seed, client, login):
    organiser = seed.accounts["organiser"]
    organiser.set_password(TEST_PASSWORD)
    db.session.commit()
    login(organiser)
    return client


def test_declaration_text_round_trips_or_is_refused(seed, organiser_client):
    organiser = seed.accounts["organiser"]

    @SETTINGS
    @given(title=TEXT, commitment_title=TEXT, paragraph=TEXT)
    def run(title, commitment_title, paragraph):
        EXAMPLES["declarations"] += 1
        before = count(Declaration)
        content = {
            "title": title,
            "preamble": [{"text": paragraph}],
            "commitments": [{"title": commitment_title, "text": paragraph}],
            "closing": [],
        }
        try:
            declaration = declarations.create_declaration(
                seed.conference, title=title, content=content, actor=organiser
            )
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            refused_cleanly(exc)
            assert count(Declaration) == before
            return
        STORED["declarations"] += 1
        stored = declaration.current_revision.content
        assert stored["title"] == canonical.normalise_string(title)
        assert stored["commitments"][0]["title"] == canonical.normalise_string(commitment_title)
        assert stored["preamble"][0]["text"] == canonical.normalise_string(paragraph)
        page = organiser_client.get(f"/declarations/{declaration.id}")
        assert page.status_code == 200
        assert_escaped(page.get_data(as_text=True), title, commitment_title, paragraph)
        word = word_text(draft_revision(declaration, 1))
        for text in (commitment_title, paragraph):
            assert canonical.normalise_string(text) in word

    stored_before = STORED["declarations"]
    run()
    print(EXAMPLES, STORED)
    assert STORED["declarations"] > stored_before  # not only refusals


def test_amendment_text_round_trips_or_is_refused(seed, organiser_client):
    conference = seed.conference
    head = seed.accounts["head"]
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == conference.id)
    )
    transitions.transition(declaration, "consultation", actor=None)
    db.session.commit()
    target = declaration.current_revision.content["commitments"][0]["key"]

    @SETTINGS
    @given(justification=TEXT, proposed=TEXT)
    def run(justification, proposed):
        EXAMPLES["amendments"] += 1
        before = count(Amendment)
        try:
            amendment = amendments.propose_amendment(
                declaration,
                kind="replace",
                target_key=target,
                justification=justification,
                proposed_text=proposed,
                submit=True,
                actor=head,
            )
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            refused_cleanly(exc)
            assert count(Amendment) == before
            return
        STORED["amendments"] += 1
        db.session.expire_all()
        stored = db.session.get(Amendment, amendment.id)
        assert stored.justification == canonical.normalise_string(justification) or (
            stored.justification == justification.strip()
        )
        assert stored.proposed_text == canonical.normalise_string(proposed)
        page = organiser_client.get(f"/amendments/{amendment.id}")
        assert page.status_code == 200
        assert_escaped(page.get_data(as_text=True), justification, proposed)

    stored_before = STORED["amendments"]
    run()
    print(EXAMPLES, STORED)
    assert STORED["amendments"] > stored_before  # not only refusals


def test_signature_statements_round_trip_or_are_refused(seed, organiser_client):
    conference = seed.conference
    head = seed.accounts["head"]
    head.set_password(TEST_PASSWORD)
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.conference_id == conference.id)
    )
    transitions.transition(declaration, "consultation", actor=None)
    transitions.transition(declaration, "open", actor=None)
    db.session.commit()

    @SETTINGS
    @given(text=TEXT, kind=st.sampled_from(["statement", "reservation"]))
    def run(text, kind):
        EXAMPLES["statements"] += 1
        before = count(Signature)
        try:
            signature = signatures.sign_declaration(
                declaration,
                actor=head,
                password=TEST_PASSWORD,
                typed_name=head.full_name,
                statements=[{"kind": kind, "text": text}],
            )
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            refused_cleanly(exc)
            assert count(Signature) == before
            return
        STORED["statements"] += 1
        expected = canonical.normalise_string(text)
        assert [s["text"] for s in signature.statements] == ([expected] if expected else [])
        page = organiser_client.get(f"/signatures/{signature.id}")
        assert page.status_code == 200
        assert_escaped(page.get_data(as_text=True), text)
        board = organiser_client.get(f"/declarations/{declaration.id}/signatures")
        assert board.status_code == 200
        assert_escaped(board.get_data(as_text=True), text)
        signatures.withdraw_signature(
            signature, actor=head, reason="Property test", password=TEST_PASSWORD
        )
        db.session.commit()

    stored_before = STORED["statements"]
    run()
    print(EXAMPLES, STORED)
    assert STORED["statements"] > stored_before  # not only refusals
    assert chain.verify_chain(declaration).ok


def test_registration_names_and_positions_round_trip_or_are_refused(seed, organiser_client):
    organiser = seed.accounts["organiser"]
    delegations = db.session.scalars(
        sa.select(Delegation).where(Delegation.conference_id == seed.conference.id)
    ).all()
    numbers = itertools.count()

    @SETTINGS
    @given(name=TEXT, position=TEXT, organisation=TEXT)
    def run(name, position, organisation):
        EXAMPLES["registrations"] += 1
        n = next(numbers)
        before = count(Registration)
        try:
            registration = register_on_behalf(
                delegations[n % len(delegations)],
                email=f"property-{n}@example.org",
                full_name=name,
                position=position,
                organisation=organisation,
                actor=organiser,
            )
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            refused_cleanly(exc)
            assert count(Registration) == before
            return
        STORED["registrations"] += 1
        db.session.expire_all()
        stored = db.session.get(Registration, registration.id)
        assert stored.user.full_name == name.strip()
        assert stored.position == position.strip()
        assert stored.organisation == organisation.strip()
        page = organiser_client.get(f"/registrations/{registration.id}")
        assert page.status_code == 200
        assert_escaped(page.get_data(as_text=True), name, position, organisation)

    stored_before = STORED["registrations"]
    run()
    print(EXAMPLES, STORED)
    assert STORED["registrations"] > stored_before  # not only refusals
