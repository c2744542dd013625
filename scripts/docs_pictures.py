"""Make the README's generated pictures again (they are committed; this is how they were made).

    .venv/bin/python scripts/docs_pictures.py badge     # docs/badge.png
    .venv/bin/python scripts/docs_pictures.py plenary   # docs/screenshot-plenary.png
    .venv/bin/python scripts/docs_pictures.py french    # docs/screenshot-signing-french.png
    .venv/bin/python scripts/docs_pictures.py all

``badge``: a throw-away SQLite database with the seed conference; the seed's Belgian minister
(Hélène Dubois, head of delegation) gets a badge, printed in French by the badges code
(``alliance_conf/badges/pdf.py``), and the PDF page becomes a PNG with
``pdftoppm -png -r 110 -singlefile`` (poppler-utils). ``plenary``: the browser test of the
plenary screen with ``ALLIANCE_DOCS_PICTURES=1`` (see tests/browser/test_plenary.py);
``french``: the French browser journey, the same way.
Nothing of the generated databases is kept.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def badge() -> Path:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from alliance_conf import create_app
    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.badges import pdf
    from alliance_conf.badges.operations import issue_badge
    from alliance_conf.demo.operations import load_demo
    from alliance_conf.extensions import db
    from alliance_conf.registrations.models import Registration

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="alliance-docs-") as work:
        work_dir = Path(work)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work_dir / 'docs.db'}",
                "SECRET_KEY": secrets.token_urlsafe(48),
                "PASSWORD_HASH_CHEAP": True,
                "MAIL_SERVER": None,
            },
            instance_path=str(work_dir / "instance"),
        )
        with app.app_context():
            upgrade(revision="heads")
            result = load_demo()
            db.session.commit()
            head = result.accounts["head"]
            organiser = find_user_by_email(result.accounts["organiser"].email)
            registration = db.session.scalar(
                sa.select(Registration).where(Registration.user_id == head.id)
            )
            badge = issue_badge(registration, actor=organiser)
            db.session.commit()
            pdf_path = work_dir / "badge.pdf"
            pdf_path.write_bytes(pdf.render([badge], language="fr"))
            db.session.remove()
            db.engine.dispose()
        subprocess.run(  # noqa: S603 - a fixed command on a file we wrote
            [pdftoppm, "-png", "-r", "110", "-singlefile", str(pdf_path), str(work_dir / "badge")],
            check=True,
        )
        target = DOCS / "badge.png"
        shutil.copyfile(work_dir / "badge.png", target)
    return target


def plenary() -> Path:
    env = {**os.environ, "ALLIANCE_DOCS_PICTURES": "1"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "tests/browser/test_plenary.py", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return DOCS / "screenshot-plenary.png"


def french_signing() -> Path:
    env = {**os.environ, "ALLIANCE_DOCS_PICTURES": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/browser/test_french_journey.py",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return DOCS / "screenshot-signing-french.png"


def main(argv: list[str]) -> None:
    makers = {
        "badge": [badge],
        "plenary": [plenary],
        "french": [french_signing],
        "all": [badge, plenary, french_signing],
    }
    if len(argv) != 1 or argv[0] not in makers:
        sys.exit(f"usage: {Path(__file__).name} {'|'.join(makers)}")
    for make in makers[argv[0]]:
        path = make()
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
