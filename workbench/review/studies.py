"""Records grouped into studies: running duplicate detection with the team's pair decisions."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path

import workbench
from workbench.core import dedupe as _dedupe_module
from workbench.core import dedupe_match as _match_module
from workbench.core import normalize as _normalize_module
from workbench.core.dedupe import DedupeResult, find_duplicates
from workbench.core.records import Record
from workbench.review.importing import export_files
from workbench.store.imports import MANIFEST_NAME
from workbench.store.pairs import FOLDER as PAIRS_FOLDER
from workbench.store.pairs import read_pair_decisions

log = logging.getLogger(__name__)

CACHE_VERSION = 2
CACHE_NAME = "studies.pkl"


def _algorithm_digest() -> bytes:
    """A digest of the duplicate-detection code, so a changed algorithm rebuilds the cache."""
    digest = hashlib.sha256(workbench.__version__.encode())
    for module in (_dedupe_module, _match_module, _normalize_module):
        digest.update(Path(module.__file__).read_bytes())
    return digest.digest()


_ALGORITHM = _algorithm_digest()


def studies_key(root: Path) -> str:
    """Return the cache key of the studies: the inputs' fingerprint, without parsing records.

    It covers the import manifest, every export file (name, size, modification
    time), every pair-decision file's bytes and the detection code itself.
    """
    digest = hashlib.sha256(_ALGORITHM)
    digest.update(str(CACHE_VERSION).encode())
    references = root / "references"
    manifest = references / MANIFEST_NAME
    if manifest.exists():
        digest.update(manifest.read_bytes())
    for path in export_files(references):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    pairs = root / PAIRS_FOLDER
    if pairs.is_dir():
        for path in sorted(pairs.glob("*.csv")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def group_studies(root: Path, load_records: Callable[[], list[Record]], progress=None,
                  cancel: threading.Event | None = None, use_cache: bool = True) -> DedupeResult:
    """Group records into studies with the saved pair decisions; cached in .workbench/.

    The cache is valid while the exports, the manifest, the pair decisions and
    the detection code are unchanged; then not even the records are loaded.

    Args:
        root: the review folder.
        load_records: returns the records in import order (called only on a cache miss).
        progress: called with (done, total) while detecting duplicates.
        cancel: set to stop detection (raises DedupeCancelled).
        use_cache: False forces a new run.
    """
    key = studies_key(root)
    cache = root / ".workbench" / CACHE_NAME
    if use_cache and cache.exists():
        try:
            with cache.open("rb") as handle:
                stored_key, result = pickle.load(handle)
            if stored_key == key:
                return result
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError,
                ImportError) as exc:
            log.warning("ignoring unreadable cache %s: %s", cache, exc)
    records = load_records()
    result = find_duplicates(records, read_pair_decisions(root), progress=progress,
                             cancel=cancel)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f"{CACHE_NAME}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump((key, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache)
    return result
