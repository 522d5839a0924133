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
from operator import itemgetter, lt
from pathlib import Path

from workbench.core import coding as cod
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.core.screening import DECISION, INCLUDE_DECISION
from workbench.store.cache import read_cache, write_cache
from workbench.store.sheet_reading import paused_gc

CACHE_VERSION = 1
CACHE_NAME = "progress.json"
KIND = "progress"
#: More studies touched than this and the facts are taken for every study again.
MAX_TOUCHED = 5000
#: More studies touched than this and the facts are written back (fewer: taken again next time).
REWRITE_TOUCHED = 200


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


def cached_progress(review, names: list[str],
                    study_ids: list[str] | None = None) -> dict[str, dict] | None:
    """Return {reviewer: {stage: figures}} as `Review.status` shows them, or None.

    `study_ids`: the review's study ids when the caller has them (else
    `review.studies()` gives them).

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
    if isinstance(found, dict) and found.get("key") == key:
        try:
            found = {"sheets": found["sheets"], "facts": _unpacked(found["facts"])}
        except (KeyError, TypeError, ValueError, AttributeError):
            found = None
    else:
        found = None
    touched: set[str] = set()
    with paused_gc():   # the facts are many small objects, never cyclic garbage
        facts = _updated(review, found, now, paths, touched)
        if facts is None:
            facts = _facts(review, paths, None)
            found = None
        # A few touched studies are cheaper to take again next time than to rewrite the file.
        if found is None or len(touched) > REWRITE_TOUCHED:
            write_cache(path, KIND, {"key": key, "sheets": now, "facts": _packed(facts)})
        return _figures(review, names, facts, study_ids)


def _texts(values: list[str]) -> list:
    """Texts as [count, NUL-joined] (study ids and decisions never hold a NUL)."""
    joined = "\0".join(values)
    if joined.count("\0") != max(len(values) - 1, 0):
        raise ValueError("a text holds a NUL")
    return [len(values), joined]


def _untexts(found) -> list[str]:
    count, joined = found
    out = joined.split("\0") if count else []
    if len(out) != count:
        raise ValueError("texts of the wrong length")
    return out


def _packed(facts: dict) -> dict:
    """The facts as JSON that reads fast: columns of joined texts, not 100,000 small lists."""
    out = {part: {stage: _texts(sorted(ids)) for stage, ids in facts[part].items()}
           for part in ("pass", "inc")}
    for part in ("coded", "flagged"):
        out[part] = {sheet: {stage: _texts(sorted(ids)) for stage, ids in stages.items()}
                     for sheet, stages in facts[part].items()}
    out["dec"] = {}
    for sheet, stages in facts["dec"].items():
        out["dec"][sheet] = {}
        for stage, held in stages.items():
            held_now = list(held.values())
            cells = list(map(itemgetter(1), held_now))
            if all(map(lt, cells, cells[1:])):   # in order of their cells already (as _facts
                studies, values = list(held), list(map(itemgetter(0), held_now))   # makes them)
            else:
                rows = sorted(zip(cells, held, map(itemgetter(0), held_now)))
                cells, studies, values = map(list, zip(*rows))
            out["dec"][sheet][stage] = [_texts(studies), _texts(values), cells]
    return out


def _unpacked(found: dict) -> dict:
    out = {part: {stage: set(_untexts(ids)) for stage, ids in found[part].items()}
           for part in ("pass", "inc")}
    for part in ("coded", "flagged"):
        out[part] = {sheet: {stage: set(_untexts(ids)) for stage, ids in stages.items()}
                     for sheet, stages in found[part].items()}
    out["dec"] = {}
    for sheet, stages in found["dec"].items():
        out["dec"][sheet] = {}
        for stage, (studies, values, cells) in stages.items():
            studies, values = _untexts(studies), _untexts(values)
            if not len(studies) == len(values) == len(cells):
                raise ValueError("columns of different lengths")
            out["dec"][sheet][stage] = dict(zip(studies, zip(values, cells)))
    return out


def _updated(review, found: dict | None, now: dict, paths: dict[str, Path],
             touched: set[str]) -> dict | None:
    """The stored facts with the touched studies' (added to `touched`) taken again; None: all."""
    from workbench.review.sheet_tails import touched_since
    if found is None or not isinstance(found.get("facts"), dict):
        return None
    was = found.get("sheets")
    if not isinstance(was, dict) or set(was) != set(now):
        return None
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
    out = facts   # this command's own copy (read from the file): changed in place
    for sheet, stages in fresh["dec"].items():
        for stage, found_now in stages.items():
            held = out["dec"].setdefault(sheet, {}).setdefault(stage, {})
            for study in ids:
                if study not in found_now:
                    held.pop(study, None)
            top = max(map(itemgetter(1), held.values()), default=-1)
            if all(study in held or c > top for study, (_, c) in found_now.items()):
                held.update(found_now)   # kept in order: known studies keep their place
            else:
                held.update(found_now)
                out["dec"][sheet][stage] = dict(sorted(held.items(), key=lambda kv: kv[1][1]))
    for part in ("coded", "flagged"):
        for sheet, stages in fresh[part].items():
            for stage, found_now in stages.items():
                held = out[part].setdefault(sheet, {}).setdefault(stage, set())
                held -= ids
                held |= set(found_now)
    for stage in review.codebook().screening_stages():
        votes = [(sheet, study, stages[stage.id][study][0], "")
                 for sheet, stages in out["dec"].items() if stage.id in stages
                 for study in ids if study in stages[stage.id]]
        passing, included = _passing(stage, votes)
        for part, now_in in (("pass", passing), ("inc", included)):
            held = out[part].setdefault(stage.id, set())
            held -= ids
            held |= now_in
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
    import numpy as np
    from workbench.review.decision_frames import (
        _is, field_kinds, final_passing, latest_rows, latest_rows_of,
    )
    from workbench.review.screening import PASSING
    codebook = review.codebook()
    out = {"dec": {}, "pass": {}, "inc": {}, "coded": {}, "flagged": {}}
    for sheet, path in paths.items():
        # only: those studies' rows alone (not the whole frame: a save touched a few)
        rows = latest_rows(review, path) if only is None else latest_rows_of(review, path, only)
        # compared on the category codes (`_is`: which categories match, then each row's
        # code), not text by text on 750,000 rows; the texts only where they are kept
        value = rows["value"].astype(object).to_numpy()
        study = rows["study_id"].astype(object).to_numpy()
        cell = rows["cell"].to_numpy()
        filled = ~_is(rows["value"], ("",))
        decided = _is(rows["field"], (DECISION,)) & filled
        out["dec"][sheet] = {}
        for stage in codebook.screening_stages():
            out["dec"][sheet][stage.id] = _in_cell_order(
                np.flatnonzero(decided & _is(rows["stage"], (stage.id,))), cell, study, value)
        kinds = field_kinds(rows) & filled
        flags = _is(rows["field"], (cod.FLAG,)) & _is(rows["value"], (cod.FLAGGED,))
        out["coded"][sheet], out["flagged"][sheet] = {}, {}
        for stage in codebook.coding_stages():
            here = _is(rows["stage"], (stage.id,))
            out["coded"][sheet][stage.id] = set(study[here & kinds].tolist())
            out["flagged"][sheet][stage.id] = set(study[here & flags].tolist())
    if only is None:
        for stage in codebook.screening_stages():
            out["pass"][stage.id] = set(final_passing(review, stage, PASSING))
            out["inc"][stage.id] = set(final_passing(review, stage, (INCLUDE_DECISION,)))
    return out


def _in_cell_order(at, cell, study, value) -> dict:
    """{study: (value, cell)} of these rows in the order of (cell, study, value).

    A sheet's cells are numbered once per (stage, study), so a stage's
    decisions have distinct cells and sort by their cell alone (numpy); rows
    sharing a cell (never made by latest_rows) are sorted as tuples.
    """
    import numpy as np
    cells = cell[at]
    order = np.argsort(cells, kind="stable")
    if len(order) > 1 and not (np.diff(cells[order]) > 0).all():
        pairs = sorted(zip(cells.tolist(), study[at].tolist(), value[at].tolist()))
        return {s: (v, c) for c, s, v in pairs}
    rows = at[order]
    return dict(zip(study[rows].tolist(), zip(value[rows].tolist(), cell[rows].tolist())))


def _figures(review, names: list[str], facts: dict,
             study_ids: list[str] | None = None) -> dict[str, dict]:
    """The figures of `stage_progress` and `coding_progress` from the facts per study."""
    from workbench.core.screening import earlier_stages
    from workbench.review.screening import PASSING
    codebook = review.codebook()
    studies = study_ids if study_ids is not None else [s.id for s in review.studies()]
    every = set(studies)
    out: dict[str, dict] = {}
    for name in names:
        mine = {}
        decisions = facts["dec"].get(name, {})
        for stage in codebook.screening_stages():
            work = every
            total = len(studies)
            chain = earlier_stages(codebook, stage)  # passed the source and the stages before
            for source in chain:
                if source.reviewers <= 1:
                    passing = {s for s, (v, _) in decisions.get(source.id, {}).items()
                               if v in PASSING}
                else:
                    passing = facts["pass"].get(source.id, set())
                work = passing & work
            if chain:
                total = len(work)
            # the facts hold each sheet's decisions in the order it first wrote to the study
            decided = [v for s, (v, _) in decisions.get(stage.id, {}).items() if s in work]
            mine[stage.id] = {"done": len(decided), "total": total, **dict(Counter(decided))}
        for stage in codebook.coding_stages():
            work = every
            if stage.source:
                work = facts["inc"].get(stage.source, set()) & every
                source = codebook.stage(stage.source)
                for earlier in earlier_stages(codebook, source) if source is not None else ():
                    work = work & facts["pass"].get(earlier.id, set())
            coded = len(facts["coded"].get(name, {}).get(stage.id, set()) & work)
            flagged = len(facts["flagged"].get(name, {}).get(stage.id, set()) & work)
            mine[stage.id] = {"done": coded, "total": len(work), "flagged": flagged}
        out[name] = mine
    return out


__all__ = ["cached_progress", "progress_key", "CACHE_NAME"]
