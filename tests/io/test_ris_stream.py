"""RIS exports read as a stream of records give exactly what the whole-file reader gave.

The whole-file reader of main at 70f1fdc is frozen in tests/io/ris_oracle.py.
`ris.ris_chunks` (which `parse_ris` and the streamed `import` both use) is
compared with it, record for record and problem for problem, on every RIS file
in ../shared/data/formats and tests/data, on perturbed re-exports of a shared
file (CRLF, BOM, Latin-1, a cut last record, a missing ER, blank lines inside a
record, repeated tags, very long lines, hostile text), cut into blocks at random
places, and on random RIS line soups. At the import level, a streamed import
equals the same import read whole (tests/review/test_import_stream.py helpers).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.io import ris_oracle
from workbench.core.records import RECORD_FIELDS
from workbench.io.formats import table_rows
from workbench.io.formats.encoding import decode_export
from workbench.io.formats.references import read_export, stream_export
from workbench.io.formats.ris import parse_ris, ris_chunks
from workbench.io.formats.table_rows import split_blocks

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "formats"
BASE = SHARED / "ris" / "asreview_embase.ris"


def _ris_files() -> list[Path]:
    shared = sorted((SHARED / "ris").glob("*.ris*")) if (SHARED / "ris").is_dir() else []
    return shared + sorted((REPO / "tests" / "data").glob("io_*/*.ris"))


def _blocks_of(text: str, rng: random.Random, most: int) -> list[str]:
    """The text cut at random places into pieces of 1..most characters."""
    pieces, at = [], 0
    while at < len(text):
        step = rng.randint(1, most)
        pieces.append(text[at:at + step])
        at += step
    return pieces


def assert_same(text: str, path: str = "t.ris", database: str = "", seed: int = 0) -> int:
    """parse_ris and ris_chunks over random blocks equal the frozen whole-file reader."""
    expected = ris_oracle.parse_ris(text, path, database)
    got = parse_ris(text, path, database)
    assert got.records == expected.records
    assert [r.__dict__ for r in got.records] == [r.__dict__ for r in expected.records]
    assert got.problems == expected.problems
    rng = random.Random(seed)
    for most in (1, 7, 64, 4096) if len(text) < 20_000 else (97, 4096, 1 << 16):
        records, problems = [], []
        for found, wrong in ris_chunks(split_blocks(_blocks_of(text, rng, most)), path,
                                       database):
            records.extend(found)
            problems.extend(wrong)
        assert records == expected.records and problems == expected.problems
    return len(expected.records)


@pytest.mark.parametrize("source", _ris_files(), ids=lambda p: p.name)
def test_every_shared_ris_file_reads_as_the_oracle_reads_it(source):
    text = decode_export(source.read_bytes(), str(source)).text
    assert_same(text, str(source))
    assert_same(text, str(source), database="Given")


def _base() -> str:
    if not BASE.is_file():
        pytest.skip("../shared/data is not present")
    return decode_export(BASE.read_bytes(), "b").text


def _variants(text: str) -> dict[str, str]:
    """Perturbed re-exports of one RIS file, as hand edits and other tools make them."""
    lines = text.split("\n")
    records = text.split("ER  - ")
    long_value = "word " * 60_000
    return {
        "crlf": text.replace("\n", "\r\n"),
        "cr": text.replace("\n", "\r"),
        "bom": "\ufeff" + text,
        "two-boms": "\ufeff\ufeff" + text,
        "truncated-last-record": text[:text.rfind("ER  - ")].rstrip() + "\nAB  - cut sh",
        "cut-mid-line": text[:len(text) * 2 // 3],
        "missing-er": "ER  - ".join(records[:2]) + "".join(records[2:4]) + "ER  - ".join(records[4:]),
        "blank-lines-inside": "\n".join(line + ("\n\n" if line.startswith(("TI", "AU")) else "")
                                        for line in lines),
        "repeated-tags": "\n".join(line + "\n" + line if line.startswith(("TI", "PY", "DO", "KW"))
                                   else line for line in lines),
        "very-long-lines": text.replace("AB  - ", "AB  - " + long_value, 3),
        "hostile": text.replace("TI  - ", 'TI  - "quoted" \\back\\ \t=cmd|\'/c calc\'!A0 '
                                          "\u2028ünï©\x01 ", 5),
        "no-trailing-newline": text.rstrip("\n"),
        "orphan-tags": "AU  - Nobody\nER  - \n" + text + "\nKW  - stray\n",
        "lowercase-and-one-space": text.replace("TY  - ", "TY - ", 2).replace("ER  - ", "er  - ", 2),
        "continuations": "\n".join(line + ("\n   continued here" if line.startswith("AB") else "")
                                   for line in lines),
        "numbered-ovid": "\n".join(("1. " if line.startswith("TY") else "") + line for line in lines),
        "empty": "",
        "blank-only": "\n \n\t\n",
        "no-record": "just some text\nmore text\n",
    }


@pytest.mark.parametrize("name", list(_variants("x")), ids=str)
def test_perturbed_re_exports_read_as_the_oracle_reads_them(name):
    text = _variants(_base())[name]
    assert_same(text, seed=len(name))


@pytest.mark.parametrize("name", ["crlf", "cr", "bom", "two-boms", "truncated-last-record",
                                  "missing-er", "blank-lines-inside", "repeated-tags",
                                  "very-long-lines", "hostile", "no-trailing-newline",
                                  "orphan-tags", "latin-1"])
def test_a_streamed_ris_file_gives_the_whole_file_records(tmp_path, monkeypatch, name):
    """stream_export over the bytes on disk (tiny blocks) equals read_export (the oracle's parse)."""
    text = _base()
    if name == "latin-1":
        data = text.replace("TI  - ", "TI  - caf\xe9 ", 40).encode("latin-1", "replace")
    else:
        text = _variants(text)[name]
        data = text.encode("utf-8")
    source = tmp_path / "v.ris"
    source.write_bytes(data)
    whole = read_export(source, "v.ris")
    oracle = ris_oracle.parse_ris(decode_export(data, "v.ris").text, "v.ris", whole_db(whole))
    assert whole.records == oracle.records or name == "latin-1"
    monkeypatch.setattr(table_rows, "BLOCK_BYTES", 97)
    stream = stream_export(source, "v.ris")
    if name == "latin-1":  # not UTF-8: read whole, the careful way
        if stream is not None:  # a damaged byte beyond the head read
            with pytest.raises(table_rows.NotStreamable):
                for _ in stream.chunks:
                    pass
        return
    assert stream.format == whole.format == "ris"
    rows, problems = [], []
    for found, wrong in stream.chunks:
        rows.extend(found)
        problems.extend(wrong)
    assert problems == whole.problems
    assert rows == [[r.__dict__[n] for n in RECORD_FIELDS] for r in whole.records]


def whole_db(report) -> str:
    """The database label read_export gave its parser (the same for every record, or "")."""
    labels = {r.database for r in report.records}
    return labels.pop() if len(labels) == 1 else ""


def test_records_come_out_before_the_file_ends():
    """The reader holds one list of lines at a time: an endless export still yields records."""
    record = ["TY  - JOUR", "TI  - A title", "AU  - Doe, J.", "ER  - ", ""]

    def endless():
        n = 0
        while True:
            n += 1
            yield record * 50 if n < 10_000 else pytest.fail("read to the end before yielding")

    chunks = ris_chunks(endless(), "e.ris")
    records, problems = next(chunks)
    assert len(records) == 50 and not problems
    assert records[0].line == 1 and records[-1].line == 246
    records, _ = next(chunks)
    assert records[0].line == 251 and records[0].key == "record 51"


_LINES = ["TY  - JOUR", "TY  - BOOK", "ER  - ", "ER  -", "TI  - A title", "TI  -", "T1  - Other",
          "AU  - Doe, J.", "A1  - Roe, R.", "AB  - An abstract", "   continued", "", " ",
          "KW  - one; two", "DO  - 10.1000/X", "PY  - 2020///", "SP  - 1", "EP  - 9", "DB  - Db",
          "ID  - key1", "UR  - https://doi.org/10.1/y", "1.", "free text", "ty  - jour",
          "AB - one space", "ZZ  - unknown", '"quoted"', "\ufeffTY  - JOUR", "\tAB  - tab",
          "N1  - 10.55/z", "SN  - 1234-5678", "\x00", "ü"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=40), st.integers(0, 2**16),
       st.booleans())
def test_random_ris_line_soups_read_as_the_oracle_reads_them(lines, seed, label):
    assert_same("\n".join(lines), database="L" if label else "", seed=seed)
