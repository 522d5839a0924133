"""Records grouped into studies: running duplicate detection with the team's pair decisions.

The result is cached in `.workbench/studies.json`: data only, sealed with this
machine's key (`workbench.store.cache`); an unreadable, foreign or changed
cache is treated as missing and detection runs again. The cache holds which
record went to which study, not the studies' text: reading it rebuilds the
studies from the records, as the run built them. Beside it,
`.workbench/study_index.json` keeps the little that one study's history needs
(titles, merged-away ids, the studies of the records named in pair answers)
under the same key, so `workbench log STUDY` answers without loading every
study of a large review.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import workbench
from workbench.core.dedupe.duplicates import (
    CandidatePair, DedupeResult, find_duplicates, rebuild_studies,
)
from workbench.core.records import Record
from workbench.review.importing import export_files
from workbench.store.cache import read_cache, write_cache
from workbench.store.files import read_regular_file
from workbench.store.imports import MANIFEST_NAME, MAX_MANIFEST_BYTES
from workbench.store.pairs import FOLDER as PAIRS_FOLDER
from workbench.store.pairs import MAX_PAIRS_BYTES, read_pair_decisions
from workbench.store.sheet_reading import paused_gc

log = logging.getLogger(__name__)

CACHE_VERSION = 6  # 6: no study's fields (rebuilt from the records); 5: records re-parsed
CACHE_NAME = "studies.json"
INDEX_NAME = "study_index.json"


def _algorithm_digest() -> bytes:
    """A digest of the duplicate-detection code, so a changed algorithm rebuilds the cache."""
    digest = hashlib.sha256(workbench.__version__.encode())
    for module in ("dedupe.duplicates", "dedupe.features", "dedupe.match", "normalize"):  # found, not imported: no numpy
        digest.update(Path(find_spec(f"workbench.core.{module}").origin).read_bytes())
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
    digest.update(_bytes_or_none(references / MANIFEST_NAME, MAX_MANIFEST_BYTES))
    for path in export_files(references):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    pairs = root / PAIRS_FOLDER
    if pairs.is_dir():
        for path in sorted(pairs.glob("*.csv")):
            digest.update(path.name.encode() + b"\0" + _bytes_or_none(path, MAX_PAIRS_BYTES))
    return digest.hexdigest()


def _bytes_or_none(path: Path, limit: int) -> bytes:
    """A file's bytes for the key; b"\0missing"/b"\0unreadable" when it cannot be read.

    Whoever reads that file next reports why it cannot be read.
    """
    try:
        return read_regular_file(path, limit)
    except FileNotFoundError:
        return b"\0missing"
    except OSError:
        return b"\0unreadable"


def _encode(key: str, result: DedupeResult) -> dict:
    """The studies cache: the run's record -> study map, pairs and counts, no study's text.

    The studies themselves are rebuilt from the map and the records on reading
    (`rebuild_studies`): they are the records' fields, and a copy of them made the
    cache as big as the records cache (164 MB at 100,000 records, not 10 MB).
    """
    def pair(p: CandidatePair) -> list:
        return [p.record_a, p.record_b, p.score, list(p.reasons)]
    return {"version": CACHE_VERSION, "key": key, "studies": len(result.studies),
            "record_to_study": result.record_to_study,
            "auto_merged_pairs": [pair(p) for p in result.auto_merged_pairs],
            "uncertain": [pair(p) for p in result.uncertain],
            "aliases": result.aliases, "records": result.records,
            "candidate_pairs": result.candidate_pairs, "person_merges": result.person_merges,
            "person_splits": result.person_splits, "conflicts": result.conflicts}


def _fits(value, key: str) -> bool:
    """Whether `value` is a studies cache of this version for `key`."""
    return isinstance(value, dict) and value.get("version") == CACHE_VERSION \
        and value.get("key") == key


def _decode(value: dict, records: list[Record]) -> DedupeResult:
    """The cached result, its studies rebuilt from `records` (the records it was made from).

    Raises:
        ValueError, KeyError, TypeError: a damaged cache, or one that does not fit the records.
    """
    record_to_study = dict(value["record_to_study"])
    if int(value["records"]) != len(records):
        raise ValueError(f"made for {value['records']} records, not {len(records)}")
    studies = rebuild_studies(record_to_study, records)
    if len(studies) != int(value["studies"]):
        raise ValueError(f"{len(studies)} studies, not {value['studies']}")

    def pairs(rows: list) -> list[CandidatePair]:
        return [CandidatePair(a, b, score, tuple(reasons)) for a, b, score, reasons in rows]
    return DedupeResult(studies, record_to_study, pairs(value["auto_merged_pairs"]),
                        pairs(value["uncertain"]), dict(value["aliases"]), int(value["records"]),
                        int(value["candidate_pairs"]), int(value["person_merges"]),
                        int(value["person_splits"]), list(value["conflicts"]))


def group_studies(root: Path, load_records: Callable[[], list[Record]], progress=None,
                  cancel: threading.Event | None = None, use_cache: bool = True) -> DedupeResult:
    """Group records into studies with the saved pair decisions; cached in .workbench/.

    The cache is valid while the exports, the manifest, the pair decisions and
    the detection code are unchanged; then the records are loaded (the studies'
    fields are theirs) but not compared again.

    Args:
        root: the review folder.
        load_records: returns the records in import order (called once).
        progress: called with (done, total) while detecting duplicates.
        cancel: set to stop detection (raises DedupeCancelled).
        use_cache: False forces a new run.
    """
    key = studies_key(root)
    cache = root / ".workbench" / CACHE_NAME
    records = None
    if use_cache:
        try:
            with paused_gc():
                value = read_cache(cache, "studies")
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring unreadable cache %s: %s", cache, exc)
            value = None
        if _fits(value, key):
            records = load_records()
            try:
                with paused_gc():
                    return _decode(value, records)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("ignoring unreadable cache %s: %s", cache, exc)
    if records is None:
        records = load_records()
    decisions = read_pair_decisions(root)
    result = find_duplicates(records, decisions, progress=progress, cancel=cancel)
    write_cache(cache, "studies", _encode(key, result))  # best effort: read-only folders too
    _write_index(root, key, _make_index(result, decisions))
    return result


# -- the small index one study's history reads ---------------------------------------------------
@dataclass(frozen=True)
class StudyIndex:
    """What finding and titling one study needs, without every study's record.

    Attributes:
        titles: study id -> title, for every current study.
        aliases: merged-away study id -> current study id.
        record_to_study: record id -> study id, for the records named in pair answers.
    """

    titles: dict[str, str]
    aliases: dict[str, str]
    record_to_study: dict[str, str]


def _make_index(result: DedupeResult, decisions) -> StudyIndex:
    named = {rid for d in decisions for rid in (d.record_a, d.record_b)}
    return StudyIndex({s.id: s.title for s in result.studies}, dict(result.aliases),
                      {r: s for r, s in result.record_to_study.items() if r in named})


_SEP = "\x1f"  # between ids and between titles: one long string decodes faster than a map


def _write_index(root: Path, key: str, index: StudyIndex) -> None:
    titles = (title.replace(_SEP, " ") for title in index.titles.values())
    write_cache(root / ".workbench" / INDEX_NAME, "study-index",
                {"version": CACHE_VERSION, "key": key, "ids": _SEP.join(index.titles),
                 "titles": _SEP.join(titles), "aliases": index.aliases,
                 "record_to_study": index.record_to_study})


def study_index(root: Path, dedupe: Callable[[], DedupeResult]) -> StudyIndex:
    """Return the study index; on a missing or stale one, `dedupe()` runs and it is written.

    Args:
        root: the review folder.
        dedupe: returns the review's DedupeResult (cached itself).
    """
    key = studies_key(root)
    value = read_cache(root / ".workbench" / INDEX_NAME, "study-index")
    if isinstance(value, dict) and value.get("version") == CACHE_VERSION \
            and value.get("key") == key:
        try:
            ids, titles = value["ids"].split(_SEP), value["titles"].split(_SEP)
            if len(ids) != len(titles):
                raise ValueError(f"{len(ids)} ids but {len(titles)} titles")
            return StudyIndex(dict(zip(ids, titles)) if value["ids"] else {},
                              dict(value["aliases"]), dict(value["record_to_study"]))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring unreadable cache %s: %s", INDEX_NAME, exc)
    index = _make_index(dedupe(), read_pair_decisions(root))
    _write_index(root, key, index)
    return index
