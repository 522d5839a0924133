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
from workbench.core.coding import codes_changes, coding_of, field_changes
from workbench.review.group_resolving import group_row_changes
from workbench.core.consensus import CONFLICT, FINAL, final_decisions
from workbench.core.events import CONSENSUS, Change, Event, SheetState
from workbench.core.screening import CRITERIA, DECISION, join_ids, screening_changes, split_ids
from workbench.errors import ReviewError
from workbench.review.all_sheets import Sheets, audit_stages, read_sheets
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import consensus_path, validate_reviewer

log = logging.getLogger(__name__)


class ResolverNotConfirmed(ReviewError):
    """The resolver took part in the conflict (or is not a named resolver); nothing was saved.

    Resolve again with `confirmed=True` once the person has said yes.
    """


def resolver_warning(review, resolver: str, stage: str, study_id: str,
                     sheets: Sheets | None = None) -> str:
    """Return why resolving this study needs a confirmation, or "" when it does not.

    It does when the codebook names resolvers (`resolvers:`) and this is not
    one, and when the resolver coded or screened the study themselves at that
    stage (they are a party to the conflict), listed resolver or not.
    """
    codebook = review.codebook()
    sheets = sheets if sheets is not None else read_sheets(review)
    named = codebook.resolver_names()
    reasons = []
    if any(e.study_id == study_id and e.stage == stage
           for e in sheets.reviewers.get(resolver, ())):
        reasons.append(f"{resolver} took part in this conflict ({study_id} at {stage})")
    if named and resolver not in named:
        reasons.append(f"{resolver} is not one of the codebook's resolvers ({', '.join(named)})")
    return ", and ".join(reasons)


def resolve_conflict(review, study_id: str, stage: str, field_name: str, value: str,
                     resolver: str, reason: str, criteria: Sequence[str] | None = None,
                     sheets: Sheets | None = None, from_coder: str | None = None,
                     confirmed: bool = True) -> list[Event]:
    """Append the consensus value of one study's field to coding/consensus.csv, durably.

    The event's `reviewer` is the resolver, its `time` the moment of the
    append and its `note` the reason. At a screening stage the consensus
    holds a whole decision, so resolving `decision` also writes `criteria`
    (given, or the consensus's current criteria, or the union of the criteria
    of the reviewers who chose that decision) and resolving `criteria` also
    writes `decision` (the consensus's, or the one all reviewers agree on).
    Values are validated against the codebook like any reviewer's.

    Group rows (coding stages), named by the group's key value as `conflicts`
    shows it (fuzzy: "MeToo Pakistan" finds "#MeTooPakistan") or a row id:
    `row:<group>:<key>` with value `keep` or `drop` (or `from_coder`: that
    coder's whole row, or drop when they have none);
    `row:<group>:<key>:<field>` one value of the row (the row is kept);
    `row:<group>` with `from_coder`: that coder's whole table (their rows kept
    with their values, every other row dropped). A resolved row is recorded
    under the id of a coder's row of the match, append-only like any value.

    Args:
        review: the open Review.
        study_id: the study.
        stage: the stage id.
        field_name: `decision` or `criteria` (screening), `code:<dim>`,
            `field:<id>` or `row:...` (coding).
        value: the consensus value (codes and criteria ";"-joined); ignored
            when `from_coder` is given.
        resolver: who resolves (a reviewer name).
        reason: why; required.
        criteria: with `decision`, the criteria to write (default: see above).
        sheets: already read sheets (default: read them now).
        from_coder: take this coder's current value (decision with its
            criteria, codes, a field, a row or a whole table).
        confirmed: False makes the call refuse (ResolverNotConfirmed) when
            `resolver_warning` has something to say, so a front end can ask the
            person and call again with True (the default: the caller checked).

    Returns:
        The events written.

    Raises:
        ReviewError: unknown stage, a field or row that cannot be resolved
            (with the closest names), no reason, an unknown coder, or
            reviewers who disagree on the decision when resolving criteria.
        ResolverNotConfirmed: with confirmed=False, the resolver took part in
            the conflict or is not a named resolver; nothing was saved.
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
    if from_coder is not None and from_coder not in sheets.reviewers:
        raise ReviewError(f"{from_coder!r} has no sheet (coders: "
                          f"{', '.join(sorted(sheets.reviewers)) or 'none'}); nothing was saved")
    warning = resolver_warning(review, resolver, st.id, study_id, sheets)
    if warning and not confirmed:
        raise ResolverNotConfirmed(f"{warning}; confirm to resolve it anyway; nothing was saved")
    sheet = Sheet.open(consensus_path(review.coding), resolver, codebook.version,
                       review.aliases())
    current = sheet.state.values(st.id, study_id)
    coder = SheetState(sheets.reviewers[from_coder]) if from_coder is not None else None
    if st.kind == CODING:
        mine = coding_of(codebook, coder, st.id, study_id) if coder is not None else None
        if field_name.startswith("code:"):
            if mine is not None:
                value = join_ids(mine.codes.get(field_name[5:], ()))
            changes = codes_changes(codebook, st.id, field_name[5:], split_ids(value))
        elif field_name.startswith("field:"):
            if mine is not None:
                value = mine.values.get(field_name[6:], "")
            changes = field_changes(codebook, st.id, field_name[6:], value)
        elif field_name.startswith("row:"):
            changes = group_row_changes(review, sheets, st.id, study_id, field_name, value,
                                        from_coder)
        else:
            raise ReviewError(f"field {field_name!r} cannot be resolved at coding stage "
                              f"{st.id!r} (use code:<dimension>, field:<id> or "
                              "row:<group>[:<key>[:<field>]]); nothing was saved")
    elif field_name in (DECISION, CRITERIA):
        states = {r: SheetState(e) for r, e in sheets.reviewers.items()}
        if coder is not None:
            value = coder.value(st.id, study_id, field_name)
            if field_name == DECISION:
                criteria = list(split_ids(coder.value(st.id, study_id, CRITERIA)))
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


def decision_criteria(review, conflicts: Sequence) -> dict[tuple[str, str], dict[str, str]]:
    """Return each coder's criteria behind the screening decision conflicts (what a resolver
    weighs: exclude for E2 against exclude for E4), as the resolve screen shows them.

    Only the lines that name those studies are read (`read_sheet_matching`), so a large
    review's sheets are not read in full for a few conflicts.

    Returns:
        {(stage, study id): {coder: criteria ";"-joined}} for every `decision` conflict.
    """
    from workbench.store.sheet import sheet_path
    from workbench.store.sheet_reading import read_sheet_matching
    from workbench.core.events import is_valid_reviewer
    wanted = [c for c in conflicts if c.field == DECISION and c.kind == DECISION
              and all(is_valid_reviewer(name) for name in c.values)]
    if not wanted:
        return {}
    aliases = review.aliases()
    ids = {c.study_id for c in wanted}
    needles = ids | {old for old, new in aliases.items() if new in ids}
    coders = sorted({name for c in wanted for name in c.values})
    states = {}
    for name in coders:
        path = consensus_path(review.coding) if name == CONSENSUS else \
            sheet_path(review.coding, name)
        states[name] = SheetState(read_sheet_matching(path, needles, aliases or None))
    return {(c.stage, c.study_id): {name: states[name].value(c.stage, c.study_id, CRITERIA)
                                    for name in c.values} for c in wanted}


__all__ = ["resolve_conflict", "resolver_warning", "ResolverNotConfirmed", "decision_criteria"]
