"""Mutated real exports (RIS, BibTeX, PubMed XML, MEDLINE): refused or read, never a crash.

Each shared export of ../shared/data/formats (read there, never copied into the
repository) is damaged at random, seeded: bytes replaced, inserted or cut,
hostile bytes (NUL, a lone quote or brace, invalid UTF-8, a BOM, CR) put in,
lines repeated. Every damaged file must either be read (records and problems
naming their lines) or be refused with a WorkbenchError naming it; it reads
the same twice; and where the streamed reader takes it, the stream gives the
records and problems of the whole-file reader.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from workbench.core.records import RECORD_FIELDS
from workbench.errors import WorkbenchError
from workbench.io.formats.references import read_export, stream_export

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "formats"
FOLDERS = {"ris": "*.ris*", "bibtex": "*.bib", "pubmed_xml": "*.xml", "pubmed_nbib": "*"}
HOSTILE = [b"\x00", b'"', b"{", b"}", b"@", b"\xff\xfe", b"\xe2\x80", b"\xef\xbb\xbf", b"\r",
           b"\n\n", b"ER  - \n", b"TY  - JOUR\n", b"<", b"</PubmedArticle>", b"&amp", b"PMID- ",
           b"  - ", b"\\", "é".encode("latin-1")]


def exports() -> list[Path]:
    found = []
    for folder, pattern in FOLDERS.items():
        files = sorted(p for p in (SHARED / folder).glob(pattern)
                       if p.is_file() and p.name != "MANIFEST.md" and p.stat().st_size < 400_000)
        found += files[:4]
    return found


def damage(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(max(len(out), 1))
        kind = rng.randrange(5)
        piece = rng.choice(HOSTILE) if rng.random() < 0.7 else rng.randbytes(rng.randint(1, 4))
        if kind == 0:
            out[at:at] = piece
        elif kind == 1:
            out[at:at + len(piece)] = piece
        elif kind == 2:
            del out[at:at + rng.randint(1, 40)]
        elif kind == 3:
            del out[at + rng.randint(0, 2000):]
        else:
            start, end = out.rfind(b"\n", 0, at) + 1, out.find(b"\n", at)
            if end > start:
                out[end + 1:end + 1] = out[start:end + 1] * rng.randint(1, 3)
    return bytes(out)


def read(path: Path):
    try:
        report = read_export(path, display_path=path.name)
    except WorkbenchError as exc:
        assert path.name in str(exc), str(exc)
        return ("refused", str(exc))
    for problem in report.problems:
        assert problem.path == path.name
    return ("read", [r.__dict__ for r in report.records], [str(p) for p in report.problems])


@pytest.mark.parametrize("source", exports() if SHARED.is_dir() else [],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_damaged_export_is_read_or_refused_by_name_never_a_crash(tmp_path, source):
    data = source.read_bytes()
    rng = random.Random(source.name)
    for n in range(10):
        path = tmp_path / f"{n}-{source.name}"
        path.write_bytes(damage(data, rng))
        first = read(path)
        assert read(path) == first   # the same twice
        stream = stream_export(path, path.name)
        if stream is None or first[0] != "read":
            continue
        records, problems = [], []
        for rows, found in stream.chunks:
            records += rows
            problems += [str(p) for p in found]
        assert problems == first[2], path.name
        assert len(records) == len(first[1]), path.name
        for row, whole in zip(records, first[1]):   # every field but where it is kept
            got = dict(zip(RECORD_FIELDS, row))
            assert {k: v for k, v in got.items() if k not in ("file", "database", "id")} == \
                {k: whole[k] for k in got if k not in ("file", "database", "id")}, path.name


def test_the_shared_exports_are_there(shared_data):
    assert len(exports()) >= 10
