"""Each reviewer's progress on a large review, kept per study in .workbench/progress.json.

`workbench status` shows, per reviewer and stage, how many studies of the
stage's work list they decided (with the count of each decision) or coded
(and flagged). Those figures depend on a few facts per study: each sheet's
latest non-empty decision at each screening stage (and the order the sheet
first wrote to the study, which orders the counts), whether the study passed
a stage by the consensus rule (`workbench.core.consensus.final_decisions`),
and whether each coder coded or flagged it at a coding stage. This module
keeps those facts per study with the version of every sheet they were taken
from (`workbench.review.sheet_tails`), takes them again only for the studies
the lines appended since name, and adds the figures up as
`stage_progress` and `coding_progress` do (tests compare `status` with an
uncached run on random appends).

Everything is taken again when the code, the codebook's bytes or the studies
changed, a sheet was added, removed, replaced, shortened or edited, or many
studies were touched. JSON only, sealed (`workbench.store.cache`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from workbench.core import coding as cod
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.core.screening import DECISION, INCLUDE_DECISION
from workbench.store.cache import read_cache, write_cache

CACHE_VERSION = 1
CACHE_NAME = "progress.json"
KIND = "progress"
#: More studies touched than this and the facts are taken for every study again.
MAX_TOUCHED = 5000


def _modules() -> tuple[str, ...]:
    from workbench.review.conflict_cache import MODULES
    return MODULES + ("workbench.review.progress_cache", "workbench.review.screening",
                      "workbench.review.coding")


def progress_key(review) -> str:
    """Return the key of the stored facts: the code, the codebook's bytes, the studies."""
    from workbench.review.status_cache import code_digest
    from workbench.review.studies import studies_key
    try:
        codebook = hashlib.sha256(review.codebook_path.read_bytes()).hexdigest()
    except OSError:
        codebook = "unreadable"
    parts = f"{CACHE_VERSION}\0{code_digest(_modules()).hex()}\0{studies_key(review.root)}" \
            f"\0{codebook}"
    return hashlib.sha256(parts.encode()).hexdigest()


def cached_progress(review, names: list[str]) -> dict[str, dict] | None:
    """Return {reviewer: {stage: figures}} as `Review.status` shows them, or None.

    None when this review is not counted this way (a sheet name that is not
    a reviewer's, a coding stage fed by a coding stage, a sheet the cache
    cannot follow): the caller counts as before.
    """
    from workbench.review import sheet_tails
    from workbench.review.decision_frames import sheet_paths
    codebook = review.codebook()
    if not all(is_valid_reviewer(n) for n in names):
        return None
    for stage in codebook.coding_stages():
        source = codebook.stage(stage.source) if stage.source else None
        if stage.source and (source is None or source.kind == "coding"):
            return None
    reviewers, consensus = sheet_paths(review)
    paths = {**reviewers, CONSENSUS: consensus}
    now = sheet_tails.versions(review, paths.values())
    if now is None:
        return None
    path = review.root / ".workbench" / CACHE_NAME
    key = progress_key(review)
    found = read_cache(path, KIND)
    facts = _updated(review, found if isinstance(found, dict) and found.get("key") == key
                     else None, now, paths)
    if facts is None:
        facts = _facts(review, paths, None)
    if not (isinstance(found, dict) and found.get("key") == key and found.get("sheets") == now):
        write_cache(path, KIND, {"key": key, "sheets": now, "facts": facts})
    return _figures(review, names, facts)


def _updated(review, found: dict | None, now: dict, paths: dict[str, Path]) -> dict | None:
    """The stored facts with the touched studies' taken again; None: take them all."""
    from workbench.review.sheet_tails import touched_since
    if found is None or not isinstance(found.get("facts"), dict):
        return None
    was = found.get("sheets")
    if not isinstance(was, dict) or set(was) != set(now):
        return None
    touched: set[str] = set()
    for name, version in now.items():
        if was[name] == version:
            continue
        since = touched_since(review, paths[Path(name).stem], was[name])
        if since is None:
            return None
        touched |= since
        if len(touched) > MAX_TOUCHED:
            return None
    facts = found["facts"]
    if not touched:
        return facts
    aliases = review.aliases()
    ids = {aliases.get(t, t) for t in touched}
    fresh = _facts(review, paths, ids)
    out = {"dec": {}, "pass": {}, "inc": {}, "coded": {}, "flagged": {}}
    for part in ("dec", "coded", "flagged"):
        for sheet, stages in facts[part].items():
            out[part][sheet] = {}
            for stage, held in stages.items():
                if part == "dec":
                    kept = {s: v for s, v in held.items() if s not in ids}
                    kept.update(fresh[part].get(sheet, {}).get(stage, {}))
                else:
                    kept = sorted((set(held) - ids) | set(fresh[part].get(sheet, {})
                                                            .get(stage, [])))
                out[part][sheet][stage] = kept
        for sheet, stages in fresh[part].items():
            out[part].setdefault(sheet, {})
            for stage, held in stages.items():
                out[part][sheet].setdefault(stage, held)
    for stage in review.codebook().screening_stages():
        votes = [(sheet, study, value, "") for sheet, stages in out["dec"].items()
                 for study, (value, _) in stages.get(stage.id, {}).items() if study in ids]
        passing, included = _passing(stage, votes)
        out["pass"][stage.id] = sorted((set(facts["pass"].get(stage.id, [])) - ids) | passing)
        out["inc"][stage.id] = sorted((set(facts["inc"].get(stage.id, [])) - ids) | included)
    return out


def _passing(stage, votes) -> tuple[set[str], set[str]]:
    """(passed: include or maybe, included) by the consensus rule, among these votes' studies."""
    from workbench.core.consensus import FINAL, final_decisions
    from workbench.review.screening import PASSING
    finals = final_decisions(stage.id, votes, stage.reviewers)
    final = {s: d.decision for s, d in finals.items() if d.status == FINAL}
    return ({s for s, d in final.items() if d in PASSING},
            {s for s, d in final.items() if d == INCLUDE_DECISION})


def _facts(review, paths: dict[str, Path], only: set[str] | None) -> dict:
    """Each sheet's facts per study (only these studies: None for all)."""
    from workbench.review.decision_frames import field_kinds, final_passing, latest_rows
    from workbench.review.screening import PASSING
    codebook = review.codebook()
    out = {"dec": {}, "pass": {}, "inc": {}, "coded": {}, "flagged": {}}
    for sheet, path in paths.items():
        rows = latest_rows(review, path)
        if only is not None:
            rows = rows[rows["study_id"].isin(only).to_numpy()]
        stage_of = rows["stage"].astype(object).to_numpy()
        field = rows["field"].astype(object).to_numpy()
        value = rows["value"].astype(object).to_numpy()
        study = rows["study_id"].astype(object).to_numpy()
        cell = rows["cell"].to_numpy()
        decided = (field == DECISION) & (value != "")
        out["dec"][sheet] = {}
        for stage in codebook.screening_stages():
            at = decided & (stage_of == stage.id)
            pairs = sorted(zip(cell[at].tolist(), study[at].tolist(), value[at].tolist()))
            out["dec"][sheet][stage.id] = {s: [v, c] for c, s, v in pairs}
        kinds = field_kinds(rows) & (value != "")
        flags = (field == cod.FLAG) & (value == cod.FLAGGED)
        out["coded"][sheet], out["flagged"][sheet] = {}, {}
        for stage in codebook.coding_stages():
            here = stage_of == stage.id
            out["coded"][sheet][stage.id] = sorted(set(study[here & kinds].tolist()))
            out["flagged"][sheet][stage.id] = sorted(set(study[here & flags].tolist()))
    if only is None:
        for stage in codebook.screening_stages():
            out["pass"][stage.id] = sorted(final_passing(review, stage, PASSING))
            out["inc"][stage.id] = sorted(final_passing(review, stage, (INCLUDE_DECISION,)))
    return out


def _figures(review, names: list[str], facts: dict) -> dict[str, dict]:
    """The figures of `stage_progress` and `coding_progress` from the facts per study."""
    from workbench.review.screening import PASSING
    codebook = review.codebook()
    studies = [s.id for s in review.studies()]
    every = set(studies)
    out: dict[str, dict] = {}
    for name in names:
        mine = {}
        decisions = facts["dec"].get(name, {})
        for stage in codebook.screening_stages():
            source = codebook.stage(stage.source) if stage.source else None
            work = every
            total = len(studies)
            if source is not None:
                if source.reviewers <= 1:
                    passing = {s for s, (v, _) in decisions.get(source.id, {}).items()
                               if v in PASSING}
                else:
                    passing = set(facts["pass"].get(source.id, []))
                work = passing & every
                total = len(work)
            decided = sorted((c, v) for s, (v, c) in decisions.get(stage.id, {}).items()
                             if s in work)
            mine[stage.id] = {"done": len(decided), "total": total,
                              **dict(Counter(v for _, v in decided))}
        for stage in codebook.coding_stages():
            work = every
            if stage.source:
                work = set(facts["inc"].get(stage.source, [])) & every
            coded = len(set(facts["coded"].get(name, {}).get(stage.id, [])) & work)
            flagged = len(set(facts["flagged"].get(name, {}).get(stage.id, [])) & work)
            mine[stage.id] = {"done": coded, "total": len(work), "flagged": flagged}
        out[name] = mine
    return out


__all__ = ["cached_progress", "progress_key", "CACHE_NAME"]
