"""Helpers for the part-B importer tests: read shared exports and their manifests."""

from __future__ import annotations

import re
from pathlib import Path

_ROW = re.compile(r"^\|\s*`shared/data/formats/[^/]+/(?P<name>[^`]+)`\s*\|(?P<rest>.*)$")


def manifest_counts(folder: Path) -> dict[str, int]:
    """Return file name -> record count from a folder's MANIFEST.md (column 'records')."""
    lines = (folder / "MANIFEST.md").read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| file"))
    column = [c.strip() for c in header.strip("|").split("|")].index("records")
    counts = {}
    for line in lines:
        match = _ROW.match(line)
        if match:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            counts[match.group("name")] = int(cells[column].replace(",", ""))
    return counts


def read_text(path: Path) -> str:
    """Decode an export the simple way (part A owns real decoding): UTF-16 or UTF-8 with BOM."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")
