"""The one exception family the user sees. Imports nothing from workbench."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem found in a user's file: where it is and what is wrong.

    `line` counts from 1; `entry` names the entry (a BibTeX key, "record 58",
    "row 12") when there is one.
    """

    path: str
    line: int | None
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.entry:
            parts.append(self.entry)
        parts.append(self.message)
        return ": ".join(parts)


class WorkbenchError(Exception):
    """Base of every error the user is meant to read.

    Args:
        message: what is wrong, in words a researcher understands.
        path: the file concerned, if any.
        line: the 1-based line in that file, if known.
        hint: what to do about it, or what happened to the data.
    """

    def __init__(self, message: str, path: str | Path | None = None,
                 line: int | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            text = f"{where}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text


class ImportProblems(WorkbenchError):
    """An export has broken entries; nothing was imported unless asked to skip them."""

    def __init__(self, problems: list[Problem], hint: str = "nothing was imported") -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__("import failed", path=first.path if first else None,
                         line=first.line if first else None, hint=hint)

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        n = len(lines)
        head = f"{n} problem{'s' if n != 1 else ''} found; {self.hint}"
        return "\n".join(lines + [head])


class CodebookError(WorkbenchError):
    """codebook.yaml is missing, unreadable or invalid."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 hint: str | None = None, problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message, path=path, line=line, hint=hint)


class SheetError(WorkbenchError):
    """A coding sheet cannot be read or written."""


class DedupeError(WorkbenchError):
    """Duplicate decisions are invalid or cannot be saved."""


class ExportError(WorkbenchError):
    """An export cannot be written, or its numbers do not add up."""


class ReviewError(WorkbenchError):
    """The review folder is missing something or is used wrongly."""


class FulltextError(WorkbenchError):
    """A full text cannot be read, linked or cached (names the file and what to do).

    `problem` is a short code a caller can act on ("password", "unreadable", or "").
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 hint: str | None = None, problem: str = "") -> None:
        super().__init__(message, path=path, line=line, hint=hint)
        self.problem = problem
