"""Coding events: the field vocabulary of a coding stage, validation, and current state.

Field names written to the sheet's `field` column at a coding stage:

=================================  =============================================
field                              value
=================================  =============================================
``code:<dimension>``               the full set of selected code ids, ";"-joined
                                   (rewritten whole on every change; "" = none)
``memo:<dimension>``               the coder's memo on that dimension
``field:<field>``                  an extraction value ("" = NA, distinct from "0")
``row:<group>:<row>``              "1" while the group row exists, "" once removed
``row:<group>:<row>:<field>``      a value of that row ("" = NA)
``quote:<code>``                   an evidence quote supporting a code
``page:<code>``                    the page (or location) of that quote
``flag``                           "1" = flagged for discussion, "" = not; the
                                   event's note holds the reason
``note``                           a free note on the study
``seg:<id>[:part]``                a passage of the full text tied to a code or
                                   field (see workbench.core.evidence)
=================================  =============================================

Row ids are short random hex strings made when a row is added; they never
change, so editing or removing one row never touches another. Code ids are
unique across the whole codebook, which is what `quote:`/`page:` rely on.
Values are validated against the codebook before anything is written: a bad
value raises `DecisionRefused` and nothing is saved.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Iterable, Mapping

from workbench.core.codebook import CODING, Codebook, Field
from workbench.core.events import Change, DecisionRefused, Event, SheetState
from workbench.core.screening import join_ids, split_ids

CODE = "code"
MEMO = "memo"
FIELD = "field"
ROW = "row"
QUOTE = "quote"
PAGE = "page"
FLAG = "flag"
NOTE = "note"

#: Passages of the full text (`seg:<id>...`), read by workbench.core.evidence.
SEGMENT = "seg"

ROW_EXISTS = "1"
FLAGGED = "1"
TRUE, FALSE = "true", "false"
_TRUE_WORDS = {"true", "yes", "y", "1"}
_FALSE_WORDS = {"false", "no", "n", "0"}
_DATE = re.compile(r"^(\d{4})(?:-(\d\d)(?:-(\d\d))?)?$")


def code_field(dimension_id: str) -> str:
    """Return the field name holding a dimension's selected codes."""
    return f"{CODE}:{dimension_id}"


def memo_field(dimension_id: str) -> str:
    """Return the field name holding a dimension's memo."""
    return f"{MEMO}:{dimension_id}"


def value_field(field_id: str) -> str:
    """Return the field name holding an extraction field's value."""
    return f"{FIELD}:{field_id}"


def row_field(group_id: str, row_id: str, field_id: str = "") -> str:
    """Return the field name of a group row (its existence), or of one of its values."""
    base = f"{ROW}:{group_id}:{row_id}"
    return f"{base}:{field_id}" if field_id else base


def quote_field(code_id: str) -> str:
    """Return the field name of a code's evidence quote."""
    return f"{QUOTE}:{code_id}"


def page_field(code_id: str) -> str:
    """Return the field name of a code's evidence page."""
    return f"{PAGE}:{code_id}"


def split_field(name: str) -> tuple[str, ...]:
    """Split a field name into its kind and parts: "row:campaign:ab12:name" -> 4 parts."""
    return tuple(name.split(":"))


def new_row_id() -> str:
    """Return a fresh, stable id for a group row (8 hex characters)."""
    return uuid.uuid4().hex[:8]


def did_you_mean(word: str, choices: list[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest choice, or "" when none is close."""
    import difflib

    lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=0.6)
    return f" (did you mean {lower[close[0]]!r}?)" if close else ""


def _refuse(what: str, problem: str) -> DecisionRefused:
    return DecisionRefused(f"{what}: {problem}; nothing was saved")


def validate_value(fld: Field, value: str, label: str = "") -> str:
    """Check a value typed for an extraction field and return it normalized.

    Args:
        fld: the codebook field.
        value: the text the coder typed; "" (or blanks) means NA.
        label: how to name the field in the message (defaults to its id).

    Returns:
        The value to store: "" for NA; integers without leading zeros or "+";
        booleans as "true"/"false"; choices as choice ids (a label is accepted);
        multi-choices as ";"-joined ids in codebook order.

    Raises:
        DecisionRefused: the value does not fit the field's type, range or choices.
    """
    what = f"field {label or fld.id!r}"
    text = value.strip() if fld.type != "long_text" else value.strip("\n")
    if text.strip() == "":
        return ""
    if fld.type in ("integer", "number"):
        try:
            number = int(text) if fld.type == "integer" else float(text)
        except ValueError:
            kind = "a whole number" if fld.type == "integer" else "a number"
            raise _refuse(what, f"{value!r} is not {kind}") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise _refuse(what, f"{value!r} is not a finite number")
        if fld.minimum is not None and number < fld.minimum:
            raise _refuse(what, f"{text} is below the minimum {fld.minimum:g}")
        if fld.maximum is not None and number > fld.maximum:
            raise _refuse(what, f"{text} is above the maximum {fld.maximum:g}")
        return str(number) if fld.type == "integer" else text
    if fld.type in ("choice", "multi_choice"):
        # An exact id first, then an id in other capitals, then a label: choices whose ids
        # differ only in case, or a label spelled like another choice's id, never turn
        # what the coder typed into another choice.
        ids = set(fld.choice_ids())
        by_key = {c.label.lower(): c.id for c in fld.choices if c.label}
        by_key.update({c.id.lower(): c.id for c in reversed(fld.choices)})
        picked = []
        for part in (split_ids(text) if fld.type == "multi_choice" else (text,)):
            choice = part if part in ids else by_key.get(part.lower())
            if choice is None:
                raise _refuse(what, f"{part!r} is not one of "
                                    f"{', '.join(fld.choice_ids())}"
                                    f"{did_you_mean(part, list(by_key))}")
            picked.append(choice)
        order = fld.choice_ids()
        return join_ids(sorted(set(picked), key=order.index))
    if fld.type == "boolean":
        word = text.lower()
        if word in _TRUE_WORDS:
            return TRUE
        if word in _FALSE_WORDS:
            return FALSE
        raise _refuse(what, f"{value!r} is not yes/no")
    if fld.type == "date":
        match = _DATE.match(text)
        try:
            if not match:
                raise ValueError
            date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
        except ValueError:
            raise _refuse(what, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") \
                from None
        return text
    return text


def _coding_stage(codebook: Codebook, stage_id: str) -> None:
    stage = codebook.stage(stage_id)
    if stage is None:
        raise _refuse(f"stage {stage_id!r}", "not defined in the codebook")
    if stage.kind != CODING:
        raise _refuse(f"stage {stage_id!r}", f"is a {stage.kind} stage, not coding")


def retired_codes(codebook: Codebook, dim, codes: Iterable[str]) -> tuple[str, ...]:
    """The saved codes of a dimension that the codebook no longer has (nor maps under renamed:)."""
    known = {c.id for c in dim.all_codes()}
    return tuple(c for c in codes if codebook.resolve_code(c) not in known)


def codes_changes(codebook: Codebook, stage_id: str, dimension_id: str,
                  codes: Iterable[str], kept: Iterable[str] = ()) -> list[Change]:
    """Validate the full set of selected codes of a dimension and return its change.

    Args:
        codebook: the review's codebook.
        stage_id: a coding stage.
        dimension_id: the dimension.
        codes: every code id now selected in that dimension (old ids are renamed).
        kept: codes already saved for the study that the codebook no longer has (a
            retired code): accepted when still selected, and written as saved after
            the others, so ticking another code never drops a coder's value.

    Returns:
        One change writing the whole set, ";"-joined in codebook order.

    Raises:
        DecisionRefused: unknown stage, dimension or code, or more than one
            code in a single-select dimension.
    """
    _coding_stage(codebook, stage_id)
    dim = codebook.dimension(dimension_id)
    if dim is None:
        raise _refuse(f"dimension {dimension_id!r}", "not defined in the codebook")
    order = [c.id for c in dim.all_codes()]
    picked, carried = [], []
    kept = set(kept)
    for code in codes:
        current = codebook.resolve_code(code)
        if current not in order:
            if code in kept:
                if code not in carried:
                    carried.append(code)
                continue
            raise _refuse(f"dimension {dimension_id!r}", f"code {code!r} is not one of its "
                          f"codes{did_you_mean(code, order)}")
        picked.append(current)
    picked = sorted(set(picked), key=order.index) + carried
    if dim.select == "single" and len(picked) > 1:
        raise _refuse(f"dimension {dimension_id!r}",
                      f"takes one code, got {len(picked)} ({', '.join(picked)})")
    return [Change(code_field(dimension_id), join_ids(picked))]


def field_changes(codebook: Codebook, stage_id: str, field_id: str, value: str) -> list[Change]:
    """Validate an extraction value and return its change ("" records NA).

    Raises:
        DecisionRefused: unknown stage or field, or a value that does not fit.
    """
    _coding_stage(codebook, stage_id)
    fld = codebook.field(field_id)
    if fld is None:
        raise _refuse(f"field {field_id!r}", "not defined in the codebook")
    return [Change(value_field(field_id), validate_value(fld, value))]


def row_changes(codebook: Codebook, stage_id: str, group_id: str, row_id: str,
                values: Mapping[str, str], add: bool = False) -> list[Change]:
    """Validate the values of a group row and return the changes to add or edit it.

    Args:
        codebook: the review's codebook.
        stage_id: a coding stage.
        group_id: the repeatable group.
        row_id: the row's id (`new_row_id()` when adding).
        values: {field id: value} to set; fields not given are left as they are.
        add: True to also write the row's existence event.

    Raises:
        DecisionRefused: unknown stage, group or group field, or a bad value.
    """
    _coding_stage(codebook, stage_id)
    group = codebook.group(group_id)
    if group is None:
        raise _refuse(f"group {group_id!r}", "not defined in the codebook")
    if not row_id or ":" in row_id:
        raise _refuse(f"group {group_id!r}", f"bad row id {row_id!r}")
    changes = [Change(row_field(group_id, row_id), ROW_EXISTS)] if add else []
    for field_id, value in values.items():
        fld = group.field(field_id)
        if fld is None:
            raise _refuse(f"group {group_id!r}", f"has no field {field_id!r} "
                          f"(fields: {', '.join(f.id for f in group.fields)})")
        changes.append(Change(row_field(group_id, row_id, field_id),
                              validate_value(fld, value, f"{group_id}.{field_id}")))
    return changes


def memo_changes(codebook: Codebook, stage_id: str, dimension_id: str, text: str) -> list[Change]:
    """Return the change setting a dimension's memo ("" clears it)."""
    _coding_stage(codebook, stage_id)
    if codebook.dimension(dimension_id) is None:
        raise _refuse(f"dimension {dimension_id!r}", "not defined in the codebook")
    return [Change(memo_field(dimension_id), text)]


def evidence_changes(codebook: Codebook, stage_id: str, code_id: str, quote: str,
                     page: str = "") -> list[Change]:
    """Return the changes setting the evidence quote and page of a code ("" clears).

    Only the quote's own fields: whoever saves a quote calls `quote_changes`, which
    ticks the code too.
    """
    _coding_stage(codebook, stage_id)
    code_id = codebook.resolve_code(code_id)
    if code_id not in codebook.code_index():
        raise _refuse(f"code {code_id!r}", "not defined in the codebook")
    return [Change(quote_field(code_id), quote), Change(page_field(code_id), page.strip())]


def tick_for_quote(codebook: Codebook, stage_id: str, codes: Mapping[str, tuple[str, ...]],
                   code_id: str) -> list[Change]:
    """Return the change that ticks a code a quote or passage is saved for ([] when ticked).

    The one rule for a quote on a code, whoever saves it (the app, `CodingSession`,
    `Sheet.set_evidence`, `review.evidence.add_passage`): a quote is evidence for a
    code the coder applies, so saving one for an unticked code ticks it in the same
    save (one undo takes both back), and the coded dataset, the sheet and
    evidence.csv agree.

    Args:
        codebook: the review's codebook.
        stage_id: a coding stage.
        codes: the coder's current codes of the study, {dimension id: code ids}
            (`StudyCoding.codes`).
        code_id: the code the quote is for (an old id is renamed).

    Raises:
        DecisionRefused: unknown stage or code; or the code's dimension takes one
            code and another is ticked (ticking would replace that value): nothing
            is saved.
    """
    _coding_stage(codebook, stage_id)
    code_id = codebook.resolve_code(code_id)
    found = codebook.code_index().get(code_id)
    if found is None:
        raise _refuse(f"code {code_id!r}", "not defined in the codebook")
    dim, code = found
    current = tuple(codes.get(dim.id, ()))
    if code_id in {codebook.resolve_code(c) for c in current}:
        return []
    if dim.select == "single" and current:
        raise DecisionRefused(
            f"{dim.label or dim.id} takes one code and {', '.join(current)} is ticked: a "
            f"quote ticks its code, so tick {code.label or code_id} first (it replaces "
            f"{', '.join(current)}) or put the quote on {', '.join(current)}; nothing was saved")
    return codes_changes(codebook, stage_id, dim.id, (*current, code_id),
                         kept=retired_codes(codebook, dim, current))


def quote_changes(codebook: Codebook, stage_id: str, codes: Mapping[str, tuple[str, ...]],
                  code_id: str, quote: str, page: str = "") -> list[Change]:
    """Return the changes saving a code's quote and page, with its tick (`tick_for_quote`).

    A quote that is empty or only spaces clears the quote and page and ticks nothing.

    Raises:
        DecisionRefused: see `tick_for_quote`; nothing is saved.
    """
    tick = tick_for_quote(codebook, stage_id, codes, code_id) if quote.strip() else []
    return tick + evidence_changes(codebook, stage_id, code_id, quote, page)


def flag_changes(codebook: Codebook, stage_id: str, flagged: bool, reason: str = "") -> list[Change]:
    """Return the change flagging a study for discussion (the reason goes in the note)."""
    if codebook.stage(stage_id) is None:
        raise _refuse(f"stage {stage_id!r}", "not defined in the codebook")
    return [Change(FLAG, FLAGGED if flagged else "", reason if flagged else "")]


@dataclass(frozen=True)
class GroupRow:
    """One row of a repeatable group: its stable id and {field id: value}."""

    group: str
    row_id: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StudyCoding:
    """The current coding of one study at one stage, in one sheet.

    Code ids are reported under their current names (`renamed` applied).
    `unknown` keeps {field: value} the codebook no longer explains, so nothing
    a coder wrote is ever dropped silently.
    """

    study_id: str
    stage: str
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[GroupRow]] = field(default_factory=dict)
    memos: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, tuple[str, str]] = field(default_factory=dict)
    flagged: bool = False
    flag_reason: str = ""
    note: str = ""
    unknown: dict[str, str] = field(default_factory=dict)


def study_coding(codebook: Codebook, cell: Mapping[str, Event], study_id: str,
                 stage_id: str) -> StudyCoding:
    """Build the current coding of one study from its latest events.

    Args:
        codebook: the review's codebook (for `renamed`).
        cell: {field: latest event}, e.g. `SheetState.fields(stage, study)`.
        study_id: the study.
        stage_id: the coding stage.
    """
    out = StudyCoding(study_id=study_id, stage=stage_id)
    rows: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    row_values: dict[tuple[str, str], dict[str, str]] = {}
    quotes: dict[str, str] = {}
    pages: dict[str, str] = {}
    flag = reason = ""
    for name, event in cell.items():
        parts = split_field(name)
        kind, value = parts[0], event.value
        if kind == CODE and len(parts) == 2:
            ids = tuple(dict.fromkeys(codebook.resolve_code(c) for c in split_ids(value)))
            if ids:
                out.codes[parts[1]] = ids
        elif kind == MEMO and len(parts) == 2:
            if value:
                out.memos[parts[1]] = value
        elif kind == FIELD and len(parts) == 2:
            out.values[parts[1]] = value
        elif kind == ROW and len(parts) == 3:
            rows[(parts[1], parts[2])] = (event.time, {}) if value == ROW_EXISTS else ("", {})
        elif kind == ROW and len(parts) == 4:
            row_values.setdefault((parts[1], parts[2]), {})[parts[3]] = value
        elif kind == QUOTE and len(parts) == 2:
            quotes[codebook.resolve_code(parts[1])] = value
        elif kind == PAGE and len(parts) == 2:
            pages[codebook.resolve_code(parts[1])] = value
        elif kind == FLAG and len(parts) == 1:
            flag = value
            reason = event.note
        elif kind == NOTE and len(parts) == 1:
            out = _with(out, note=value)
        elif kind == SEGMENT:
            continue  # passages of the full text: core.evidence.passages_of
        else:
            out.unknown[name] = value
    for (group, row_id), (added, _) in sorted(rows.items(), key=lambda kv: kv[1][0]):
        if added:
            values = row_values.get((group, row_id), {})
            out.rows.setdefault(group, []).append(GroupRow(group, row_id, dict(values)))
    for code in sorted(set(quotes) | set(pages)):
        if quotes.get(code) or pages.get(code):
            out.evidence[code] = (quotes.get(code, ""), pages.get(code, ""))
    if flag:
        out = _with(out, flagged=True, flag_reason=reason)
    return out


def _with(coding: StudyCoding, **changes) -> StudyCoding:
    return replace(coding, **changes)


def coding_of(codebook: Codebook, state: SheetState, stage_id: str,
              study_id: str) -> StudyCoding:
    """Return the current coding of one study at a stage of one sheet's state."""
    return study_coding(codebook, state.fields(stage_id, study_id), study_id, stage_id)
