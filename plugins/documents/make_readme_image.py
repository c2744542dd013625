"""Render the first page of the seed conference's final declaration to ``docs/``.

    .venv/bin/python -m plugins.documents.make_readme_image

Builds a throw-away SQLite database with the seed conference, opens its declaration for
signature, lets twelve delegations sign through a sample signature provider (the signatures
plugin is not needed), generates the final declaration and converts it with LibreOffice and
poppler-utils (``soffice``, ``pdftoppm``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "final-declaration.png"


def generate(workdir: Path) -> Path:
    from alliance_conf import create_app
    from alliance_conf.declarations import operations as declaration_ops
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
        declaration_ops.transition(declaration, "consultation", actor=None)
        declaration_ops.transition(declaration, "open", actor=None)
        db.session.commit()
        delegations = db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.conference_id == result.conference.id)
            .order_by(Delegation.name)
        ).all()[:12]
        keys = [c["key"] for c in declaration.frozen_revision.content["commitments"]]
        provider = StaticSignatures({declaration.id: sample_rows(delegations, keys)})
        get_registry(app).manager.register(provider, name="sample-signatures")
        target = workdir / "final-declaration.docx"
        target.write_bytes(operations.final_declaration(declaration))
    return target


def main() -> int:
    tools = {tool: shutil.which(tool) for tool in ("soffice", "pdftoppm")}
    for tool, path in tools.items():
        if path is None:
            print(f"{tool} is missing: run scripts/test-services.sh as root", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="alliance-docs-") as temp:
        workdir = Path(temp)
        docx = generate(workdir)
        subprocess.run(  # noqa: S603 - our own fixed arguments
            [
                tools["soffice"],
                f"-env:UserInstallation=file://{workdir / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(workdir),
                str(docx),
            ],
            check=True,
            capture_output=True,
        )
        prefix = workdir / "page"
        subprocess.run(  # noqa: S603 - our own fixed arguments
            [
                tools["pdftoppm"],
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(docx.with_suffix(".pdf")),
                str(prefix),
            ],
            check=True,
        )
        OUTPUT.parent.mkdir(exist_ok=True)
        shutil.copyfile(prefix.with_suffix(".png"), OUTPUT)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
