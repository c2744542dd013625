"""The participant list, the ``flask documents`` commands, and atomic file writing."""

from __future__ import annotations

import os

import pytest

from plugins.documents import cli as documents_cli
from plugins.documents import operations
from plugins.documents.tests.helpers import body_text, open_docx
from plugins.documents.tests.support import CONTENT
from plugins.documents.tests.test_documents_redline import revised
from plugins.documents.tests.test_documents_templates import custom_template


@pytest.fixture
def people(conference, make_delegation, make_user, make_registration):
    sweden = make_delegation(conference, "SE", group="eu_member")
    albania = make_delegation(conference, "AL")
    unicef = make_delegation(conference, organisation_name="UNICEF")
    norway = make_delegation(conference, "NO")

    def person(delegation, name, **fields):
        user = make_user("delegate", full_name=name)
        fields.setdefault("consent_participant_list", True)
        return make_registration(delegation, user, **fields)

    person(sweden, "Sven Adviser", dietary_needs="vegan", accessibility_needs="wheelchair")
    person(
        sweden,
        "Karin Minister",
        function="minister",
        position="Minister for Justice",
        organisation="Government Offices",
    )
    person(sweden, "Hidden Person", consent_participant_list=False)
    person(albania, "Pending Person", status="pending")
    person(albania, "Arta Head", function="head_of_delegation")
    person(unicef, "Olu Officer", position="Child Protection Officer")
    person(norway, "Withdrawn Person", status="withdrawn")
    return conference


def test_participant_list_by_delegation_in_protocol_order(people):
    data = operations.participant_list(people)
    lines = body_text(data)
    assert lines[0] == "List of participants"
    start = lines.index("Albania")
    assert lines[start:] == [
        "Albania",
        "Arta Head \N{EN DASH} Head of delegation",
        "Sweden",
        "Karin Minister \N{EN DASH} Minister for Justice, Government Offices, Minister",
        "Sven Adviser \N{EN DASH} Adviser",
        "UNICEF",
        "Olu Officer \N{EN DASH} Child Protection Officer, Adviser",
    ]
    everything = "\n".join(lines)
    for hidden in ("Hidden Person", "Pending Person", "Withdrawn Person", "Norway"):
        assert hidden not in everything
    for private in ("vegan", "wheelchair", "@example.org"):
        assert private not in everything
    headings = [p.text for p in open_docx(data).paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Albania", "Sweden", "UNICEF"]


def test_cli_writes_each_document(cli, tmp_path, make_declaration, people):
    declaration = make_declaration(CONTENT, revised(CONTENT), freeze=True, of=people)
    slug = people.slug
    final = tmp_path / "final.docx"
    result = cli("documents", "declaration", slug, "--out", str(final))
    assert result.exit_code == 0, result.output
    assert "Wrote the final declaration" in result.output
    assert body_text(final.read_bytes())[0] == revised(CONTENT)["title"]
    draft = tmp_path / "r1.docx"
    assert (
        cli("documents", "declaration", slug, "--revision", "1", "--out", str(draft)).exit_code == 0
    )
    assert "DRAFT" in body_text(draft.read_bytes(), skip_meta=False)
    redline = tmp_path / "redline.docx"
    result = cli("documents", "declaration", slug, "--compare", "1:2", "--out", str(redline))
    assert result.exit_code == 0, result.output
    assert body_text(redline.read_bytes(), "reject")[0] == CONTENT["title"]
    listing = tmp_path / "participants.docx"
    assert cli("documents", "participants", slug, "--out", str(listing)).exit_code == 0
    assert "Arta Head \N{EN DASH} Head of delegation" in body_text(listing.read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "final.docx",
        "participants.docx",
        "r1.docx",
        "redline.docx",
    ]
    assert declaration.id


def test_cli_errors_leave_no_file(cli, tmp_path, make_declaration, conference):
    make_declaration()
    out = tmp_path / "final.docx"
    result = cli("documents", "declaration", conference.slug, "--out", str(out))
    assert result.exit_code == 1 and "not frozen" in result.output
    result = cli("documents", "declaration", conference.slug, "--compare", "1-2", "--out", str(out))
    assert result.exit_code == 1 and "FROM:TO" in result.output
    result = cli("documents", "declaration", conference.slug, "--revision", "5", "--out", str(out))
    assert result.exit_code == 1 and "no revision 5" in result.output
    result = cli("documents", "declaration", "nope", "--out", str(out))
    assert result.exit_code == 1
    result = cli("documents", "participants", conference.slug, "--out", str(tmp_path / "no/x.docx"))
    assert result.exit_code == 1 and "does not exist" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_keeps_the_old_file_and_leaves_no_temporary(
    cli, tmp_path, make_declaration, conference, monkeypatch
):
    make_declaration()
    out = tmp_path / "draft.docx"
    out.write_bytes(b"the previous version")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(documents_cli.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        cli("documents", "declaration", conference.slug, "--revision", "1", "--out", str(out))
    assert out.read_bytes() == b"the previous version"
    assert os.listdir(tmp_path) == ["draft.docx"]


def test_generation_failure_writes_nothing(
    cli, tmp_path, make_declaration, conference, monkeypatch
):
    make_declaration()
    out = tmp_path / "draft.docx"

    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(operations.builder, "build_draft", broken)
    with pytest.raises(RuntimeError):
        cli("documents", "declaration", conference.slug, "--revision", "1", "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_cli_template_commands(cli, tmp_path, conference):
    good = tmp_path / "ministry.docx"
    good.write_bytes(custom_template())
    result = cli("documents", "template", "upload", conference.slug, str(good))
    assert result.exit_code == 0 and "Stored ministry.docx" in result.output
    assert "uses ministry.docx" in cli("documents", "template", "show", conference.slug).output
    bad = tmp_path / "plain.docx"
    bad.write_bytes(custom_template(drop=("Commitment",)))
    result = cli("documents", "template", "upload", conference.slug, str(bad))
    assert result.exit_code == 1 and "lacks the required style “Commitment”" in result.output
    assert "uses ministry.docx" in cli("documents", "template", "show", conference.slug).output
    assert cli("documents", "template", "remove", conference.slug).exit_code == 0
    assert "default template" in cli("documents", "template", "show", conference.slug).output
