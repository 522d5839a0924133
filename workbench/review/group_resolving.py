"""Resolving group rows: the consensus changes that keep, drop or set the rows of a group.

A resolved row goes to coding/consensus.csv the way a coder's row goes to
their sheet (`row:<group>:<row id>` = "1" while it is in the dataset, ""
once dropped, and `row:<group>:<row id>:<field>` values), under the id of
one of the coders' rows of the match, so the consensus rule pairs it with
the coders' rows (`workbench.core.group_rows.match_rows`). Used by
`workbench.review.resolving.resolve_conflict`.
"""

from __future__ import annotations

from workbench.core.coding import row_changes, row_field
from workbench.core.consensus import parse_row_field
from workbench.core.events import CONSENSUS, Change
from workbench.core.group_rows import RowMatch, find_match
from workbench.errors import ReviewError

#: Values that keep or drop a row.
KEEP_WORDS = ("keep", "1", "yes", "include")
DROP_WORDS = ("drop", "0", "no", "", "exclude", "remove")


def _consensus_row_id(match: RowMatch) -> str:
    """The id the consensus records the row under: its own row's, else the first coder's."""
    if CONSENSUS in match.rows:
        return match.rows[CONSENSUS].row_id
    first = sorted(n for n in match.rows if n != CONSENSUS)[0]
    return match.rows[first].row_id


def _keep(codebook, stage: str, group, match: RowMatch,
          values: dict[str, str]) -> list[Change]:
    rid = _consensus_row_id(match)
    return [Change(row_field(group.id, rid), "1"),
            *row_changes(codebook, stage, group.id, rid, values)]


def _drop(group, match: RowMatch) -> list[Change]:
    return [Change(row_field(group.id, _consensus_row_id(match)), "")]


def _coder_row(match: RowMatch, coder: str, group) -> dict[str, str] | None:
    row = match.rows.get(coder)
    if row is None:
        return None
    return {f.id: row.values.get(f.id, "") for f in group.fields}


def group_row_changes(review, sheets, stage: str, study_id: str, field_name: str, value: str,
                      from_coder: str | None) -> list[Change]:
    """Return the consensus changes that resolve a group row, a field of one, or a table.

    Args:
        review: the open Review.
        sheets: the review's sheets (`read_sheets`).
        stage: the coding stage id.
        study_id: the study.
        field_name: `row:<group>` (a whole table; needs `from_coder`),
            `row:<group>:<key or row id>` or `row:<group>:<key or row id>:<field>`.
        value: keep/drop for a row; the value for a field.
        from_coder: take this coder's row, value or table instead of `value`.

    Returns:
        The changes to append (validated against the codebook).

    Raises:
        ReviewError: unknown group, row or field (with the closest keys), a
            table without a coder, a keep/drop word not understood.
        DecisionRefused: a value does not fit its field.
    """
    from workbench.review.conflicts import study_consensus

    codebook = review.codebook()
    parts = field_name.split(":")
    group = codebook.group(parts[1]) if len(parts) > 1 else None
    if group is None:
        known = ", ".join(g.id for g in codebook.groups) or "none"
        raise ReviewError(f"{field_name!r}: no such group (groups: {known}); nothing was saved")
    result = study_consensus(review, stage, study_id, sheets)
    matches = result.matches.get(group.id, [])
    if len(parts) == 2 or (len(parts) == 3 and parts[2] == ""):
        if from_coder is None:
            raise ReviewError(f"{field_name!r}: resolving a whole table takes a coder "
                              "(--from NAME); nothing was saved")
        changes: list[Change] = []
        for m in matches:
            mine = _coder_row(m, from_coder, group)
            changes += _keep(codebook, stage, group, m, mine) if mine is not None \
                else _drop(group, m)
        if not changes:
            raise ReviewError(f"{study_id} has no {group.id} rows at {stage}; nothing was saved")
        return changes
    parsed = parse_row_field(codebook, field_name)
    _, key, fid = parsed
    match, close = find_match(matches, key)
    if match is None:
        hint = f" (rows: {', '.join(repr(c) for c in close)})" if close else " (no rows)"
        raise ReviewError(f"{study_id}: no {group.id} row {key!r}{hint}; nothing was saved")
    if fid:
        if from_coder is not None:
            mine = _coder_row(match, from_coder, group)
            value = (mine or {}).get(fid, "")
        return _keep(codebook, stage, group, match, {fid: value})
    if from_coder is not None:
        mine = _coder_row(match, from_coder, group)
        return _keep(codebook, stage, group, match, mine) if mine is not None \
            else _drop(group, match)
    word = value.strip().lower()
    if word in KEEP_WORDS:
        return _keep(codebook, stage, group, match, {})
    if word in DROP_WORDS:
        return _drop(group, match)
    raise ReviewError(f"{field_name!r}: the value of a row is keep or drop (or give a coder "
                      "with --from to take their row); nothing was saved")


__all__ = ["group_row_changes", "KEEP_WORDS", "DROP_WORDS"]
