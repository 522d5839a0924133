"""MEDLINE (.nbib) exports read as a stream of records give exactly what the whole-file reader gave.

The whole-file reader of main at 70f1fdc is frozen in tests/io/medline_oracle.py.
`medline.medline_chunks` (which `parse_medline` and the streamed `import` both
use) is compared with it on every MEDLINE file in ../shared/data/formats and
tests/data, on perturbed re-exports cut into blocks at random places (CRLF, BOM,
a cut last entry, an entry without PMID, a broken line inside an entry, free
text between entries, very long lines, hostile text), and on random line soups.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.io import medline_oracle
from workbench.core.records import RECORD_FIELDS
from workbench.io.formats import table_rows
from workbench.io.formats.encoding import decode_export
from workbench.io.formats.medline import medline_chunks, parse_medline
from workbench.io.formats.references import read_export, stream_export
from workbench.io.formats.table_rows import split_blocks

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "formats"


def _files() -> list[Path]:
    folder = SHARED / "pubmed_nbib"
    shared = sorted(p for p in folder.iterdir() if p.name != "MANIFEST.md") \
        if folder.is_dir() else []
    return shared + sorted((REPO / "tests" / "data").glob("io_*/medline_*.nbib"))


def _blocks_of(text: str, rng: random.Random, most: int) -> list[str]:
    pieces, at = [], 0
    while at < len(text):
        step = rng.randint(1, most)
        pieces.append(text[at:at + step])
        at += step
    return pieces


def assert_same(text: str, path: str = "t.nbib", database: str = "PubMed", seed: int = 0) -> None:
    expected = medline_oracle.parse_medline(text, path, database)
    got = parse_medline(text, path, database)
    assert [r.__dict__ for r in got.records] == [r.__dict__ for r in expected.records]
    assert got.problems == expected.problems
    rng = random.Random(seed)
    for most in (1, 7, 64, 4096) if len(text) < 20_000 else (97, 4096, 1 << 16):
        records, problems = [], []
        for found, wrong in medline_chunks(split_blocks(_blocks_of(text, rng, most)), path,
                                           database):
            records.extend(found)
            problems.extend(wrong)
        assert records == expected.records and problems == expected.problems


@pytest.mark.parametrize("source", _files(), ids=lambda p: p.name)
def test_every_medline_file_reads_as_the_oracle_reads_it(source):
    text = decode_export(source.read_bytes(), str(source)).text
    assert_same(text, str(source))


def _base() -> str:
    path = REPO / "tests" / "data" / "io_b" / "medline_good.nbib"
    return path.read_text(encoding="utf-8") * 3


def _variants(text: str) -> dict[str, str]:
    entries = text.split("\n\n")
    return {
        "crlf": text.replace("\n", "\r\n"),
        "bom": "\ufeff" + text,
        "cut-last-entry": text[:len(text) - 40],
        "no-pmid": text.replace("PMID- ", "XXXX- ", 1),
        "broken-line": text.replace("\nTI  - ", "\nthis is not a tag\nTI  - ", 2),
        "broken-then-no-pmid": "\n\n".join(e.replace("PMID- ", "OWN - ").replace(
            "\nAB  - ", "\n!broken\nAB  - ") for e in entries),
        "free-text-between": "\n\n1. a numbering line\n\n".join(entries),
        "no-blank-lines": text.replace("\n\n", "\n"),
        "very-long-lines": text.replace("AB  - ", "AB  - " + "word " * 50_000, 2),
        "hostile": text.replace("TI  - ", 'TI  - "q" \\b\\ \t=cmd|\'/c\'!A0 \u2028ü\x01 '),
        "repeated-tags": text.replace("\nAU  - ", "\nAU  - Again\nAU  - "),
        "empty": "",
    }


@pytest.mark.parametrize("name", list(_variants("x\n\ny")), ids=str)
def test_perturbed_re_exports_read_as_the_oracle_reads_them(name):
    assert_same(_variants(_base())[name], seed=len(name))


@pytest.mark.parametrize("name", ["crlf", "bom", "cut-last-entry", "no-pmid", "broken-line",
                                  "broken-then-no-pmid", "very-long-lines", "hostile"])
def test_a_streamed_medline_file_gives_the_whole_file_records(tmp_path, monkeypatch, name):
    source = tmp_path / "v.nbib"
    source.write_bytes(_variants(_base())[name].encode("utf-8"))
    whole = read_export(source, "v.nbib")
    monkeypatch.setattr(table_rows, "BLOCK_BYTES", 61)
    stream = stream_export(source, "v.nbib")
    assert stream.format == whole.format == "medline"
    rows, problems = [], []
    for found, wrong in stream.chunks:
        rows.extend(found)
        problems.extend(wrong)
    assert problems == whole.problems
    assert rows == [[r.__dict__[n] for n in RECORD_FIELDS] for r in whole.records]


_LINES = ["PMID- 31000001", "PMID- 2", "TI  - A title", "      continued", "AB  - Abstract", "",
          " ", "FAU - Doe, Jane", "AU  - Doe J", "DP  - 2020 Jan", "LID - 10.1/x [doi]",
          "AID - 10.2/y [pii]", "IS  - 1234-5678 (Electronic)", "MH  - Humans", "OT  - tag",
          "not a tag", "1. numbering", "JT  - Journal", "PT  - Review", "TI  -", "\tTAB",
          "PMID-", "ü", "\ufeffPMID- 9", "ABCDE- 5"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=40), st.integers(0, 2**16))
def test_random_medline_line_soups_read_as_the_oracle_reads_them(lines, seed):
    assert_same("\n".join(lines), seed=seed)
