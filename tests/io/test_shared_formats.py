"""Every real export in ../shared/data/formats imports with its manifest's record count.

Each folder's MANIFEST.md has one table row per file: the record count (counted by
tags/rows, not by a parser) and its quirks. Files the manifest calls deliberately
broken must be refused with a Problem naming the file and a line, unless the
parser recovers exactly the manifest's (non-zero) count without complaint.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.io.formats.references import read_export

FORMATS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "formats"
_ROW = re.compile(r"^\|\s*`(?:shared/data/formats/)?(?P<folder>[^/`]+)/(?P<file>[^`]+)`\s*\|(?P<rest>.*)$")
#: Files that are broken in a way the manifest's quirks do not say: they must be refused with
#: problems naming file and line, and their valid entries (what --skip-invalid imports) must be
#: exactly the manifest's count.
REFUSED_BUT_RECOVERED = {
    # Two blank-line separated blocks with no PMID- line (a "PMC -" and a "PMCR-" head):
    # not PubMed records; the manifest counts the 5 PMID- records.
    "jabref_MedlinePlainImporterTestMultipleEntries.txt",
}
_BROKEN = re.compile(r"deliberately|corrupted|malformed|truncated|invalid line", re.IGNORECASE)


def read_manifest(folder: Path) -> dict[str, tuple[int, str]]:
    """Return {file name: (record count, quirks)} from a folder's MANIFEST.md."""
    header: list[str] = []
    rows: dict[str, tuple[int, str]] = {}
    for line in (folder / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not header and "records" in cells and "file" in cells:
            header = cells
            continue
        match = _ROW.match(line)
        if match and header:
            row = dict(zip(header, cells))
            rows[match.group("file")] = (int(row["records"].replace(",", "")), row.get("quirks", ""))
    return rows


def _cases() -> list:
    if not FORMATS.is_dir():
        return [pytest.param(None, None, 0, "", id="shared-data-absent")]
    cases = []
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir()):
        manifest = read_manifest(folder)
        for path in sorted(folder.iterdir()):
            if path.name == "MANIFEST.md":
                continue
            count, quirks = manifest.get(path.name, (-1, ""))
            cases.append(pytest.param(folder.name, path.name, count, quirks,
                                      id=f"{folder.name}/{path.name}"))
    return cases


def test_manifests_cover_all_87_files(shared_data):
    files = [p for p in (shared_data / "formats").glob("*/*") if p.name != "MANIFEST.md"]
    listed = sum(len(read_manifest(folder)) for folder in (shared_data / "formats").iterdir()
                 if folder.is_dir())
    assert len(files) == listed == 87


@pytest.mark.parametrize(("folder", "name", "count", "quirks"), _cases())
def test_shared_export_imports_with_manifest_count(shared_data, folder, name, count, quirks):
    assert count >= 0, f"{folder}/{name} is missing from its MANIFEST.md"
    display = f"formats/{folder}/{name}"
    report = read_export(shared_data / "formats" / folder / name, display_path=display)
    if _BROKEN.search(quirks):
        recovered = count > 0 and len(report.records) == count and not report.problems
        if not recovered:
            assert report.problems, f"{display}: broken on purpose but no problem reported"
            for problem in report.problems:
                assert str(problem).startswith(f"{display}:{problem.line}: ")
                assert problem.line is not None and problem.line >= 1
        return
    if name in REFUSED_BUT_RECOVERED:
        assert report.problems, f"{display}: expected to be refused with a problem"
        assert all(str(p).startswith(f"{display}:{p.line}: ") for p in report.problems)
    else:
        assert [str(p) for p in report.problems] == []
    assert len(report.records) == count
    assert all(r.file == display for r in report.records)
    lines = [r.line for r in report.records if r.line is not None]
    assert lines == sorted(lines)
