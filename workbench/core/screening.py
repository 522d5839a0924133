"""Screening decisions: the fields they write, their validation, and the current state.

A screening stage uses three fields (see CONTRIBUTING.md):

- `decision`: include | exclude | maybe | not_retrieved ("" = cleared / undone)
- `criteria`: criterion ids joined by ";" (the reasons; "" = none)
- `note`: free text

One decision is the events written in one append: `decision` always, plus
`criteria` and `note` when they change. Undo appends events that restore the
previous values, so the history keeps everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from workbench.core.codebook import EXCLUDE, SCREENING, Codebook
from workbench.core.events import Change, DecisionRefused, SheetState

DECISION = "decision"
CRITERIA = "criteria"
NOTE = "note"
SCREENING_FIELDS = (DECISION, CRITERIA, NOTE)

INCLUDE_DECISION = "include"
EXCLUDE_DECISION = "exclude"
MAYBE = "maybe"
NOT_RETRIEVED = "not_retrieved"
#: Valid values of the `decision` field ("" clears it).
DECISIONS = (INCLUDE_DECISION, EXCLUDE_DECISION, MAYBE, NOT_RETRIEVED)


@dataclass(frozen=True)
class ScreeningDecision:
    """The current screening state of one study at one stage for one sheet.

    `decision` is "" when the study was never screened or the decision was undone.
    """

    study_id: str
    stage: str
    decision: str = ""
    criteria: tuple[str, ...] = ()
    note: str = ""
    time: str = ""
    reviewer: str = ""


def split_ids(value: str) -> tuple[str, ...]:
    """Split a ";"-joined id list, dropping blanks and duplicates (order kept)."""
    if ";" not in value:   # one id (or none): millions of calls on a big review
        value = value.strip()
        return (value,) if value else ()
    return tuple(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))


def join_ids(ids: Iterable[str]) -> str:
    """Join ids with ";" (duplicates dropped, order kept)."""
    return ";".join(dict.fromkeys(i for i in ids if i))


def screening_changes(codebook: Codebook, stage_id: str, current: Mapping[str, str],
                      decision: str, criteria: Iterable[str] = (),
                      note: str | None = None) -> list[Change]:
    """Validate a screening decision and return the changes one append must write.

    Args:
        codebook: the review's codebook.
        stage_id: a screening stage of the codebook.
        current: the study's current {field: value} at that stage.
        decision: one of DECISIONS, or "" to clear the decision.
        criteria: criterion ids (reasons); they must apply at this stage.
        note: new note text, or None to leave the note as it is.

    Returns:
        `decision` always, plus `criteria` and `note` when they differ from `current`.

    Raises:
        DecisionRefused: unknown stage, not a screening stage, unknown decision,
            unknown criterion or one that does not apply at the stage, or an
            exclusion without a reason where the stage requires one.
    """
    stage = codebook.stage(stage_id)
    if stage is None:
        known = ", ".join(s.id for s in codebook.stages) or "none"
        raise DecisionRefused(f"unknown stage {stage_id!r} (stages: {known}); nothing was saved")
    if stage.kind != SCREENING:
        raise DecisionRefused(f"stage {stage_id!r} is a {stage.kind} stage, not screening; "
                              "nothing was saved")
    if decision not in DECISIONS and decision != "":
        raise DecisionRefused(f"unknown decision {decision!r} (use one of "
                              f"{', '.join(DECISIONS)}); nothing was saved")
    offered = stage.offered_decisions()
    if decision and decision not in offered:
        why = "codebook 'decisions:'" if stage.decisions else \
            "a first stage screens records, not reports: not_retrieved belongs to a later stage"
        raise DecisionRefused(f"stage {stage_id!r} offers only {', '.join(offered)} "
                              f"({why}), not {decision!r}; nothing was saved")
    ids = split_ids(";".join(criteria))
    allowed = {c.id: c for c in codebook.stage_criteria(stage_id)}
    for cid in ids:
        if cid not in allowed:
            where = "is not defined" if codebook.criterion(cid) is None \
                else f"does not apply at stage {stage_id!r}"
            raise DecisionRefused(f"criterion {cid!r} {where} "
                                  f"(criteria here: {', '.join(allowed) or 'none'}); "
                                  "nothing was saved")
    if decision == "":
        ids = ()
    if (decision == EXCLUDE_DECISION and stage.exclude_needs_criterion
            and not any(allowed[c].kind == EXCLUDE for c in ids)):
        raise DecisionRefused(f"stage {stage_id!r} needs an exclusion criterion to exclude; "
                              "nothing was saved")
    changes = [Change(DECISION, decision)]
    joined = join_ids(ids)
    if joined != current.get(CRITERIA, ""):
        changes.append(Change(CRITERIA, joined))
    if note is not None and note != current.get(NOTE, ""):
        changes.append(Change(NOTE, note))
    return changes


def screening_decision(state: SheetState, stage_id: str, study_id: str) -> ScreeningDecision:
    """Return the current screening decision of one study at one stage of a sheet."""
    cell = state.fields(stage_id, study_id)
    latest = cell.get(DECISION)
    return ScreeningDecision(
        study_id=study_id, stage=stage_id,
        decision=latest.value if latest else "",
        criteria=split_ids(cell[CRITERIA].value) if CRITERIA in cell else (),
        note=cell[NOTE].value if NOTE in cell else "",
        time=latest.time if latest else "",
        reviewer=latest.reviewer if latest else "")


def decisions_by_study(state: SheetState, stage_id: str) -> dict[str, str]:
    """Return {study id: decision} for every study with a non-empty decision at a stage."""
    out: dict[str, str] = {}
    for (stage, study), cell in state.items():
        if stage == stage_id:
            event = cell.get(DECISION)
            if event is not None and event.value:
                out[study] = event.value
    return out


def earlier_stages(codebook: Codebook, stage) -> list:
    """Return the stages a study passes before `stage`: its source, that stage's source, ...

    Nearest first. A study is on a stage's work list only when it passed every
    one of them: its title/abstract decision back in conflict takes it off the
    full-text list and off the coding list too.
    """
    out, seen = [], {stage.id}
    source = codebook.stage(stage.source) if stage.source else None
    while source is not None and source.id not in seen:
        out.append(source)
        seen.add(source.id)
        source = codebook.stage(source.source) if source.source else None
    return out


def left_to_screen(study_ids: Iterable[str], state: SheetState, stage_id: str) -> list[str]:
    """Return the studies (in the given order) that have no decision yet at a stage.

    Args:
        study_ids: the studies that reach this stage (e.g. every study for the
            first stage, the included ones for full text).
        state: the reviewer's sheet state.
        stage_id: the stage.
    """
    decided = decisions_by_study(state, stage_id)
    return [s for s in study_ids if s not in decided]
