"""Bulk screening decisions: one decision for every study a filter shows, with a preview.

A bulk decision goes through the reviewer's own screening session, so it is
blind (only this reviewer's sheet is read and written) and validated like a
decision made by hand (criteria must apply at the stage; a stage with
`exclude_needs_criterion` refuses an exclusion without one). Each study gets
its own events in the sheet, every one with a note naming the bulk and its
filter, written with one fsync; one undo in the same session takes the whole
bulk back.

Which studies: those the filter shows that have no decision yet. A filter
that names a decision (e.g. `maybe`) targets the studies with that decision
instead, so "exclude every maybe before 2010" can be said. Studies that
already have exactly the bulk's decision and criteria are left alone.

    plan = plan_bulk(session, parse_filter(years="-2009"), "exclude", ["E4"])
    print(plan.describe(), [s.id for s in plan.studies])
    apply_bulk(session, plan)           # session.undo() takes all of it back
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.core.screening import (CRITERIA, DECISION, join_ids, screening_changes,
                                      split_ids)
from workbench.core.wording import plural
from workbench.errors import ReviewError
from workbench.review.screening import UNSCREENED, Filter, ScreeningSession

#: The note every event of a bulk decision carries starts with this.
BULK_NOTE = "bulk"


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk decision would do: its decision, the studies it changes, those it keeps.

    `studies` are the studies it changes (work-list order); `kept` counts the
    studies the filter shows that it leaves as they are (decided already, or
    with this very decision).
    """

    stage: str
    decision: str
    criteria: tuple[str, ...]
    filter: Filter
    studies: tuple
    kept: int

    @property
    def note(self) -> str:
        """The note written with each event: that it was bulk, and which filter."""
        return f"{BULK_NOTE}: {describe_filter(self.filter)} ({plural(len(self.studies), 'study')})"

    def describe(self) -> str:
        """Return e.g. "exclude (E4) 12 studies; 3 already decided are kept"."""
        what = self.decision + (f" ({', '.join(self.criteria)})" if self.criteria else "")
        text = f"{what} {plural(len(self.studies), 'study')}"
        if self.kept:
            text += f"; {self.kept} already decided {'is' if self.kept == 1 else 'are'} kept"
        return text


def describe_filter(flt: Filter) -> str:
    """Return a filter as a person reads it: words "x", decision, years 2001-2009, database."""
    parts = []
    if flt.text:
        parts.append(f'words "{flt.text}"')
    if flt.decision:
        parts.append(f"decision {flt.decision}")
    if flt.year_from is not None or flt.year_to is not None:
        if flt.year_from == flt.year_to:
            parts.append(f"year {flt.year_from}")
        elif flt.year_from is None:
            parts.append(f"years up to {flt.year_to}")
        elif flt.year_to is None:
            parts.append(f"years from {flt.year_from}")
        else:
            parts.append(f"years {flt.year_from}-{flt.year_to}")
    if flt.database:
        parts.append(f"database {flt.database}")
    return "filter " + ", ".join(parts) if parts else "no filter"


def bulk_candidates(session: ScreeningSession, flt: Filter) -> tuple[list, int]:
    """Return (the studies a bulk on `flt` may decide, how many it shows but leaves alone).

    Raises:
        ReviewError: the filter is empty (a bulk decision on every study is refused).
    """
    if flt.is_empty():
        raise ReviewError("a bulk decision needs a filter (words, years, database or "
                          "decision): without one it would decide every study; nothing "
                          "was saved")
    shown = [session.studies[i] for i in session.matching(flt)]
    if flt.decision and flt.decision != UNSCREENED:
        return shown, 0          # the filter names the decision it changes
    open_ = [s for s in shown if not session.decision(s.id)]
    return open_, len(shown) - len(open_)


def plan_bulk(session: ScreeningSession, flt: Filter, decision: str,
              criteria: Sequence[str] = ()) -> BulkPlan:
    """Work out a bulk decision without saving anything (the preview).

    Args:
        session: the reviewer's screening session (their own sheet only).
        flt: which studies: those it shows (see the module notes).
        decision: include, exclude, maybe or not_retrieved.
        criteria: criterion ids (e.g. the exclusion reason).

    Returns:
        The BulkPlan; `studies` may be empty (nothing to do).

    Raises:
        ReviewError: the filter is empty.
        DecisionRefused: the decision or a criterion is not valid at this stage, or the
            stage needs an exclusion criterion and none is given (nothing saved).
    """
    candidates, kept = bulk_candidates(session, flt)
    ids = split_ids(";".join(criteria))
    stage = session.stage.id
    screening_changes(session.codebook, stage, {}, decision, ids)   # refuse before listing
    joined = join_ids(ids)
    changing, same = [], 0
    for study in candidates:
        values = session.state.values(stage, study.id)
        if values.get(DECISION, "") == decision and values.get(CRITERIA, "") == joined:
            same += 1
        else:
            changing.append(study)
    return BulkPlan(stage, decision, ids, flt, tuple(changing), kept + same)


def apply_bulk(session: ScreeningSession, plan: BulkPlan) -> int:
    """Save a planned bulk decision: one study's events after another, each noted as bulk.

    All events are written with one fsync; `session.undo()` right after takes
    the whole bulk back (one step).

    Returns:
        How many studies were decided.

    Raises:
        ReviewError: the plan is for another stage than the session's.
        DecisionRefused: the decision is not valid (nothing saved).
        SheetError: the sheet could not be written (nothing saved).
    """
    if plan.stage != session.stage.id:
        raise ReviewError(f"the bulk decision was planned for stage {plan.stage!r}, not "
                          f"{session.stage.id!r}; nothing was saved")
    note = plan.note
    items = []
    for study in plan.studies:
        changes = screening_changes(session.codebook, plan.stage,
                                    session.state.values(plan.stage, study.id),
                                    plan.decision, plan.criteria)
        items.append((study.id, [c._replace(note=note) for c in changes]))
    session.record_group(items)
    return len(items)
