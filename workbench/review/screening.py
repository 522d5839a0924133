"""A screening session: one reviewer screening one stage, between the Review and the sheet.

The session holds the stage's work list (every study for the first stage;
the studies that passed the source stage for later ones), the reviewer's
sheet state in memory, and an undo stack. Every decision goes through the
sheet API (flushed and fsynced) before `record` returns, so a front end that
shows the next study only after `record` returned never loses a decision.

Blind by construction: a session reads only this reviewer's sheet, and the
consensus sheet (plus the other sheets, to find unanimous decisions) only to
build the full-text work list, never to show another reviewer's decision.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.review.team import require_role
from workbench.core.consensus import FINAL, final_decisions
from workbench.core.events import CONSENSUS, Change, SheetState, is_valid_reviewer
from workbench.core.screening import (CRITERIA, DECISION, EXCLUDE_DECISION, INCLUDE_DECISION,
                                      MAYBE, NOT_RETRIEVED, NOTE, decisions_by_study,
                                      earlier_stages, split_ids)
from workbench.errors import ReviewError
from workbench.store.reviewer_sheet import Sheet
from workbench.review.sheet_reads import review_memo, review_sheet_state
from workbench.store.sheet import consensus_path
from workbench.store.sheet import sheet_path as _sheet_path

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

#: Decisions that let a study pass to the next stage.
PASSING = (INCLUDE_DECISION, MAYBE)
#: Filter value for "no decision yet".
UNSCREENED = "unscreened"
REVIEWER_FILE = Path(".workbench") / "reviewer"


# -- the remembered reviewer -------------------------------------------------------------------
def read_remembered_reviewer(root: Path) -> str | None:
    """Return the reviewer name remembered for this review folder on this machine, or None."""
    path = Path(root) / REVIEWER_FILE
    try:
        name = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name if is_valid_reviewer(name) else None


def write_remembered_reviewer(root: Path, name: str) -> None:
    """Remember the reviewer name in .workbench/reviewer (git-ignored, per machine).

    Best effort: on a read-only review folder or a full disk nothing is
    remembered (and nothing half-written is left).

    Raises:
        ReviewError: the name is not a valid reviewer name.
    """
    if not is_valid_reviewer(name):
        raise ReviewError(f"{name!r} is not a valid reviewer name (letters, digits, _ . -)")
    path = Path(root) / REVIEWER_FILE
    tmp = path.with_name(f"reviewer.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)   # a guessable name: never write through a link left there
        with open(tmp, "x", encoding="utf-8") as out:
            out.write(name + "\n")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only review or a full disk: remembering is a convenience
        log.info("could not remember the reviewer name in %s: %s", path, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


# -- filters -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filter:
    """Which studies of the work list to walk through.

    `text` matches title, abstract, authors, venue, keywords (all words,
    case-insensitive); `decision` is a decision value or "unscreened";
    `year_from`/`year_to` bound the year; `database` matches one of the
    study's databases (case-insensitive substring).
    """

    text: str = ""
    decision: str = ""
    year_from: int | None = None
    year_to: int | None = None
    database: str = ""

    def is_empty(self) -> bool:
        """Return True when the filter keeps every study."""
        return self == Filter()

    def describe(self) -> str:
        """Return a short human description ("" when empty)."""
        parts = []
        if self.text:
            parts.append(f'"{self.text}"')
        if self.decision:
            parts.append(self.decision)
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"{self.year_from or ''}-{self.year_to or ''}")
        if self.database:
            parts.append(f"db:{self.database}")
        return " ".join(parts)


def parse_filter(text: str = "", decision: str = "", years: str = "",
                 database: str = "") -> Filter:
    """Build a Filter from what a person typed.

    Args:
        text: words to search for.
        decision: include, exclude, maybe, not_retrieved, unscreened or "".
        years: "2015", "2015-2020", "2015-" or "-2020" or "".
        database: part of a database name.

    Raises:
        ReviewError: an unknown decision or years that are not a year range.
    """
    decision = decision.strip().lower()
    allowed = (INCLUDE_DECISION, EXCLUDE_DECISION, MAYBE, NOT_RETRIEVED, UNSCREENED)
    if decision and decision not in allowed:
        raise ReviewError(f"unknown decision {decision!r} (use {', '.join(allowed)})")
    years = years.strip()
    year_from = year_to = None
    if years:
        match = re.fullmatch(r"(\d{4})?\s*(-)?\s*(\d{4})?", years)
        if not match or not (match.group(1) or match.group(3)):
            raise ReviewError(f"years {years!r} is not a year or range like 2015-2020")
        year_from = int(match.group(1)) if match.group(1) else None
        year_to = int(match.group(3)) if match.group(3) else None
        if not match.group(2):
            year_to = year_from
    return Filter(text=text.strip(), decision=decision, year_from=year_from, year_to=year_to,
                  database=database.strip())


def _databases(study) -> tuple[str, ...]:
    return tuple(getattr(study, "databases", ()) or ())


def _haystack(study) -> str:
    return " ".join((study.title or "", study.abstract or "", " ".join(study.authors or ()),
                     study.venue or "", " ".join(study.keywords or ()))).lower()


# -- the session -------------------------------------------------------------------------------
@dataclass(frozen=True)
class StageProgress:
    """One reviewer's progress at one stage."""

    stage: str
    label: str
    total: int
    done: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def left(self) -> int:
        return self.total - self.done


class ScreeningSession:
    """One reviewer screening one stage. Build it with `open_session`."""

    def __init__(self, review, sheet: Sheet, stage_id: str, studies: Sequence) -> None:
        self.review = review
        self.sheet = sheet
        self.reviewer = sheet.reviewer
        self.state: SheetState = sheet.state
        self.codebook = review.codebook()
        self.stage = self.codebook.stage(stage_id)
        self.studies = list(studies)
        self.warnings = [str(p) for p in sheet.problems]
        self._index = {s.id: i for i, s in enumerate(self.studies)}
        self._haystacks: list[str] | None = None
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.studies)

    def index_of(self, study_id: str) -> int | None:
        """Return the position of a study in the work list, or None."""
        return self._index.get(study_id)

    def decision(self, study_id: str) -> str:
        """Return this reviewer's current decision ("" when unscreened)."""
        return self.state.value(self.stage.id, study_id, DECISION)

    def criteria(self, study_id: str) -> tuple[str, ...]:
        """Return this reviewer's current criterion ids for a study."""
        return split_ids(self.state.value(self.stage.id, study_id, CRITERIA))

    def note(self, study_id: str) -> str:
        """Return this reviewer's current note for a study."""
        return self.state.value(self.stage.id, study_id, NOTE)

    def next_unscreened(self, start: int = 0, wrap: bool = True) -> int | None:
        """Return the index of the first unscreened study at or after `start` (wrapping)."""
        n = len(self.studies)
        order = list(range(start, n)) + (list(range(0, min(start, n))) if wrap else [])
        stage, value = self.stage.id, self.state.value
        for i in order:
            if not value(stage, self.studies[i].id, DECISION):
                return i
        return None

    def progress(self) -> StageProgress:
        """Return done/total and counts per decision for this reviewer at this stage."""
        ids = self._index
        decided = {s: d for s, d in decisions_by_study(self.state, self.stage.id).items()
                   if s in ids}
        return StageProgress(self.stage.id, self.stage.label or self.stage.id,
                             len(self.studies), len(decided), dict(Counter(decided.values())))

    def matching(self, flt: Filter) -> list[int]:
        """Return the indexes of the studies a filter keeps, in work-list order."""
        if flt.is_empty():
            return list(range(len(self.studies)))
        words = flt.text.lower().split()
        if words and self._haystacks is None:
            self._haystacks = [_haystack(s) for s in self.studies]
        db = flt.database.lower()
        out = []
        for i, study in enumerate(self.studies):
            if words and not all(w in self._haystacks[i] for w in words):
                continue
            if flt.decision:
                current = self.decision(study.id)
                if (current or UNSCREENED) != flt.decision:
                    continue
            if flt.year_from is not None and (study.year is None or study.year < flt.year_from):
                continue
            if flt.year_to is not None and (study.year is None or study.year > flt.year_to):
                continue
            if db and not any(db in d.lower() for d in _databases(study)):
                continue
            out.append(i)
        return out

    # -- writing ---------------------------------------------------------------------------
    def record(self, study_id: str, decision: str, criteria: Sequence[str] = (),
               note: str | None = None) -> None:
        """Save a decision durably (flushed and fsynced) and apply it to the state.

        Args:
            study_id: a study of the work list.
            decision: include, exclude, maybe or not_retrieved.
            criteria: criterion ids (exclusion reasons).
            note: a new note, or None to keep the current one.

        Raises:
            DecisionRefused: the codebook does not allow the decision (nothing saved).
            SheetError: the sheet could not be written (nothing applied).
        """
        with self._lock:
            self.sheet.record_screening(self.codebook, self.stage.id, study_id, decision,
                                        criteria, note)

    def set_note(self, study_id: str, note: str) -> None:
        """Save a note for a study without changing its decision (undo takes it back too).

        Raises:
            SheetError: the sheet could not be written.
        """
        with self._lock:
            if note != self.note(study_id):
                self.sheet.append(self.stage.id, study_id, [Change(NOTE, note)])

    def record_group(self, items: Sequence[tuple[str, Sequence[Change]]]) -> None:
        """Save changes to many studies durably as one undoable step (a bulk decision).

        Raises:
            SheetError: the sheet could not be written (nothing applied).
        """
        with self._lock:
            self.sheet.append_group(self.stage.id, items)

    def can_undo(self) -> bool:
        """Return True when this session has a decision to undo."""
        return self.sheet.can_undo()

    def undo_size(self) -> int:
        """Return how many studies the next undo takes back (a bulk decision: all of it)."""
        return self.sheet.undo_size()

    def undo(self) -> str | None:
        """Undo the last decision of this session (appends the previous values).

        Returns:
            The id of the study whose decision was undone, or None if nothing to undo.

        Raises:
            SheetError: the sheet could not be written (the decision stays).
        """
        with self._lock:
            done = self.sheet.undo()
            return None if done is None else done[1]


# -- building a session ------------------------------------------------------------------------
def sheet_path(review, reviewer: str) -> Path:
    """Return the sheet file of a reviewer (coding/<name>.csv).

    Raises:
        SheetError: invalid reviewer name.
    """
    return _sheet_path(review.coding, reviewer)


def _other_sheets(review, reviewer: str) -> dict[str, Path]:
    """Return {name: path} of every sheet in coding/ except this reviewer's."""
    if not review.coding.is_dir():
        return {}
    return {p.stem: p for p in sorted(review.coding.glob("*.csv"))
            if p.stem != reviewer and is_valid_reviewer(p.stem)}


def passed_studies(review, stage, studies: Sequence, own: SheetState, reviewer: str,
                   shared: bool = False) -> list:
    """Return the studies that passed a stage's source stage, for this reviewer's work list.

    Single screening (the source stage needs one reviewer): this reviewer's own
    include or maybe. Two or more reviewers: the final decision of
    workbench.core.consensus (the consensus sheet, else the same decision from
    at least that many reviewers), the same rule the export and the conflicts
    use; an include from one reviewer and a maybe from another is a conflict to
    resolve. Other reviewers' decisions only choose the work list; they are
    never shown. `shared`: `own` is the review's shared state of the reviewer's
    sheet (`review_sheet_state`), so the final decisions are computed once per command.
    A study must have passed the source stage's own source too, and so on up.
    """
    source = review.codebook().stage(stage.source)
    if source is None:
        return list(studies)
    if source.source:  # a study passes every earlier stage first (core.screening.earlier_stages)
        studies = passed_studies(review, source, studies, own, reviewer, shared)
    if source.reviewers <= 1:
        mine = decisions_by_study(own, source.id)
        return [s for s in studies if mine.get(s.id) in PASSING]
    states = {reviewer: own}
    for name, path in _other_sheets(review, reviewer).items():
        if name != CONSENSUS:
            states[name] = review_sheet_state(review, path)
    states[CONSENSUS] = review_sheet_state(review, consensus_path(review.coding))

    def finals_now() -> dict:
        from workbench.review.stopping_close import settle_single_screened, stopped_by
        votes = [(name, sid, value, "") for name, state in states.items()
                 for sid, value in decisions_by_study(state, source.id).items()]
        finals = final_decisions(source.id, votes, source.reviewers)
        # a study one reviewer screened and the other closed screening before (stopping test)
        stoppers = stopped_by({n: s for n, s in states.items() if n != CONSENSUS}, source.id)
        return settle_single_screened(finals, votes, stoppers, source.id, source.reviewers)

    if shared:  # every state is the review's shared one: the same finals for each reviewer
        names = sorted(states)
        finals = review_memo(review, f"finals:{source.id}:{source.reviewers}:{','.join(names)}",
                             tuple(states[n] for n in names), finals_now)
    else:
        finals = finals_now()
    return [s for s in studies if (f := finals.get(s.id)) is not None
            and f.status == FINAL and f.decision in PASSING]


def empty_stage_reason(review, stage) -> str:
    """Say why a screening stage has no study to screen, and what would bring one.

    A first stage is empty only when nothing is imported; a later stage lists
    the studies that passed its source stage (see `passed_studies`).
    """
    source = review.codebook().stage(stage.source) if stage.source else None
    if source is None:
        return "No study to screen: import your search exports first (workbench import)."
    label = source.label or source.id
    if source.reviewers <= 1:
        return (f"No study has passed {label} yet: a study comes here once you include it "
                "there (or mark it maybe).")
    return (f"No study has passed {label} yet: it needs an include (or maybe) from "
            f"{source.reviewers} reviewers alike, or a consensus where they disagree "
            "(workbench conflicts).")


def screening_stage(review, stage_id: str | None):
    """Return a screening stage (None: the first); ReviewError when there is none."""
    return review.stage("screening", stage_id)


def open_session(review, reviewer: str, stage_id: str | None = None,
                 progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> ScreeningSession:
    """Open a screening session: the stage's work list and the reviewer's sheet.

    Args:
        review: the open Review.
        reviewer: the reviewer name (their sheet is coding/<reviewer>.csv).
        stage_id: a screening stage id; None means the first screening stage.
        progress: called with (done, total) while records are parsed and grouped.
        cancel: set to stop loading (checked between steps).

    Returns:
        The session; `session.warnings` lists sheet lines that were skipped
        (e.g. a torn last line), each as `path:line: problem`.

    Raises:
        ReviewError: invalid reviewer, unknown or non-screening stage.
        CodebookError, SheetError: the codebook or sheet cannot be read.
    """
    if not is_valid_reviewer(reviewer) or reviewer.lower() == CONSENSUS:
        raise ReviewError(f"{reviewer!r} is not a valid reviewer name (letters, digits, _ . -)")
    codebook = review.codebook()
    stage = screening_stage(review, stage_id)
    require_role(review, reviewer, "screen")
    studies = review.studies(progress=progress)
    if cancel is not None and cancel.is_set():
        raise ReviewError("loading was cancelled")
    sheet = Sheet.open(sheet_path(review, reviewer), reviewer, codebook.version,
                       review.aliases())
    work = (passed_studies(review, stage, studies, sheet.state, reviewer) if stage.source
            else studies)
    return ScreeningSession(review, sheet, stage.id, work)


def stage_progress(review, reviewer: str) -> list[StageProgress]:
    """Return this reviewer's progress at every screening stage (for the home screen).

    Raises:
        CodebookError, SheetError: the codebook or sheet cannot be read.
    """
    from workbench.review.decision_frames import use_columns
    studies = review.studies()
    path = sheet_path(review, reviewer)
    if not use_columns(review):  # a small review: per study, without loading pandas
        state = review_sheet_state(review, path)  # read once per command, shared
        out = []
        for stage in review.codebook().screening_stages():
            work = (passed_studies(review, stage, studies, state, reviewer, shared=True)
                    if stage.source else studies)
            ids = {s.id for s in work}
            decided = {s: d for s, d in decisions_by_study(state, stage.id).items() if s in ids}
            out.append(StageProgress(stage.id, stage.label or stage.id, len(work), len(decided),
                                     dict(Counter(decided.values()))))
        return out
    from workbench.review.decision_frames import decisions, final_passing, latest_rows
    own = latest_rows(review, path)  # the sheet's columns, read once per command
    codebook = review.codebook()
    out = []
    for stage in codebook.screening_stages():
        ids = None
        chain = earlier_stages(codebook, stage)
        if chain:  # the work list: what passed the source stage and those before (passed_studies)
            passing = None
            for source in chain:
                if source.reviewers <= 1:
                    mine = decisions(own, source.id)
                    here = set(mine.index[mine.isin(PASSING).to_numpy()].tolist())
                else:
                    here = final_passing(review, source, PASSING)
                passing = here if passing is None else passing & here
            ids = [s.id for s in studies if s.id in passing]
        total = len(studies) if ids is None else len(ids)
        decided = decisions(own, stage.id)
        if ids is not None:
            decided = decided[decided.index.isin(ids)]
        elif len(decided):
            decided = decided[decided.index.isin([s.id for s in studies])]
        out.append(StageProgress(stage.id, stage.label or stage.id, total, len(decided),
                                 dict(Counter(decided.tolist()))))
    return out


def find_fulltext(review, study) -> list[Path]:
    """Return PDFs under references/ whose file name names this study.

    A PDF matches when its name (case-insensitive) contains the study id, one of
    its record ids, or its DOI with "/" written as "_" or "-".
    """
    folder = review.root / "references"
    if not folder.is_dir():
        return []
    keys = {study.id.lower(), *(r.lower() for r in getattr(study, "record_ids", ()) or ())}
    doi = (getattr(study, "doi", "") or "").lower()
    if doi:
        keys |= {doi.replace("/", "_"), doi.replace("/", "-")}
    keys.discard("")
    return sorted(p for p in folder.rglob("*.pdf")
                  if any(k in p.name.lower() for k in keys))
