"""What an export could not take as agreed, so it is never lost silently.

`write_exports` leaves a value empty when the coders have not agreed on it
(`workbench.core.consensus`), and takes the union of the reviewers' criteria
when they agree on a decision but not on its criteria. This module collects
both, plus the values a merge of studies brought together that differ for one
reviewer (`workbench.core.conflicts.merge_conflicts`), which the export
treats as not agreed until the consensus sheet settles them:

- a screening decision of a merged study in such a conflict is a CONFLICT
  (PRISMA then refuses, naming it) instead of whichever event came last;
- a coding value in such a conflict is left empty and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.core.consensus import CONFLICT, FINAL, FinalDecision
from workbench.core.screening import CRITERIA, DECISION

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class NotAgreed:
    """A value the export left empty (or, for `criteria`, filled with the union).

    `status` is conflict or pending; `why` is "not agreed", "merge" (two
    merged studies' values differ for one reviewer), "not coded" (an included
    study no coder has started) or "criteria union".
    """

    stage: str
    study_id: str
    field: str
    status: str
    why: str = "not agreed"

    def as_dict(self) -> dict[str, str]:
        return {"stage": self.stage, "study_id": self.study_id, "field": self.field,
                "status": self.status, "why": self.why}


def open_merge_conflicts(review) -> list:
    """Return the merge conflicts not yet settled by the consensus sheet, every stage."""
    if not review.aliases():
        return []
    from workbench.core.conflicts import MERGE_KIND
    from workbench.review.conflicts import list_conflicts
    return [c for c in list_conflicts(review) if c.kind == MERGE_KIND]


def apply_merges_to_screening(stage: str, finals: dict[str, FinalDecision],
                              merges: list) -> dict[str, FinalDecision]:
    """Return the final decisions with every study in an open merge conflict at `stage` in CONFLICT."""
    hit = {c.study_id for c in merges if c.stage == stage and c.field in (DECISION, CRITERIA)}
    if not hit:
        return finals
    out = dict(finals)
    for study in hit:
        out[study] = FinalDecision(study, stage, CONFLICT)
    return out


def criteria_not_agreed(stage: str, finals: dict[str, FinalDecision]) -> list[NotAgreed]:
    """Return the studies whose final decision carries the union of differing criteria."""
    return [NotAgreed(stage, sid, CRITERIA, CONFLICT, "criteria union")
            for sid, d in sorted(finals.items())
            if d.status == FINAL and not d.criteria_agreed]


def apply_merges_to_coding(stage: str, values: pd.DataFrame, unresolved: pd.DataFrame,
                           merges: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Take coding values in an open merge conflict out of `values` and into `unresolved`."""
    import pandas as pd
    hit = [(c.study_id, c.field) for c in merges if c.stage == stage]
    if not hit:
        return values, unresolved
    keys = pd.MultiIndex.from_frame(values[["study_id", "field"]])
    values = values[~keys.isin(hit)].reset_index(drop=True)
    extra = pd.DataFrame(hit, columns=["study_id", "field"]).assign(status=CONFLICT)
    unresolved = pd.concat([unresolved, extra], ignore_index=True).drop_duplicates(
        ["study_id", "field"])
    return values, unresolved


def not_agreed_list(stage: str, unresolved: pd.DataFrame, merges: list) -> list[NotAgreed]:
    """Return the coding values left empty, as NotAgreed (merge conflicts named so)."""
    merged = {(c.study_id, c.field) for c in merges if c.stage == stage}
    whys = unresolved["why"].tolist() if "why" in unresolved else [None] * len(unresolved)
    return [NotAgreed(stage, s, f, st, "merge" if (s, f) in merged
                      else why if isinstance(why, str) else "not agreed")
            for s, f, st, why in zip(unresolved["study_id"].tolist(),
                                     unresolved["field"].tolist(),
                                     unresolved["status"].tolist(), whys)]


def describe(items: list[NotAgreed], first: int = 5) -> list[str]:
    """Return lines naming the count and the first few study/field pairs (for text output)."""
    uncoded = list(dict.fromkeys(i.study_id for i in items if i.why == "not coded"))
    left = [i for i in items if i.why not in ("criteria union", "not coded")]
    union = [i for i in items if i.why == "criteria union"]
    out = []
    if uncoded:
        out.append(f"{len(uncoded)} included stud{'ies' if len(uncoded) != 1 else 'y'} no coder "
                   "has started (every value left empty; `unresolved` lists them): "
                   + ", ".join(uncoded[:first]) + (f" and {len(uncoded) - first} more"
                                                   if len(uncoded) > first else ""))
    if left:
        out.append(f"{len(left)} value{'s' if len(left) != 1 else ''} left empty because "
                   "the coders have not agreed (see `workbench conflicts`):")
        out += [f"  {i.study_id}  {i.field}  ({i.status}{', merge' if i.why == 'merge' else ''})"
                for i in left[:first]]
        if len(left) > first:
            out.append(f"  ... and {len(left) - first} more (all in --json)")
    if union:
        out.append(f"{len(union)} decision{'s' if len(union) != 1 else ''} with criteria the "
                   "reviewers differ on (the export used the union of their criteria):")
        out += [f"  {i.study_id}  {i.stage} criteria" for i in union[:first]]
        if len(union) > first:
            out.append(f"  ... and {len(union) - first} more (all in --json)")
    return out


__all__ = ["NotAgreed", "open_merge_conflicts", "apply_merges_to_screening",
           "apply_merges_to_coding", "criteria_not_agreed", "not_agreed_list", "describe"]
