"""Read codebook.yaml into a `Codebook`, with errors that name file, line and key.

The YAML is composed into PyYAML's node tree (which keeps line marks) and
walked by hand, so every problem points at the line of the offending key:

    codebook.yaml:41: stages[1] (full_text): unknown key 'reviwers' (did you mean 'reviewers'?)

All problems are collected and raised together as `CodebookProblems` (a
`CodebookError` whose `problems` lists each one). The schema is documented in
workbench/templates/codebook.yaml.
"""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

import yaml

from workbench.core.codebook import Codebook, codebook_version
from workbench.errors import CodebookError, Problem
from workbench.io.codebook_build import TOP_KEYS, Builder

log = logging.getLogger(__name__)

__all__ = ["load_codebook", "parse_codebook", "CodebookProblems", "TOP_KEYS"]


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
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodebookProblems([Problem(path, line, None, f"not valid YAML: {problem}")]) \
            from exc
    if root is None:
        raise CodebookProblems([Problem(path, 1, None, "the codebook is empty")])
    builder = Builder(path)
    codebook = builder.build(root)
    data = yaml.SafeLoader("").construct_object(root, deep=True)
    if not builder.problems:
        _cross_check(builder, codebook)
    if builder.problems:
        raise CodebookProblems(builder.problems)
    return Codebook(review=codebook.review, stages=codebook.stages, criteria=codebook.criteria,
                    highlights=codebook.highlights, dimensions=codebook.dimensions,
                    fields=codebook.fields, groups=codebook.groups, renamed=codebook.renamed,
                    version=codebook_version(data), path=path)


def _cross_check(b: Builder, cb: Codebook) -> None:
    """References between sections: stages <-> criteria, renamed -> codes, duplicates."""
    stage_ids = {s.id for s in cb.stages}
    criterion_ids = {c.id for c in cb.criteria}
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
    for crit in cb.criteria:
        for sid in crit.stages:
            if sid not in stage_ids:
                b.add(("criterion", crit.id, "stages"), f"stage {sid!r} is not defined"
                      + _did_you_mean(sid, stage_ids))
    codes = cb.code_index()
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

