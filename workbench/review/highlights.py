"""Editing the highlight terms from the app: a planned change with its diff, then the write.

`plan_highlights` reads codebook.yaml, rewrites only the highlight lists
(workbench.io.codebook_edit keeps the rest of the file as the user wrote it),
checks that the result is a valid codebook with exactly those terms, and
returns the unified diff to show. `write_highlights` writes it only if the
file on disk is still the one the plan was made from (someone may have
edited it meanwhile), through a temporary file and `os.replace`, so a crash
leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.errors import CodebookError
from workbench.io.codebook_edit import replace_highlights
from workbench.io.codebook_yaml import parse_codebook


@dataclass(frozen=True)
class HighlightEdit:
    """A change of codebook.yaml's highlight terms, not yet written."""

    before: str
    after: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    @property
    def diff(self) -> str:
        """The change as a unified diff of codebook.yaml ("" when nothing changes)."""
        return "".join(difflib.unified_diff(self.before.splitlines(True),
                                            self.after.splitlines(True),
                                            "codebook.yaml", "codebook.yaml (new)", n=1))


def split_terms(typed: str) -> tuple[str, ...]:
    """Split what a person typed into terms: commas between them, blanks dropped."""
    return tuple(dict.fromkeys(t.strip() for t in typed.split(",") if t.strip()))


def _read(review) -> str:
    """The file's text exactly (a byte-order mark and CRLF line ends are kept)."""
    try:
        with open(review.codebook_path, encoding="utf-8", newline="") as source:
            return source.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"cannot read the codebook ({exc})",
                            path=review.codebook_path) from exc


def plan_highlights(review, include: Sequence[str], exclude: Sequence[str]) -> HighlightEdit:
    """Work out the new codebook.yaml with these highlight terms (nothing written).

    Raises:
        CodebookError: the codebook cannot be read, its `highlights:` cannot be
            edited in place, or the new file would not be a valid codebook.
    """
    path = str(review.codebook_path)
    before = _read(review)
    include, exclude = tuple(include), tuple(exclude)
    bom = "\ufeff" if before.startswith("\ufeff") else ""
    after = bom + replace_highlights(before[len(bom):], {"include": include,
                                                         "exclude": exclude}, path)
    codebook = parse_codebook(after[len(bom):], path)   # never write a codebook that does not load
    if (tuple(codebook.highlights.include), tuple(codebook.highlights.exclude)) != \
            (include, exclude):
        raise CodebookError("the new highlight terms did not read back as typed; "
                            "nothing was saved", path=path)
    return HighlightEdit(before, after, include, exclude)


def write_highlights(review, edit: HighlightEdit):
    """Write a planned change if codebook.yaml is unchanged since the plan; return the codebook.

    Raises:
        CodebookError: the file changed on disk meanwhile, or cannot be written
            (nothing was saved either way).
    """
    path = review.codebook_path
    if _read(review) != edit.before:
        raise CodebookError("codebook.yaml changed on disk since the editor opened; nothing "
                            "was saved (open the editor again to start from the new file)",
                            path=path)
    tmp = path.with_name(f".codebook.yaml.{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)   # a guessable name: never write through a link left there
        with open(tmp, "x", encoding="utf-8", newline="") as out:
            out.write(edit.after)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise CodebookError(f"cannot write the codebook ({exc}); nothing was saved",
                            path=path) from exc
    review.forget(["codebook.yaml"])
    return review.codebook()
