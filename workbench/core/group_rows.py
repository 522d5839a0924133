"""Matching the rows of a repeatable group across coders (pure).

Two coders who extract the same campaign from a study each add a row of
the `campaign` group, with their own random row ids. To compare them, rows
are matched on the group's key field (`Group.key_field()`, e.g. the campaign
name) after normalising it: case, accents, spaces and punctuation are
ignored, so "#MeTooPakistan", "MeToo Pakistan" and "metoo-pakistan" are the
same key. Keys that still differ are compared with rapidfuzz's normalised
Indel similarity (0-100); a pair at or above `KEY_THRESHOLD` matches, best
pairs first, and each row matches at most one row of every other sheet.
A row without a key value matches only a row of another sheet whose values
are all equal. A row that matches nothing is a match of its own (entered by
one sheet only).

Used by the consensus rule (`workbench.core.consensus.coding_consensus`),
so conflicts, resolution, the export and the agreement report all pair the
same rows.

    matches = match_rows(group, {"consensus": [...], "alice": [...], "bob": [...]})
    for m in matches:
        m.key, m.rows["alice"].values
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workbench.core.codebook import Group
from workbench.core.coding import GroupRow

#: Smallest similarity (0-100, on normalised keys) at which two rows are the same row.
KEY_THRESHOLD = 85.0


def normalize_key(text: str) -> str:
    """Return the form in which key values are compared: lower case letters and digits only.

    "#MeTooPakistan" and "MeToo Pakistan" both give "metoopakistan".
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def key_similarity(a: str, b: str) -> float:
    """Return the similarity (0-100) of two key values after `normalize_key`."""
    from rapidfuzz.fuzz import ratio

    na, nb = normalize_key(a), normalize_key(b)
    if not na or not nb:
        return 0.0
    return 100.0 if na == nb else float(ratio(na, nb))


@dataclass(frozen=True)
class RowMatch:
    """One row of a group as the sheets entered it.

    `key` is the key value as the first sheet that has the row wrote it;
    `rows` maps each sheet that has the row to its GroupRow (a sheet that
    is missing did not enter it).
    """

    group: str
    key: str
    rows: dict[str, GroupRow] = field(default_factory=dict)

    def row_ids(self) -> set[str]:
        """Return the row ids of every sheet's row in this match."""
        return {r.row_id for r in self.rows.values()}


def _score(group: Group, key_field: str, match: RowMatch, row: GroupRow) -> float:
    key = row.values.get(key_field, "")
    if normalize_key(key) and normalize_key(match.key):
        # Equal keys tie; a row whose values are all equal too wins the tie (0.5).
        mine = {k: v for k, v in row.values.items() if v}
        return max(key_similarity(key, r.values.get(key_field, ""))
                   + (0.5 if {k: v for k, v in r.values.items() if v} == mine else 0.0)
                   for r in match.rows.values())
    if normalize_key(key) or normalize_key(match.key):
        return 0.0
    mine = {k: v for k, v in row.values.items() if v}
    return 100.0 if any({k: v for k, v in r.values.items() if v} == mine
                        for r in match.rows.values()) else 0.0


def match_rows(group: Group, rows: Mapping[str, Sequence[GroupRow]],
               threshold: float = KEY_THRESHOLD) -> list[RowMatch]:
    """Match one study's rows of a group across sheets.

    Args:
        group: the codebook group (its key field is used).
        rows: {sheet: that sheet's rows of the group, in the order they were
            added}; sheets are matched in the given order. A row whose id is
            the id of a row of an earlier sheet joins that row's match (the
            consensus sheet, passed last, records a resolved row under the id
            of one of the coders' rows).
        threshold: the smallest key similarity (0-100) that matches.

    Returns:
        The matches: every row of every sheet is in exactly one, in the
        order their first row was met.
    """
    key_field = group.key_field()
    matches: list[RowMatch] = []
    for sheet, sheet_rows in rows.items():
        open_ = [i for i, m in enumerate(matches) if sheet not in m.rows]
        pairs = []
        for i in open_:
            ids = matches[i].row_ids()
            for j, row in enumerate(sheet_rows):
                # A row with the id of a row already matched is that row (the
                # consensus sheet records a resolved row under a coder's row id).
                score = 1000.0 if row.row_id in ids else \
                    _score(group, key_field, matches[i], row)
                if score >= threshold:
                    pairs.append((-score, i, j))
        used_matches: set[int] = set()
        used_rows: set[int] = set()
        for _, i, j in sorted(pairs):
            if i in used_matches or j in used_rows:
                continue
            matches[i].rows[sheet] = sheet_rows[j]
            used_matches.add(i)
            used_rows.add(j)
        for j, row in enumerate(sheet_rows):
            if j not in used_rows:
                matches.append(RowMatch(group.id, row.values.get(key_field, ""), {sheet: row}))
    return matches


def find_match(matches: Sequence[RowMatch], text: str,
               threshold: float = KEY_THRESHOLD) -> tuple[RowMatch | None, list[str]]:
    """Find the match a user names by its key (fuzzy) or by one of its row ids.

    Args:
        matches: from match_rows.
        text: a key value ("MeToo Pakistan") or a row id.
        threshold: the smallest similarity accepted for a key.

    Returns:
        (the match, []) when one match fits best, else (None, the keys of the
        closest matches, best first) for a did-you-mean.
    """
    for m in matches:
        if text in m.row_ids():
            return m, []
    scored = sorted(((key_similarity(text, m.key), n) for n, m in enumerate(matches)
                     if m.key), reverse=True)
    if scored and scored[0][0] >= threshold and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return matches[scored[0][1]], []
    close = [matches[n].key for s, n in scored if s >= 50][:3]
    return None, close or [m.key or sorted(m.row_ids())[0] for m in matches][:5]


__all__ = ["KEY_THRESHOLD", "RowMatch", "normalize_key", "key_similarity", "match_rows",
           "find_match"]
