"""`workbench status` from .workbench/ when nothing it counts has changed.

Each reviewer's progress and the open conflicts of a 100,000-study review
take every sheet (150 MB) to compute. They depend only on:

- the sheets: every coding/*.csv, fingerprinted by name, size, modification
  time, inode and the SHA-256 of its last 64 KB (an append changes the size
  and the tail; an edit in place changes the time);
- codebook.yaml (its bytes);
- the studies and merges (`workbench.review.studies.studies_key`: the
  import manifest, the exports, the pair decisions, the detection code);
- the code that counts (the source of the modules below, and the version).

So `Review.status` keeps them in `.workbench/status.json` under a key made
of all four, and an unchanged review answers without reading a sheet. Any
change to any of them is a miss: the figures are computed as before and
the cache rewritten (best effort: a read-only folder just recomputes). The
cache holds JSON only and is sealed like every cache (`workbench.store.cache`).

The header above the figures (records per database, studies, pairs waiting)
takes every record and study to count (about 2 s at 100k, on every status:
unchanged, after a save or cold). It depends only on what the studies' cache
is keyed by (`studies_key`) and on the parsed records' caches, so
`.workbench/status_header.json` keeps it, with the study ids the progress
figures count against, under a key of those, the code that reads them and
the version (`header_key`). It is written only when that key did not move
while it was computed (records parsed again rewrite their cache: the next
status stores it).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

import workbench
from workbench.store.cache import read_cache, write_cache

#: Bump when what is cached changes shape.
CACHE_VERSION = 1
CACHE_NAME = "status.json"
HEADER_NAME = "status_header.json"
#: Bump when the header's shape changes.
HEADER_VERSION = 1
#: The modules whose code decides the header (records, their cache, studies, the header).
_HEADER_MODULES = ("workbench.review.importing", "workbench.store.imports",
                   "workbench.review.studies", "workbench.review.folder",
                   "workbench.review.status_cache")
#: How much of each sheet's end is hashed into the key.
TAIL_BYTES = 65536
#: The modules whose code decides the cached figures (missing ones are skipped).
_MODULES = ("workbench.core.consensus", "workbench.core.conflicts", "workbench.core.screening",
            "workbench.core.coding", "workbench.core.events", "workbench.review.conflicts",
            "workbench.review.screening", "workbench.review.coding", "workbench.review.all_sheets",
            "workbench.review.decision_frames", "workbench.review.status_cache",
            "workbench.store.sheet_reading", "workbench.store.sheet_frame",
            "workbench.review.sheet_reads", "workbench.core.group_rows",
            "workbench.io.export_decisions", "workbench.io.exports.export_decisions",
            "workbench.review.sheet_tails", "workbench.review.tail_frames",
            "workbench.review.conflict_cache", "workbench.review.progress_cache")


def code_digest(modules=_MODULES) -> bytes:
    """Return the SHA-256 of the version and the source of these modules (missing ones skipped)."""
    digest = hashlib.sha256(workbench.__version__.encode())
    for name in modules:
        try:
            spec = find_spec(name)
        except ImportError:
            spec = None
        if spec is not None and spec.origin:
            digest.update(name.encode() + b"\0" + Path(spec.origin).read_bytes())
    return digest.digest()


def sheets_fingerprint(coding: Path) -> list[list]:
    """Return [name, size, mtime_ns, inode, SHA-256 of the last 64 KB] of every coding/*.csv."""
    folder = Path(coding)
    out = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)   # a FIFO does not hang the open
            with open(fd, "rb") as handle:
                st = os.fstat(handle.fileno())
                if not stat.S_ISREG(st.st_mode):   # the sheet reader says what it is
                    out.append([path.name, "not a regular file"])
                    continue
                handle.seek(max(0, st.st_size - TAIL_BYTES))
                tail = hashlib.sha256(handle.read()).hexdigest()
        except OSError as exc:
            out.append([path.name, "unreadable", str(exc)])
            continue
        out.append([path.name, st.st_size, st.st_mtime_ns, st.st_ino, tail])
    return out


def status_key(review) -> str:
    """Return the key of the review's status figures (see the module notes)."""
    from workbench.review.studies import studies_key
    try:
        codebook = hashlib.sha256(review.codebook_path.read_bytes()).hexdigest()
    except OSError:
        codebook = "unreadable"
    parts = [CACHE_VERSION, code_digest().hex(), studies_key(review.root), codebook,
             sheets_fingerprint(review.coding)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def cached_status(review, compute: Callable[[], dict]) -> dict:
    """Return `compute()` (JSON data), from .workbench/status.json while the key is unchanged.

    The key is taken before computing, so a sheet appended to meanwhile
    makes the stored figures a miss on the next call, never a stale hit.
    """
    path = review.root / ".workbench" / CACHE_NAME
    key = status_key(review)
    found = read_cache(path, "status")
    if isinstance(found, dict) and found.get("key") == key and "value" in found:
        return found["value"]
    value = compute()
    write_cache(path, "status", {"key": key, "value": value})
    return value


def header_key(review) -> str:
    """Return the key of the status header (see the module notes)."""
    from workbench.review.studies import studies_key
    folder = review.root / ".workbench" / "records"
    listing = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            st = path.stat()
        except OSError as exc:
            listing.append([path.name, "unreadable", str(exc)])
            continue
        listing.append([path.name, st.st_size, st.st_mtime_ns, st.st_ino])
    parts = [HEADER_VERSION, code_digest(_HEADER_MODULES).hex(), studies_key(review.root),
             listing]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def cached_header(review, compute: Callable[[], dict]) -> dict:
    """Return `compute()` (the status header and `study_ids`), from .workbench/ while unchanged.

    `compute` returns JSON data with a `study_ids` list. A header whose key
    moved while it was computed is returned but not stored.
    """
    path = review.root / ".workbench" / HEADER_NAME
    key = header_key(review)
    found = read_cache(path, "status-header")
    if isinstance(found, dict) and found.get("key") == key and isinstance(found.get("value"), dict):
        value, ids = found["value"], found.get("study_ids")
        if isinstance(ids, list) and len(ids) == 2 and isinstance(ids[1], str):
            listed = ids[1].split("\0") if ids[0] else []
            if len(listed) == ids[0]:
                return {**value, "study_ids": listed}
    value = compute()
    ids = value["study_ids"]
    joined = "\0".join(ids)
    if joined.count("\0") == max(len(ids) - 1, 0) and header_key(review) == key:
        write_cache(path, "status-header",
                    {"key": key, "value": {k: v for k, v in value.items() if k != "study_ids"},
                     "study_ids": [len(ids), joined]})
    return value


__all__ = ["cached_status", "cached_header", "status_key", "header_key", "sheets_fingerprint",
           "CACHE_NAME", "HEADER_NAME"]
