"""Reading a coding sheet: every valid event, and a Problem for every line that is not one.

A clean sheet (a header and one valid event per line) is read on a fast path
straight from the CSV reader; anything irregular (a torn last line after a
crash, a record spanning lines, a wrong width, a bad value) goes through the
careful path, which reports each problem with its line and keeps every other
event. Nothing here writes to disk; `workbench.store.sheet` appends.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import starmap
from pathlib import Path
from typing import Iterator, Mapping

from workbench.core.events import COLUMNS, TIME_PATTERN, Event, is_valid_reviewer
from workbench.errors import Problem, SheetError


@dataclass(frozen=True)
class SheetContents:
    """What `read_sheet` found: the valid events (file order), their lines, the problems."""

    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Reading 100k events allocates several hundred thousand lists and events
    that are never cyclic garbage; the collector's repeated full passes over
    them cost more than the parsing. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_sheet(path: str | Path, aliases: Mapping[str, str] | None = None) -> SheetContents:
    """Read a sheet: every valid event, and a Problem for each line that is not one.

    A torn last line (no trailing newline, e.g. after a crash while saving) is
    reported with its line number and ignored; so is any other malformed line.
    A missing file is an empty sheet.

    Args:
        path: the sheet (coding/<reviewer>.csv or coding/consensus.csv).
        aliases: old study id -> current study id (DedupeResult.aliases), applied on read.

    Returns:
        SheetContents(events, problems, lines), `lines[i]` being the 1-based
        line where `events[i]` starts.

    Raises:
        SheetError: the file exists but cannot be read.
    """
    with paused_gc():
        contents = _read_sheet(Path(path))
    if aliases:
        contents = SheetContents(remap_study_ids(contents.events, aliases), contents.problems,
                                 contents.lines)
    return contents


def remap_study_ids(events: list[Event], aliases: Mapping[str, str]) -> list[Event]:
    """Return events with absorbed study ids replaced by the surviving study's id.

    When a new export joins two studies that already had decisions, duplicate
    detection keeps the earlier id and names the other in its aliases; reading
    through them carries every decision to the merged study. Nothing on disk changes.
    """
    return [e if e.study_id not in aliases else e._replace(study_id=aliases[e.study_id])
            for e in events]


def _read_sheet(path: Path) -> SheetContents:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return SheetContents()
    except OSError as exc:
        raise SheetError(f"cannot read the sheet ({exc.strerror or exc})", path=path) from exc
    shown = str(path)
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
        bad_bytes = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad_bytes = True
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        return SheetContents()
    torn = not text.endswith("\n")
    fast = None if bad_bytes else _read_clean(text, torn)
    if fast is not None:
        events, lines = fast
        if torn:
            problems.append(Problem(shown, lines.pop(), None, "incomplete last line (the "
                                    "program stopped while saving?); it was ignored"))
        return SheetContents(events, problems, lines)
    rows, lines = _split_rows(text, shown, problems)
    if rows is None:
        return SheetContents([], problems, [])
    if torn and rows:
        rows.pop()
        problems.append(Problem(shown, lines.pop(), None, "incomplete last line (the program "
                                "stopped while saving?); it was ignored"))
    first = 1 if rows and lines[0] == 1 and tuple(rows[0]) == COLUMNS else 0
    width = len(COLUMNS)
    keep_rows: list[list[str]] = []
    keep_lines: list[int] = []
    if all(len(row) == width for row in rows):
        keep_rows, keep_lines, rows = rows[first:], lines[first:], []
    for i in range(first, len(rows)):
        row = rows[i]
        if len(row) == width:
            keep_rows.append(row)
            keep_lines.append(lines[i])
        elif row and row != [""]:
            problems.append(Problem(shown, lines[i], None, f"expected {width} columns, found "
                                    f"{len(row)}; this line was ignored"))
    if not bad_bytes and _all_valid(keep_rows):
        return SheetContents(list(starmap(Event, keep_rows)), _by_line(problems), keep_lines)
    events: list[Event] = []
    good: list[int] = []
    for row, line in zip(keep_rows, keep_lines):
        message = _row_problem(row, line, bad_bytes)
        if message:
            problems.append(Problem(shown, line, None, message + "; this line was ignored"))
        else:
            events.append(Event(*row))
            good.append(line)
    return SheetContents(events, _by_line(problems), good)


def _read_clean(text: str, torn: bool) -> tuple[list[Event], list[int]] | None:
    """The fast path for a sheet with a header and one valid event per line; None otherwise.

    Events are built straight from the CSV reader (no intermediate row lists,
    whose allocation and release cost more than parsing at 100k events). Any
    irregularity (no header, a record spanning lines, a wrong width, a bad
    value) returns None and the careful path reports it line by line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        if tuple(next(reader, ())) != COLUMNS:
            return None
        make = tuple.__new__
        events = [make(Event, row) for row in reader]
    except csv.Error:
        return None
    if events and set(map(len, events)) != {len(COLUMNS)}:
        return None
    if reader.line_num != len(events) + 1:
        return None
    lines = list(range(2, len(events) + 2))
    if torn and events:
        events.pop()
    if not _all_valid(events):
        return None
    return events, lines


def _by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)


def _split_rows(text: str, shown: str,
                problems: list[Problem]) -> tuple[list[list[str]] | None, list[int]]:
    """Return the CSV records and the line each starts on (fast when none spans lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        rows = list(reader)
        if reader.line_num == len(rows):
            return rows, list(range(1, len(rows) + 1))
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows, lines, start = [], [], 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(shown, start, None, f"unreadable CSV ({exc}); "
                                "this line and the rest of the file were ignored"))
    return rows, lines


_TIMES = re.compile(r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\n)*")


def _all_valid(rows: list[list[str]]) -> bool:
    """Check every row at C speed where possible: True when all rows are valid events."""
    if not rows:
        return True
    times = "\n".join([r[0] for r in rows]) + "\n"
    if len(times) != 28 * len(rows) or not _TIMES.fullmatch(times):
        return False
    if not all(is_valid_reviewer(name) for name in {r[1] for r in rows}):
        return False
    return all(r[2] and r[3] and r[4] for r in rows)


def _row_problem(row: list[str], line: int, bad_bytes: bool) -> str:
    """Return why a row of the right width is not a valid event ("" when it is)."""
    if not TIME_PATTERN.match(row[0]):
        if line == 1:
            return "the first line is not the sheet header " + ",".join(COLUMNS)
        return f"bad time {row[0]!r} (expected like 2025-01-31T12:00:00.000000Z)"
    if not (is_valid_reviewer(row[1]) and row[2] and row[3] and row[4]):
        return "empty or invalid reviewer, study_id, stage or field"
    if bad_bytes and "\ufffd" in "".join(row):
        return "not valid UTF-8"
    return ""
