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
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

import workbench
from workbench.store.cache import read_cache, write_cache

#: Bump when what is cached changes shape.
CACHE_VERSION = 1
CACHE_NAME = "status.json"
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
            with open(path, "rb") as handle:
                st = os.fstat(handle.fileno())
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


__all__ = ["cached_status", "status_key", "sheets_fingerprint", "CACHE_NAME"]
