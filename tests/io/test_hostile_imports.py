"""Fuzz `workbench import` with damaged copies of the shared real exports (issue 20b).

Each clean export in ../shared/data/formats is mutated (truncated, bits flipped, NUL
bytes, invalid UTF-8, CR line-end mixtures) with a seeded random generator, imported
through the CLI, and must end one of two ways:

- exit 0, and every record the mutation did not touch is imported with its title
  unchanged (compared with the clean file's parse), or
- exit 1, a message naming `path:line`, and nothing imported (references/ unchanged).

Never a traceback. A mutation "touches" the record whose lines hold the mutated byte;
a mutation before the first record (a table's header row, BibTeX @strings, an XML
prologue) touches every record. Records after a truncation are simply not in the file.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.io.formats.references import read_export
from workbench.store.imports import read_manifest

FORMATS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "formats"
#: Exports over this size are left out (but each folder keeps its smallest file, up to
#: MAX_SMALLEST_BYTES) to keep the module around a minute on a busy 2-core machine.
MAX_BYTES = 150_000
MAX_SMALLEST_BYTES = 300_000
KINDS = ("truncate", "flip", "nul", "invalid_utf8", "cr")
#: Mutations of each kind per file; WORKBENCH_FUZZ_ROUNDS=20 explores further.
ROUNDS = int(os.environ.get("WORKBENCH_FUZZ_ROUNDS", "1"))


def _files() -> list:
    if not FORMATS.is_dir():
        return [pytest.param(None, id="shared-data-absent")]
    files = {p for p in FORMATS.glob("*/*")
             if p.name != "MANIFEST.md" and p.stat().st_size <= MAX_BYTES}
    for folder in (p for p in FORMATS.iterdir() if p.is_dir()):
        smallest = min((p for p in folder.iterdir() if p.name != "MANIFEST.md"),
                       key=lambda p: p.stat().st_size, default=None)
        if smallest is not None and smallest.stat().st_size <= MAX_SMALLEST_BYTES:
            files.add(smallest)
    files = sorted(files)
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in files]


def _mutate(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, list[int], int | None]:
    """Return (mutated bytes, offsets in `data` the mutation touches, truncation offset)."""
    at = rng.randrange(len(data))
    if kind == "truncate":
        return data[:at], [at], at
    if kind == "flip":
        spots = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 3)))
        out = bytearray(data)
        for spot in spots:
            out[spot] ^= 1 << rng.randrange(8)
        return bytes(out), spots, None
    if kind == "nul":
        return data[:at] + b"\x00" + data[at:], [at], None
    if kind == "invalid_utf8":
        junk = rng.choice([b"\xff", b"\xc3", b"\x80\x80", b"\xe2\x82", b"\xed\xa0\x80"])
        return data[:at] + junk + data[at:], [at], None
    # CR mixtures: some line ends become CRLF or a lone CR, and one CR lands inside a line
    ends = [m.start() for m in re.finditer(b"\n", data)]
    chosen = set(rng.sample(ends, min(len(ends), 5))) if ends else set()
    out = bytearray()
    for i, byte in enumerate(data):
        if i == at:
            out += b"\r"
        if i in chosen:
            out += rng.choice([b"\r\n", b"\r"])
        else:
            out.append(byte)
    return bytes(out), [at], None


def _spans(records, clean: bytes) -> list[tuple[int, int]]:
    """Byte ranges [start, end) of each clean record, in file order (by its first line)."""
    line_starts = [0] + [m.end() for m in re.finditer(b"\n", clean)]
    lines = [r.line for r in records]
    starts = [line_starts[min(n, len(line_starts)) - 1] for n in lines]
    order = sorted(range(len(records)), key=lambda i: starts[i])
    spans: list[tuple[int, int]] = [(0, 0)] * len(records)
    for pos, i in enumerate(order):
        end = starts[order[pos + 1]] if pos + 1 < len(order) else len(clean) + 1
        spans[i] = (starts[i], end)
    return spans


def _untouched(records, clean: bytes, offsets: list[int], cut: int | None) -> list[str]:
    """Titles of the clean records the mutation left alone (and still in the file)."""
    if not records or any(r.line is None for r in records):
        return []
    spans = _spans(records, clean)
    first = min(start for start, _ in spans)
    if any(offset < first for offset in offsets):
        return []  # header row, @strings or prologue: every record may read differently
    keep = []
    for record, (start, end) in zip(records, spans):
        if any(start <= offset < end for offset in offsets):
            continue
        if cut is not None and end > cut:
            continue
        keep.append(record.title)
    return keep


@pytest.fixture(scope="module")
def review(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "review"
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / "references").iterdir()}


@pytest.mark.parametrize("export", _files())
def test_damaged_export_imports_whole_or_is_refused_with_path_and_line(
        shared_data, review, tmp_path, export):
    clean = export.read_bytes()
    report = read_export(export)
    if report.problems or not report.records:
        pytest.skip("broken on purpose; tests/io/test_shared_formats.py covers it")
    rng = random.Random(f"20b:{export.name}")
    failures = []
    for round_, kind in ((r, k) for r in range(ROUNDS) for k in KINDS):
        data, offsets, cut = _mutate(clean, kind, rng)
        if not data.strip():
            continue
        path = tmp_path / f"{kind}{round_}" / export.name
        path.parent.mkdir()
        path.write_bytes(data)
        before = _listing(review)
        result = CliRunner().invoke(cli, ["--review", str(review), "import", str(path)])
        what = f"{kind} at {offsets}"
        if result.exit_code not in (0, 1) or not (
                result.exception is None or isinstance(result.exception, SystemExit)):
            failures.append(f"{what}: exit {result.exit_code}, {result.exception!r}")
        elif result.exit_code == 1:
            if not re.search(rf"^(?:error: )?{re.escape(str(path))}:\d+: ", result.stderr,
                             re.MULTILINE):
                failures.append(f"{what}: refused without path:line: {result.stderr[:300]}")
            if _listing(review) != before:
                failures.append(f"{what}: refused but references/ changed")
        else:
            stored = sorted(set(_listing(review)) - set(before) - {"imports.csv"})
            entry = next(e for e in read_manifest(review / "references") if e.file == stored[0])
            copy = read_export(review / "references" / stored[0])  # byte for byte the export
            imported = [r.title for r in copy.records]
            if (entry.records, entry.skipped) != (len(imported), 0) or copy.problems:
                failures.append(f"{what}: imports.csv says {entry.records} records, "
                                f"{entry.skipped} skipped; the file has {len(imported)}")
            missing = Counter(_untouched(report.records, clean, offsets, cut)) - Counter(imported)
            if missing:
                failures.append(f"{what}: exit 0 but {sum(missing.values())} untouched record(s) "
                                f"lost or changed, e.g. {sorted(missing)[0][:60]!r}")
    assert not failures, "\n".join(failures)
