"""Records grouped into studies: running duplicate detection with the team's pair decisions."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from pathlib import Path

from workbench.core.dedupe import DedupeResult, PairDecision, find_duplicates
from workbench.core.records import Record
from workbench.store.pairs import read_pair_decisions

log = logging.getLogger(__name__)

CACHE_VERSION = 1


def _fingerprint(records: list[Record], decisions: list[PairDecision]) -> str:
    digest = hashlib.sha256()
    for record in records:
        digest.update(record.id.encode())
    for d in decisions:
        digest.update(repr((d.time, d.reviewer, d.record_a, d.record_b, d.verdict)).encode())
    digest.update(str(CACHE_VERSION).encode())
    return digest.hexdigest()


def group_studies(root: Path, records: list[Record], progress=None,
                  cancel: threading.Event | None = None, use_cache: bool = True) -> DedupeResult:
    """Group records into studies with the saved pair decisions; cached on disk.

    The cache in .workbench/ is keyed by the record ids and every pair decision,
    so a new import or a new decision runs detection again.
    """
    decisions = read_pair_decisions(root)
    key = _fingerprint(records, decisions)
    cache = root / ".workbench" / "studies.pkl"
    if use_cache and cache.exists():
        try:
            with cache.open("rb") as handle:
                stored_key, result = pickle.load(handle)
            if stored_key == key:
                return result
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
            log.warning("ignoring unreadable cache %s: %s", cache, exc)
    result = find_duplicates(records, decisions, progress=progress, cancel=cancel)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f"studies.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump((key, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache)
    return result
