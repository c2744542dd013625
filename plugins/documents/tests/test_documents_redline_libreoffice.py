"""The redline round-trips in another reader: LibreOffice, driven headless over UNO, accepts
every tracked change and must show exactly the newer revision, rejects every change and must
show exactly the older one (text, paragraphs and their numbers), for the hard cases: a first or
last paragraph inserted or deleted in each part, moved items, everything at once."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from alliance_conf.declarations import diff
from alliance_conf.testing.fixtures import IN_CI
from plugins.documents import builder
from plugins.documents.tests.support import CONTENT
from plugins.documents.tests.test_documents_redline import moved, revised

SCRIPT = Path(__file__).with_name("uno_tracked_changes.py")
SYSTEM_PYTHON = "/usr/bin/python3"
META = {
    "Letterhead",
    "Draft Mark",
    "Subtitle",
    "Document Note",
    "Reference Line",
    "Operative Lead-in",
}
CONFERENCE = SimpleNamespace(
    title="Ministerial conference",
    city="Brussels",
    venue="",
    start_date=date(2030, 3, 1),
    end_date=date(2030, 3, 2),
    timezone="Europe/Brussels",
)


def require_uno() -> None:
    found = shutil.which("soffice") and Path(SYSTEM_PYTHON).exists()
    if found:
        probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
        found = probe.returncode == 0
    if not found:
        message = "LibreOffice with python3-uno is needed: run scripts/test-services.sh as root"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _with(content, **changes):
    new = copy.deepcopy(content)
    for section, items in changes.items():
        new[section] = items(new[section])
    return new


EXTRA = {"key": "extra", "text": "An added paragraph, for the record."}
EXTRA_C = {"key": "extra", "title": "Added commitment", "text": "Something more to do."}
CASES = {
    "first preamble paragraph deleted": (CONTENT, _with(CONTENT, preamble=lambda p: p[1:])),
    "first preamble paragraph inserted": (CONTENT, _with(CONTENT, preamble=lambda p: [EXTRA, *p])),
    "last commitment deleted": (CONTENT, _with(CONTENT, commitments=lambda c: c[:-1])),
    "last commitment inserted": (CONTENT, _with(CONTENT, commitments=lambda c: [*c, EXTRA_C])),
    "last closing paragraph inserted": (CONTENT, _with(CONTENT, closing=lambda c: [*c, EXTRA])),
    "last closing paragraph deleted": (
        _with(CONTENT, closing=lambda c: [*c, EXTRA]),
        CONTENT,
    ),
    "only closing paragraph deleted": (CONTENT, _with(CONTENT, closing=lambda c: [])),
    "items moved": (CONTENT, moved(CONTENT)),
    "everything at once": (CONTENT, revised(CONTENT)),
}


def expected(content: dict) -> list[list[str]]:
    """(list label, text) of each paragraph, as the documents number them."""
    lines = builder.plain_text(content)
    labels = [""]
    labels += [f"PP{n}" for n in range(1, len(content.get("preamble", [])) + 1)]
    labels += [f"{n}." for n in range(1, len(content.get("commitments", [])) + 1)]
    labels += [f"CP{n}" for n in range(1, len(content.get("closing", [])) + 1)]
    return [[label, line] for label, line in zip(labels, lines, strict=True)]


def source(content: dict, number: int) -> builder.DeclarationSource:
    return builder.DeclarationSource(
        conference=CONFERENCE,
        title=content["title"],
        revision_number=number,
        revision_date=datetime(2030, 3, number, tzinfo=UTC),
        content=content,
        frozen=False,
        author="Organiser",
    )


def test_accept_all_gives_the_new_text_and_reject_all_the_old(tmp_path):
    require_uno()
    template = builder.default_template_bytes()
    files = {}
    for n, (name, (old, new)) in enumerate(CASES.items()):
        data = builder.build_comparison(
            template, source(old, 1), source(new, 2), diff.compare(old, new), change_author="X"
        )
        path = tmp_path / f"case-{n}.docx"
        path.write_bytes(data)
        files[str(path)] = name
    run = subprocess.run(
        [SYSTEM_PYTHON, str(SCRIPT), str(tmp_path / "office"), *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.strip().splitlines()[-1])
    for path, name in files.items():
        old, new = CASES[name]
        for mode, want in (("accept", new), ("reject", old)):
            got = [[label, text] for style, label, text in results[path][mode] if style not in META]
            assert got == expected(want), f"{name}, {mode} all"
