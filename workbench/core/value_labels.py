"""A sheet value as people read it: each code, criterion or choice id with its label.

`workbench conflicts` and the app's resolve screen and dialog show what coders
gave as "Label (id)": the label is what the coders saw when they coded, the id
what `workbench resolve --value` takes (and a code whose id is `none` is never
mistaken for an empty value). An id without a label, or whose label is the id
itself, is shown alone; a value that is no id of the field (free text, a
number, a decision) is shown as it is.

    labelled(codebook, "field:source_type", "article")   # 'Journal article (article)'
"""

from __future__ import annotations

from workbench.core.codebook import Codebook

#: Fields whose value is a ";"-joined list of ids.
_LISTS = ("code:", "criteria")


def _with_label(item: str, label: str) -> str:
    return f"{label} ({item})" if label and label != item else item


def _labels_of(codebook: Codebook, field: str) -> dict[str, str] | None:
    """{id: label} of the ids a field's value holds; None for a field of free values."""
    if field.startswith("code:"):
        dim = codebook.dimension(field[5:])
        return {c.id: c.label for c in dim.all_codes()} if dim is not None else None
    if field == "criteria":
        return {c.id: c.label for c in codebook.criteria}
    found = None
    if field.startswith("field:"):
        found = codebook.field(field[6:])
    elif field.startswith("row:"):
        from workbench.core.consensus import parse_row_field
        parsed = parse_row_field(codebook, field)
        if parsed is not None and parsed[2]:
            found = codebook.group(parsed[0]).field(parsed[2])
    if found is None or not found.choices:
        return None
    return {c.id: c.label for c in found.choices}


def labelled(codebook: Codebook, field: str, value: str) -> str:
    """Return a value with each id's label: "Journal article (article)" ("" stays "").

    Args:
        codebook: the review's codebook.
        field: the sheet field (`code:<dim>`, `criteria`, `field:<id>`,
            `row:<group>:<key>:<field>`; others are returned as they are).
        value: the value as saved (ids joined by ";" for codes, criteria and
            multi_choice fields).
    """
    if not value:
        return value
    labels = _labels_of(codebook, field)
    if not labels:
        return value
    if ";" not in value and not field.startswith(_LISTS):
        return _with_label(value, labels.get(value.strip(), "")) if value.strip() in labels \
            else value
    items = [v.strip() for v in value.split(";") if v.strip()]
    if field.startswith("code:"):   # an old id (codebook `renamed:`) has its new code's label
        return "; ".join(_with_label(i, labels.get(i) or labels.get(codebook.resolve_code(i), ""))
                         for i in items)
    return "; ".join(_with_label(i, labels.get(i, "")) for i in items)


def labelled_row(codebook: Codebook, group_id: str, values: dict[str, str]) -> dict[str, str]:
    """A group row's {field: value} with each choice value labelled."""
    group = codebook.group(group_id)
    if group is None:
        return dict(values)
    out = {}
    for key, value in values.items():
        fld = group.field(key)
        labels = {c.id: c.label for c in fld.choices} if fld is not None else {}
        if labels and value:
            items = [v.strip() for v in value.split(";") if v.strip()]
            value = "; ".join(_with_label(i, labels.get(i, "")) for i in items)
        out[key] = value
    return out


__all__ = ["labelled", "labelled_row"]
