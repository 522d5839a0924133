"""Counts in words, for every message the CLI, the app and the library write."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = "") -> str:
    """Return the count with the noun in the right number: "1 study", "2 studies".

    Args:
        count: how many.
        noun: the singular ("study", "dimension").
        many: the plural when it is not regular ("criteria").

    Returns:
        "<count> <noun or plural>".
    """
    if count == 1:
        return f"{count} {noun}"
    if not many:
        many = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" \
            else noun + "s"
    return f"{count} {many}"


#: How a kind of conflict (workbench.core.conflicts) is counted in words: singular, plural.
_CONFLICT_KINDS = {"criteria": ("criteria", "criteria"), "row_field": ("row field", "row fields")}


def conflict_kinds(counts) -> str:
    """Return the conflicts per kind as words, e.g. "3 decisions, 1 code, 2 row fields".

    Args:
        counts: {kind: how many} in the order to list them ("total" is left out).
    """
    parts = []
    for kind, n in counts.items():
        if kind != "total":
            one, many = _CONFLICT_KINDS.get(kind, (kind.replace("_", " "), ""))
            parts.append(plural(n, one, many))
    return ", ".join(parts)
