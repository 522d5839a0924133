"""Final screening decisions: combining the reviewers' sheets and the consensus sheet (pure).

One rule, shared by the export (PRISMA counts), the full-text screening
screen (which studies reached full text) and the conflicts verb:

- a decision in the consensus sheet is final, whatever the reviewers said;
- otherwise, when the reviewers who decided disagree, the study is in CONFLICT;
- otherwise, when at least `required` reviewers decided (all alike), that
  decision is final, with the union of their criteria (reviewers in name
  order, each reviewer's criteria in their order, duplicates dropped);
- otherwise the study is PENDING (too few reviewers have decided).

With one reviewer as the source, that reviewer's decision is final and
every other sheet is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from workbench.core.events import CONSENSUS
from workbench.core.screening import join_ids, split_ids

#: Status of a final decision (see FinalDecision).
FINAL = "final"
CONFLICT = "conflict"
PENDING = "pending"


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


def final_decisions(stage: str, votes: Iterable[tuple[str, str, str, str]], required: int,
                    source: str = CONSENSUS) -> dict[str, FinalDecision]:
    """Combine every sheet's current decision at one stage into one decision per study.

    Args:
        stage: the screening stage id (copied into each FinalDecision).
        votes: (sheet, study_id, decision, criteria) for each sheet's current
            (latest-wins) value: `sheet` is a reviewer name or "consensus",
            `criteria` the ";"-joined criterion ids. An empty decision (undone)
            counts as no decision; a later vote of the same sheet and study
            replaces an earlier one.
        required: how many reviewers must agree (the stage's `reviewers`).
        source: "consensus" (the rule above) or a reviewer name (only that
            reviewer's decisions, each one final).

    Returns:
        study id -> FinalDecision, for every study some sheet decided on.
    """
    by_study: dict[str, dict[str, tuple[str, str]]] = {}
    agreed: dict[str, tuple[str, str]] = {}
    for sheet, study, decision, criteria in votes:
        if not decision:
            by_study.get(study, {}).pop(sheet, None)
            if sheet == source:   # the consensus sheet, or the one reviewer's sheet
                agreed.pop(study, None)
            continue
        if source != CONSENSUS:
            if sheet == source:
                agreed[study] = (decision, criteria)
        elif sheet == CONSENSUS:
            agreed[study] = (decision, criteria)
        else:
            by_study.setdefault(study, {})[sheet] = (decision, criteria)
    parsed: dict[str, tuple[str, ...]] = {}  # criteria texts repeat: split each once

    def ids(text: str) -> tuple[str, ...]:
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = split_ids(text)
        return found

    out: dict[str, FinalDecision] = {}
    for study, sheets in by_study.items():
        if not sheets or study in agreed:
            continue
        decisions = {d for d, _ in sheets.values()}
        if len(decisions) > 1:
            out[study] = FinalDecision(study, stage, CONFLICT)
        elif len(sheets) >= required:
            texts = [sheets[name][1] for name in sorted(sheets)]
            criteria = ids(texts[0]) if all(t == texts[0] for t in texts) else \
                split_ids(join_ids(c for t in texts for c in ids(t)))
            out[study] = FinalDecision(study, stage, FINAL, decisions.pop(), criteria)
        else:
            out[study] = FinalDecision(study, stage, PENDING)
    for study, (decision, criteria) in agreed.items():
        out[study] = FinalDecision(study, stage, FINAL, decision, ids(criteria))
    return out
