"""Exported values the current codebook no longer defines or accepts (a codebook changed mid-review).

A team retires a code that coders already ticked, removes a field, or changes
a field's type (text -> choice, integer -> date). The sheets keep every value
as it was entered, and `workbench check` names each line; the export writes
the values as saved (a removed code in the dimension's joined column and in
coded_long.csv, a removed field in coded_long.csv only, a value of another
type in its column as typed). `off_codebook` lists those values so the export
says so (a warning, `export_metadata.json`, the README sheet) instead of
leaving the analyst to find a code with no 0/1 column or a "25" in a date
column. The rules are `workbench check`'s (`core.checks`), applied to the
values the export uses, each distinct (field, value) checked once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from workbench.core import coding as cod
from workbench.core.codebook import CODING, Codebook
from workbench.core.wording import plural

#: How many values the export's warning names; the metadata lists them all.
NAMED = 5


@dataclass(frozen=True)
class OffCodebook:
    """One exported value the current codebook does not define or accept."""

    study_id: str
    field: str
    value: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def off_codebook(codebook: Codebook, values, rows) -> list[OffCodebook]:
    """Return the exported values that do not fit the current codebook.

    Args:
        codebook: the current codebook.
        values: the export's resolved values (study_id, field, value, ...),
            fields `code:<dim>` and `field:<id>`.
        rows: the export's group rows (study_id, group, row_id, field, value, ...).

    Returns:
        One entry per study and field (a group row's field as
        `row:<group>:<row id>:<field>`), in the frames' order. A code carried
        over by `renamed:` is not listed (it counts as its new id); a text
        field accepts any text, so only its removal is listed.
    """
    from workbench.core.checks import _check_event
    codes = codebook.code_index()
    text_fields = {f"{cod.FIELD}:{f.id}" for f in codebook.fields
                   if f.type in ("text", "long_text")}
    text_fields |= {f"{cod.ROW}:{g.id}:_:{f.id}" for g in codebook.groups for f in g.fields
                    if f.type in ("text", "long_text")}

    def found_in(frame, names, fields) -> list[OffCodebook]:
        """Check each distinct (name, value) once; return the rows whose value has a problem."""
        pairs = frame.assign(_name=names)[["_name", "value"]].drop_duplicates()
        bad = {}
        for name, value in zip(pairs["_name"], pairs["value"]):
            if name in text_fields or not isinstance(value, str) or value == "":   # NA
                continue
            messages = [m for m in _check_event(codebook, codes, CODING, "", name, value)
                        if "was renamed to" not in m]
            if messages:
                bad[(name, value)] = messages
        if not bad:
            return []
        frame = frame.assign(_name=names, _field=fields)
        frame = frame[frame["_name"].isin({name for name, _ in bad})]
        hit = [(study, field, name, value) for study, field, name, value
               in zip(frame["study_id"], frame["_field"], frame["_name"], frame["value"])
               if (name, value) in bad]
        return [OffCodebook(study, field, value, message)
                for study, field, name, value in hit for message in bad[(name, value)]]

    out: list[OffCodebook] = []
    if values is not None and len(values):
        out += found_in(values, values["field"], values["field"])
    if rows is not None and len(rows):
        rows = rows[rows["field"].fillna("") != ""]
        if len(rows):
            names = cod.ROW + ":" + rows["group"].astype(str) + ":_:" + rows["field"].astype(str)
            full = (cod.ROW + ":" + rows["group"].astype(str) + ":" + rows["row_id"].astype(str)
                    + ":" + rows["field"].astype(str))
            out += found_in(rows, names, full)
    return out


def describe(found: list[OffCodebook], first: int = NAMED) -> list[str]:
    """The export's warning: how many, where they are kept, and the first few."""
    if not found:
        return []
    n = len(found)
    head = (f"{plural(n, 'exported value')} {'do' if n != 1 else 'does'} not fit "
            "the current codebook (a code, field or type changed since they were entered, or "
            "a value typed into a sheet by hand); "
            "exported as saved (coded_long.csv has every one), listed in "
            "export_metadata.json under `values_off_codebook`; `workbench check` names their "
            "sheet lines")
    lines = [head]
    lines += [f"  {f.study_id}  {f.field} = {_short(f.value)!r}: {f.problem}"
              for f in found[:first]]
    if n > first:
        lines.append(f"  ... and {n - first} more")
    return lines


def _short(value: str, width: int = 60) -> str:
    """A long text value cut for the warning line (the metadata keeps it whole)."""
    value = value.replace("\n", " ")
    return value if len(value) <= width else value[:width - 3] + "..."
