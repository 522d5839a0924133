"""Resolving conflicts: the consensus value of a study's field, saved with who, when and why.

Appends to coding/consensus.csv through the sheet API (flushed and fsynced),
with the resolver in the `reviewer` column, the time of the append and the
reason in the `note` column. The next stage's work list and the export read it.

    resolve_conflict(review, "s1", "title_abstract", "decision", "include",
                     resolver="carol", reason="meets I2 on re-reading")
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from workbench.core.codebook import CODING
from workbench.core.coding import codes_changes, field_changes
from workbench.core.consensus import CONFLICT, FINAL, final_decisions
from workbench.core.events import CONSENSUS, Change, Event, SheetState
from workbench.core.screening import CRITERIA, DECISION, join_ids, screening_changes, split_ids
from workbench.errors import ReviewError
from workbench.review.agreement import Sheets, audit_stages, read_sheets
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import consensus_path, validate_reviewer

log = logging.getLogger(__name__)


def resolve_conflict(review, study_id: str, stage: str, field_name: str, value: str,
                     resolver: str, reason: str, criteria: Sequence[str] | None = None,
                     sheets: Sheets | None = None) -> list[Event]:
    """Append the consensus value of one study's field to coding/consensus.csv, durably.

    The event's `reviewer` is the resolver, its `time` the moment of the
    append and its `note` the reason. At a screening stage the consensus
    holds a whole decision, so resolving `decision` also writes `criteria`
    (given, or the consensus's current criteria, or the union of the criteria
    of the reviewers who chose that decision) and resolving `criteria` also
    writes `decision` (the consensus's, or the one all reviewers agree on).
    Values are validated against the codebook like any reviewer's.

    Args:
        review: the open Review.
        study_id: the study.
        stage: the stage id.
        field_name: `decision` or `criteria` (screening), `code:<dim>` or
            `field:<id>` (coding).
        value: the consensus value (codes and criteria ";"-joined).
        resolver: who resolves (a reviewer name).
        reason: why; required.
        criteria: with `decision`, the criteria to write (default: see above).
        sheets: already read sheets (default: read them now).

    Returns:
        The events written.

    Raises:
        ReviewError: unknown stage, a field that cannot be resolved, no
            reason, or reviewers who disagree on the decision when resolving criteria.
        DecisionRefused: the value does not fit the codebook; nothing was saved.
        SheetError: invalid resolver name, or the append failed; nothing was saved.
    """
    validate_reviewer(resolver)
    reason = " ".join(reason.split())
    if not reason:
        raise ReviewError("a reason is required to resolve a conflict; nothing was saved")
    codebook = review.codebook()
    st = audit_stages(review, stage)[0]
    sheets = sheets if sheets is not None else read_sheets(review)
    _check_resolvable(review, sheets, st.id, study_id)
    sheet = Sheet.open(consensus_path(review.coding), resolver, codebook.version,
                       review.aliases())
    current = sheet.state.values(st.id, study_id)
    if st.kind == CODING:
        if field_name.startswith("code:"):
            changes = codes_changes(codebook, st.id, field_name[5:], split_ids(value))
        elif field_name.startswith("field:"):
            changes = field_changes(codebook, st.id, field_name[6:], value)
        else:
            raise ReviewError(f"field {field_name!r} cannot be resolved at coding stage "
                              f"{st.id!r} (use code:<dimension> or field:<id>); nothing was saved")
    elif field_name in (DECISION, CRITERIA):
        states = {r: SheetState(e) for r, e in sheets.reviewers.items()}
        decision, chosen = _screening_pair(st.id, study_id, field_name, value.strip(),
                                           criteria, current, states, st.reviewers)
        changes = screening_changes(codebook, st.id, {}, decision, chosen)
        changes = [changes[0], Change(CRITERIA, join_ids(split_ids(";".join(chosen))))]
    else:
        raise ReviewError(f"field {field_name!r} cannot be resolved at screening stage "
                          f"{st.id!r} (use decision or criteria); nothing was saved")
    written = sheet.append(st.id, study_id, [Change(c.field, c.value, reason) for c in changes])
    log.info("%s resolved %s %s %s = %r", resolver, st.id, study_id, field_name, value)
    return written


def _check_resolvable(review, sheets: Sheets, stage: str, study_id: str) -> None:
    """Refuse to resolve a study no reviewer decided at the stage (or an unknown study id)."""
    if not any(e.study_id == study_id and e.stage == stage
               for events in sheets.reviewers.values() for e in events):
        raise ReviewError(f"no reviewer has decided {study_id!r} at stage {stage!r}, so there "
                          "is nothing to resolve",
                          hint="see `workbench conflicts` for the ids; nothing was saved")


def _screening_pair(stage: str, study: str, field_name: str, value: str,
                    criteria: Sequence[str] | None, current: dict[str, str],
                    states: dict[str, SheetState], required: int) -> tuple[str, list[str]]:
    """Return the (decision, criteria) a screening resolution writes.

    Resolving criteria keeps the study's final decision (core.consensus rule:
    the consensus's, else the one the required reviewers all gave).
    """
    if field_name == DECISION:
        if criteria is not None:
            return value, list(criteria)
        if current.get(CRITERIA):
            return value, list(split_ids(current[CRITERIA]))
        chosen: list[str] = []
        for name in sorted(states):
            if states[name].value(stage, study, DECISION) == value:
                chosen += split_ids(states[name].value(stage, study, CRITERIA))
        return value, list(dict.fromkeys(chosen))
    votes = [(name, study, st.value(stage, study, DECISION), st.value(stage, study, CRITERIA))
             for name, st in sorted(states.items())]
    if current.get(DECISION):
        votes.append((CONSENSUS, study, current[DECISION], current.get(CRITERIA, "")))
    final = final_decisions(stage, votes, required).get(study)
    if final is None or final.status != FINAL:
        why = "disagree on" if final is not None and final.status == CONFLICT else \
            "have not all given"
        raise ReviewError(f"{study}: the reviewers {why} the decision at stage {stage!r}; "
                          "resolve the decision first; nothing was saved")
    decision = final.decision
    return decision, list(split_ids(value))


__all__ = ["resolve_conflict"]
