"""PRISMA 2020 flow counts computed from records, studies and final decisions (pure).

The flow follows the review's screening stages, in codebook order: every
stage but the last screens records (after duplicates are removed; one study
= one record screened; a study excluded at any of them is a record
excluded, and only the studies a stage keeps go on to the next), and the
last stage assesses reports (one per study sought; "not_retrieved" is
allowed there only). With a single stage its includes are the studies
included.

Records are split between PRISMA 2020's two columns by their database label
(`source_method`): a label naming citation searching or a hand search, an
organisation (NGO, government, agency, reports), a website or grey
literature is an "other method" (grey literature in general counts as
websites, see OTHER_METHOD_WORDS);
every other label is a database or register. A study goes down the "other
methods" column when none of its records came from a database or register.
Duplicates are removed and records screened once for the whole review (the
tool screens grey literature like any record), so those two boxes count both
columns; the reports boxes are counted per column.

Every box is counted from the decisions, and `check_prisma` lists every
number that does not equal the sum of its parts, plus every decision state
that makes the diagram unfinished (studies unscreened, conflicts unresolved,
"maybe" left standing at the last stage), so an export can refuse to draw it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Collection, Iterable, Mapping, Sequence

# FinalDecision and its statuses live in core.consensus; re-exported here.
from workbench.core.consensus import CONFLICT, FINAL, PENDING, FinalDecision  # noqa: E402,F401
# Re-exported: the export and older callers import these from here.
from workbench.core.sources import (CITATIONS, DATABASES, ORGANISATIONS,  # noqa: F401
                                     OTHER_METHOD_WORDS, WEBSITES, source_method)

#: Where a study ends up in the flow (the `box` column of prisma_studies.csv).
BOX_EXCLUDED_SCREENING = "records_excluded"
BOX_NOT_RETRIEVED = "reports_not_retrieved"
BOX_EXCLUDED_ELIGIBILITY = "reports_excluded"
BOX_INCLUDED = "studies_included"
BOX_UNFINISHED = "unfinished"
#: A reviewer's own flow only (`export --reviewer`): a report her earlier decision sent on
#: that she never assessed, because the team's decisions did not send it on.
BOX_NOT_SCREENED = "reports_not_screened"
#: Records nobody screened because the reviewers closed screening once the stopping test
#: said stop (review.stopping_close): PRISMA 2020's "Records marked as ineligible by
#: automation tools" (Page et al. 2021, BMJ 372:n71, Figure 1 and its footnote), labelled
#: "not screened: stopping criterion met".
BOX_STOPPED = "records_not_screened_stopping"

NO_REASON = "(none)"
#: Final decisions that send a study on from a stage that screens records: a
#: "maybe" is not excluded, so its full text is sought (as the screening screen
#: does). At the last stage a "maybe" is still unfinished.
PASSED_ON = ("include", "maybe")
UNKNOWN_DATABASE = "(unknown)"


@dataclass(frozen=True)
class ExclusionReason:
    """How many studies a criterion excluded at a stage.

    `n` counts each excluded study once, under its first (primary) criterion,
    so the reasons add up to the excluded box; `n_any` counts every study
    that lists the criterion at all.
    """

    stage: str
    criterion: str
    label: str
    n: int
    n_any: int


@dataclass(frozen=True)
class PrismaCounts:
    """The numbers of a PRISMA 2020 flow diagram (new review; databases and other methods).

    `databases` lists records per database or register, `other_sources`
    records per other-method label (website, organisation, citation
    searching). `records_*` and `duplicates` count the whole review; the
    `reports_*` fields count the databases-and-registers column and the
    `other_*` fields the other-methods column. `studies_included` is both
    columns. `stages` names every screening stage, in order. `problems` lists
    the decision states that leave the flow unfinished; `placement` maps every
    study id to the box it ends in (for audit).
    """

    databases: tuple[tuple[str, int], ...]
    records_identified: int
    duplicates: int
    records_screened: int
    records_excluded: int
    reports_sought: int
    reports_not_retrieved: int
    reports_assessed: int
    reports_excluded: int
    studies_included: int
    reasons: tuple[ExclusionReason, ...] = ()
    screening_reasons: tuple[ExclusionReason, ...] = ()
    screening_stage: str = ""
    eligibility_stage: str = ""
    problems: tuple[str, ...] = ()
    placement: Mapping[str, str] = field(default_factory=dict)
    other_sources: tuple[tuple[str, int], ...] = ()
    other_methods: tuple[tuple[str, int], ...] = ()
    other_sought: int = 0
    other_not_retrieved: int = 0
    other_assessed: int = 0
    other_excluded: int = 0
    other_reasons: tuple[ExclusionReason, ...] = ()
    stages: tuple[str, ...] = ()
    #: Reports one reviewer's flow sent on that she never assessed (`not_screened` of
    #: `compute_flow`; 0 in the team's flow): not assessed, not counted as retrieved or not.
    reports_not_screened: int = 0
    other_not_screened: int = 0
    #: Records left unscreened at the first stage because screening was closed by the
    #: stopping test (`BOX_STOPPED`): removed before screening, by an automation tool.
    records_stopped: int = 0

    @property
    def reports_included(self) -> int:
        """Reports of included studies (one report per study after deduplication)."""
        return self.studies_included

    @property
    def dbr_included(self) -> int:
        """Studies included from the databases-and-registers column."""
        return self.reports_assessed - self.reports_excluded

    @property
    def other_included(self) -> int:
        """Studies included from the other-methods column."""
        return self.other_assessed - self.other_excluded


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _reasons(stage: str, excluded: list[FinalDecision],
             labels: Mapping[str, str]) -> tuple[ExclusionReason, ...]:
    primary = Counter(d.criteria[0] if d.criteria else NO_REASON for d in excluded)
    anywhere = Counter(c for d in excluded for c in (d.criteria or (NO_REASON,)))
    order = [c for c in labels if c in anywhere] + sorted(c for c in anywhere if c not in labels)
    out = []
    for crit in order:
        if crit == NO_REASON:
            label = "no reason recorded"
        else:
            label = labels.get(crit, f"criterion {crit} (not in the codebook)")
        out.append(ExclusionReason(stage, crit, label, primary.get(crit, 0), anywhere[crit]))
    return tuple(out)


def _unfinished(stage: str, decisions: Iterable[FinalDecision | None], what: str) -> list[str]:
    status = Counter()
    for d in decisions:
        if d is None or d.status == PENDING or (d.status == FINAL and not d.decision):
            status["pending"] += 1
        elif d.status == CONFLICT:
            status["conflict"] += 1
        elif d.decision == "maybe":
            status["maybe"] += 1
    problems = []
    if status["pending"]:
        problems.append(f"{_plural(status['pending'], what)} still unscreened at {stage}")
    if status["conflict"]:
        problems.append(f"{_plural(status['conflict'], 'conflict')} unresolved at {stage}")
    if status["maybe"]:
        problems.append(f"{_plural(status['maybe'], what)} left as 'maybe' at {stage}")
    return problems


def compute_prisma(databases: Sequence[str], study_ids: Sequence[str],
                   screening: Mapping[str, FinalDecision],
                   eligibility: Mapping[str, FinalDecision] | None,
                   criterion_labels: Mapping[str, str],
                   screening_stage: str, eligibility_stage: str = "",
                   study_databases: Mapping[str, Sequence[str]] | None = None) -> PrismaCounts:
    """Count the PRISMA 2020 boxes of a review with one or two screening stages.

    A shorthand for `compute_flow` with the stages [screening, eligibility].
    """
    stages = [(screening_stage, screening)]
    if eligibility is not None:
        stages.append((eligibility_stage, eligibility))
    return compute_flow(databases, study_ids, stages, criterion_labels, study_databases)


def compute_flow(databases: Sequence[str], study_ids: Sequence[str],
                 stages: Sequence[tuple[str, Mapping[str, FinalDecision]]],
                 criterion_labels: Mapping[str, str],
                 study_databases: Mapping[str, Sequence[str]] | None = None,
                 not_screened: Collection[str] = (),
                 stopped: Collection[str] = ()) -> PrismaCounts:
    """Count the PRISMA 2020 boxes from the records and the final decisions.

    Args:
        databases: the database label of every record (one entry per record).
        study_ids: every study (deduplicated records), in order.
        stages: (stage id, study id -> final decision) of every screening
            stage, in codebook order. All but the last screen records; the
            last assesses reports (with one stage, its includes are the
            reports assessed and the studies included).
        criterion_labels: criterion id -> label, in codebook order.
        study_databases: study id -> the database labels of its records; a
            study whose labels are all other methods goes down the
            other-methods column (default: every study is a database study).
        not_screened: studies that may have no decision at the last stage (a
            reviewer's own flow: reports her earlier decision sent on that the
            team's did not, so they never reached her): counted apart as
            reports not screened (`BOX_NOT_SCREENED`), not as unfinished.
        stopped: studies nobody screened at the first stage because screening
            was closed by the stopping test: when they have no decision there,
            they go to `BOX_STOPPED` (records marked ineligible by automation
            tools), are not records screened and are not unfinished.

    Returns:
        PrismaCounts; `problems` names unscreened studies, unresolved conflicts,
        "maybe" decisions at the last stage and decisions that are not valid at a
        stage.

    Raises:
        ValueError: `stages` is empty.
    """
    if not stages:
        raise ValueError("a PRISMA flow needs at least one screening stage")
    per_label = Counter(databases)
    method = {label: source_method(label) for label in per_label}
    per_db = Counter({label or UNKNOWN_DATABASE: n for label, n in per_label.items()
                      if method[label] == DATABASES})
    per_other = Counter({label: n for label, n in per_label.items()
                         if method[label] != DATABASES})
    per_method = Counter()
    for label, n in per_other.items():
        per_method[method[label]] += n
    placement: dict[str, str] = {}
    problems: list[str] = []
    excluded_ta: list[FinalDecision] = []
    screening_reasons: list[ExclusionReason] = []
    current = list(study_ids)
    n_stopped = 0
    two = len(stages) > 1
    screening_steps = stages[:-1] if two else stages
    # With one stage it is also the last: only its includes go on (a maybe is open).
    passing = PASSED_ON if two else ("include",)
    last_id, last = stages[-1]
    for stage_id, decided in screening_steps:
        kept: list[str] = []
        excluded_here: list[FinalDecision] = []
        open_here: list[FinalDecision | None] = []
        wrong: list[str] = []
        for sid in current:
            d = decided.get(sid)
            if d is not None and d.status == FINAL and d.decision in passing:
                kept.append(sid)
            elif d is not None and d.status == FINAL and d.decision == "exclude":
                excluded_here.append(d)
                placement[sid] = BOX_EXCLUDED_SCREENING
            elif d is not None and d.status == FINAL and d.decision == "not_retrieved":
                wrong.append(sid)
                placement[sid] = BOX_UNFINISHED
            elif (stopped and stage_id == stages[0][0] and sid in stopped
                  and (d is None or d.status == PENDING)):
                n_stopped += 1
                placement[sid] = BOX_STOPPED
            else:
                open_here.append(d)
                placement[sid] = BOX_UNFINISHED
        problems += _unfinished(stage_id, open_here, "study")
        if wrong:
            named = ", ".join(wrong[:5]) + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
            problems.append(f"{_plural(len(wrong), 'study')} marked not_retrieved at {stage_id}, "
                            f"which screens records, not reports (use the full-text stage): "
                            f"{named}")
        excluded_ta += excluded_here
        screening_reasons += _reasons(stage_id, excluded_here, criterion_labels)
        current = kept

    def is_other(sid: str) -> bool:
        labels = study_databases.get(sid, ()) if study_databases is not None else ()
        if not labels or not per_other:
            return False
        for x in labels:
            if x not in method:
                method[x] = source_method(x)
        return all(method[x] != DATABASES for x in labels)

    columns = {DATABASES: [s for s in current if not is_other(s)],
               "other": [s for s in current if is_other(s)]}
    tally: dict[str, tuple[int, int, list[FinalDecision]]] = {}
    open_ft: list[FinalDecision | None] = []
    for column, sought in columns.items():
        not_retrieved, included, excluded_ft, unseen = 0, 0, [], 0
        for sid in sought:
            if not two:  # one stage: what it keeps is included
                placement[sid] = BOX_INCLUDED
                included += 1
                continue
            d = last.get(sid)
            if d is not None and d.status == FINAL and d.decision == "include":
                included += 1
                placement[sid] = BOX_INCLUDED
            elif d is not None and d.status == FINAL and d.decision == "exclude":
                excluded_ft.append(d)
                placement[sid] = BOX_EXCLUDED_ELIGIBILITY
            elif d is not None and d.status == FINAL and d.decision == "not_retrieved":
                not_retrieved += 1
                placement[sid] = BOX_NOT_RETRIEVED
            elif (d is None or d.status == PENDING) and sid in not_screened:
                unseen += 1
                placement[sid] = BOX_NOT_SCREENED
            else:
                open_ft.append(d)
                placement[sid] = BOX_UNFINISHED
        tally[column] = (not_retrieved, included, excluded_ft, unseen)
    if two:
        problems += _unfinished(last_id, open_ft, "report")
    dbr, other = tally[DATABASES], tally["other"]
    return PrismaCounts(
        databases=tuple(sorted(per_db.items())),
        records_identified=len(databases),
        duplicates=len(databases) - len(study_ids),
        records_screened=len(study_ids) - n_stopped,
        records_excluded=len(excluded_ta),
        reports_sought=len(columns[DATABASES]),
        reports_not_retrieved=dbr[0],
        reports_assessed=len(columns[DATABASES]) - dbr[0] - dbr[3],
        reports_excluded=len(dbr[2]),
        studies_included=dbr[1] + other[1],
        reasons=_reasons(last_id, dbr[2], criterion_labels) if two else (),
        screening_reasons=tuple(screening_reasons),
        screening_stage=stages[0][0] if two else last_id,
        eligibility_stage=last_id if two else "",
        problems=tuple(problems),
        placement=placement,
        other_sources=tuple(sorted(per_other.items())),
        other_methods=tuple(sorted(per_method.items())),
        other_sought=len(columns["other"]),
        other_not_retrieved=other[0],
        other_assessed=len(columns["other"]) - other[0] - other[3],
        other_excluded=len(other[2]),
        other_reasons=_reasons(last_id, other[2], criterion_labels) if two else (),
        stages=tuple(stage_id for stage_id, _ in stages),
        reports_not_screened=dbr[3],
        other_not_screened=other[3],
        records_stopped=n_stopped,
    )


def check_prisma(counts: PrismaCounts) -> list[str]:
    """List every number of the flow that disagrees with its parts, and why.

    Args:
        counts: PRISMA counts (from `compute_prisma` or built by hand).

    Returns:
        Messages such as "records screened (95) != records identified (120) -
        duplicates (20) = 100"; the decision problems come first. Empty when
        the diagram may be drawn.
    """
    if counts.problems:
        # Unfinished decisions: the sums below would only repeat them in arithmetic.
        return list(counts.problems)
    out: list[str] = []

    def same(name: str, value: int, parts: str, expected: int) -> None:
        if value != expected:
            out.append(f"{name} ({value}) != {parts} = {expected}")

    other = counts.other_sought or counts.other_sources
    same("records identified", counts.records_identified,
         "sum of records per database" + (" and other method" if other else ""),
         sum(n for _, n in counts.databases) + sum(n for _, n in counts.other_sources))
    same("records screened", counts.records_screened,
         f"records identified ({counts.records_identified}) - duplicates ({counts.duplicates})"
         + (f" - not screened, stopping criterion met ({counts.records_stopped})"
            if counts.records_stopped else ""),
         counts.records_identified - counts.duplicates - counts.records_stopped)
    sought = counts.reports_sought + counts.other_sought
    same("reports sought for retrieval" + (
        f" (databases {counts.reports_sought} + other methods {counts.other_sought})"
        if other else ""), sought,
         f"records screened ({counts.records_screened}) - records excluded "
         f"({counts.records_excluded})", counts.records_screened - counts.records_excluded)
    columns = [("", counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed,
                counts.reports_excluded, counts.reasons, counts.reports_not_screened)]
    if other:
        columns.append((" (other methods)", counts.other_sought, counts.other_not_retrieved,
                        counts.other_assessed, counts.other_excluded, counts.other_reasons,
                        counts.other_not_screened))
    for tag, col_sought, not_retrieved, assessed, excluded, reasons, unseen in columns:
        same(f"reports assessed for eligibility{tag}", assessed,
             f"reports sought ({col_sought}) - reports not retrieved ({not_retrieved})"
             + (f" - reports not screened by this reviewer ({unseen})" if unseen else ""),
             col_sought - not_retrieved - unseen)
        if counts.eligibility_stage:
            same(f"reports excluded{tag}", excluded, "sum of exclusion reasons",
                 sum(r.n for r in reasons))
    included = counts.reports_assessed - counts.reports_excluded
    if other:
        included += counts.other_assessed - counts.other_excluded
        same("studies included", counts.studies_included,
             f"included from databases ({counts.reports_assessed - counts.reports_excluded})"
             f" + from other methods ({counts.other_assessed - counts.other_excluded})",
             included)
    else:
        same("studies included", counts.studies_included,
             f"reports assessed ({counts.reports_assessed}) - reports excluded "
             f"({counts.reports_excluded})", included)
    if counts.screening_reasons:
        same("records excluded", counts.records_excluded, "sum of exclusion reasons at "
             "screening", sum(r.n for r in counts.screening_reasons))
    negative = [name for name, value in (
        ("duplicates", counts.duplicates), ("records excluded", counts.records_excluded),
        ("reports not retrieved", counts.reports_not_retrieved),
        ("reports excluded", counts.reports_excluded),
        ("reports not retrieved (other methods)", counts.other_not_retrieved),
        ("reports not screened", counts.reports_not_screened),
        ("reports not screened (other methods)", counts.other_not_screened),
        ("reports excluded (other methods)", counts.other_excluded)) if value < 0]
    out += [f"{name} is negative" for name in negative]
    return out
