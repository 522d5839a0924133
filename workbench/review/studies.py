"""Records grouped into studies: running duplicate detection with the team's pair decisions.

The result is cached in `.workbench/studies.json`: data only, sealed with this
machine's key (`workbench.store.cache`); an unreadable, foreign or changed
cache is treated as missing and detection runs again. Beside it,
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
from dataclasses import dataclass, fields
from importlib.util import find_spec
from pathlib import Path

import workbench
from workbench.core.dedupe.duplicates import CandidatePair, DedupeResult, Study, find_duplicates
from workbench.core.records import Record
from workbench.review.importing import export_files
from workbench.store.cache import CacheWriter, read_cache, write_cache
from workbench.store.files import read_regular_file
from workbench.store.imports import MANIFEST_NAME, MAX_MANIFEST_BYTES
from workbench.store.pairs import FOLDER as PAIRS_FOLDER
from workbench.store.pairs import MAX_PAIRS_BYTES, read_pair_decisions
from workbench.store.sheet_reading import paused_gc

log = logging.getLogger(__name__)

CACHE_VERSION = 5  # 5: records re-parsed (placeholder keywords dropped)
CACHE_NAME = "studies.json"
INDEX_NAME = "study_index.json"
_STUDY_FIELDS = tuple(f.name for f in fields(Study))
_TUPLES = ("record_ids", "authors", "keywords", "databases")


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


def _write_studies(path: Path, key: str, result: DedupeResult) -> bool:
    """Write the studies cache a block of studies at a time: the bytes `write_cache` writes
    for `_encode(key, result)`, without one JSON string of every study (about 400 MB at
    250,000 records, twice over as text and bytes)."""
    import json
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    value = _encode(key, result, studies=False)
    head = encode({"version": value.pop("version"), "key": value.pop("key"), "fields": value.pop("fields")})
    writer = CacheWriter(path, "studies")
    writer.write(f'{head[:-1]},"studies":['.encode("utf-8"))
    studies = result.studies
    for start in range(0, len(studies), _BLOCK):
        rows = encode([[getattr(s, name) for name in _STUDY_FIELDS] for s in studies[start:start + _BLOCK]])
        writer.write((("," if start else "") + rows[1:-1]).encode("utf-8"))
    writer.write(f"],{encode(value)[1:]}".encode("utf-8"))
    return writer.commit()


#: Studies encoded per piece of the studies cache.
_BLOCK = 10_000


def _encode(key: str, result: DedupeResult, studies: bool = True) -> dict:
    def pair(p: CandidatePair) -> list:
        return [p.record_a, p.record_b, p.score, list(p.reasons)]
    return {"version": CACHE_VERSION, "key": key, "fields": list(_STUDY_FIELDS),
            **({"studies": [[getattr(s, name) for name in _STUDY_FIELDS] for s in result.studies]}
               if studies else {}),
            "record_to_study": result.record_to_study,
            "auto_merged_pairs": [pair(p) for p in result.auto_merged_pairs],
            "uncertain": [pair(p) for p in result.uncertain],
            "aliases": result.aliases, "records": result.records,
            "candidate_pairs": result.candidate_pairs, "person_merges": result.person_merges,
            "person_splits": result.person_splits, "conflicts": result.conflicts}


def _decode(value, key: str) -> DedupeResult | None:
    """The cached result if `value` is a studies cache for `key`, else None."""
    if not isinstance(value, dict) or value.get("version") != CACHE_VERSION \
            or value.get("key") != key or value.get("fields") != list(_STUDY_FIELDS):
        return None
    new = object.__new__
    studies = []
    for row in value["studies"]:
        study = new(Study)
        values = dict(zip(_STUDY_FIELDS, row))
        for name in _TUPLES:
            values[name] = tuple(values[name])
        study.__dict__.update(values)
        studies.append(study)

    def pairs(rows: list) -> list[CandidatePair]:
        return [CandidatePair(a, b, score, tuple(reasons)) for a, b, score, reasons in rows]
    return DedupeResult(studies, dict(value["record_to_study"]), pairs(value["auto_merged_pairs"]),
                        pairs(value["uncertain"]), dict(value["aliases"]), int(value["records"]),
                        int(value["candidate_pairs"]), int(value["person_merges"]),
                        int(value["person_splits"]), list(value["conflicts"]))


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
    if use_cache:
        try:
            with paused_gc():
                cached = _decode(read_cache(cache, "studies"), key)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("ignoring unreadable cache %s: %s", cache, exc)
            cached = None
        if cached is not None:
            return cached
    records = load_records()
    decisions = read_pair_decisions(root)
    result = find_duplicates(records, decisions, progress=progress, cancel=cancel)
    _write_studies(cache, key, result)  # best effort: read-only folders too
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
