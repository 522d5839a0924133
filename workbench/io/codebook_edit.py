"""Rewrite the highlight terms of codebook.yaml and nothing else.

The user's file keeps its comments, order, quoting and layout: only the text
of the `include:` and `exclude:` lists under `highlights:` is replaced (found
through the YAML node tree's positions), in the style each list had (a flow
list `[a, b]` stays one, a block list keeps its `- ` items and indentation).
Comments between the old terms of a block list go with them; the diff shown
before saving says so. A missing list or `highlights:` section is added.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from workbench.errors import CodebookError

KINDS = ("include", "exclude")


def _flow(terms: Sequence[str]) -> str:
    return yaml.safe_dump(list(terms), default_flow_style=True, width=10**9,
                          allow_unicode=True).strip()


def _block(terms: Sequence[str], column: int) -> str:
    items = [_flow([t])[1:-1] for t in terms]
    return ("\n" + " " * column).join(f"- {item}" for item in items)


def replace_highlights(text: str, terms: dict[str, Sequence[str]], path: str) -> str:
    """Return `text` with the highlight lists set to `terms` ({"include": [...], ...}).

    Raises:
        CodebookError: the text is not YAML, or `highlights:` is not a mapping.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise CodebookError(f"not valid YAML: {exc}", path=path) from exc
    if not isinstance(root, yaml.MappingNode):
        raise CodebookError("the codebook is not a mapping of sections", path=path)
    section = next((v for k, v in root.value if k.value == "highlights"), None)
    if section is None:
        tail = "" if text.endswith("\n") or not text else "\n"
        lines = "".join(f"  {kind}: {_flow(terms.get(kind, ()))}\n" for kind in KINDS)
        return f"{text}{tail}highlights:\n{lines}"
    if not isinstance(section, yaml.MappingNode) or section.flow_style:
        where = section.start_mark.line + 1
        raise CodebookError("`highlights:` must be a block mapping (include:, exclude: on their "
                            "own lines) for the app to edit it", path=path, line=where)
    edits: list[tuple[int, int, str]] = []
    found = {k.value: v for k, v in section.value}
    column = section.value[0][0].start_mark.column if section.value else 2
    for kind in KINDS:
        wanted = list(terms.get(kind, ()))
        node = found.get(kind)
        if node is None:
            end = section.value[-1][1] if section.value else None
            at = _content_end(end) if end is not None else section.start_mark.index
            edits.append((at, at, f"\n{' ' * column}{kind}: {_flow(wanted)}"))
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value \
                and wanted:
            edits.append((node.start_mark.index, _content_end(node),
                          _block(wanted, node.start_mark.column)))
        else:
            start, end = node.start_mark.index, _content_end(node)
            new = _flow(wanted)
            if start == end and text[start - 1:start] == ":":
                new = " " + new
            edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _content_end(node: yaml.Node) -> int:
    """Where a node's own text ends (a block list's end mark runs over trailing comments)."""
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    return node.end_mark.index
