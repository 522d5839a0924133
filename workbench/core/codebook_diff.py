"""What changed between two versions of a codebook, in words (pure; no file I/O).

`diff_codebooks(old, new)` compares two parsed `Codebook`s and returns one
`CodebookChange` per difference a reviewer or a reader of the methods section
cares about: stages, criteria, highlight terms, dimensions, codes, extraction
fields, repeatable groups. A code that disappears from `old` and appears in
`new` under the id that `new.renamed` names for it is reported once, as
renamed, not as removed plus added.
"""

from __future__ import annotations

from dataclasses import dataclass, fields as dc_fields
from typing import Any, Iterable

from workbench.core.codebook import Codebook

#: Kinds of change.
ADDED, REMOVED, RENAMED, CHANGED = "added", "removed", "renamed", "changed"


@dataclass(frozen=True)
class CodebookChange:
    """One difference: `kind` (added/removed/renamed/changed) of a `what` ("code", ...) `id`."""

    what: str
    id: str
    kind: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.what} {self.id}: {self.kind}"
        return f"{text}: {self.detail}" if self.detail else text


def diff_codebooks(old: Codebook, new: Codebook) -> list[CodebookChange]:
    """Return what changed from `old` to `new`, in codebook order.

    Args:
        old: the earlier codebook.
        new: the later codebook.

    Returns:
        A list of CodebookChange (empty when the two say the same).
    """
    out: list[CodebookChange] = []
    out += _compare("stage", {s.id: s for s in old.stages}, {s.id: s for s in new.stages})
    out += _compare("criterion", {c.id: c for c in old.criteria},
                    {c.id: c for c in new.criteria})
    for kind in ("include", "exclude"):
        before, after = set(getattr(old.highlights, kind)), set(getattr(new.highlights, kind))
        for term in sorted(after - before):
            out.append(CodebookChange(f"{kind} highlight", repr(term), ADDED))
        for term in sorted(before - after):
            out.append(CodebookChange(f"{kind} highlight", repr(term), REMOVED))
    out += _compare("dimension", {d.id: d for d in old.dimensions},
                    {d.id: d for d in new.dimensions}, skip=("codes",))
    old_codes = {c.id: (d.id, c) for d in old.dimensions for c in d.all_codes()}
    new_codes = {c.id: (d.id, c) for d in new.dimensions for c in d.all_codes()}
    renamed = {}
    for code_id in old_codes:
        target = new.resolve_code(code_id)
        if code_id not in new_codes and target != code_id and target in new_codes \
                and target not in old_codes:
            renamed[code_id] = target
    for code_id, target in renamed.items():
        out.append(CodebookChange("code", code_id, RENAMED, f"now {target}"))
    out += _compare("code", {k: c for k, (_, c) in old_codes.items() if k not in renamed},
                    {k: c for k, (_, c) in new_codes.items() if k not in renamed.values()},
                    skip=("children",))
    for code_id in old_codes.keys() & new_codes.keys():
        if old_codes[code_id][0] != new_codes[code_id][0]:
            out.append(CodebookChange("code", code_id, CHANGED,
                                      f"moved from dimension {old_codes[code_id][0]} "
                                      f"to {new_codes[code_id][0]}"))
    out += _compare("field", {f.id: f for f in old.fields}, {f.id: f for f in new.fields})
    out += _compare("group", {g.id: g for g in old.groups}, {g.id: g for g in new.groups},
                    skip=("fields",))
    for group in new.groups:
        before = old.group(group.id)
        if before is not None:
            out += _compare(f"field of group {group.id}", {f.id: f for f in before.fields},
                            {f.id: f for f in group.fields})
    return out


def _compare(what: str, old: dict[str, Any], new: dict[str, Any],
             skip: Iterable[str] = ()) -> list[CodebookChange]:
    """Compare two {id: dataclass} maps: added, removed, and changed attributes."""
    out = [CodebookChange(what, key, ADDED, _label(new[key])) for key in new if key not in old]
    out += [CodebookChange(what, key, REMOVED, _label(old[key])) for key in old if key not in new]
    skipped = set(skip) | {"id"}
    for key in new:
        if key not in old:
            continue
        for f in dc_fields(new[key]):
            if f.name in skipped:
                continue
            before, after = getattr(old[key], f.name), getattr(new[key], f.name)
            if before != after:
                out.append(CodebookChange(what, key, CHANGED,
                                          f"{f.name} {_show(before)} -> {_show(after)}"))
    return out


def _label(item: Any) -> str:
    label = getattr(item, "label", "")
    return repr(label) if label else ""


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        items = [getattr(v, "id", v) for v in value]
        return "[" + ", ".join(str(i) for i in items) + "]"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "...'"
