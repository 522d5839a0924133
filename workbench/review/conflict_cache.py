"""The open conflicts of a large review kept per study in .workbench/conflicts.json.

A study's open conflicts depend only on what every sheet holds for that study
(each coder's latest values, the consensus sheet's) and on the codebook and
the merges. So `list_conflicts` of a large review (`include_resolved` False)
keeps, per stage, each study's conflicts together with the version of every
sheet they were counted on (`workbench.review.sheet_tails`: inode, bytes
covered, SHA-256 of those bytes). On the next call only the studies named by
the lines appended since are counted again (by the same per-study rule,
`workbench.review.conflicts._listed_from_frames` with `only`); the others
are taken as stored.

Everything is counted again for a stage when the key changed (the code, the
codebook's bytes, the studies and merges: `studies_key`), when a sheet was
added or removed, or replaced, shortened or edited before what was counted,
or when too many studies were touched. The file is JSON only, sealed like
every cache (`workbench.store.cache`); a damaged or edited one is ignored.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path

from workbench.core.conflicts import Conflict
from workbench.store.cache import read_cache, write_cache

#: Bump when what is cached changes shape.
CACHE_VERSION = 1
CACHE_NAME = "conflicts.json"
KIND = "conflicts"
#: More studies touched than this and a stage is counted in full (in bulk) again.
MAX_TOUCHED = 5000
#: The modules whose code decides the conflicts (their source is in the key).
MODULES = ("workbench.core.consensus", "workbench.core.conflicts", "workbench.core.screening",
           "workbench.core.coding", "workbench.core.events", "workbench.core.group_rows",
           "workbench.core.normalize", "workbench.core.codebook", "workbench.review.conflicts",
           "workbench.review.all_sheets", "workbench.review.decision_frames",
           "workbench.review.sheet_tails", "workbench.review.tail_frames",
           "workbench.review.conflict_cache",
           "workbench.store.sheet_reading", "workbench.store.sheet_frame")


def conflicts_key(review) -> str:
    """Return the key of the stored conflicts: the code, the codebook's bytes, the studies."""
    from workbench.review.status_cache import code_digest
    from workbench.review.studies import studies_key
    try:
        codebook = hashlib.sha256(review.codebook_path.read_bytes()).hexdigest()
    except OSError:
        codebook = "unreadable"
    parts = f"{CACHE_VERSION}\0{code_digest(MODULES).hex()}\0{studies_key(review.root)}\0{codebook}"
    return hashlib.sha256(parts.encode()).hexdigest()


def cached_conflicts(review, stage: str | None = None) -> list[Conflict]:
    """Return `list_conflicts(review, stage)` (open ones), recounting only touched studies.

    Raises:
        ReviewError: unknown stage.
        SheetError: a sheet cannot be read.
    """
    from workbench.store.sheet_reading import paused_gc
    with paused_gc():   # the conflicts are many small objects, never cyclic garbage
        return _cached_conflicts(review, stage)


def _cached_conflicts(review, stage: str | None) -> list[Conflict]:
    from workbench.review import sheet_tails
    from workbench.review.all_sheets import audit_stages
    from workbench.review.decision_frames import sheet_paths
    stages = audit_stages(review, stage)
    reviewers, consensus = sheet_paths(review)
    paths = {p.name: p for p in (*reviewers.values(), consensus)}
    path = review.root / ".workbench" / CACHE_NAME
    key = conflicts_key(review)
    found = read_cache(path, KIND)
    stored = found.get("stages") if isinstance(found, dict) and found.get("key") == key else None
    stored = stored if isinstance(stored, dict) else {}
    now = sheet_tails.versions(review, paths.values())
    aliases = review.aliases()
    out: list[Conflict] = []
    changed = False
    for st in stages:
        studies = _updated(review, st.id, stored.get(st.id), now, paths, aliases)
        if studies is None:
            studies = _by_study(_count(review, st.id, None))
        if stored.get(st.id) != {"sheets": now, "studies": studies}:
            changed = True
        stored[st.id] = {"sheets": now, "studies": studies}
        for study in sorted(studies):
            out += [Conflict(**c) for c in studies[study]]
    if changed and now is not None:
        write_cache(path, KIND, {"key": key, "stages": stored})
    return out


def _count(review, stage: str, only: set[str] | None) -> list[Conflict]:
    from workbench.review.conflicts import _listed_from_frames
    return _listed_from_frames(review, stage, False, only=only)


def _by_study(conflicts: list[Conflict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for c in conflicts:
        out.setdefault(c.study_id, []).append(asdict(c))
    return out


def _updated(review, stage: str, entry, now: dict | None, paths: dict[str, Path],
             aliases: dict[str, str]) -> dict[str, list[dict]] | None:
    """The stored studies with the touched ones counted again; None: count the stage in full."""
    from workbench.review.sheet_tails import touched_since
    if now is None or not isinstance(entry, dict) or not isinstance(entry.get("studies"), dict):
        return None
    was = entry.get("sheets")
    if not isinstance(was, dict) or set(was) != set(now):
        return None
    touched: set[str] = set()
    for name, version in now.items():
        if was[name] == version:
            continue
        since = touched_since(review, paths[name], was[name])
        if since is None:
            return None
        touched |= since
        if len(touched) > MAX_TOUCHED:
            return None
    studies = dict(entry["studies"])
    if not touched:
        return studies
    ids = {aliases.get(t, t) for t in touched}
    for study in ids:
        studies.pop(study, None)
    for study, found in _by_study(_count(review, stage, ids)).items():
        studies[study] = found
    return studies


__all__ = ["cached_conflicts", "conflicts_key", "CACHE_NAME"]
