"""Conflicts: every value the coders have not agreed on, from the one consensus rule (pure).

`workbench.core.consensus` says what is agreed; this module lists what is
not, as `Conflict` values the conflicts verb, the resolve screen, `check`
and the home/status counts all read:

- screening: the decision when the reviewers who decided differ, and the
  criteria when they agree on the decision but not on its criteria;
- coding: every dimension, extraction value, group row (one coder entered
  it, another did not) and field of a matched group row where the coders who
  coded the study differ (one value against none included);
- merges: a reviewer who decided on two records that duplicate detection (or
  `workbench pair X Y same`) later made one study, with different values:
  which one stands is never picked silently.

A conflict stays listed (with `resolved` and `consensus`) once the consensus
sheet settles it, for `conflicts --all`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from workbench.core.consensus import CONFLICT, FINAL, StudyConsensus, comparable
from workbench.core.events import Event, SheetState
from workbench.core.screening import CRITERIA, DECISION, NOTE, split_ids

#: Conflict kinds.
DECISION_KIND, CRITERIA_KIND, CODE_KIND, FIELD_KIND = "decision", "criteria", "code", "field"
ROW_KIND, ROW_FIELD_KIND, MERGE_KIND = "row", "row_field", "merge"


@dataclass(frozen=True)
class Conflict:
    """A study and field whose coders' values disagree.

    `values` maps each coder to their value ("" = none; for a `row` conflict
    "1" when the coder entered the row) and `notes` to their note on it;
    `rows` (row conflicts) maps each coder to the values of their row.
    `consensus` is the consensus sheet's value and `resolved` whether it set
    one. `kind` is one of decision, criteria, code, field, row, row_field,
    merge; `group` and `key` name a group row.
    """

    study_id: str
    stage: str
    field: str
    values: dict[str, str]
    notes: dict[str, str] = field(default_factory=dict)
    consensus: str = ""
    resolved: bool = False
    kind: str = ""
    group: str = ""
    key: str = ""
    rows: dict[str, dict[str, str]] = field(default_factory=dict)


def screening_conflicts(stage: str, states: Mapping[str, SheetState],
                        consensus: SheetState, include_resolved: bool = False) -> list[Conflict]:
    """Return the decision and criteria conflicts of one screening stage.

    Args:
        stage: the screening stage id.
        states: {reviewer: latest-wins state}.
        consensus: the consensus sheet's state.
        include_resolved: also list the ones the consensus sheet settled.

    Returns:
        Conflicts by study id (decision before criteria).
    """
    out = []
    studies = sorted({s for st in states.values() for s in st.studies(stage)})
    for study in studies:
        decided = {r: st for r, st in sorted(states.items())
                   if st.value(stage, study, DECISION)}
        if len(decided) < 2:
            continue
        decisions = {r: st.value(stage, study, DECISION) for r, st in decided.items()}
        criteria = {r: st.value(stage, study, CRITERIA) for r, st in decided.items()}
        notes = {r: st.value(stage, study, NOTE) for r, st in decided.items()}
        if len(set(decisions.values())) > 1:
            name, values, kind = DECISION, decisions, DECISION_KIND
        elif len({frozenset(split_ids(c)) for c in criteria.values()}) > 1:
            name, values, kind = CRITERIA, criteria, CRITERIA_KIND
        else:
            continue
        settled = consensus.latest(stage, study, name) is not None
        if settled and not include_resolved:
            continue
        out.append(Conflict(study, stage, name, values, notes,
                            consensus.value(stage, study, name), settled, kind))
    return out


def coding_conflicts(result: StudyConsensus, include_resolved: bool = False) -> list[Conflict]:
    """Return the conflicts of one study at a coding stage, in codebook order.

    Args:
        result: `coding_consensus` of the study.
        include_resolved: also list values the consensus sheet settled where
            the coders differ.
    """
    out = []
    matches = {(g, m.key or sorted(m.row_ids())[0]): m
               for g, found in result.matches.items() for m in found}
    for state in result.states:
        if state.status == FINAL and not (include_resolved and state.settled
                                          and _differ(state.values)):
            continue
        if state.status not in (CONFLICT, FINAL):
            continue
        kind = CODE_KIND if state.field.startswith("code:") else FIELD_KIND
        rows = {}
        if state.group:
            kind = ROW_FIELD_KIND if state.row_field else ROW_KIND
            m = matches.get((state.group, state.row_label))
            if m is not None and kind == ROW_KIND:
                rows = {n: dict(r.values) for n, r in m.rows.items() if n != "consensus"}
        out.append(Conflict(result.study_id, result.stage, state.field, dict(state.values),
                            {}, state.consensus, state.settled, kind, state.group, state.key,
                            rows))
    return out


def _differ(values: Mapping[str, str]) -> bool:
    return len({v.strip() for v in values.values()}) > 1


def merge_conflicts(raw: Mapping[str, Iterable[Event]], aliases: Mapping[str, str],
                    consensus: SheetState, stage: str,
                    include_resolved: bool = False) -> list[Conflict]:
    """Return the values a merge of studies brought together and that differ for one reviewer.

    Args:
        raw: {reviewer: events} as written, study ids NOT remapped.
        aliases: merged-away study id -> the id of the study it became part of.
        consensus: the consensus sheet's state (study ids remapped).
        stage: the stage id.
        include_resolved: also list the ones the consensus sheet settled.

    Returns:
        One conflict per (kept study, field, reviewer): `values` maps
        "<reviewer> on <original study id>" to that study's value.
    """
    if not aliases:
        return []
    out = []
    for reviewer, events in sorted(raw.items()):
        state = SheetState(e for e in events if e.stage == stage)
        groups: dict[str, list[str]] = {}
        for study in state.studies(stage):
            groups.setdefault(aliases.get(study, study), []).append(study)
        for target, members in sorted(groups.items()):
            if len(members) < 2:
                continue
            names = sorted({f for m in members for f in state.fields(stage, m)
                            if f in (DECISION, CRITERIA) or f.startswith(("code:", "field:"))})
            for name in names:
                values = {f"{reviewer} on {m}": state.value(stage, m, name)
                          for m in sorted(members) if state.latest(stage, m, name) is not None}
                forms = {comparable(None, v) if not name.startswith("code:") and
                         name != CRITERIA else frozenset(split_ids(v))
                         for v in values.values()}
                if len(values) < 2 or len(forms) < 2:
                    continue
                settled = consensus.latest(stage, target, name) is not None
                if settled and not include_resolved:
                    continue
                out.append(Conflict(target, stage, name, values, {},
                                    consensus.value(stage, target, name), settled, MERGE_KIND))
    return out


__all__ = ["Conflict", "screening_conflicts", "coding_conflicts", "merge_conflicts",
           "DECISION_KIND", "CRITERIA_KIND", "CODE_KIND", "FIELD_KIND", "ROW_KIND",
           "ROW_FIELD_KIND", "MERGE_KIND"]
