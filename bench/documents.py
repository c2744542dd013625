"""Benchmark of the Word documents plugin (not part of the test suite).

    .venv/bin/python bench/documents.py [--runs 5]

Generates the final declaration for 200 signatory delegations, 50 commitments and 40
reservations, and a redline between two 50-commitment revisions, and prints each time beside a
bare python-docx baseline that writes the same text with no template, numbering, fields or
tracked-change logic; then the ratio and the peak memory (tracemalloc). Targets: final
declaration under 1 s and within 1.5 x the baseline.

Then the sealed PDF of that final declaration: PDF/A-2b conversion by LibreOffice headless and
the PAdES seal by pyHanko (a throw-away self-signed certificate), timed apart and together.
Target: the sealed PDF under 5 s. Needs ``soffice`` (scripts/test-services.sh).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document

from alliance_conf.declarations.diff import compare
from alliance_conf.hooks import SignatureRow, SignatureStatement
from plugins.documents import builder

WORDS = [
    "children",
    "online",
    "abuse",
    "victims",
    "offenders",
    "prosecute",
    "identify",
    "assist",
    "protect",
    "awareness",
    "material",
    "cooperation",
    "international",
    "law",
    "enforcement",
    "industry",
    "reporting",
    "hotlines",
    "removal",
    "images",
    "platforms",
    "survivors",
    "prevention",
    "education",
    "parents",
    "schools",
    "research",
    "data",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_content(rng: random.Random, commitments: int = 50) -> dict:
    return {
        "title": "Declaration on launching the Global Alliance against Child Sexual Abuse Online",
        "preamble": [{"key": f"p{i}", "text": sentence(rng, 45)} for i in range(4)],
        "commitments": [
            {"key": f"c{i}", "title": sentence(rng, 5)[:-1], "text": sentence(rng, 60)}
            for i in range(commitments)
        ],
        "closing": [{"key": f"z{i}", "text": sentence(rng, 30)} for i in range(2)],
    }


def revise(rng: random.Random, content: dict) -> dict:
    new = {**content, "commitments": [dict(c) for c in content["commitments"]]}
    for item in rng.sample(new["commitments"], 20):
        words = item["text"].split()
        for _ in range(6):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        item["text"] = " ".join(words)
    del new["commitments"][10:13]
    new["commitments"].insert(
        5, {"key": "new1", "title": "New commitment", "text": sentence(rng, 40)}
    )
    new["commitments"][30], new["commitments"][40] = new["commitments"][40], new["commitments"][30]
    return new


def make_rows(rng: random.Random, content: dict, count: int = 200, reservations: int = 40):
    keys = tuple(c["key"] for c in content["commitments"])
    rows = []
    start = datetime(2012, 12, 5, 10, tzinfo=UTC)
    for n in range(count):
        statements = ()
        if n < reservations:
            statements = (
                SignatureStatement("reservation", sentence(rng, 35), keys[n % len(keys)]),
            )
        partial = n % 9 == 0
        rows.append(
            SignatureRow(
                delegation_id=n,
                delegation_name=f"Delegation {n:03d}",
                country_code=None if n % 20 == 0 else "XX",
                group="partner",
                signatory_name=f"Signatory Name {n}",
                signatory_title="Minister of Justice",
                signed_at=start + timedelta(minutes=n),
                endorsed_commitment_keys=keys[:-3] if partial else keys,
                endorses_all=not partial,
                statements=statements,
                verification_code=f"{n:04X}-{n * 7:04X}",
                verification_url=f"https://alliance-conf.example.org/verify/{n:08x}",
            )
        )
    return rows


CONFERENCE = SimpleNamespace(
    title="Launch of the Global Alliance against Child Sexual Abuse Online",
    city="Brussels",
    venue="",
    start_date=date(2012, 12, 5),
    end_date=date(2012, 12, 5),
    timezone="Europe/Brussels",
)


def source(content: dict, number: int, frozen: bool) -> builder.DeclarationSource:
    return builder.DeclarationSource(
        conference=CONFERENCE,
        title=content["title"],
        revision_number=number,
        revision_date=datetime(2012, 12, 4, 18, tzinfo=UTC),
        content=content,
        frozen=frozen,
        author=CONFERENCE.title,
    )


# --- the plugin ------------------------------------------------------------------------------


def plugin_final(template, content, rows) -> bytes:
    final = builder.FinalSource(
        declaration=source(content, 3, True),
        text_hash="0" * 64,
        frozen_at=datetime(2012, 12, 4, 18, tzinfo=UTC),
        rows=rows,
    )
    return builder.build_final(template, final)


def plugin_redline(template, old, new) -> bytes:
    return builder.build_comparison(
        template, source(old, 2, False), source(new, 3, False), compare(old, new), change_author="x"
    )


# --- the baseline: bare python-docx, the same text ---------------------------------------------


def _save(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def baseline_final(content, rows) -> bytes:
    document = Document()
    document.add_paragraph(content["title"], style="Title")
    document.add_paragraph("Brussels, 5 December 2012")
    for item in content["preamble"]:
        document.add_paragraph(item["text"])
    for n, item in enumerate(content["commitments"], 1):
        paragraph = document.add_paragraph(f"{n}. ")
        paragraph.add_run(item["title"]).bold = True
        paragraph.add_run().add_break()
        paragraph.add_run(item["text"])
    for item in content["closing"]:
        document.add_paragraph(item["text"])
    document.add_paragraph("Signed at Brussels on 5 December 2012.")
    document.add_heading("Signatories", 1)
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ("Country", "Signatory", "Title", "Date"), strict=True
    ):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        cells[0].text = row.delegation_name
        cells[1].text = row.signatory_name
        cells[2].text = row.signatory_title
        cells[3].text = f"{row.signed_at:%d %B %Y}"
    document.add_heading("Annex I - Statements and reservations", 1)
    for row in rows:
        if row.statements:
            document.add_heading(row.delegation_name, 2)
            for statement in row.statements:
                document.add_paragraph(f"Reservation: {statement.text}")
    document.add_heading("Annex II - Signature record", 1)
    document.add_paragraph("0" * 64)
    table = document.add_table(rows=1, cols=4)
    for row in rows:
        cells = table.add_row().cells
        cells[0].text = row.delegation_name
        cells[1].text = f"{row.signed_at:%Y-%m-%d %H:%M}"
        cells[2].text = row.verification_code
        cells[3].text = row.verification_url
    return _save(document)


def baseline_redline(old, new) -> bytes:
    """The same words (old and new) as plain runs: no tracked changes, no numbering."""
    result = compare(old, new)
    document = Document()
    document.add_paragraph(new["title"], style="Title")
    for section in result["sections"]:
        for item in section["items"]:
            paragraph = document.add_paragraph()
            for segment in (item["title_ops"] or []) + item["text_ops"]:
                paragraph.add_run(segment["text"] + " ")
    return _save(document)


# --- measuring --------------------------------------------------------------------------------


def timed(function, runs: int) -> tuple[float, int]:
    function()  # warm caches (template bytes, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        data = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(data)


def peak_memory(function) -> float:
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_000_000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(2012)
    old = make_content(rng)
    new = revise(rng, old)
    rows = make_rows(rng, new)
    template = builder.default_template_bytes()
    cases = [
        (
            "final declaration (200 signatories, 50 commitments, 40 reservations)",
            lambda: plugin_final(template, new, rows),
            lambda: baseline_final(new, rows),
        ),
        (
            "redline (two 50-commitment revisions)",
            lambda: plugin_redline(template, old, new),
            lambda: baseline_redline(old, new),
        ),
    ]
    print(f"median of {args.runs} runs; peak memory with tracemalloc")
    print(
        f"{'document':<70} {'plugin':>9} {'baseline':>9} {'ratio':>6} {'peak MB':>8} {'size KB':>8}"
    )
    failures = []
    for label, plugin, baseline in cases:
        plugin_time, size = timed(plugin, args.runs)
        baseline_time, _ = timed(baseline, args.runs)
        ratio = plugin_time / baseline_time
        peak = peak_memory(plugin)
        print(
            f"{label:<70} {plugin_time:>8.3f}s {baseline_time:>8.3f}s {ratio:>5.2f}x "
            f"{peak:>8.1f} {size / 1000:>8.0f}"
        )
        if label.startswith("final") and (plugin_time >= 1.0 or ratio > 1.5):
            failures.append(f"{label}: {plugin_time:.3f}s, {ratio:.2f}x the baseline")
    failures += sealed_pdf(template, new, rows, max(1, min(args.runs, 3)))
    if failures:
        print("target missed: " + "; ".join(failures))
        return 1
    print(
        "targets met: final declaration under 1 s and within 1.5x the baseline; sealed PDF under 5 s"
    )
    return 0


def sealed_pdf(template, content, rows, runs: int) -> list[str]:
    """Time the PDF/A conversion and the seal of the 200-signatory final declaration."""
    import tempfile

    from plugins.documents import seal

    docx = plugin_final(template, content, rows)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench-seal.p12"
        seal.make_demo_key(path, "bench seal", None)
        key = seal.load_sealing_key(str(path), None)
        converted, sealed, total = [], [], []
        for _ in range(runs):
            start = time.perf_counter()
            pdf = seal.to_pdfa(docx)
            middle = time.perf_counter()
            out = seal.seal_pdf(pdf, key, reason="bench", location="Brussels", name="bench")
            end = time.perf_counter()
            converted.append(middle - start)
            sealed.append(end - middle)
            total.append(end - start)
    label = "sealed PDF/A-2b of the final declaration (200 signatories)"
    print(
        f"{label:<70} {statistics.median(total):>8.3f}s  (conversion "
        f"{statistics.median(converted):.3f}s, seal {statistics.median(sealed):.3f}s; "
        f"{len(out) / 1000:.0f} KB, median of {runs})"
    )
    if statistics.median(total) >= 5.0:
        return [f"{label}: {statistics.median(total):.3f}s"]
    return []


if __name__ == "__main__":
    sys.exit(main())
