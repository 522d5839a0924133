"""A coding session: one coder tagging the included studies, between the Review and the sheet.

The work list is the studies included at the coding stage's `source` stage
(`stages: - id: coding, source: full_text` in codebook.yaml): the final
decision of that stage (the consensus sheet, else all the reviewers the
stage needs agreeing; `io.exports.decisions.final_screening`, the rule the
exports use) must be `include`. Every change goes through the coder's
`Sheet` (validated by `core.coding`, flushed and fsynced) before the call
returns.

Blind by construction: other sheets are read only for the source stage's
screening decisions (to build the work list), never for coding values.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from workbench.review.team import require_role
from workbench.core import coding as cod
from workbench.core.events import CONSENSUS, Change, is_valid_reviewer
from workbench.core.prisma import FINAL
from workbench.core.screening import DECISION, INCLUDE_DECISION
from workbench.errors import ReviewError
from workbench.store.reviewer_sheet import Sheet
from workbench.review.sheet_reads import read_review_sheet
from workbench.store.sheet import sheet_path

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

#: Work-list filters.
ALL, UNCODED, CODED, FLAGGED = "all", "uncoded", "coded", "flagged"
FILTERS = (ALL, UNCODED, CODED, FLAGGED)

#: Field kinds whose non-empty value means the study has been coded.
_CODING_KINDS = (cod.CODE, cod.FIELD, cod.ROW)


@dataclass(frozen=True)
class CodingProgress:
    """One coder's progress at a coding stage."""

    stage: str
    label: str
    total: int
    coded: int
    flagged: int

    @property
    def left(self) -> int:
        return self.total - self.coded


def included_study_ids(review, source_stage_id: str) -> set[str]:
    """Return the ids of the studies whose final decision at a screening stage is include.

    A study must also have passed every earlier stage (a final include or maybe
    at the stage's source, and so on up): one whose title/abstract decision is
    back in conflict is not on the coding list, as it is not on the full-text list.

    Args:
        review: the open Review.
        source_stage_id: the screening stage whose inclusions are coded.

    Returns:
        Study ids with a FINAL include (consensus sheet, or every required reviewer agreeing).

    Raises:
        ReviewError: the stage is not defined.
        SheetError: a sheet cannot be read.
    """
    import pandas as pd  # the vectorized rule of the exports: only where it is computed

    from workbench.io.exports.decisions import events_frame, final_screening, latest_values

    from workbench.core.screening import earlier_stages
    from workbench.review.screening import PASSING

    codebook = review.codebook()
    stage = codebook.stage(source_stage_id)
    if stage is None:
        raise ReviewError(f"the coding stage's source {source_stage_id!r} is not a stage",
                          path=review.codebook_path)
    chain = [stage, *earlier_stages(codebook, stage)]
    wanted = {s.id for s in chain}
    frames = []
    if review.coding.is_dir():
        for path in sorted(review.coding.glob("*.csv")):
            if not (is_valid_reviewer(path.stem) or path.stem == CONSENSUS):
                continue
            rows = [e.row() for e in read_review_sheet(review, path).events
                    if e.stage in wanted and e.field in (DECISION, "criteria")]
            frames.append(events_frame(rows, path.stem))
    if not frames:
        return set()
    latest = latest_values(pd.concat(frames, ignore_index=True))
    out = None
    for at, passing in zip(chain, [(INCLUDE_DECISION,), *[PASSING] * (len(chain) - 1)]):
        finals = final_screening(latest, at, CONSENSUS)
        ids = {sid for sid, d in finals.items() if d.status == FINAL and d.decision in passing}
        out = ids if out is None else out & ids
    return out


class CodingSession:
    """One coder at one coding stage. Build it with `open_coding_session`."""

    def __init__(self, review, sheet: Sheet, stage_id: str, studies: Sequence) -> None:
        self.review = review
        self.sheet = sheet
        self.reviewer = sheet.reviewer
        self.codebook = review.codebook()
        self.stage = self.codebook.stage(stage_id)
        self.studies = list(studies)
        self.warnings = [str(p) for p in sheet.problems]
        self._index = {s.id: i for i, s in enumerate(self.studies)}
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.studies)

    def index_of(self, study_id: str) -> int | None:
        """Return the position of a study in the work list, or None."""
        return self._index.get(study_id)

    def coding(self, study_id: str) -> cod.StudyCoding:
        """Return this coder's current coding of a study."""
        return self.sheet.coding(self.codebook, self.stage.id, study_id)

    def is_coded(self, study_id: str) -> bool:
        """Return True when the study has at least one code, value or group row."""
        for name, value in self.sheet.state.values(self.stage.id, study_id).items():
            if value and name.split(":", 1)[0] in _CODING_KINDS:
                return True
        return False

    def is_flagged(self, study_id: str) -> bool:
        """Return True when this coder flagged the study for discussion."""
        return self.sheet.state.value(self.stage.id, study_id, cod.FLAG) == cod.FLAGGED

    def missing_required(self, study_id: str) -> list[str]:
        """Return the labels of required extraction fields that are still NA."""
        values = self.sheet.state.values(self.stage.id, study_id)
        return [f.label or f.id for f in self.codebook.fields
                if f.required and not values.get(cod.value_field(f.id))]

    def progress(self) -> CodingProgress:
        """Return coded / flagged / total for this coder."""
        coded = sum(1 for s in self.studies if self.is_coded(s.id))
        flagged = sum(1 for s in self.studies if self.is_flagged(s.id))
        return CodingProgress(self.stage.id, self.stage.label or self.stage.id,
                              len(self.studies), coded, flagged)

    def matching(self, which: str) -> list[int]:
        """Return the work-list indexes a filter keeps (all, uncoded, coded, flagged).

        Raises:
            ReviewError: an unknown filter.
        """
        if which not in FILTERS:
            raise ReviewError(f"unknown filter {which!r} (use {', '.join(FILTERS)})")
        keep = {ALL: lambda sid: True, UNCODED: lambda sid: not self.is_coded(sid),
                CODED: self.is_coded, FLAGGED: self.is_flagged}[which]
        return [i for i, s in enumerate(self.studies) if keep(s.id)]

    def resume_index(self) -> int:
        """Return where to start: the study this coder changed last, else the first uncoded."""
        latest_time, latest = "", None
        for (stage, study_id), cell in self.sheet.state.items():
            if stage != self.stage.id or study_id not in self._index:
                continue
            newest = max(e.time for e in cell.values())
            if newest > latest_time:
                latest_time, latest = newest, study_id
        if latest is not None:
            return self._index[latest]
        uncoded = self.matching(UNCODED)
        return uncoded[0] if uncoded else 0

    def previous_coded(self, index: int) -> int | None:
        """Return the nearest work-list index before `index` whose study has codes, or None."""
        for i in range(index - 1, -1, -1):
            if self.coding(self.studies[i].id).codes:
                return i
        return None

    # -- writing ---------------------------------------------------------------------------
    def _append(self, study_id: str, changes: Sequence[Change]) -> None:
        with self._lock:
            self.sheet.append(self.stage.id, study_id, changes)

    def set_codes(self, study_id: str, dimension_id: str, codes: Iterable[str]) -> None:
        """Save the whole set of codes of one dimension.

        Raises:
            DecisionRefused: unknown code, or several codes in a single-select dimension.
            SheetError: the sheet could not be written.
        """
        self._append(study_id, cod.codes_changes(self.codebook, self.stage.id, dimension_id,
                                                 codes))

    def toggle_code(self, study_id: str, dimension_id: str, code_id: str) -> tuple[str, ...]:
        """Select or unselect one code (a single-select dimension keeps only the new one).

        Returns:
            The dimension's codes after the change.

        Raises:
            DecisionRefused: the code is not in the dimension.
            SheetError: the sheet could not be written.
        """
        dim = self.codebook.dimension(dimension_id)
        if dim is None:
            raise ReviewError(f"unknown dimension {dimension_id!r}")
        current = self.coding(study_id).codes.get(dimension_id, ())
        if code_id in current:
            new = tuple(c for c in current if c != code_id)
        elif dim.select == "single":
            new = (code_id,)
        else:
            new = (*current, code_id)
        # A code retired from the codebook after it was saved here stays as saved.
        retired = cod.retired_codes(self.codebook, dim, current)
        self._append(study_id, cod.codes_changes(self.codebook, self.stage.id, dimension_id,
                                                 new, kept=retired))
        return self.coding(study_id).codes.get(dimension_id, ())

    def set_field(self, study_id: str, field_id: str, value: str) -> None:
        """Validate and save an extraction value ("" = NA, never 0).

        Raises:
            DecisionRefused: the value does not fit the field; nothing was saved.
            SheetError: the sheet could not be written.
        """
        self._append(study_id, cod.field_changes(self.codebook, self.stage.id, field_id, value))

    def add_row(self, study_id: str, group_id: str, values: Mapping[str, str]) -> str:
        """Validate and save a new row of a repeatable group; return its row id.

        Raises:
            DecisionRefused: a value does not fit; nothing was saved.
            SheetError: the sheet could not be written.
        """
        with self._lock:
            return self.sheet.add_row(self.codebook, self.stage.id, study_id, group_id, values)

    def edit_row(self, study_id: str, group_id: str, row_id: str,
                 values: Mapping[str, str]) -> None:
        """Validate and save new values of an existing row (unchanged values are not rewritten).

        Raises:
            DecisionRefused: the row does not exist or a value does not fit.
            SheetError: the sheet could not be written.
        """
        old = next((r.values for r in self.coding(study_id).rows.get(group_id, ())
                    if r.row_id == row_id), {})
        changed = {k: v for k, v in values.items() if old.get(k, "") != v}
        with self._lock:
            self.sheet.edit_row(self.codebook, self.stage.id, study_id, group_id, row_id,
                                changed)

    def remove_row(self, study_id: str, group_id: str, row_id: str) -> None:
        """Remove a row (its values stay in the history; undo brings it back)."""
        with self._lock:
            self.sheet.remove_row(self.codebook, self.stage.id, study_id, group_id, row_id)

    def set_memo(self, study_id: str, dimension_id: str, text: str) -> None:
        """Save the memo of a dimension ("" clears it)."""
        self._append(study_id, cod.memo_changes(self.codebook, self.stage.id, dimension_id, text))

    def set_evidence(self, study_id: str, code_id: str, quote: str, page: str = "") -> None:
        """Save the evidence quote and page of a code ("" clears both).

        A quote for a code not ticked ticks it in the same save
        (`core.coding.quote_changes`, as `Sheet.set_evidence`).

        Raises:
            DecisionRefused: unknown code, or a code of a single-select
                dimension where another is ticked; nothing was saved.
            SheetError: the sheet could not be written.
        """
        self._append(study_id, cod.quote_changes(self.codebook, self.stage.id,
                                                 self.coding(study_id).codes, code_id,
                                                 quote, page))

    def set_flag(self, study_id: str, flagged: bool, reason: str = "") -> None:
        """Flag a study for discussion with a reason, or clear the flag."""
        self._append(study_id, cod.flag_changes(self.codebook, self.stage.id, flagged, reason))

    def copy_codes(self, from_study: str, to_study: str) -> int:
        """Copy every dimension's codes of one study onto another, in one undoable save.

        Returns:
            How many dimensions changed (0 writes nothing).

        Raises:
            SheetError: the sheet could not be written.
        """
        source, target = self.coding(from_study).codes, self.coding(to_study).codes
        changes = []
        for dim in self.codebook.dimensions:
            # A retired code is not copied onto another study, and one the target already
            # has stays as saved (a single-select dimension takes the copied code instead).
            retired = cod.retired_codes(self.codebook, dim, source.get(dim.id, ()))
            copied = tuple(c for c in source.get(dim.id, ()) if c not in retired)
            kept = cod.retired_codes(self.codebook, dim, target.get(dim.id, ()))
            if not (dim.select == "single" and copied):
                copied = (*copied, *kept)
            if copied != target.get(dim.id, ()):
                changes += cod.codes_changes(self.codebook, self.stage.id, dim.id, copied,
                                             kept=kept)
        self._append(to_study, changes)
        return len(changes)

    def can_undo(self) -> bool:
        """Return True when this session has a change to undo."""
        return self.sheet.can_undo()

    def undo(self) -> str | None:
        """Undo this session's last change (appends the previous values); return its study id."""
        with self._lock:
            done = self.sheet.undo()
        return None if done is None else done[1]


def coding_stage(review, stage_id: str | None = None):
    """Return the coding stage to use: `stage_id`, or the first coding stage.

    Raises:
        ReviewError: no coding stage, or `stage_id` is not one.
    """
    return review.stage("coding", stage_id)


def open_coding_session(review, reviewer: str, stage_id: str | None = None,
                        progress: Progress | None = None,
                        cancel: threading.Event | None = None) -> CodingSession:
    """Open a coding session: the included studies and the coder's own sheet.

    Args:
        review: the open Review.
        reviewer: the coder (their sheet is coding/<reviewer>.csv).
        stage_id: a coding stage id; None means the first coding stage.
        progress: called with (done, total) while records are parsed and grouped.
        cancel: set to stop loading.

    Returns:
        The session; `warnings` lists sheet lines that were skipped.

    Raises:
        ReviewError: invalid reviewer, no such coding stage, cancelled.
        CodebookError, SheetError: the codebook or a sheet cannot be read.
    """
    if not is_valid_reviewer(reviewer) or reviewer.lower() == CONSENSUS:
        raise ReviewError(f"{reviewer!r} is not a valid reviewer name (letters, digits, _ . -)")
    codebook = review.codebook()
    stage = coding_stage(review, stage_id)
    require_role(review, reviewer, "code")
    studies = review.studies(progress=progress)
    if cancel is not None and cancel.is_set():
        raise ReviewError("loading was cancelled")
    sheet = Sheet.open(sheet_path(review.coding, reviewer), reviewer, codebook.version,
                       review.aliases())
    if stage.source:
        included = included_study_ids(review, stage.source)
        studies = [s for s in studies if s.id in included]
    return CodingSession(review, sheet, stage.id, studies)


def coding_progress(review, reviewer: str) -> list[CodingProgress]:
    """Return this reviewer's progress at every coding stage (for `workbench status`).

    Reads the sheet through the command's shared read (no role needed: it only counts).

    Raises:
        CodebookError, SheetError: the codebook or sheet cannot be read.
    """
    from workbench.review.decision_frames import use_columns
    codebook = review.codebook()
    stages = codebook.coding_stages()
    if not stages:
        return []
    studies = review.studies()
    out = []
    if not use_columns(review):  # a small review: per study
        from workbench.review.sheet_reads import review_sheet_state
        state = review_sheet_state(review, sheet_path(review.coding, reviewer))
        for stage in stages:
            ids = [s.id for s in studies]
            if stage.source:
                included = included_study_ids(review, stage.source)
                ids = [i for i in ids if i in included]
            coded = sum(1 for i in ids if any(
                value and name.split(":", 1)[0] in _CODING_KINDS
                for name, value in state.values(stage.id, i).items()))
            flagged = sum(1 for i in ids if state.value(stage.id, i, cod.FLAG) == cod.FLAGGED)
            out.append(CodingProgress(stage.id, stage.label or stage.id, len(ids), coded,
                                      flagged))
        return out
    from workbench.core.screening import earlier_stages
    from workbench.review.decision_frames import coding_counts, final_passing, latest_rows
    from workbench.review.screening import PASSING
    own = latest_rows(review, sheet_path(review.coding, reviewer))  # read once per command
    for stage in stages:
        ids = [s.id for s in studies]
        if stage.source:
            source = codebook.stage(stage.source)
            if source is None:
                included_study_ids(review, stage.source)  # raises: not a stage
            included = final_passing(review, source, (INCLUDE_DECISION,))
            for earlier in earlier_stages(codebook, source):  # passed every earlier stage too
                included = included & final_passing(review, earlier, PASSING)
            ids = [i for i in ids if i in included]
        coded, flagged = coding_counts(own, stage.id, set(ids), cod.FLAG, cod.FLAGGED)
        out.append(CodingProgress(stage.id, stage.label or stage.id, len(ids), coded, flagged))
    return out

