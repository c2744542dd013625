"""Each kind of document opens in LibreOffice: converted to PDF, its pages counted and its text
read back (poppler-utils). In CI a missing LibreOffice fails the run instead of skipping."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from alliance_conf.testing.fixtures import IN_CI
from plugins.documents import operations
from plugins.documents.samples import sample_rows
from plugins.documents.tests.support import CONTENT
from plugins.documents.tests.test_documents_redline import revised

TOOLS = ("soffice", "pdfinfo", "pdftotext")


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = (
            f"{', '.join(missing)} not installed: run scripts/test-services.sh as root "
            "(libreoffice-writer-nogui, poppler-utils)"
        )
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    line = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def pdf_text(path) -> str:
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def test_every_document_converts_to_pdf(
    tmp_path,
    make_declaration,
    make_delegation,
    make_user,
    make_registration,
    conference,
    signatures,
):
    require_tools()
    declaration = make_declaration(CONTENT, revised(CONTENT), freeze=True)
    delegations = [
        make_delegation(conference, code, group="eu_member") for code in ("FR", "DE", "IT", "BE")
    ]
    make_registration(
        delegations[0],
        make_user("delegate", full_name="Marie Curie"),
        consent_participant_list=True,
    )
    keys = [c["key"] for c in declaration.frozen_revision.content["commitments"]]
    signatures.rows_by_declaration[declaration.id] = sample_rows(delegations, keys, partial_every=2)
    documents = {
        "final": operations.final_declaration(declaration),
        "draft": operations.draft_revision(declaration, 1),
        "redline": operations.comparison(declaration, 1, 2),
        "participants": operations.participant_list(conference),
    }
    for name, data in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(tmp_path / f"{name}.docx") for name in documents),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pdfs = {name: tmp_path / f"{name}.pdf" for name in documents}
    assert all(path.exists() for path in pdfs.values()), result.stdout + result.stderr

    first_commitment = CONTENT["commitments"][0]["text"]
    for name, path in pdfs.items():
        if name != "participants":
            assert first_commitment in pdf_text(path), name

    final_pages = pdf_pages(pdfs["final"])
    assert final_pages >= 3  # the text, then each annex on a new page
    final_text = pdf_text(pdfs["final"])
    assert f"Page 1 of {final_pages}" in final_text  # the fields are real: LibreOffice filled them
    assert "Signature record" in final_text and declaration.text_hash in final_text
    assert "Endorses commitments 1 and 2 only" in final_text
    assert "DRAFT" not in final_text

    assert pdf_pages(pdfs["draft"]) == 1
    draft_text = pdf_text(pdfs["draft"])
    assert "DRAFT" in draft_text and "PP1" in draft_text and "Page 1 of 1" in draft_text

    assert pdf_pages(pdfs["redline"]) >= 1
    redline_text = pdf_text(pdfs["redline"])
    assert "Working with industry" in redline_text and "Raising awareness" in redline_text

    assert pdf_pages(pdfs["participants"]) == 1
    assert "Marie Curie" in pdf_text(pdfs["participants"])
