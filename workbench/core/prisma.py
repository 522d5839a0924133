"""PRISMA 2020 flow counts computed from records, studies and final decisions (pure).

The flow follows the review's screening stages: the first screening stage
screens records (after duplicates are removed; one study = one record
screened), the last screening stage assesses reports (one per study sought).
Every box is counted from the decisions, and `check_prisma` lists every
number that does not equal the sum of its parts, plus every decision state
that makes the diagram unfinished (studies unscreened, conflicts unresolved,
"maybe" left standing), so an export can refuse to draw it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

#: Status of a final decision (see FinalDecision).
FINAL = "final"
CONFLICT = "conflict"
PENDING = "pending"

#: Where a study ends up in the flow (the `box` column of prisma_studies.csv).
BOX_EXCLUDED_SCREENING = "records_excluded"
BOX_NOT_RETRIEVED = "reports_not_retrieved"
BOX_EXCLUDED_ELIGIBILITY = "reports_excluded"
BOX_INCLUDED = "studies_included"
BOX_UNFINISHED = "unfinished"

NO_REASON = "(none)"
UNKNOWN_DATABASE = "(unknown)"


@dataclass(frozen=True)
class FinalDecision:
    """The decision a study has at a stage once all sheets are combined.

    `status` is FINAL (everyone needed agrees, or the consensus sheet says so),
    CONFLICT (reviewers disagree and no consensus yet) or PENDING (not enough
    reviewers have decided). `decision` and `criteria` are set when FINAL.
    """

    study_id: str
    stage: str
    status: str
    decision: str = ""
    criteria: tuple[str, ...] = ()


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
    """The numbers of a PRISMA 2020 flow diagram (new review, databases and registers).

    `problems` lists the decision states that leave the flow unfinished;
    `placement` maps every study id to the box it ends in (for audit).
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

    @property
    def reports_included(self) -> int:
        """Reports of included studies (one report per study after deduplication)."""
        return self.studies_included


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
                   screening_stage: str, eligibility_stage: str = "") -> PrismaCounts:
    """Count the PRISMA 2020 boxes from the records and the final decisions.

    Args:
        databases: the database label of every record (one entry per record).
        study_ids: every study (deduplicated records), in order.
        screening: study id -> final decision at the first screening stage.
        eligibility: study id -> final decision at the full-text stage, or None
            when the review has one screening stage (its includes are then the
            reports assessed, and none are excluded or not retrieved there).
        criterion_labels: criterion id -> label, in codebook order.
        screening_stage: id of the first screening stage.
        eligibility_stage: id of the full-text stage ("" when there is none).

    Returns:
        PrismaCounts; `problems` names unscreened studies, unresolved conflicts,
        "maybe" decisions and decisions that are not valid at a stage.
    """
    per_db = Counter(d or UNKNOWN_DATABASE for d in databases)
    placement: dict[str, str] = {}
    problems: list[str] = []
    sought: list[str] = []
    excluded_ta: list[FinalDecision] = []
    open_ta: list[FinalDecision | None] = []
    wrong_ta = 0
    for sid in study_ids:
        d = screening.get(sid)
        if d is not None and d.status == FINAL and d.decision == "include":
            sought.append(sid)
        elif d is not None and d.status == FINAL and d.decision == "exclude":
            excluded_ta.append(d)
            placement[sid] = BOX_EXCLUDED_SCREENING
        elif d is not None and d.status == FINAL and d.decision == "not_retrieved":
            wrong_ta += 1
            placement[sid] = BOX_UNFINISHED
        else:
            open_ta.append(d)
            placement[sid] = BOX_UNFINISHED
    problems += _unfinished(screening_stage, open_ta, "study")
    if wrong_ta:
        problems.append(f"{_plural(wrong_ta, 'study')} marked not_retrieved at {screening_stage}, "
                        "which screens records, not reports (use the full-text stage)")
    not_retrieved = 0
    excluded_ft: list[FinalDecision] = []
    included = 0
    if eligibility is None:
        for sid in sought:
            placement[sid] = BOX_INCLUDED
        included = len(sought)
    else:
        open_ft: list[FinalDecision | None] = []
        for sid in sought:
            d = eligibility.get(sid)
            if d is not None and d.status == FINAL and d.decision == "include":
                included += 1
                placement[sid] = BOX_INCLUDED
            elif d is not None and d.status == FINAL and d.decision == "exclude":
                excluded_ft.append(d)
                placement[sid] = BOX_EXCLUDED_ELIGIBILITY
            elif d is not None and d.status == FINAL and d.decision == "not_retrieved":
                not_retrieved += 1
                placement[sid] = BOX_NOT_RETRIEVED
            else:
                open_ft.append(d)
                placement[sid] = BOX_UNFINISHED
        problems += _unfinished(eligibility_stage, open_ft, "report")
    reasons = _reasons(eligibility_stage, excluded_ft, criterion_labels) if eligibility else ()
    counts = PrismaCounts(
        databases=tuple(sorted(per_db.items())),
        records_identified=len(databases),
        duplicates=len(databases) - len(study_ids),
        records_screened=len(study_ids),
        records_excluded=len(excluded_ta),
        reports_sought=len(sought),
        reports_not_retrieved=not_retrieved,
        reports_assessed=len(sought) - not_retrieved,
        reports_excluded=len(excluded_ft),
        studies_included=included,
        reasons=reasons,
        screening_reasons=_reasons(screening_stage, excluded_ta, criterion_labels),
        screening_stage=screening_stage,
        eligibility_stage=eligibility_stage,
        problems=tuple(problems),
        placement=placement,
    )
    return counts


def check_prisma(counts: PrismaCounts) -> list[str]:
    """List every number of the flow that disagrees with its parts, and why.

    Args:
        counts: PRISMA counts (from `compute_prisma` or built by hand).

    Returns:
        Messages such as "records screened (95) != records identified (120) -
        duplicates (20) = 100"; the decision problems come first. Empty when
        the diagram may be drawn.
    """
    out = list(counts.problems)

    def same(name: str, value: int, parts: str, expected: int) -> None:
        if value != expected:
            out.append(f"{name} ({value}) != {parts} = {expected}")

    same("records identified", counts.records_identified, "sum of records per database",
         sum(n for _, n in counts.databases))
    same("records screened", counts.records_screened,
         f"records identified ({counts.records_identified}) - duplicates ({counts.duplicates})",
         counts.records_identified - counts.duplicates)
    same("reports sought for retrieval", counts.reports_sought,
         f"records screened ({counts.records_screened}) - records excluded "
         f"({counts.records_excluded})", counts.records_screened - counts.records_excluded)
    same("reports assessed for eligibility", counts.reports_assessed,
         f"reports sought ({counts.reports_sought}) - reports not retrieved "
         f"({counts.reports_not_retrieved})",
         counts.reports_sought - counts.reports_not_retrieved)
    same("studies included", counts.studies_included,
         f"reports assessed ({counts.reports_assessed}) - reports excluded "
         f"({counts.reports_excluded})", counts.reports_assessed - counts.reports_excluded)
    if counts.eligibility_stage:
        same("reports excluded", counts.reports_excluded, "sum of exclusion reasons",
             sum(r.n for r in counts.reasons))
    if counts.screening_reasons:
        same("records excluded", counts.records_excluded, "sum of exclusion reasons at "
             "screening", sum(r.n for r in counts.screening_reasons))
    negative = [name for name, value in (
        ("duplicates", counts.duplicates), ("records excluded", counts.records_excluded),
        ("reports not retrieved", counts.reports_not_retrieved),
        ("reports excluded", counts.reports_excluded)) if value < 0]
    out += [f"{name} is negative" for name in negative]
    return out
