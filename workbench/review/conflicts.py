"""Conflicts of a review folder: what the coders have not agreed on, for every stage.

Reads the sheets (`workbench.review.all_sheets.read_sheets`), applies the one
consensus rule (`workbench.core.consensus`) and lists what is not agreed
(`workbench.core.conflicts`): screening decisions and criteria, codes,
extraction values, group rows and their fields, and values a merge of
studies brought together. The conflicts verb, the resolve screen, `check`,
`status` and the home screen all call `list_conflicts` / `conflict_counts`.

    for c in list_conflicts(review):
        print(c.stage, c.study_id, c.field, c.values)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from workbench.core.codebook import CODING
from workbench.core.conflicts import (Conflict, coding_conflicts, merge_conflicts,
                                      screening_conflicts)
from workbench.core.consensus import StudyConsensus, coding_consensus, quick_agreed
from workbench.core.events import CONSENSUS, Event, SheetState, is_valid_reviewer
from workbench.core.screening import NOTE
from workbench.review.all_sheets import Sheets, audit_stages, read_sheets
from workbench.review.sheet_reads import read_review_sheet, review_sheet_state


def raw_reviewer_events(review) -> dict[str, list[Event]]:
    """Return {reviewer: events} with the study ids as written (no merge aliases applied)."""
    folder = Path(review.coding)
    out: dict[str, list[Event]] = {}
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if path.stem != CONSENSUS and is_valid_reviewer(path.stem):
            out[path.stem] = list(read_review_sheet(review, path, aliased=False).events)
    return out


def shared_states(review) -> tuple[dict[str, SheetState], SheetState]:
    """Return ({reviewer: state}, consensus state): the review's shared whole-sheet states.

    The same sheets as `read_sheets` (valid reviewer names, name order), each
    read once per command (`workbench.review.sheet_reads`); read them, never apply to them.
    """
    folder = Path(review.coding)
    states: dict[str, SheetState] = {}
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if path.stem != CONSENSUS and is_valid_reviewer(path.stem):
            states[path.stem] = review_sheet_state(review, path)
    return states, review_sheet_state(review, folder / f"{CONSENSUS}.csv")


def coding_results(review, stage: str, sheets: Sheets | None, studies: set[str] | None = None,
                   skip_agreed: bool = False,
                   shared: tuple[dict[str, SheetState], SheetState] | None = None
                   ) -> dict[str, StudyConsensus]:
    """Return {study id: StudyConsensus} for every study some sheet coded at a coding stage.

    Args:
        review: the open Review.
        stage: a coding stage id.
        sheets: the review's sheets.
        studies: only these studies (default: every study with events).
        skip_agreed: leave out the studies whose coders wrote exactly the same
            things and the consensus nothing (`core.consensus.quick_agreed`):
            they have no conflict, and a big review has thousands.
        shared: ({reviewer: state}, consensus state) of the whole sheets, from
            `shared_states` (then `sheets` is not used).
    """
    codebook = review.codebook()
    st = codebook.stage(stage)
    if shared is not None:
        states = {**shared[0], CONSENSUS: shared[1]}
    else:
        states = {n: SheetState(e for e in ev if e.stage == stage)
                  for n, ev in sheets.reviewers.items()}
        states[CONSENSUS] = SheetState(e for e in sheets.consensus if e.stage == stage)
    ids = sorted({s for state in states.values() for s in state.studies(stage)})
    out = {}
    for study in ids:
        if studies is not None and study not in studies:
            continue
        cells = {n: state.fields(stage, study) for n, state in states.items()}
        cells = {n: c for n, c in cells.items() if c}
        if skip_agreed and quick_agreed(cells, st.reviewers):
            continue
        out[study] = coding_consensus(codebook, stage, study, cells, st.reviewers)
    return out


def study_consensus(review, stage: str, study_id: str,
                    sheets: Sheets | None = None) -> StudyConsensus:
    """Return the StudyConsensus of one study at a coding stage."""
    sheets = sheets if sheets is not None else read_sheets(review)
    found = coding_results(review, stage, sheets, {study_id})
    return found.get(study_id) or StudyConsensus(study_id, stage, (), [], {}, {})


def list_conflicts(review, stage: str | None = None, include_resolved: bool = False,
                   sheets: Sheets | None = None) -> list[Conflict]:
    """Return every value the coders have not agreed on, stage by stage (codebook order).

    Args:
        review: the open Review.
        stage: one stage id, or None for every stage.
        include_resolved: also list conflicts the consensus sheet settled
            (their `consensus` holds the agreed value).
        sheets: already read sheets (default: read them now).

    Returns:
        Conflicts by stage, then study id; at each study merges first, then
        the decision or criteria, or codes, fields and group rows in codebook order.

    Raises:
        ReviewError: unknown stage.
        SheetError: a sheet cannot be read.
    """
    from workbench.review.decision_frames import use_columns
    if sheets is None and use_columns(review):  # a large review: on the sheets' columns
        if not include_resolved:  # kept per study in .workbench/, recounted where appended
            from workbench.review.conflict_cache import cached_conflicts
            return cached_conflicts(review, stage)
        return _listed_from_frames(review, stage, include_resolved)
    # The review's sheets: their shared whole-sheet states (read once per command);
    # a state keyed by (stage, study) answers for one stage as a stage's own would.
    # One stage: states of that stage's events only (smaller than the whole sheets').
    shared = shared_states(review) if sheets is None and stage is None else None
    sheets = sheets if shared is not None or sheets is not None else read_sheets(review)
    aliases = review.aliases()
    raw = raw_reviewer_events(review) if aliases else {}
    out: list[Conflict] = []
    for st in audit_stages(review, stage):
        if shared is not None:
            states, consensus = shared
        else:
            consensus = SheetState(e for e in sheets.consensus if e.stage == st.id)
            states = {n: SheetState(e for e in ev if e.stage == st.id)
                      for n, ev in sheets.reviewers.items()}
        found = merge_conflicts(raw, aliases, consensus, st.id, include_resolved)
        if st.kind == CODING:
            for result in coding_results(review, st.id, sheets, skip_agreed=not include_resolved,
                                         shared=shared).values():
                found += _with_notes(coding_conflicts(result, include_resolved), states, st.id)
        else:
            found += screening_conflicts(st.id, states, consensus, include_resolved)
        out += sorted(found, key=lambda c: (c.study_id, c.kind != "merge"))
    return out


def _listed_from_frames(review, stage: str | None, include_resolved: bool,
                        only: set[str] | None = None) -> list[Conflict]:
    """`list_conflicts` from the sheets' columns: candidates in bulk, then the per-study rule.

    `workbench.review.decision_frames` rules out the studies that certainly
    have no conflict; the rest go through the same functions as the
    per-study path, on states holding only their rows. `only`: just these
    studies (ids after merges), each through the per-study rule (no bulk step).
    """
    from workbench.review import decision_frames as df
    aliases = review.aliases()
    if only is not None:   # those studies' rows alone: what they are decided on
        paths, cons_path = df.sheet_paths(review)
        reviewers = {n: df.latest_rows_of(review, p, only) for n, p in paths.items()}
        consensus = df.latest_rows_of(review, cons_path, only)
    else:
        reviewers, consensus = df.latest_frames(review)
    raw = {}
    if aliases:
        merged = set(aliases) | set(aliases.values())
        if only is not None:
            merged = {s for s in merged if aliases.get(s, s) in only}
        paths, _ = df.sheet_paths(review)
        raw = {name: df.latest_rows(review, path, aliased=False)
               for name, path in paths.items()}
    codebook = review.codebook()
    out: list[Conflict] = []
    for st in audit_stages(review, stage):
        if aliases:
            raw_events = {n: df.events_of(f, st.id, merged) for n, f in raw.items()}
            cons_state = SheetState(df.events_of(consensus, st.id, merged))
            found = merge_conflicts(raw_events, aliases, cons_state, st.id, include_resolved)
        else:
            found = []
        if st.kind == CODING:
            if only is None:
                every, open_ = df.coding_candidates(reviewers, consensus, st.id, st.reviewers)
                wanted = set(every) if include_resolved else open_
            else:
                wanted = set(only)
            states = df.small_states({**reviewers, CONSENSUS: consensus}, st.id, wanted)
            for study in sorted(wanted):
                cells = {n: state.fields(st.id, study) for n, state in states.items()}
                cells = {n: c for n, c in cells.items() if c}
                if not cells:  # no sheet has it at this stage
                    continue
                result = coding_consensus(codebook, st.id, study, cells, st.reviewers)
                found += _with_notes(coding_conflicts(result, include_resolved), states, st.id)
        else:
            wanted = df.screening_candidates(reviewers, st.id) if only is None else set(only)
            states = df.small_states(reviewers, st.id, wanted)
            cons_state = df.small_states({CONSENSUS: consensus}, st.id, wanted)[CONSENSUS]
            found += screening_conflicts(st.id, states, cons_state, include_resolved)
        out += sorted(found, key=lambda c: (c.study_id, c.kind != "merge"))
    return out


def study_conflicts(review, stage: str, study_id: str, sheets: Sheets) -> list[Conflict]:
    """Return the open conflicts of one study at one stage (after a resolution, say).

    Args:
        review: the open Review.
        stage: the stage id.
        study_id: the study.
        sheets: the review's sheets, with the consensus events written since read.
    """
    mine = Sheets({n: [e for e in ev if e.study_id == study_id]
                   for n, ev in sheets.reviewers.items()},
                  [e for e in sheets.consensus if e.study_id == study_id])
    return [c for c in list_conflicts(review, stage, sheets=mine) if c.study_id == study_id]


def _with_notes(conflicts: list[Conflict], states: dict[str, SheetState],
                stage: str) -> list[Conflict]:
    """Fill each coder's note on a coding conflict: the dimension's memo, else the study note."""
    from dataclasses import replace

    out = []
    for c in conflicts:
        notes = {}
        for coder in c.values:
            st = states.get(coder)
            if st is None:
                continue
            memo = st.value(stage, c.study_id, "memo:" + c.field[5:]) \
                if c.field.startswith("code:") else ""
            text = memo or st.value(stage, c.study_id, NOTE)
            if text:
                notes[coder] = text
        out.append(replace(c, notes=notes))
    return out


def conflict_counts(review, sheets: Sheets | None = None) -> dict[str, int]:
    """Return how many conflicts are open, by kind, plus "total" (home screen and `status`).

    Kinds: decision, criteria, code, field, row, row_field, merge.
    """
    counts = Counter(c.kind for c in list_conflicts(review, sheets=sheets))
    return {**dict(sorted(counts.items())), "total": sum(counts.values())}


__all__ = ["Conflict", "list_conflicts", "study_conflicts", "conflict_counts", "coding_results",
           "study_consensus", "raw_reviewer_events"]
