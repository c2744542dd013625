"""Render page 1 and the signature page of the seed conference's final declaration to
``docs/``, with the validation report of its sealed PDF.

    .venv/bin/python -m plugins.documents.make_readme_image

Builds a throw-away SQLite database with the seed conference, opens its declaration for
signature, lets twelve delegations sign through a sample signature provider (the signatures
plugin is not needed), generates the final declaration, converts it to PDF/A-2b with LibreOffice
and seals it with a throw-away self-signed certificate (the plugin's own code), renders the
pages with poppler-utils (``pdftoppm``) and validates the seal with ``pyhanko sign validate``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "final-declaration.png"
SIGNATURES = ROOT / "docs" / "final-declaration-signatures.png"
VALIDATION = ROOT / "docs" / "sealed-declaration-validation.txt"


def generate(workdir: Path) -> Path:
    from alliance_conf import create_app
    from alliance_conf.declarations import transitions
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.demo.operations import load_demo
    from alliance_conf.extensions import db
    from alliance_conf.plugins import get_registry
    from alliance_conf.testing.fixtures import migrate_to_heads
    from plugins.documents import operations
    from plugins.documents.samples import StaticSignatures, sample_rows

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'seed.db'}", "SECRET_KEY": "x" * 40},
        instance_path=str(workdir / "instance"),
    )
    migrate_to_heads(app)
    with app.app_context():
        result = load_demo()
        db.session.commit()
        declaration = db.session.scalar(
            sa.select(Declaration).where(Declaration.conference_id == result.conference.id)
        )
        transitions.transition(declaration, "consultation", actor=None)
        transitions.transition(declaration, "open", actor=None)
        db.session.commit()
        delegations = db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.conference_id == result.conference.id)
            .order_by(Delegation.name)
        ).all()[:12]
        keys = [c["key"] for c in declaration.frozen_revision.content["commitments"]]
        # Signed in the hour after the text was opened for signature, as they would be.
        start = declaration.frozen_at.replace(tzinfo=UTC) + timedelta(hours=1)
        rows = sample_rows(delegations, keys, start=start)
        provider = StaticSignatures({declaration.id: rows})
        get_registry(app).manager.register(provider, name="sample-signatures")
        target = workdir / "final-declaration.docx"
        target.write_bytes(operations.final_declaration(declaration))
    return target


def _render(pdf: Path, page: int, target: Path, pdftoppm: str) -> None:
    prefix = pdf.with_name(f"page-{page}")
    subprocess.run(  # noqa: S603 - our own fixed arguments
        [
            *(pdftoppm, "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile"),
            *(str(pdf), str(prefix)),
        ],
        check=True,
    )
    shutil.copyfile(prefix.with_suffix(".png"), target)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


def _signature_page(pdf: Path, pdftotext: str) -> int:
    text = subprocess.run(  # noqa: S603 - our own fixed arguments
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for number, page in enumerate(text.split("\f"), 1):
        if "Signatures" in page and "For " in page:
            return number
    return 1


def main() -> int:
    from plugins.documents import seal

    tools = {tool: shutil.which(tool) for tool in ("soffice", "pdftoppm", "pdftotext")}
    for tool, path in tools.items():
        if path is None:
            print(f"{tool} is missing: run scripts/test-services.sh as root", file=sys.stderr)
            return 1
    pyhanko = Path(sys.executable).with_name("pyhanko")
    with tempfile.TemporaryDirectory(prefix="alliance-docs-") as temp:
        workdir = Path(temp)
        docx = generate(workdir)
        certificate = workdir / "seal.pem"
        certificate.write_bytes(
            seal.make_demo_key(workdir / "seal.p12", "alliance-conf demonstration seal", None)
        )
        key = seal.load_sealing_key(str(workdir / "seal.p12"), None)
        pdf = workdir / "final-declaration.pdf"
        pdf.write_bytes(
            seal.seal_pdf(
                seal.to_pdfa(docx.read_bytes()),
                key,
                reason="Final text with 12 signatures",
                location="Brussels",
                name="Global Alliance",
            )
        )
        OUTPUT.parent.mkdir(exist_ok=True)
        _render(pdf, 1, OUTPUT, tools["pdftoppm"])
        _render(pdf, _signature_page(pdf, tools["pdftotext"]), SIGNATURES, tools["pdftoppm"])
        report = subprocess.run(  # noqa: S603 - our own fixed arguments
            [
                *(str(pyhanko), "sign", "validate", "--pretty-print", "--no-revocation-check"),
                *("--trust", str(certificate), "--trust-replace", str(pdf)),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        VALIDATION.write_text(
            "$ pyhanko sign validate --pretty-print --no-revocation-check "
            "--trust seal.pem --trust-replace final-declaration.pdf\n" + report
        )
        print(f"wrote {VALIDATION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
