"""Agreement audit: reliability matrices and conflicts built from sheet events.

Pure functions over `Event`s (no file I/O): the caller reads each reviewer's
sheet and the consensus sheet (workbench.store.sheet.read_sheet) and passes
the events here; the statistics themselves live in workbench.core.agreement.measures.

Blind decisions. Agreement must be computed on what coders decided before
they saw each other's values. For each reviewer and study at a stage, the
value of a field is the reviewer's latest event for it made strictly BEFORE
the study's first event at that stage in the consensus sheet (no consensus
event: every event counts). Only events under one codebook version count:
by default the version with the most such events at the stage (ties go to
the version used most recently); pass `version=` to choose another. What
was left out is counted in `BlindSelection`.

Matrices (one `Variable` each; rows = studies, columns = reviewers,
None = no value from that reviewer):
- coders: only the reviewers with an event at the stage (stage_coders);
- screening: `decision` (nominal; categories = the decisions the stage
  offers, Stage.offered_decisions, so q is right for AC1 and PABAK) and,
  per criterion of the stage, `criterion:<id>` ("present"/"absent", for the
  reviewers who decided on the study). A `not_retrieved` mark is no
  decision here (drop_not_retrieved): PRISMA 2020 counts reports not
  retrieved apart from reports assessed, and a reviewer who could not
  retrieve a report did not assess it; how many units that took out is in
  the decision Variable's `not_retrieved`;
- coding: per dimension `code:<dim>` (code sets, MASI alpha; "" is the empty
  set, a real answer; a single-select dimension is nominal with its codes as
  categories) and per code `code:<dim>:<code>` (present/absent);
  per extraction field `field:<id>`: integer/number -> "ratio" when the
  field's minimum is >= 0, else "interval"; an ordered choice -> ordinal
  (the scale in the order of its choices); choice/boolean/date/text ->
  nominal; multi_choice -> code sets ("masi"). long_text, memos, quotes and
  group rows are not compared (their values cannot be matched unit by unit).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.core.agreement.measures import (DEFAULT_RESAMPLES, DEFAULT_SEED, Ratings, StatResult,
                                      agreement_table, results_frame)
from workbench.core.codebook import Codebook
from workbench.core.conflicts import Conflict  # one conflict value for the library
from workbench.core.coding import code_field, value_field
from workbench.core.events import Event, SheetState
from workbench.core.screening import CRITERIA, DECISION, DECISIONS, NOT_RETRIEVED, NOTE, split_ids

log = logging.getLogger(__name__)

PRESENT, ABSENT = "present", "absent"
def _version(event: Event) -> str:
    """The event's codebook version as every other command reads the line: a space typed by
    hand before or after it does not make it another version (`workbench check` names it)."""
    return event.codebook_version.strip()
#: Cell values by index 0 (present), 1 (absent), -1 (no value).
_MARKS = np.array([PRESENT, ABSENT, None], dtype=object)
_NUMBER_TYPES = ("integer", "number")
_NOMINAL_TYPES = ("choice", "boolean", "date", "text")


@dataclass(frozen=True)
class BlindSelection:
    """The blind events of one stage: per-reviewer latest-wins states and what was dropped.

    Attributes:
        stage: the stage id.
        version: the codebook version whose events were kept.
        states: {reviewer: SheetState of the kept events}.
        after_consensus: events dropped because they came at or after the
            study's first consensus event.
        other_version: events dropped because of another codebook version.
    """

    stage: str
    version: str
    states: dict[str, SheetState]
    after_consensus: int = 0
    other_version: int = 0


@dataclass(frozen=True)
class Variable:
    """One thing coders rated, as a reliability matrix ready for agreement_table.

    `matrix` is a DataFrame (rows = study ids, columns = reviewers, None =
    no value); `level` and `categories` are what to pass to agreement_table.
    `ratings`, when set, is the same matrix already integer-coded against
    `categories` (built where that is cheaper than reading the DataFrame).
    `not_retrieved` (a screening decision only): the studies two or more
    coders decided on that every one of them / only some of them marked
    not_retrieved, left out of the matrix (drop_not_retrieved).
    """

    name: str
    kind: str
    level: str
    matrix: pd.DataFrame
    categories: tuple | None = None
    label: str = ""
    ratings: Ratings | None = None
    not_retrieved: tuple[int, int] = (0, 0)


def first_consensus_times(consensus: Iterable[Event], stage: str) -> dict[str, str]:
    """Return {study id: time of its first consensus event at `stage`}."""
    first: dict[str, str] = {}
    for e in consensus:
        if e.stage == stage and (e.study_id not in first or e.time < first[e.study_id]):
            first[e.study_id] = e.time
    return first


def blind_selection(sheets: Mapping[str, Iterable[Event]], consensus: Iterable[Event],
                    stage: str, version: str | None = None) -> BlindSelection:
    """Return each reviewer's blind decisions at a stage (see the module notes).

    Args:
        sheets: {reviewer: that reviewer's events, in file order}.
        consensus: the consensus sheet's events.
        stage: the stage id.
        version: keep only this codebook version (default: the most used one).

    Returns:
        A BlindSelection.
    """
    cutoff = first_consensus_times(consensus, stage)
    version = version.strip() if version is not None else None
    before: dict[str, list[Event]] = {}
    late = 0
    for reviewer, events in sheets.items():
        if not cutoff:  # no consensus yet at this stage: every event is blind
            before[reviewer] = [e for e in events if e.stage == stage]
            continue
        kept = []
        for e in events:
            if e.stage != stage:
                continue
            limit = cutoff.get(e.study_id)
            if limit is not None and e.time >= limit:
                late += 1
                continue
            kept.append(e)
        before[reviewer] = kept
    use: Counter = Counter()
    for kept in before.values():
        use.update(map(_version, kept))
    if version is None:
        top = max(use.values(), default=0)
        tied = [v for v, n in use.items() if n == top]
        if len(tied) > 1:  # ties go to the version used most recently
            last: dict[str, str] = {}
            for kept in before.values():
                for e in kept:
                    if _version(e) in tied:
                        last[_version(e)] = max(last.get(_version(e), ""), e.time)
            version = max(tied, key=lambda v: last[v])
        else:
            version = tied[0] if tied else ""
    other = sum(use.values()) - use.get(version, 0)
    states = {r: SheetState(kept if not other else
                            (e for e in kept if _version(e) == version))
              for r, kept in before.items()}
    if late or other:
        log.info("stage %s: %d events after consensus and %d under other codebook versions left out",
                 stage, late, other)
    return BlindSelection(stage, version, states, late, other)


def stage_coders(states: Mapping[str, SheetState], stage: str) -> list[str]:
    """Return the reviewers who decided something at a stage, sorted.

    These are the coders of every variable of the stage (a reviewer whose
    sheet has no event there is no coder of it, even if they worked on
    another stage), and the coders the report's header names.
    """
    return sorted(r for r, st in states.items() if any(s == stage for s, _ in _keys(st)))


def _keys(state: SheetState):
    """The (stage, study) keys of a sheet state, without copying its cells."""
    return (key for key, _ in state.items())


def _latest_values(state: SheetState, stage: str, *field_names: str) -> list[dict[str, str]]:
    """[{study: latest value}] per field name, for one sheet at one stage (one pass)."""
    out: list[dict[str, str]] = [{} for _ in field_names]
    for (s, study), cell in state.items():
        if s == stage:
            for values, name in zip(out, field_names):
                event = cell.get(name)
                if event is not None:
                    values[study] = event.value
    return out


def _frame(cells: np.ndarray, studies: list[str], reviewers: list[str]) -> pd.DataFrame:
    """A studies x reviewers object DataFrame (object index: no per-cell pandas iteration)."""
    return pd.DataFrame(cells, index=pd.Index(studies, dtype=object, name="study_id"),
                        columns=pd.Index(reviewers, dtype=object, name="reviewer"), dtype=object)


def _field_matrix(states: Mapping[str, SheetState], stage: str, field_name: str,
                  convert=lambda v: v, blank_is_value: bool = False,
                  per: list[dict[str, str]] | None = None) -> pd.DataFrame:
    """Return studies x reviewers of one field's current values (None = no value).

    `per` ({study: value} per coder of the stage, in stage_coders order) saves
    reading the states again when the caller already has it.
    """
    reviewers = stage_coders(states, stage)
    if per is None:
        per = [_latest_values(states[r], stage, field_name)[0] for r in reviewers]
    studies = sorted(set().union(*per)) if per else []
    cells = np.full((len(studies), len(reviewers)), None, dtype=object)
    for j, values in enumerate(per):
        column = np.asarray([values.get(study) for study in studies] + [None],
                            dtype=object)[:-1]
        codes, uniques = pd.factorize(column)  # None -> -1; few distinct values
        # convert each distinct value once; blank text is no value unless told
        mapped = [None if (not blank_is_value and not u.strip()) else convert(u)
                  for u in uniques]
        lookup = np.full(len(mapped) + 1, None, dtype=object)
        for k, value in enumerate(mapped):  # one by one: a set is a value, not a sequence
            lookup[k] = value
        cells[:, j] = lookup[codes]
    return _frame(cells, studies, reviewers)


def _coders_of_studies(states: Mapping[str, SheetState], stage: str) -> dict[str, set[str]]:
    """{study: the coders who coded it} (any code, value or row, even an empty one)."""
    from workbench.core.consensus import took_part

    out: dict[str, set[str]] = {}
    for r in stage_coders(states, stage):
        for (st, study), cell in states[r].items():
            if st == stage and took_part(cell):
                out.setdefault(study, set()).add(r)
    return out


def _none_when_untouched(coded: dict[str, set[str]], sets: pd.DataFrame) -> pd.DataFrame:
    """Code sets with "coded as none" = "not coded" (the rule of core.consensus).

    A coder who coded a study (any code, value or row) and left a dimension
    untouched answered "no code": their cell is the empty set, not missing,
    for every study some coder coded.
    """
    reviewers = list(sets.columns)
    studies = sorted(set(coded) | set(sets.index))
    full = sets.reindex(pd.Index(studies, dtype=object, name="study_id")).astype(object)
    # A study no coder gave the dimension comes back from reindex as NaN: no value
    # either, so every coder of it answered "no code" too (both empty sets agree).
    full = full.where(full.notna(), None)
    for r in reviewers:
        column = [frozenset() if c is None and r in coded.get(s, ()) else c
                  for s, c in zip(studies, full[r].tolist())]
        full[r] = pd.Series(column, index=full.index, dtype=object)
    return full.astype(object).where(full.notna(), None)


def screening_variables(selection: BlindSelection, criteria: Sequence[str] = (),
                        decisions: Sequence[str] = DECISIONS) -> list[Variable]:
    """Return the screening decision and per-criterion matrices of a stage.

    Args:
        selection: from blind_selection.
        criteria: the stage's criterion ids (codebook.stage_criteria); criteria
            that reviewers used but are not listed are added.
        decisions: the decisions the stage offers (Stage.offered_decisions):
            the categories of `decision`, so AC1 and PABAK use the right q
            (a value a coder gave outside them is added, never dropped).

    Returns:
        [decision, criterion:<id>...] Variables.
    """
    stage, states = selection.stage, selection.states
    decisions_offered = tuple(decisions)
    coders = stage_coders(states, stage)
    read = [_latest_values(states[r], stage, DECISION, CRITERIA) for r in coders]
    decisions, left_out = drop_not_retrieved(
        _field_matrix(states, stage, DECISION, per=[d for d, _ in read]))
    out = [Variable("decision", "decision", "nominal", decisions,
                    categories=_categories(decisions, decisions_offered), label="decision",
                    not_retrieved=left_out)]
    # Each coder's criteria text per study, factorized (criteria_variables).
    studies, reviewers = list(decisions.index), list(decisions.columns)
    given = decisions.to_numpy(dtype=object) != None  # noqa: E711 (elementwise)
    texts = np.full(given.shape, "", dtype=object)
    used: set[str] = set()
    for j, (_, values) in enumerate(read):
        used.update(c for v in set(values.values()) for c in split_ids(v))
        texts[:, j] = [values.get(study, "") for study in studies]
    return out + criteria_variables(texts, given, used, criteria, studies, reviewers)


def drop_not_retrieved(decisions: pd.DataFrame) -> tuple[pd.DataFrame, tuple[int, int]]:
    """Return a screening decision matrix with every `not_retrieved` mark taken as no decision.

    A study left with no decision at all (every coder marked it) leaves the
    matrix; its criteria are not rated either (criteria_variables rates them
    where a decision is given). A matrix with no mark is returned as it is, so
    nothing else changes.

    Returns:
        (the matrix, (studies two or more coders decided on that every one
        of them marked not_retrieved, those that only some of them marked)).
    """
    cells = decisions.to_numpy(dtype=object)
    marked = cells == NOT_RETRIEVED
    if not marked.any():
        return decisions, (0, 0)
    decided = (cells != None).sum(axis=1)  # noqa: E711 (elementwise)
    n_marked = marked.sum(axis=1)
    pairable = decided >= 2
    every = int(((n_marked == decided) & pairable).sum())
    some = int(((n_marked > 0) & (n_marked < decided) & pairable).sum())
    cells = cells.copy()
    cells[marked] = None
    keep = ~((n_marked > 0) & (n_marked == decided))
    studies = [s for s, k in zip(decisions.index.tolist(), keep.tolist()) if k]
    return _frame(cells[keep], studies, list(decisions.columns)), (every, some)


def criteria_variables(texts: np.ndarray, given: np.ndarray, used: set[str],
                       criteria: Sequence[str], studies: list, reviewers: list) -> list[Variable]:
    """Return the criterion:<id> Variables (present/absent) of a screening stage.

    Args:
        texts: each coder's criteria text per study (studies x reviewers; "" = none).
        given: where the coder gave a decision (elsewhere the criterion is not rated).
        used: every criterion id the coders used.
        criteria: the stage's criteria, listed first (then the others used, sorted).
        studies, reviewers: the rows and columns of `texts`.
    """
    # membership is decided once per distinct text, not once per criterion and cell
    codes, uniques = pd.factorize(texts.ravel())
    units = tuple(studies)
    sets = [frozenset(split_ids(u)) for u in uniques]
    out = []
    for crit in list(criteria) + sorted(used - set(criteria)):
        member = np.asarray([crit in s for s in sets] + [False], dtype=bool)
        index = np.where(given, np.where(member[codes].reshape(given.shape), 0, 1), -1)
        ratings = Ratings(index.astype(np.int64), (PRESENT, ABSENT), units, tuple(reviewers),
                          "nominal")
        out.append(Variable(f"criterion:{crit}", "criterion", "nominal",
                            _frame(_MARKS[index], studies, reviewers),
                            categories=(PRESENT, ABSENT), label=crit, ratings=ratings))
    return out


def _categories(matrix: pd.DataFrame, allowed: Sequence[str]) -> tuple:
    """The allowed values first, then any others found (so nothing is out of range)."""
    seen = {v for v in matrix.to_numpy().ravel() if v is not None}
    return tuple(allowed) + tuple(sorted(seen - set(allowed)))


def coding_variables(selection: BlindSelection, codebook: Codebook) -> list[Variable]:
    """Return per-dimension, per-code and per-field matrices of a coding stage.

    Args:
        selection: from blind_selection at a coding stage.
        codebook: the codebook (dimensions, codes and field types).

    Returns:
        Variables in codebook order: for each dimension its code-set matrix
        then one present/absent matrix per code; then each extraction field.
    """
    stage, states = selection.stage, selection.states
    out: list[Variable] = []
    coded = _coders_of_studies(states, stage)
    # Every field the variables need, read in one pass over each coder's cells.
    names = [code_field(d.id) for d in codebook.dimensions] + \
        [value_field(f.id) for f in codebook.fields]
    coders = stage_coders(states, stage)
    read = [dict(zip(names, _latest_values(states[r], stage, *names))) for r in coders]

    def read_field(name, convert=lambda v: v, blank_is_value=False):
        return _field_matrix(states, stage, name, convert, blank_is_value,
                             per=[values[name] for values in read])

    for dim in codebook.dimensions:
        sets = _none_when_untouched(coded, read_field(
            code_field(dim.id), convert=lambda v: frozenset(split_ids(v)),
            blank_is_value=True))
        codes = [c.id for c in dim.all_codes()]
        if dim.select == "single":
            out.append(_single_select(dim, sets, codes))
        else:
            out.append(Variable(f"code:{dim.id}", "dimension", "masi", sets, label=dim.label))
        out += _code_variables(dim.id, sets, codes)
    for fld in codebook.fields:
        name = value_field(fld.id)
        if fld.type in _NUMBER_TYPES:
            level = "ratio" if fld.minimum is not None and fld.minimum >= 0 else "interval"
            out.append(Variable(name, "field", level, read_field(name, _number),
                                label=fld.label))
        elif fld.type == "multi_choice":
            sets = read_field(name, lambda v: frozenset(split_ids(v)))
            out.append(Variable(name, "field", "masi", sets, label=fld.label))
        elif fld.type == "choice" and fld.ordered:
            matrix = read_field(name, str.strip)
            out.append(Variable(name, "field", "ordinal", matrix,
                                categories=_categories(matrix, fld.choice_ids()),
                                label=fld.label))
        elif fld.type in _NOMINAL_TYPES:
            matrix = read_field(name, str.strip)
            cats = _categories(matrix, fld.choice_ids() if fld.type == "choice" else
                               ("true", "false") if fld.type == "boolean" else ())
            out.append(Variable(name, "field", "nominal", matrix, categories=cats, label=fld.label))
    return out


#: The category of a single-select dimension coded with no code ("none applies").
NO_CODE = "(none)"


def _code_variables(dim_id: str, sets: pd.DataFrame, codes: list[str]) -> list[Variable]:
    """One present/absent Variable per code of a dimension (codes no longer in the codebook too).

    The code sets are factorized once: membership is decided per distinct set,
    not per code and cell, and each matrix comes integer-coded as well.
    """
    cells = sets.to_numpy(dtype=object)
    index, uniques = pd.factorize(cells.ravel())  # None -> -1
    shape = cells.shape
    studies, reviewers = list(sets.index), list(sets.columns)
    units = tuple(studies)
    extra = sorted({c for u in uniques for c in u} - set(codes))
    out = []
    for code in codes + extra:
        member = np.asarray([code in u for u in uniques] + [False], dtype=bool)
        coded = np.where(index >= 0, np.where(member[index], 0, 1), -1).reshape(shape)
        ratings = Ratings(coded.astype(np.int64), (PRESENT, ABSENT), units, tuple(reviewers),
                          "nominal")
        out.append(Variable(f"code:{dim_id}:{code}", "code", "nominal",
                            _frame(_MARKS[coded], studies, reviewers),
                            categories=(PRESENT, ABSENT), label=code, ratings=ratings))
    return out


def _single_select(dim, sets: pd.DataFrame, codes: list[str]) -> Variable:
    """A single-select dimension as a nominal variable whose categories are its codes.

    Each cell is the one code chosen; "coded, and no code applies" (the empty
    set) is the category NO_CODE, added only when someone gave it, so q is
    the number of codes. Codes no longer in the codebook are added as found.
    """
    cells = sets.map(lambda v: None if v is None else
                     (NO_CODE if not v else ";".join(sorted(v))))
    cells = cells.astype(object).where(cells.notna(), None)
    return Variable(f"code:{dim.id}", "dimension", "nominal", cells,
                    categories=_categories(cells, codes), label=dim.label)


def _number(text: str) -> float | str:
    """A number, or the text itself (read_ratings then names the bad cell)."""
    try:
        return float(text)
    except ValueError:
        return text


def _comparable(field_name: str, value: str):
    """The form in which two reviewers' values are compared."""
    text = value.strip()
    if field_name == CRITERIA or field_name.startswith("code:"):
        return frozenset(split_ids(text))
    try:
        return float(text)
    except ValueError:
        return text


def find_conflicts(sheets: Mapping[str, Iterable[Event]], consensus: Iterable[Event],
                   stage: str, fields: Sequence[str] | None = None) -> list[Conflict]:
    """Return every study and field where reviewers' current values disagree.

    Current values are each reviewer's latest events (not only the blind
    ones). Compared: `decision` and `criteria` at screening stages, `code:*`
    and `field:*` at coding stages (or exactly `fields`). Sets are compared
    as sets and numbers as numbers; a reviewer with no value is not in
    conflict with anyone. A conflict the consensus sheet already settled is
    still listed, with `consensus` set, so a resolver can review it.

    Args:
        sheets: {reviewer: events}.
        consensus: the consensus sheet's events.
        stage: the stage id.
        fields: the field names to compare (default: see above).

    Returns:
        Conflicts sorted by study id, then field.
    """
    states = {r: SheetState(events) for r, events in sheets.items()}
    agreed = SheetState(consensus)
    found: list[Conflict] = []
    studies = sorted({s for st in states.values() for s in st.studies(stage)})
    for study in studies:
        names = set()
        for st in states.values():
            names.update(st.fields(stage, study))
        wanted = sorted(n for n in names if (n in fields if fields is not None else
                        n in (DECISION, CRITERIA) or n.startswith(("code:", "field:"))))
        for name in wanted:
            values, notes = {}, {}
            for reviewer in sorted(states):
                event = states[reviewer].latest(stage, study, name)
                if event is None or (not event.value.strip() and name != CRITERIA
                                     and not name.startswith("code:")):
                    continue
                values[reviewer] = event.value
                notes[reviewer] = event.note or states[reviewer].value(stage, study, NOTE)
            if len({_comparable(name, v) for v in values.values()}) > 1:
                found.append(Conflict(study, stage, name, values, notes,
                                      agreed.value(stage, study, name),
                                      agreed.latest(stage, study, name) is not None))
    return found


def variable_results(variables: Sequence[Variable], n_resamples: int = DEFAULT_RESAMPLES,
                     seed: int = DEFAULT_SEED) -> list[tuple[Variable, list[StatResult]]]:
    """Return agreement_table's results for each variable (same seed for all).

    Args:
        variables: from screening_variables / coding_variables.
        n_resamples: bootstrap resamples per variable (0: no CIs).
        seed: the bootstrap seed, recorded in every result.

    Returns:
        [(variable, its StatResults)] in the given order.
    """
    return [(v, agreement_table(v.ratings if v.ratings is not None else v.matrix, v.level,
                                categories=v.categories, n_resamples=n_resamples, seed=seed))
            for v in variables]


def report_frame(results: Sequence[tuple[Variable, Sequence[StatResult]]],
                 digits: int | None = None) -> pd.DataFrame:
    """Return one row per (variable, statistic) for printing or export.

    Args:
        results: from variable_results.
        digits: round values and CIs (None keeps full precision).

    Returns:
        A DataFrame: variable, kind, variable_label, then the StatResult columns.
    """
    frames = []
    for variable, stats in results:
        frame = results_frame(stats, digits=digits)
        frame.insert(0, "variable_label", variable.label)
        frame.insert(0, "kind", variable.kind)
        frame.insert(0, "variable", variable.name)
        frames.append(frame)
    if not frames:
        empty = results_frame([])
        for column in ("variable_label", "kind", "variable"):  # the same columns, in order
            empty.insert(0, column, pd.Series([], dtype=object))
        return empty
    return pd.concat(frames, ignore_index=True)
