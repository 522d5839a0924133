"""Agreement audit and conflict resolution over a review folder.

Reads every reviewer's sheet (coding/<name>.csv) and the consensus sheet
(coding/consensus.csv) once, as columns (`sheet_frames`), and hands them to
workbench.core.agreement.columns, which selects the blind decisions and builds
the reliability matrices in bulk; the statistics come from
workbench.core.agreement.measures. The per-event path
(workbench.core.agreement.audit, `stage_variables`) gives the same variables
from Events and is kept as the reference the tests compare with. Resolving a
conflict is in workbench.review.resolving.

    report = agreement_report(review, stage="title_abstract")
    for conflict in list_conflicts(review):
        ...
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.core.agreement.measures import DEFAULT_RESAMPLES, DEFAULT_SEED, StatResult
from workbench.core.agreement.groups import UnmatchedRow, group_variables, match_group_units
from workbench.core.agreement.columns import (BlindColumns, blind_columns,
                                              coding_variables_columns, group_units_columns,
                                              screening_variables_columns)
from workbench.core.agreement.methods import coding_paragraph, screening_paragraph
from workbench.core.agreement.audit import (ABSENT, PRESENT, BlindSelection, Conflict, Variable,
                                  blind_selection, coding_variables,
                                  report_frame, screening_variables, stage_coders,
                                  variable_results)
from workbench.core.codebook import CODING, EXCLUDE, Stage
from workbench.core.events import SheetState
from workbench.core.screening import CRITERIA, DECISION, NOT_RETRIEVED, split_ids
from workbench.errors import ReviewError
from workbench.io.safe_cells import csv_text
from workbench.review.all_sheets import Sheets, audit_stages, read_sheets

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StageAgreement:
    """The agreement audit of one stage.

    Attributes:
        stage: the codebook Stage.
        selection: the blind selection (codebook version, events left out).
        results: [(Variable, its StatResults)] in codebook order.
        reviewers: the reviewers with blind events at this stage.
        n_resamples, seed: how the bootstrap CIs were made.
        unmatched: group rows some coders of their study did not enter.
        blind: the blind events as columns, when the report was computed on
            columns (agreement_report); `selection.states` is then empty.
        counts: (studies_by_two, bulk_studies, and the two not_retrieved
            counts) of a report read back from
            .workbench/agreement.json (`workbench.review.agreement_cache`),
            whose variables hold no matrix.
    """

    stage: Stage
    selection: BlindSelection
    results: list[tuple[Variable, list[StatResult]]]
    reviewers: tuple[str, ...]
    n_resamples: int
    seed: int
    unmatched: tuple[UnmatchedRow, ...] = ()
    blind: BlindColumns | None = None
    counts: tuple[int, ...] | None = None

    def frame(self, digits: int | None = None) -> pd.DataFrame:
        """Return one row per (variable, statistic), with a leading `stage` column.

        Values and CIs keep full precision unless `digits` is given; counts and
        the seed are integers.
        """
        frame = report_frame(self.results, digits=digits)
        frame.insert(0, "stage", self.stage.id)
        return frame

    @staticmethod
    def empty_frame() -> pd.DataFrame:
        """The columns of `frame` with no rows."""
        frame = report_frame([])
        frame.insert(0, "stage", pd.Series([], dtype=object))
        return frame

    def studies_by_two(self) -> int:
        """Return how many studies two or more of the stage's coders decided on."""
        if self.counts is not None:
            return self.counts[0]
        if self.blind is not None:
            return self.blind.studies_by_two()
        seen: dict[str, int] = {}
        for reviewer in self.reviewers:
            for study in self.selection.states[reviewer].studies(self.stage.id):
                seen[study] = seen.get(study, 0) + 1
        return sum(1 for n in seen.values() if n >= 2)

    def methods(self) -> str:
        """Return the stage's agreement in the words of a methods section ("" before any).

        Screening: "Two reviewers screened 2,019 records independently;
        agreement was 94.1% (Cohen's kappa 0.71, 95% CI 0.66-0.76; ...)".
        Coding: how many variables reached alpha 0.80, with the range.
        """
        if not self.results:
            return ""
        if self.stage.kind == CODING:
            return coding_paragraph(len(self.reviewers), self.studies_by_two(),
                                    [(v.name, stats) for v, stats in self.results])
        decision = next((stats for v, stats in self.results if v.name == "decision"), None)
        reports = NOT_RETRIEVED in self.stage.offered_decisions()
        unit = "report" if reports else "record"
        text = screening_paragraph(len(self.reviewers), decision or [], reports,
                                   self.not_retrieved())
        bulk = self.bulk_studies()
        if text and bulk:
            text += (f" Of these, {bulk:,} {unit}{'s were' if bulk != 1 else ' was'} decided by "
                     "at least one reviewer with a bulk decision on a filter rather than one by "
                     f"one (listed in the audit log), which agreement on those {unit}s reflects.")
        return text

    def not_retrieved(self) -> tuple[int, int]:
        """Return the reports left out of agreement as not retrieved (every coder's mark, some's).

        See `audit.drop_not_retrieved`; (0, 0) at a coding stage.
        """
        if self.counts is not None:
            return (self.counts[2], self.counts[3]) if len(self.counts) == 4 else (0, 0)
        return next((v.not_retrieved for v, _ in self.results if v.name == "decision"
                     and v.kind == "decision"), (0, 0))

    def bulk_studies(self) -> int:
        """Return how many studies a reviewer's kept decision here came from a bulk decision."""
        from workbench.review.bulk import BULK_NOTE
        prefix = f"{BULK_NOTE}:"
        if self.counts is not None:
            return self.counts[1]
        if self.blind is not None:
            return self.blind.bulk_studies(prefix)
        found = set()
        for reviewer in self.reviewers:
            state = self.selection.states[reviewer]
            for study in state.studies(self.stage.id):
                event = state.latest(self.stage.id, study, "decision")
                if event is not None and event.note.startswith(prefix) \
                        and event.value != NOT_RETRIEVED:
                    found.add(study)
        return len(found)


@dataclass(frozen=True)
class Disagreement:
    """How often coders disagree on one variable (for the bar view).

    `units` counts units with values from two or more coders; `disagree`
    those among them where the values are not all the same, and `studies`
    names them.
    """

    variable: str
    kind: str
    label: str
    units: int
    disagree: int
    studies: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """The share of pairable units in disagreement (0 when there are none)."""
        return self.disagree / self.units if self.units else 0.0


# -- agreement ---------------------------------------------------------------------------------
def stage_variables(review, stage: Stage, sheets: Sheets) -> tuple[BlindSelection, list[Variable]]:
    """Return the blind selection and the reliability matrices of one stage."""
    selection, variables, _ = _stage_variables(review, stage, sheets)
    return selection, variables


def _stage_variables(review, stage: Stage, sheets: Sheets
                     ) -> tuple[BlindSelection, list[Variable], list[UnmatchedRow]]:
    codebook = review.codebook()
    selection = blind_selection(sheets.reviewers, sheets.consensus, stage.id)
    if stage.kind == CODING:
        variables = coding_variables(selection, codebook)
        matched, unmatched = group_units(review, stage, selection)
        variables += group_variables(matched, stage_coders(selection.states, stage.id), Variable)
        return selection, variables, unmatched
    # Exclusion criteria always; an inclusion criterion only once a coder recorded one
    # (screening_variables adds the criteria coders used): the app records none on
    # include, and a row that no coder could choose is no agreement to report.
    criteria = [c.id for c in codebook.stage_criteria(stage.id) if c.kind == EXCLUDE]
    return selection, screening_variables(selection, criteria, stage.offered_decisions()), []


def _column_variables(review, stage: Stage, blind: BlindColumns
                      ) -> tuple[list[Variable], list[UnmatchedRow]]:
    """`_stage_variables` on columns: the same Variables and unmatched rows."""
    codebook = review.codebook()
    if stage.kind == CODING:
        variables = coding_variables_columns(blind, codebook)
        matched, unmatched = group_units_columns(blind, codebook)
        variables += group_variables(matched, list(blind.coders), Variable)
        return variables, unmatched
    criteria = [c.id for c in codebook.stage_criteria(stage.id) if c.kind == EXCLUDE]
    return screening_variables_columns(blind, criteria, stage.offered_decisions()), []


def sheet_frames(review, sheets: Sheets | None = None):
    """Return ({reviewer: events frame}, the consensus events frame, the skipped lines).

    Each sheet read once per command as columns (review/sheet_reads.py), or
    the given `sheets` turned into frames.
    """
    from workbench.review.decision_frames import sheet_paths
    from workbench.review.sheet_reads import review_sheet_frame
    from workbench.store.sheet_frame import events_to_frame
    if sheets is not None:
        return ({name: events_to_frame(events) for name, events in sheets.reviewers.items()},
                events_to_frame(sheets.consensus), list(sheets.warnings))
    paths, consensus_path = sheet_paths(review)
    warnings: list[str] = []
    frames = {}
    for name, path in sorted([*paths.items(), ("", consensus_path)], key=lambda kv: kv[1].name):
        frame = review_sheet_frame(review, path)
        warnings += [str(p) for p in frame.problems]
        frames[name] = frame.events
    consensus = frames.pop("")
    return frames, consensus, warnings


def group_units(review, stage: Stage, selection: BlindSelection) -> tuple[list, list[UnmatchedRow]]:
    """Return the stage's group rows matched across coders, and the unmatched rows."""
    return match_group_units(selection.states, stage.id, review.codebook(),
                             stage_coders(selection.states, stage.id))


def agreement_report(review, stage: str | None = None, n_resamples: int = DEFAULT_RESAMPLES,
                     seed: int = DEFAULT_SEED, progress: Progress | None = None,
                     cancel: threading.Event | None = None,
                     sheets: Sheets | None = None, frames: tuple | None = None
                     ) -> list[StageAgreement]:
    """Compute every agreement statistic of every stage (or one) on the blind decisions.

    Screening stages: the decision and each exclusion/inclusion criterion
    (present/absent). Coding stages: each dimension (MASI alpha on code
    sets; nominal for a single-select one), each code (present/absent), each
    comparable extraction field, and each repeatable group: whether coders
    entered the same rows (`rows:<group>`) and, on rows matched by the key
    field, each other field (`row:<group>.<field>`); rows left unmatched
    are in StageAgreement.unmatched.

    Args:
        review: the open Review.
        stage: one stage id, or None for every stage.
        n_resamples: bootstrap resamples per variable (0: no CIs).
        seed: the bootstrap seed (recorded in every result).
        progress: called with (stages done, stages) after each stage.
        cancel: set to stop between stages (raises ReviewError).
        sheets: already read sheets (default: read each sheet as columns).
        frames: already read columns (sheet_frames), instead of `sheets`.

    The blind selection and the matrices are computed on columns
    (workbench.core.agreement.columns); `stage_variables` is the same on events.

    Returns:
        One StageAgreement per stage, in codebook order (stages nobody
        decided on have no rows).

    Raises:
        ReviewError: unknown stage, or cancelled.
        SheetError, CodebookError: a sheet or the codebook cannot be read.
        ValueError: a value cannot be read at the variable's level (a bug
            in validation upstream; the message names the cell).
    """
    stages = audit_stages(review, stage)
    frames = frames if frames is not None else sheet_frames(review, sheets)
    out = []
    for i, st in enumerate(stages):
        if cancel is not None and cancel.is_set():
            raise ReviewError("agreement was cancelled")
        blind = blind_columns(frames[0], frames[1], st.id)
        variables, unmatched = _column_variables(review, st, blind)
        variables = [v for v in variables if len(v.matrix.index)]
        results = variable_results(variables, n_resamples=n_resamples, seed=seed)
        selection = BlindSelection(st.id, blind.version, {}, blind.after_consensus,
                                   blind.other_version)
        out.append(StageAgreement(st, selection, results, blind.coders, n_resamples, seed,
                                  tuple(unmatched), blind))
        if progress is not None:
            progress(i + 1, len(stages))
    return out


def agreement_frame(reports: Sequence[StageAgreement], digits: int | None = None) -> pd.DataFrame:
    """Return every stage's statistics as one table (full precision unless `digits`)."""
    frames = [r.frame(digits) for r in reports if r.results]
    if not frames:
        return StageAgreement.empty_frame()
    return pd.concat(frames, ignore_index=True)


def agreement_csv(reports: Sequence[StageAgreement], digits: int | None = None) -> str:
    """Return agreement_frame as CSV text: full-precision floats, whole numbers without ".0",
    text cells neutralised against spreadsheet formulas (io.safe_cells)."""
    return csv_text(agreement_frame(reports, digits))


def methods_text(reports: Sequence[StageAgreement]) -> str:
    """Return the methods sentences of every stage with agreement, one paragraph each.

    Each paragraph starts with the stage's label; a note at the end says how
    the CIs were made, so the text can go into a supplement as it is.
    """
    paragraphs = [f"{r.stage.label or r.stage.id}: {text}" for r in reports
                  if (text := r.methods())]
    if not paragraphs:
        return "No stage has decisions by two or more reviewers yet.\n"
    first = reports[0]
    paragraphs.append(f"Agreement was computed on each reviewer's blind decisions (made before "
                      f"any consensus); 95% CIs are percentile bootstrap intervals over units "
                      f"({first.n_resamples} resamples, seed {first.seed}).")
    return "\n\n".join(paragraphs) + "\n"


def _same(values: list) -> bool:
    first = values[0]
    return all(v == first for v in values[1:])


def disagreements(report: StageAgreement) -> list[Disagreement]:
    """Return per-variable disagreement counts, most disagreeing first (ties: codebook order).

    Args:
        report: one stage's agreement.

    Returns:
        A Disagreement per variable with at least one pairable unit.

    Raises:
        ValueError: the report was read back from the cache (it holds no matrices).
    """
    if report.counts is not None:
        raise ValueError("a stored agreement has no matrices: use agreement_report")
    out = []
    for variable, _ in report.results:
        units = 0
        studies = []
        for study, row in zip(variable.matrix.index, variable.matrix.itertuples(index=False)):
            given = [v for v in row if v is not None]
            if len(given) >= 2:
                units += 1
                if not _same(given):
                    studies.append(study)
        if units:
            out.append(Disagreement(variable.name, variable.kind, variable.label, units,
                                    len(studies), tuple(studies)))
    order = {d.variable: i for i, d in enumerate(out)}
    return sorted(out, key=lambda d: (-d.share, -d.disagree, order[d.variable]))


# -- conflicts ---------------------------------------------------------------------------------
def list_conflicts(review, stage: str | None = None, include_resolved: bool = False,
                   sheets: Sheets | None = None) -> list[Conflict]:
    """Return every value the coders have not agreed on (see `workbench.review.conflicts`).

    Args:
        review: the open Review.
        stage: one stage id, or None for every stage (codebook order).
        include_resolved: also list conflicts the consensus sheet settled
            (their `consensus` holds the agreed value).
        sheets: already read sheets (default: read them now).

    Returns:
        Conflicts by stage, then study id.

    Raises:
        ReviewError: unknown stage.
        SheetError: a sheet cannot be read.
    """
    from workbench.review.conflicts import list_conflicts as listed   # (it imports this module)

    return listed(review, stage, include_resolved, sheets)


def count_conflicts(review) -> int:
    """Return how many conflicts wait to be resolved, of every kind (for the home screen)."""
    return len(list_conflicts(review))


def coder_criteria(conflicts: Sequence[Conflict], sheets: Sheets) -> dict[tuple[str, str],
                                                                           dict[str, str]]:
    """Return each coder's current criteria behind the screening decision conflicts.

    A decision conflict holds only the decisions; the criteria each reviewer
    gave with theirs (e.g. exclude for E2) are what a resolver weighs.

    Args:
        conflicts: from list_conflicts.
        sheets: the sheets the conflicts were read from.

    Returns:
        {(stage, study id): {reviewer: criteria ";"-joined}} for every
        `decision` conflict, reviewers as in the conflict's values.
    """
    states = {name: SheetState(events) for name, events in sheets.reviewers.items()}
    out: dict[tuple[str, str], dict[str, str]] = {}
    for c in conflicts:
        if c.field != DECISION:
            continue
        out[(c.stage, c.study_id)] = {
            name: (states[name].value(c.stage, c.study_id, CRITERIA) if name in states else "")
            for name in c.values}
    return out


def conflicts_for_variable(conflicts: Sequence[Conflict], variable: str,
                           studies: Sequence[str] | None = None) -> list[Conflict]:
    """Return the conflicts behind one agreement variable.

    `decision` and `field:<id>` map to that field; `code:<dim>` to the
    dimension's code sets; `rows:<group>` to its rows' existence and
    `row:<group>.<field>` to that field of its rows; `criterion:<id>` and `code:<dim>:<code>` to the
    conflicts where some coders chose that criterion or code and others did
    not. With `studies` (Disagreement.studies), the conflicts of those studies
    in the related fields instead: for a criterion that includes the decision
    conflicts (a reviewer who included gave no criteria to compare).

    Args:
        conflicts: from list_conflicts.
        variable: a Variable name ("decision", "criterion:E1", "code:dim:code"...).
        studies: the studies where the variable disagrees, or None.

    Returns:
        The matching conflicts, in the given order.
    """
    parts = variable.split(":")
    if parts[0] in ("rows", "row") and len(parts) == 2:  # group rows: units are "study/key"
        group, _, fld = parts[1].partition(".")
        wanted = None if studies is None else {u.split("/", 1)[0] for u in studies}

        def of_variable(c: Conflict) -> bool:
            bits = c.field.split(":")
            return (len(bits) >= 3 and bits[0] == "row" and bits[1] == group
                    and (bits[3:] == [fld] if fld else len(bits) == 3))

        return [c for c in conflicts if of_variable(c)
                and (wanted is None or c.study_id in wanted)]
    if parts[0] == "criterion" and len(parts) == 2:
        name, item = CRITERIA, parts[1]
    elif parts[0] == "code" and len(parts) == 3:
        name, item = f"code:{parts[1]}", parts[2]
    else:
        name, item = variable, None
    if studies is not None:
        fields = (CRITERIA, DECISION) if name == CRITERIA else (name,)
        wanted = set(studies)
        return [c for c in conflicts if c.study_id in wanted and c.field in fields]
    out = []
    for c in conflicts:
        if c.field != name:
            continue
        if item is not None:
            has = {item in split_ids(v) for v in c.values.values()}
            if len(has) < 2:
                continue
        out.append(c)
    return out


__all__ = ["StageAgreement", "Disagreement",
           "stage_variables", "agreement_report", "agreement_frame", "agreement_csv", "methods_text", "disagreements", "list_conflicts",
           "count_conflicts", "coder_criteria", "conflicts_for_variable", "PRESENT", "ABSENT"]
