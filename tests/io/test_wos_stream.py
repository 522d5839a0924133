"""Web of Science plain-text exports read as a stream of records give exactly what the whole-file
reader gave.

The whole-file reader of main at 9cbe31b is frozen in tests/io/wos_oracle.py.
`wos.wos_chunks` (which `parse_wos` and the streamed `import` both use) is
compared with it on every Web of Science plain-text file in ../shared/data/formats
and tests/data, on perturbed re-exports cut into blocks at random places (CRLF,
lone CR, BOMs, a cut last record, a record without ER, broken and recovered tag
lines, continuation lines, free text between records, very long lines, hostile
text, NUL bytes), and on random line soups.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.io import wos_oracle
from workbench.core.records import RECORD_FIELDS
from workbench.io.formats import table_rows
from workbench.io.formats.encoding import decode_export
from workbench.io.formats.references import read_export, stream_export
from workbench.io.formats.table_rows import split_blocks
from workbench.io.formats.wos import parse_wos, wos_chunks

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "formats"


def _files() -> list[Path]:
    folder = SHARED / "wos_plaintext"
    shared = sorted(p for p in folder.iterdir() if p.name != "MANIFEST.md") \
        if folder.is_dir() else []
    return shared + sorted((REPO / "tests" / "data").glob("io_*/wos_*.txt"))


def _blocks_of(text: str, rng: random.Random, most: int) -> list[str]:
    pieces, at = [], 0
    while at < len(text):
        step = rng.randint(1, most)
        pieces.append(text[at:at + step])
        at += step
    return pieces


def assert_same(text: str, path: str = "t.txt", database: str = "Web of Science",
                seed: int = 0) -> None:
    expected = wos_oracle.parse_wos(text, path, database)
    got = parse_wos(text, path, database)
    assert [r.__dict__ for r in got.records] == [r.__dict__ for r in expected.records]
    assert got.problems == expected.problems
    rng = random.Random(seed)
    for most in (1, 7, 64, 4096) if len(text) < 20_000 else (97, 4096, 1 << 16):
        records, problems = [], []
        for found, wrong in wos_chunks(split_blocks(_blocks_of(text, rng, most)), path, database):
            records.extend(found)
            problems.extend(wrong)
        assert records == expected.records and problems == expected.problems


def test_the_shared_files_are_there():
    assert len(_files()) >= 14 or not SHARED.is_dir()


@pytest.mark.parametrize("source", _files(), ids=lambda p: p.name)
def test_every_wos_file_reads_as_the_oracle_reads_it(source):
    text = decode_export(source.read_bytes(), str(source)).text
    assert_same(text, str(source))


def _base() -> str:
    text = (SHARED / "wos_plaintext" / "metaknowledge_testFile.isi")
    if not text.is_file():
        text = REPO / "tests" / "data" / "io_b" / "wos_good.txt"
    return decode_export(text.read_bytes(), str(text)).text


def _variants(text: str) -> dict[str, str]:
    records = text.split("\nER\n")
    return {
        "crlf": text.replace("\n", "\r\n"),
        "lone-cr": text.replace("\n", "\r"),
        "bom": "\ufeff" + text,
        "two-boms": "\ufeff\ufeff" + text,
        "cut-last-record": text[:len(text) - 200],
        "cut-mid-line": text[:len(text) // 2],
        "no-er": text.replace("\nER\n", "\n", 2),
        "no-ef": text.replace("\nEF", "\n"),
        "broken-line": text.replace("\nTI ", "\nthis is not a tag\nTI ", 2),
        "recovered-tag": text.replace("\nAU ", "\nAUGilles, H\nAU ", 2),
        "continuation-after-broken": text.replace("\nTI ", "\n!!broken\n   continued\nTI ", 2),
        "orphan-tags": "AU Nobody\nER\n" + text.replace("\nPT ", "\nXX before\nPT ", 1),
        "free-text-between": "\nER\n\nsome text between\n\n".join(records),
        "blank-lines-inside": text.replace("\nAU ", "\n\n\nAU "),
        "very-long-lines": text.replace("\nAB ", "\nAB " + "word " * 50_000, 2),
        "hostile": text.replace("\nTI ", '\nTI "q" \\b\\ \t=cmd|\'/c\'!A0 \u2028ü\x01 '),
        "trailing-spaces": text.replace("\n", "  \n"),
        "empty": "",
        "blank-only": "\n\n  \n",
    }


@pytest.mark.parametrize("name", list(_variants("x")), ids=str)
def test_perturbed_re_exports_read_as_the_oracle_reads_them(name):
    assert_same(_variants(_base())[name], seed=len(name))


@pytest.mark.parametrize("name", ["crlf", "lone-cr", "bom", "two-boms", "cut-last-record",
                                  "no-er", "broken-line", "recovered-tag", "very-long-lines",
                                  "hostile", "orphan-tags"])
def test_a_streamed_wos_file_gives_the_whole_file_records(tmp_path, monkeypatch, name):
    source = tmp_path / "savedrecs.txt"
    source.write_bytes(_variants(_base())[name].encode("utf-8"))
    whole = read_export(source, "savedrecs.txt")
    monkeypatch.setattr(table_rows, "BLOCK_BYTES", 61)
    stream = stream_export(source, "savedrecs.txt")
    assert stream is not None and stream.format == whole.format == "wos"
    rows, problems = [], []
    for found, wrong in stream.chunks:
        rows.extend(found)
        problems.extend(wrong)
    assert problems == whole.problems
    assert rows == [[r.__dict__[n] for n in RECORD_FIELDS] for r in whole.records]


def test_a_wos_file_with_nul_bytes_is_read_whole(tmp_path):
    source = tmp_path / "savedrecs.txt"
    source.write_bytes(_base().replace("\nTI ", "\nTI \x00", 1).encode("utf-8"))
    assert stream_export(source, "savedrecs.txt") is None  # read_export sets the record aside
    assert read_export(source, "savedrecs.txt").problems


_LINES = ["FN Clarivate Analytics Web of Science", "VR 1.0", "PT J", "AU Doe, J", "AU Roe, R",
          "AF Doe, Jane", "   Roe, Richard", "TI A title", "   continued", "SO JOURNAL",
          "PY 2020", "DI 10.1/x", "UT WOS:000123456700001", "ER", "EF", "", "  ", "XX unknown",
          "AUGilles, H", "not a tag", "1. numbering", "PT", "ER extra", "\ufeffPT J", "ü",
          "AB NA", "DE a; b; NA", "PM 123", "C1 [Doe] Univ", "\tTAB", "EF trailing"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=40), st.integers(0, 2**16))
def test_random_wos_line_soups_read_as_the_oracle_reads_them(lines, seed):
    assert_same("\n".join(lines), seed=seed)
