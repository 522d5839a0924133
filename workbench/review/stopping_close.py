"""Closing screening once the stopping test says stop: the studies left are not screened.

When the stopping test (core.stopping) says a reviewer may stop, she closes
the stage: every study she has not screened gets a `stopped` field in her
sheet (one durable append) carrying the test's figures. It is not a
decision: the export counts a study nobody screened because of it in PRISMA
2020's "Records marked as ineligible by automation tools" box (labelled "not
screened: stopping criterion met"), not as screened and excluded. Closing is
allowed at the first screening stage only (the one that screens records) and
only when the test says stop, unless the reviewer overrides it, which the mark
and the export say.

With dual screening each reviewer runs her own test and closes her own
screening. A study one reviewer screened and the other stopped before counts
as single-screened: the one decision stands (the export says how many), and
it is never a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core import stopping
from workbench.core.events import Change
from workbench.core.screening import DECISION
from workbench.core.wording import plural
from workbench.errors import ReviewError


@dataclass(frozen=True)
class ClosePlan:
    """What closing screening will record, before anything is written."""

    stage: str
    unscreened: tuple[str, ...]
    estimate: stopping.StoppingEstimate
    override: bool

    def describe(self) -> str:
        """Return one paragraph for a person."""
        n = plural(len(self.unscreened), "study")
        if self.override:
            why = (f"OVERRIDE: the stopping test does not say stop ({self.estimate.describe()}); "
                   "the export will say you stopped without it")
        else:
            why = f"the stopping test says stop ({self.estimate.describe()})"
        return (f"Close screening at {self.stage}: {n} left unscreened will be recorded as not "
                f"screened because you stopped; {why}. PRISMA counts them as records marked "
                f"ineligible by automation tools (not screened: stopping criterion met), not as "
                f"excluded. A later decision on one of them still counts.")


def plan_close(session, override: bool = False) -> ClosePlan:
    """Return what `close_screening` would record now, writing nothing.

    Raises:
        ReviewError: the stage is not the first screening stage; nothing is left
            unscreened; the stopping sample is still open; or the stopping test
            does not say stop and `override` is False.
    """
    from workbench.review.prioritise import open_sample, stopping_estimate
    stage = session.stage.id
    first = session.codebook.screening_stages()[0].id
    if stage != first:
        raise ReviewError(f"screening can be closed by the stopping test at {first} only "
                          f"(it screens records); at {stage} every report is assessed")
    state = session.state
    unscreened = tuple(s.id for s in session.studies
                       if not state.value(stage, s.id, DECISION)
                       and not state.value(stage, s.id, stopping.STOPPED_FIELD))
    if not unscreened:
        raise ReviewError(f"nothing is left unscreened or already closed at {stage}")
    estimate = stopping_estimate(state, stage)
    if not override:
        if open_sample(session):
            raise ReviewError("the stopping sample is open: screen it first (`s` shows the test)")
        if not estimate.can_stop:
            raise ReviewError(f"the stopping test does not say stop: {estimate.describe()}",
                              hint="screen on or run the test (`s` on the screening screen); "
                                   "`--override` closes anyway and the export says so")
    return ClosePlan(stage, unscreened, estimate, override and not estimate.can_stop)


def close_screening(session, override: bool = False, plan: ClosePlan | None = None) -> int:
    """Record every study the reviewer left unscreened as not screened (stopping test).

    Returns:
        How many studies were marked.

    Raises:
        ReviewError: see `plan_close`.
        SheetError: the sheet could not be written (nothing was recorded).
    """
    plan = plan or plan_close(session, override)
    value = stopping.stopped_value(plan.estimate, plan.override)
    session.sheet.append_batch(plan.stage, [
        (sid, [Change(stopping.STOPPED_FIELD, value)]) for sid in plan.unscreened])
    return len(plan.unscreened)


@dataclass(frozen=True)
class StoppedStudies:
    """What the `stopped` marks change at the first screening stage, for the export.

    Attributes:
        finals: the stage's final decisions, with single-screened studies made final.
        stopped: studies nobody screened because screening was closed (PRISMA's
            automation-tools box).
        single: studies one reviewer screened and the other(s) stopped before.
        reviewers: reviewer -> her `stopped` value (the test's figures), one per reviewer.
    """

    finals: dict
    stopped: frozenset
    single: frozenset
    reviewers: dict

    def describe(self, stage: str) -> str:
        """Return the export's sentence (warnings, README.txt, export_metadata.json)."""
        if not self.reviewers:
            return ""
        who = []
        for name, value in sorted(self.reviewers.items()):
            parts = dict(p.split("=", 1) for p in value.split(";") if "=" in p)
            how = ("closed WITHOUT the stopping test saying stop (override)"
                   if stopping.stopped_by_override(value) else "closed when the stopping test said stop")
            who.append(f"{name} {how}: confidence {float(parts.get('confidence', 0)):.1%} that "
                       f"recall >= {stopping.TARGET_RECALL:.0%}, random sample of "
                       f"{parts.get('sample', '?')} from {parts.get('urn', '?')} unscreened, "
                       f"{parts.get('relevant', '?')} relevant in it")
        text = (f"{plural(len(self.stopped), 'record')} at {stage} not screened: screening was "
                f"closed by the {stopping.METHOD} ({'; '.join(who)}); PRISMA counts them as "
                "records marked as ineligible by automation tools (not screened: stopping "
                "criterion met)")
        if self.single:
            text += (f"; {plural(len(self.single), 'study')} screened by one reviewer only (the "
                     "other stopped before it): that decision stands")
        return text


def stopped_studies(latest, stage, finals: dict, source: str) -> StoppedStudies:
    """Apply the reviewers' `stopped` marks to a first stage's final decisions.

    Args:
        latest: the export's latest values (io.exports.decisions.latest_values).
        stage: the first screening stage.
        finals: its final decisions (study id -> FinalDecision).
        source: "consensus" or a reviewer name.
    """
    from workbench.core.consensus import FINAL, PENDING, FinalDecision
    from workbench.core.events import CONSENSUS
    from workbench.core.screening import CRITERIA, split_ids
    from workbench.io.exports.decisions import SHEET
    if not (latest["field"].to_numpy(dtype=object) == stopping.STOPPED_FIELD).any():
        return StoppedStudies(finals, frozenset(), frozenset(), {})   # nobody closed: one pass
    at = latest[latest["stage"].to_numpy(dtype=object) == stage.id]
    fields = at["field"].to_numpy(dtype=object)
    sheets = at[SHEET].to_numpy(dtype=object)
    values = at["value"].to_numpy(dtype=object)
    mine = (sheets != CONSENSUS) if source == CONSENSUS else (sheets == source)
    marks = at[(fields == stopping.STOPPED_FIELD) & (values != "") & mine]
    if marks.empty:
        return StoppedStudies(finals, frozenset(), frozenset(), {})
    reviewers = dict(zip(marks[SHEET].tolist(), marks["value"].tolist()))   # one per reviewer
    stoppers: dict[str, set] = {}
    for sheet, sid in zip(marks[SHEET].tolist(), marks["study_id"].tolist()):
        stoppers.setdefault(sid, set()).add(sheet)
    votes: dict[str, dict[str, list]] = {}
    wanted = (fields == DECISION) | (fields == CRITERIA)
    for sheet, sid, fld, value in zip(sheets[wanted].tolist(), at["study_id"][wanted].tolist(),
                                      fields[wanted].tolist(), values[wanted].tolist()):
        if sid in stoppers and sheet != CONSENSUS:
            votes.setdefault(sid, {}).setdefault(sheet, ["", ""])[fld == CRITERIA] = value
    out = dict(finals)
    stopped, single = set(), set()
    for sid, who in stoppers.items():
        final = finals.get(sid)
        if final is not None and final.status != PENDING:
            continue
        decided = {s: v for s, v in votes.get(sid, {}).items() if v[0]}
        if not decided:
            stopped.add(sid)
            continue
        kinds = {v[0] for v in decided.values()}
        if (source == CONSENSUS and len(kinds) == 1
                and len(decided) + len(who - set(decided)) >= stage.reviewers):
            first = decided[sorted(decided)[0]]
            out[sid] = FinalDecision(sid, stage.id, FINAL, first[0], split_ids(first[1]))
            single.add(sid)
    used = {s for sid in stopped | single for s in stoppers[sid]}
    return StoppedStudies(out, frozenset(stopped), frozenset(single),
                          {k: v for k, v in reviewers.items() if k in used})


def stopped_by(states: dict, stage: str) -> dict[str, set]:
    """Return study id -> the reviewers whose `stopped` mark it carries at a stage.

    `states`: reviewer name -> SheetState (the consensus sheet is left out by the caller).
    """
    out: dict[str, set] = {}
    for name, state in states.items():
        for (st, sid), cell in state.items():
            if st == stage and stopping.STOPPED_FIELD in cell and cell[stopping.STOPPED_FIELD].value:
                out.setdefault(sid, set()).add(name)
    return out


def settle_single_screened(finals: dict, votes, stoppers: dict[str, set], stage: str,
                           required: int) -> dict:
    """Return the finals with single-screened studies final (the rule `stopped_studies` applies).

    A pending study the deciding reviewers agree on, whose other reviewers all
    closed screening before it, takes their decision. `votes`: (sheet, study,
    decision, criteria) as core.consensus.final_decisions takes them.
    """
    from workbench.core.consensus import FINAL, PENDING, FinalDecision
    from workbench.core.screening import split_ids
    if not stoppers:
        return finals
    decided: dict[str, dict[str, tuple[str, str]]] = {}
    for sheet, sid, decision, criteria in votes:
        if sid in stoppers:
            if decision:
                decided.setdefault(sid, {})[sheet] = (decision, criteria)
            else:
                decided.get(sid, {}).pop(sheet, None)
    out = dict(finals)
    for sid, who in stoppers.items():
        final, mine = finals.get(sid), decided.get(sid)
        if not mine or (final is not None and final.status != PENDING):
            continue
        if len({d for d, _ in mine.values()}) == 1 and len(set(mine) | who) >= required:
            decision, criteria = mine[sorted(mine)[0]]
            out[sid] = FinalDecision(sid, stage, FINAL, decision, split_ids(criteria))
    return out
