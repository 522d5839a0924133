"""Read codebook.yaml into a `Codebook`, with errors that name file, line and key.

The YAML is composed into PyYAML's node tree (which keeps line marks) and
walked by hand, so every problem points at the line of the offending key:

    codebook.yaml:41: stages[1] (full_text): unknown key 'reviwers' (did you mean 'reviewers'?)

All problems are collected and raised together as `CodebookProblems` (a
`CodebookError` whose `problems` lists each one). The schema is documented in
workbench/templates/codebook.yaml.
"""

from __future__ import annotations

import dataclasses

import difflib
import logging
from pathlib import Path

import yaml

from workbench.core.codebook import Codebook, codebook_version
from workbench.errors import CodebookError, Problem, WorkbenchError
from workbench.io.codebook_build import TOP_KEYS, Builder

log = logging.getLogger(__name__)

__all__ = ["load_codebook", "parse_codebook", "parse_safe_yaml", "CodebookProblems", "TOP_KEYS"]

#: Deepest nesting of lists and mappings accepted (a real codebook needs about 20).
MAX_DEPTH = 100
#: Most values the document may hold once aliases are followed (a real one holds thousands).
MAX_VALUES = 100_000
#: Largest codebook file read (a real one is a few tens of kB).
MAX_BYTES = 5_000_000
_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "null", "bool", "int", "float", "str", "seq", "map", "timestamp", "merge"))
_SCAN_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's scanner when present
_OPENING = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


class CodebookProblems(CodebookError):
    """codebook.yaml has one or more problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, path=first.path, line=first.line,
                         hint="fix codebook.yaml; no sheet was changed", problems=problems)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        n = len(lines)
        return "\n".join(lines + [f"{n} problem{'s' if n != 1 else ''} in the codebook; "
                                  f"{self.hint}"])


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate codebook.yaml.

    Args:
        path: the codebook file.

    Returns:
        The Codebook, with `version` (content hash) and `path` set.

    Raises:
        CodebookError: the file is missing or unreadable, or (as CodebookProblems)
            it has problems; each names the file, the line and the key.
    """
    path = Path(path)
    try:
        if path.exists() and not path.is_file():
            raise CodebookError("the codebook is not a regular file", path=path,
                                hint="codebook.yaml must be a plain text file")
        if path.exists() and path.stat().st_size > MAX_BYTES:
            raise CodebookError(f"the codebook is larger than {MAX_BYTES:,} bytes", path=path,
                                hint="a codebook is a short text file; is this the right one?")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CodebookError("codebook not found", path=path,
                            hint="run `workbench init` or write one from the template") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"cannot read the codebook ({exc})", path=path) from exc
    return parse_codebook(text, str(path))


def parse_codebook(text: str, path: str = "codebook.yaml") -> Codebook:
    """Parse and validate codebook YAML text (see `load_codebook`).

    Args:
        text: the YAML text.
        path: the display path used in messages and in `Codebook.path`.

    Raises:
        CodebookProblems: every problem found, each with file, line and key.
    """
    try:
        _check_depth(text, path)
        root = _compose(text)
    except RecursionError as exc:  # the depth check above should make this unreachable
        raise CodebookProblems([Problem(path, None, None, "lists and mappings are nested "
                                        "too deeply")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodebookProblems([Problem(path, line, None, f"not valid YAML: {problem}")]) \
            from exc
    if root is None:
        raise CodebookProblems([Problem(path, 1, None, "the codebook is empty")])
    unsafe = _unsafe_nodes(root, path)
    if unsafe:
        raise CodebookProblems(unsafe)
    builder = Builder(path)
    codebook = builder.build(root)
    data = yaml.SafeLoader("").construct_object(root, deep=True)
    # References are checked even when an entry has a problem (an unknown key must not
    # hide an undefined criterion until it is fixed: every problem in one run). An id
    # written in the file whose entry is broken is not reported again as undefined.
    _cross_check(builder, codebook, _declared_ids(data) if builder.problems else set())
    if builder.problems:
        raise CodebookProblems(builder.problems)
    return dataclasses.replace(codebook, version=codebook_version(data), path=path)


def _compose(text: str) -> yaml.Node | None:
    """Compose the node tree with libyaml when present (about 10x faster: every command and
    the app's start read the codebook); the same tags, values and line marks as PyYAML's
    own parser. Invalid YAML is composed again by PyYAML, whose messages the problems quote.
    """
    if _SCAN_LOADER is yaml.SafeLoader:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=_SCAN_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_safe_yaml(text: str, path: str):
    """Parse a small YAML file of the user's (e.g. keys.yaml) with the codebook's guards.

    Plain values only (no tags), nesting at most MAX_DEPTH deep, aliases
    expanding to at most MAX_VALUES values (no "billion laughs").

    Args:
        text: the YAML text.
        path: the display path used in the error.

    Returns:
        The data (dicts, lists, strings, numbers...), None for an empty document.

    Raises:
        WorkbenchError: not valid YAML or refused by a guard; names the file and line.
    """
    try:
        _check_depth(text, path)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except CodebookProblems as exc:
        first = exc.problems[0]
        raise WorkbenchError(first.message, path=path, line=first.line) from exc
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise WorkbenchError(f"not valid YAML: {problem}", path=path,
                             line=mark.line + 1 if mark is not None else None) from exc
    if root is None:
        return None
    unsafe = _unsafe_nodes(root, path)
    if unsafe:
        raise WorkbenchError(unsafe[0].message, path=path, line=unsafe[0].line)
    return yaml.SafeLoader("").construct_object(root, deep=True)


def _check_depth(text: str, path: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before the (recursive) composer sees it."""
    depth = 0
    for token in yaml.scan(text, Loader=_SCAN_LOADER):
        if isinstance(token, _OPENING):
            depth += 1
            if depth > MAX_DEPTH:
                raise CodebookProblems([Problem(
                    path, token.start_mark.line + 1, None,
                    f"lists and mappings are nested more than {MAX_DEPTH} deep")])
        elif isinstance(token, _CLOSING):
            depth -= 1


def _unsafe_nodes(root: yaml.Node, path: str) -> list[Problem]:
    """Report tags other than plain YAML values, recursive anchors and alias bombs.

    The node tree is walked without recursion; an anchored node reached again
    through an alias is counted again, so a "billion laughs" stops at MAX_VALUES.
    """
    problems: list[Problem] = []
    reported: set[int] = set()
    visits = 0
    stack: list[tuple[yaml.Node, int, frozenset[int]]] = [(root, 1, frozenset())]
    while stack:
        node, depth, ancestors = stack.pop()
        line = node.start_mark.line + 1
        visits += 1
        if visits > MAX_VALUES:
            problems.append(Problem(path, line, None, f"aliases (*name) expand the codebook to "
                                    f"more than {MAX_VALUES:,} values; repeat less, or write "
                                    "the values out"))
            break
        if depth > MAX_DEPTH:
            problems.append(Problem(path, line, None, f"lists and mappings are nested more "
                                    f"than {MAX_DEPTH} deep (through aliases)"))
            break
        if node.tag not in _TAGS and id(node) not in reported:
            reported.add(id(node))
            problems.append(Problem(path, line, None, f"tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} "
                                    "is not allowed: a codebook holds plain text, numbers, "
                                    "lists and mappings"))
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in ancestors:
            if id(node) not in reported:
                reported.add(id(node))
                problems.append(Problem(path, line, None, "an anchor (&name) is used inside "
                                        "itself (*name): the value would never end"))
            continue
        inner = ancestors | {id(node)}
        children = (node.value if isinstance(node, yaml.SequenceNode)
                    else [n for pair in node.value for n in pair])
        stack.extend((child, depth + 1, inner) for child in reversed(children))
    return problems


def _source_cycles(b: Builder, cb: Codebook) -> None:
    """Report stages whose `source` chain comes back to them (a -> b -> a)."""
    sources = {s.id: s.source for s in cb.stages if s.source}
    seen: set[frozenset[str]] = set()
    for stage in cb.stages:
        chain = [stage.id]
        current = sources.get(stage.id)
        while current and current in sources and current not in chain:
            chain.append(current)
            current = sources[current]
        if current == stage.id and len(chain) > 1 and frozenset(chain) not in seen:
            seen.add(frozenset(chain))
            b.add(("stage", stage.id, "source"), "stages take their studies from each other "
                  f"in a circle ({' -> '.join(chain + [stage.id])}); one of them needs "
                  "another source")


def _declared_ids(data) -> set[str]:
    """Every `id:` written under the codebook's top-level lists (whatever else is wrong)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), (str, int)):
                found.add(str(node["id"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


def _cross_check(b: Builder, cb: Codebook, declared: set[str] = frozenset()) -> None:
    """References between sections: stages <-> criteria, renamed -> codes, duplicates.

    `declared`: ids whose entries have problems of their own (not reported as undefined).
    """
    stage_ids = {s.id for s in cb.stages} | set(declared)
    criterion_ids = {c.id for c in cb.criteria} | set(declared)
    for stage in cb.stages:
        for cid in stage.criteria:
            if cid not in criterion_ids:
                b.add(("stage", stage.id, "criteria"),
                      f"needs criterion {cid!r}, which is not defined under criteria"
                      + _did_you_mean(cid, criterion_ids))
        if stage.source and stage.source not in stage_ids:
            b.add(("stage", stage.id, "source"), f"source stage {stage.source!r} is not defined"
                  + _did_you_mean(stage.source, stage_ids))
        if stage.source == stage.id:
            b.add(("stage", stage.id, "source"), "a stage cannot take studies from itself")
    _source_cycles(b, cb)
    for crit in cb.criteria:
        for sid in crit.stages:
            if sid not in stage_ids:
                b.add(("criterion", crit.id, "stages"), f"stage {sid!r} is not defined"
                      + _did_you_mean(sid, stage_ids))
    codes = set(cb.code_index()) | set(declared)
    for old, new in cb.renamed.items():
        if cb.resolve_code(old) in cb.renamed:
            b.add(("renamed", old), f"renaming {old!r} goes round in a circle")
        elif cb.resolve_code(new) not in codes:
            b.add(("renamed", old), f"renamed to code {new!r}, which is not defined"
                  + _did_you_mean(new, codes))
        if old in codes:
            b.add(("renamed", old), f"code {old!r} is renamed but still defined")


def _did_you_mean(word: str, options) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""

