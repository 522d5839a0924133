"""The import manifest: which export came from which database, and the parse cache.

`references/imports.csv` is written by the tool, one row per imported export,
append-only (a re-import of the same bytes is refused before anything is
written). The exports themselves are never touched. Parsed records are cached
under `.workbench/records/` keyed by the file's SHA-256, so they are rebuilt
from the exports whenever the cache is missing.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import pickle
from dataclasses import dataclass, fields
from pathlib import Path

from workbench.core.records import Record
from workbench.errors import ReviewError

log = logging.getLogger(__name__)

MANIFEST_NAME = "imports.csv"
CACHE_VERSION = 1


@dataclass(frozen=True)
class ImportEntry:
    """One export in references/: its file name, database label and digest."""

    file: str
    database: str
    sha256: str
    format: str
    records: int
    skipped: int
    imported_at: str


_COLUMNS = [f.name for f in fields(ImportEntry)]


def read_manifest(references: Path) -> list[ImportEntry]:
    """Return the rows of references/imports.csv (empty if there is none).

    Raises:
        ReviewError: a row cannot be read (names the line).
    """
    path = references / MANIFEST_NAME
    if not path.exists():
        return []
    entries: list[ImportEntry] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                entries.append(ImportEntry(
                    file=row["file"], database=row["database"], sha256=row["sha256"],
                    format=row["format"], records=int(row["records"] or 0),
                    skipped=int(row["skipped"] or 0), imported_at=row["imported_at"]))
            except (KeyError, ValueError, TypeError) as exc:
                raise ReviewError(f"unreadable import row ({exc})", path=path,
                                  line=reader.line_num,
                                  hint="fix or remove that row; no export was changed") from exc
    return entries


def append_manifest(references: Path, entry: ImportEntry) -> None:
    """Append one row to references/imports.csv, flushed and fsynced."""
    path = references / MANIFEST_NAME
    new = not path.exists()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if new:
        writer.writerow(_COLUMNS)
    writer.writerow([getattr(entry, name) for name in _COLUMNS])
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        os.fsync(handle.fileno())


def copy_export(data: bytes, references: Path, name: str) -> Path:
    """Write an export's bytes into references/ under a free name; return the new path."""
    references.mkdir(parents=True, exist_ok=True)
    target = references / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = references / f"{stem}-{n}{suffix}"
        n += 1
    tmp = target.with_name(target.name + ".part")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return target


def read_cached_records(cache_dir: Path, digest: str) -> list[Record] | None:
    """Return the cached records of a file digest, or None when not cached."""
    path = cache_dir / f"{digest}.pkl"
    try:
        with path.open("rb") as handle:
            version, records = pickle.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        log.warning("ignoring unreadable cache %s: %s", path, exc)
        return None
    if version != CACHE_VERSION:
        return None
    return records


def write_cached_records(cache_dir: Path, digest: str, records: list[Record]) -> None:
    """Cache parsed records for a file digest (atomic; the cache is rebuildable)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{digest}.pkl"
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump((CACHE_VERSION, records), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
