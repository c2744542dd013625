"""The gettext catalogues of the core and of each plugin: extract, update, compile.

    python scripts/translations.py update     # extract marked strings, update every .po
    python scripts/translations.py compile    # .po -> .mo (make install runs this)
    python scripts/translations.py init LANG  # start a catalogue for a new language

Each catalogue covers one package: ``alliance_conf/`` (core) and ``plugins/<name>/``. Compiled
``.mo`` files are build output and not committed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = ["_l", "_nl:1,2", "lazy_gettext", "lazy_ngettext:1,2"]


def packages() -> list[Path]:
    """Every package that owns a catalogue: the core, then each first-party plugin."""
    plugins = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file())
    return [ROOT / "alliance_conf", *plugins]


def babel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def catalogue_languages(package: Path) -> list[str]:
    folder = package / "translations"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "LC_MESSAGES").is_dir())


def extract(package: Path, pot: Path) -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    babel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *keywords,
        "--no-location",
        "--sort-output",
        "--omit-header",
        "--ignore-dirs",
        "tests",
        "-o",
        str(pot),
        str(package),
    )


def update() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for package in packages():
            pot = Path(tmp) / f"{package.name}.pot"
            extract(package, pot)
            for language in catalogue_languages(package):
                babel(
                    "update",
                    "-i",
                    str(pot),
                    "-d",
                    str(package / "translations"),
                    "-l",
                    language,
                    "--no-fuzzy-matching",
                    "--ignore-pot-creation-date",
                    "--ignore-obsolete",
                )


def init(language: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for package in packages():
            pot = Path(tmp) / f"{package.name}.pot"
            extract(package, pot)
            if language in catalogue_languages(package):
                continue
            babel(
                "init",
                "-i",
                str(pot),
                "-d",
                str(package / "translations"),
                "-l",
                language,
                "--no-wrap",
            )


def compile_all() -> None:
    for package in packages():
        if catalogue_languages(package):
            babel("compile", "-d", str(package / "translations"))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "init" and len(sys.argv) == 3:
        init(sys.argv[2])
    else:
        sys.exit(__doc__)
