"""What is agreed: combining the reviewers' sheets and the consensus sheet (pure).

One definition of "agreed" for every kind of value, shared by the conflicts
list, resolution, the export, the work lists and the home/status counts:

    A value is FINAL when the consensus sheet sets it, or when at least the
    stage's `reviewers` coders took part in the study and every one of them
    gave the same value. When the coders who took part give different values
    -- including one giving a value and another leaving it empty -- it is a
    CONFLICT. When fewer coders than the stage needs took part, it is PENDING.

"Took part": at a screening stage, gave a decision; at a coding stage, wrote
any code, extraction value or group row for the study (even an empty one).
"Coded as none" and "not coded" are the same answer: a coder who coded the
study and chose no code in a dimension (or left a field empty, or did not
enter a group row) answered "none", whether they cleared it explicitly or
never touched it. So one coder's `platforms = twitter` against another's
untouched platforms is a conflict, and two coders who both left a field
empty agree on NA (an empty cell, never 0).

Screening (`final_decisions`): the decision follows the rule. Criteria under
an agreeing decision that differ are not agreed (`criteria_agreed` False):
the conflicts list shows them, and until they are resolved the decision is
final with the union of the reviewers' criteria (reviewers in name order,
each reviewer's criteria in their order, duplicates dropped), which is what
the export uses for PRISMA's reasons. With one reviewer as the source, that
reviewer's decision is final and every other sheet is ignored.

Coding (`coding_consensus`): every dimension's code set, every extraction
value and every row of every repeatable group, row by row and field by field
(rows matched across coders by the group's key, `workbench.core.group_rows`).
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
    criteria_agreed: bool = True


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
            same = all(t == texts[0] for t in texts)
            criteria = ids(texts[0]) if same else \
                split_ids(join_ids(c for t in texts for c in ids(t)))
            agreed_criteria = same or len({frozenset(ids(t)) for t in texts}) == 1
            out[study] = FinalDecision(study, stage, FINAL, decisions.pop(), criteria,
                                       agreed_criteria)
        else:
            out[study] = FinalDecision(study, stage, PENDING)
    for study, (decision, criteria) in agreed.items():
        out[study] = FinalDecision(study, stage, FINAL, decision, ids(criteria))
    return out


# -- coding stages -----------------------------------------------------------------------------
#: Where a final value comes from.
AGREED = "agreed"
#: The existence value of a group row (as in the sheets: "1" = the row exists).
ROW_EXISTS = "1"
#: Field kinds a coder writes when coding a study (what makes them take part).
_CODING_KINDS = ("code", "field", "row")


@dataclass(frozen=True)
class ValueState:
    """One value of one study at a coding stage, combined across the sheets.

    `field` is `code:<dim>`, `field:<id>`, `row:<group>:<key>` (whether the
    row is in the dataset; value "1" or "") or `row:<group>:<key>:<field>`.
    `values` holds each participating coder's value ("" = none/NA);
    `consensus` the consensus sheet's value and `settled` whether it set one.
    `value` and `source` ("consensus" or "agreed") are set when FINAL.
    """

    field: str
    status: str
    values: dict[str, str]
    value: str = ""
    source: str = ""
    consensus: str = ""
    settled: bool = False
    group: str = ""
    key: str = ""
    row_field: str = ""
    row_label: str = ""


@dataclass(frozen=True)
class AgreedRow:
    """A group row that is in the coded dataset: its final values ("" = NA or not agreed).

    `unsettled` names the row's fields still in conflict or pending (left
    empty in `values`). `time` is when a coder first entered it (row order).
    """

    group: str
    key: str
    row_id: str
    time: str
    values: dict[str, str]
    source: str
    unsettled: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudyConsensus:
    """Everything agreed and not agreed about one study at a coding stage.

    `coders` took part (see the module notes); `states` lists every value in
    codebook order (dimensions, fields, then each group's rows and their
    fields); `rows` the group rows that are in the dataset; `matches` every
    group's rows as matched across the sheets.
    """

    study_id: str
    stage: str
    coders: tuple[str, ...]
    states: list[ValueState]
    rows: dict[str, list[AgreedRow]]
    matches: dict[str, list]

    def open_states(self) -> list[ValueState]:
        """Return the values that are not final (conflicts and pending ones)."""
        return [s for s in self.states if s.status != FINAL]


def took_part(cell) -> bool:
    """Return True when a sheet's {field: event} of a study holds any coding value."""
    return any(name.split(":", 1)[0] in _CODING_KINDS for name in cell)


def comparable(fld, value: str):
    """Return the form in which coders' values of a field are compared ("" for none).

    Numbers compare as numbers ("5.2" = "5.20"), multi-choices and code sets
    as sets, everything else as stripped text.
    """
    text = (value or "").strip()
    if not text:
        return ""
    kind = getattr(fld, "type", "text") if fld is not None else "text"
    if kind in ("integer", "number"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind in ("multi_choice", "codes"):
        return frozenset(split_ids(text))
    return text


class _Codes:
    """A dimension's code set as a field for `comparable`."""

    type = "codes"


def _combine(field_name: str, fld, values: dict[str, str], settled: bool, consensus: str,
             required: int, **extra) -> ValueState:
    """The rule for one value: consensus, else all coders alike, else conflict or pending."""
    if settled:
        return ValueState(field_name, FINAL, values, consensus, CONSENSUS, consensus, True,
                          **extra)
    forms = {comparable(fld, v) for v in values.values()}
    if len(forms) > 1:
        return ValueState(field_name, CONFLICT, values, **extra)
    if len(values) < max(required, 1):
        return ValueState(field_name, PENDING, values, **extra)
    first = values[sorted(values)[0]]
    return ValueState(field_name, FINAL, values, first, AGREED, **extra)


def _row_label(match) -> str:
    return match.key or sorted(match.row_ids())[0]


def coding_consensus(codebook, stage: str, study_id: str, cells, required: int) -> StudyConsensus:
    """Combine every sheet's coding of one study at a coding stage (the rule above).

    Args:
        codebook: the review's codebook (dimensions, fields, groups, renames).
        stage: the coding stage id.
        study_id: the study.
        cells: {sheet: {field: latest event}} of this study and stage for every
            sheet that has any ("consensus" for the consensus sheet).
        required: how many coders must take part (the stage's `reviewers`).

    Returns:
        A StudyConsensus (empty states when no sheet has anything).
    """
    from workbench.core.coding import GroupRow, study_coding
    from workbench.core.group_rows import match_rows

    cons_cell = cells.get(CONSENSUS, {})
    coders = tuple(sorted(n for n, c in cells.items() if n != CONSENSUS and took_part(c)))
    coded = {n: study_coding(codebook, cells[n], study_id, stage) for n in coders}
    agreed = study_coding(codebook, cons_cell, study_id, stage)
    states: list[ValueState] = []
    dims = [d.id for d in codebook.dimensions]
    dims += sorted({k for c in (*coded.values(), agreed) for k in c.codes} - set(dims))
    for dim in dims:
        name = f"code:{dim}"
        values = {n: join_ids(c.codes.get(dim, ())) for n, c in coded.items()}
        event = cons_cell.get(name)
        states.append(_combine(name, _Codes, values, event is not None,
                               join_ids(agreed.codes.get(dim, ())), required))
    fields = [f.id for f in codebook.fields]
    fields += sorted({k for c in (*coded.values(), agreed) for k in c.values} - set(fields))
    for fid in fields:
        name = f"field:{fid}"
        values = {n: c.values.get(fid, "") for n, c in coded.items()}
        event = cons_cell.get(name)
        states.append(_combine(name, codebook.field(fid), values, event is not None,
                               event.value if event is not None else "", required))
    rows: dict[str, list[AgreedRow]] = {}
    matches: dict[str, list] = {}
    for group in codebook.groups:
        # Consensus rows, the removed ones too: a removed consensus row keeps its
        # match out of the dataset.
        cons_rows = []
        for fname, event in cons_cell.items():
            parts = fname.split(":")
            if len(parts) == 3 and parts[0] == "row" and parts[1] == group.id:
                values = {p.split(":")[3]: e.value for p, e in cons_cell.items()
                          if p.startswith(fname + ":") and p.count(":") == 3}
                cons_rows.append((event.time, GroupRow(group.id, parts[2], values),
                                  event.value == ROW_EXISTS))
        cons_rows.sort(key=lambda r: r[0])
        exists_in_cons = {r.row_id: ok for _, r, ok in cons_rows}
        by_sheet = {n: c.rows.get(group.id, []) for n, c in coded.items()}
        if cons_rows:
            by_sheet[CONSENSUS] = [r for _, r, _ in cons_rows]
        found = match_rows(group, by_sheet)
        matches[group.id] = found
        times = {n: {e.field.split(":")[2]: e.time for f, e in cells[n].items()
                     if f.startswith(f"row:{group.id}:") and f.count(":") == 2}
                 for n in coders}
        for m in found:
            label = _row_label(m)
            base = f"row:{group.id}:{label}"
            cons_row = m.rows.get(CONSENSUS)
            present = {n: ROW_EXISTS if n in m.rows else "" for n in coders}
            exists = _combine(base, None, present, cons_row is not None,
                              ROW_EXISTS if cons_row is not None and
                              exists_in_cons[cons_row.row_id] else "", required,
                              group=group.id, key=m.key, row_label=label)
            states.append(exists)
            if exists.status != FINAL or exists.value != ROW_EXISTS:
                continue
            final: dict[str, str] = {}
            unsettled = []
            for fld in group.fields:
                values = {n: (m.rows[n].values.get(fld.id, "") if n in m.rows else "")
                          for n in coders}
                settled = cons_row is not None and fld.id in cons_row.values
                state = _combine(f"{base}:{fld.id}", fld, values, settled,
                                 cons_row.values.get(fld.id, "") if settled else "", required,
                                 group=group.id, key=m.key, row_field=fld.id, row_label=label)
                states.append(state)
                final[fld.id] = state.value if state.status == FINAL else ""
                if state.status != FINAL:
                    unsettled.append(fld.id)
            first = [times[n].get(m.rows[n].row_id, "") for n in coders if n in m.rows]
            first = [t for t in first if t]
            row_id = cons_row.row_id if cons_row is not None else \
                m.rows[sorted(n for n in m.rows if n != CONSENSUS)[0]].row_id
            time = min(first) if first else (cons_cell[f"row:{group.id}:{row_id}"].time
                                             if cons_row is not None else "")
            rows.setdefault(group.id, []).append(AgreedRow(
                group.id, m.key, row_id, time, final, exists.source, tuple(unsettled)))
    for group_rows in rows.values():
        group_rows.sort(key=lambda r: r.time)
    if not coders:   # nobody coded the study yet: only what the consensus sheet set
        states = [s for s in states if s.settled]
    return StudyConsensus(study_id, stage, coders, states, rows, matches)


def quick_agreed(cells, required: int) -> bool:
    """Return True when a study's coding is certainly all agreed, without the full rule.

    True when the consensus sheet has nothing on the study, at least `required`
    coders took part, and their codes, values and group rows (row ids aside)
    are the same text: then `coding_consensus` finds every value FINAL, so a
    conflict count can skip the study. False means "apply the full rule".
    """
    if CONSENSUS in cells:
        return False
    coders = [c for n, c in cells.items() if took_part(c)]
    if len(coders) < max(required, 1):
        return False
    first = None
    for cell in coders:
        plain, rows = {}, {}
        for name, event in cell.items():
            if name.startswith(("code:", "field:")):
                if event.value:
                    plain[name] = event.value
            elif name.startswith("row:"):
                parts = name.split(":")
                key = (parts[1], parts[2])
                if len(parts) == 3:
                    rows.setdefault(key, {})[""] = event.value
                elif len(parts) == 4 and event.value:
                    rows.setdefault(key, {})[parts[3]] = event.value
        shape = (plain, sorted((g, tuple(sorted(v.items()))) for (g, _), v in rows.items()
                               if v.get("") == ROW_EXISTS))
        if first is None:
            first = shape
        elif shape != first:
            return False
    return True


def parse_row_field(codebook, name: str) -> tuple[str, str, str] | None:
    """Split `row:<group>:<key>[:<field>]` into (group, key, field or ""); None if not one.

    The key may itself hold ":"; the last part is a field only when it is one
    of the group's fields.
    """
    parts = name.split(":")
    if len(parts) < 3 or parts[0] != "row":
        return None
    group = codebook.group(parts[1])
    if group is None:
        return None
    rest = parts[2:]
    if len(rest) > 1 and group.field(rest[-1]) is not None:
        return group.id, ":".join(rest[:-1]), rest[-1]
    return group.id, ":".join(rest), ""
