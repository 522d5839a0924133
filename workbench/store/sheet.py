"""The coding sheet on disk: an append-only, per-reviewer CSV of decision events.

`coding/<reviewer>.csv` holds one reviewer's events, `coding/consensus.csv`
the resolved ones (its `reviewer` column names who resolved). Columns:
`time,reviewer,study_id,stage,field,value,note,codebook_version`.

Durability: `append_events` takes an exclusive `fcntl.flock` on the sheet,
writes every event of one decision in a single write, flushes and fsyncs
(and fsyncs the folder when it creates the file) before returning. If the
write fails (full disk, I/O error) the file is truncated back to its old size
and `SheetError` is raised, so the sheet stays valid.

Times are ISO-8601 UTC with microseconds and "Z". All events of one append
share one time (one decision = one time), and each append's time is strictly
later than the last time in the file: if the clock goes back, the time is
bumped 1 µs past the last one.

Encoding: UTF-8 without a byte-order mark. The sheet is an append-only log
read by this tool, git and R/pandas, and a BOM in the middle of history helps
none of them; spreadsheets open it through their CSV import (LibreOffice
asks; Excel: Data > From Text/CSV, UTF-8). The wide export written by
`workbench.io.sheet_table` carries a BOM (and an XLSX twin) for double-click
opening in Excel. A BOM at the start of a sheet (saved by a spreadsheet) is
accepted when reading.
"""

from __future__ import annotations

import csv
import fcntl
import gc
import io
import logging
import os
import re
from contextlib import contextmanager
from itertools import starmap
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from workbench.core.events import (CONSENSUS, COLUMNS, TIME_PATTERN, Event,
                                   is_valid_reviewer)
from workbench.errors import Problem, SheetError

__all__ = ["Event", "SheetContents", "read_sheet", "append_events", "sheet_path",
           "consensus_path", "validate_reviewer", "format_time", "CONSENSUS", "COLUMNS"]

log = logging.getLogger(__name__)

HEADER = ",".join(COLUMNS) + "\n"
_TAIL_TIME = re.compile(rb"(?:^|\n)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z),")
_TAIL_SIZES = (4096, 65536)


@dataclass(frozen=True)
class SheetContents:
    """What `read_sheet` found: the valid events (file order), their lines, the problems."""

    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def validate_reviewer(name: str, allow_consensus: bool = False) -> str:
    """Return a reviewer name if it is valid.

    Args:
        name: the name ([A-Za-z0-9][A-Za-z0-9_.-]*).
        allow_consensus: accept "consensus" (only for the consensus sheet's file name).

    Raises:
        SheetError: the name is empty, has other characters, or is "consensus".
    """
    if not is_valid_reviewer(name):
        raise SheetError(f"invalid reviewer name {name!r}",
                         hint="use letters, digits, '_', '.' or '-', starting with a letter "
                              "or digit")
    if name.lower() == CONSENSUS and not allow_consensus:
        raise SheetError(f"{name!r} is reserved for the consensus sheet",
                         hint="choose another reviewer name")
    return name


def sheet_path(coding_dir: str | Path, reviewer: str) -> Path:
    """Return coding/<reviewer>.csv (the reviewer name is validated).

    Raises:
        SheetError: invalid reviewer name.
    """
    return Path(coding_dir) / f"{validate_reviewer(reviewer)}.csv"


def consensus_path(coding_dir: str | Path) -> Path:
    """Return coding/consensus.csv."""
    return Path(coding_dir) / f"{CONSENSUS}.csv"


def format_time(moment: datetime) -> str:
    """Return an aware datetime as ISO-8601 UTC with microseconds and "Z"."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Parse a sheet time back to an aware UTC datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def next_time(last: str, now: datetime | None = None) -> str:
    """Return the time for a new append: now, or 1 µs after `last` if the clock went back."""
    moment = now or datetime.now(timezone.utc)
    stamp = format_time(moment)
    if last and stamp <= last:
        stamp = format_time(parse_time(last) + timedelta(microseconds=1))
    return stamp


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(value: str) -> str:
    # The csv module quotes only delimiter, quote char and the line terminator
    # ("\n"), so a lone "\r" would be written bare and split the line on reading.
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _rows_text(rows: Iterable[list[str]]) -> str:
    return "".join(",".join(_csv_field(v) for v in row) + "\n" for row in rows)


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


def _last_time(fd: int, size: int) -> str:
    """Return the latest time found at a line start near the end of the file ("" if none)."""
    for span in _TAIL_SIZES:
        offset = max(0, size - span)
        tail = os.pread(fd, size - offset, offset)
        found = _TAIL_TIME.findall(tail)
        if found:
            return max(found).decode("ascii")
        if offset == 0:
            break
    return ""


def _close_torn_tail(fd: int, size: int) -> str:
    """Return what ends a torn last line so the next events start on their own line.

    Complete CSV records hold an even number of '"'; an odd count means the
    crash happened inside a quoted value, which must be closed first or the
    next events would be read as part of it. `read_sheet` then reports the
    torn line with its line number.
    """
    quotes = 0
    offset = 0
    while offset < size:
        chunk = os.pread(fd, min(1 << 20, size - offset), offset)
        if not chunk:
            break
        quotes += chunk.count(b'"')
        offset += len(chunk)
    log.warning("sheet ends with an incomplete line; starting a new line after it")
    return '"\n' if quotes % 2 else "\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError as exc:
        log.warning("could not fsync %s: %s", directory, exc)
    finally:
        os.close(dir_fd)


def append_events(path: str | Path, events: Iterable[Event], last_time: str = "",
                  now: datetime | None = None) -> list[Event]:
    """Append events to a sheet as one durable write; return them as written.

    Every event gets the same new time (strictly later than any time already in
    the file; the `time` the caller set is replaced). The call takes an
    exclusive lock on the sheet, writes the header if the file is new, starts
    on a fresh line if the last one was torn, writes, flushes and fsyncs, and
    only then returns.

    Args:
        path: the sheet.
        events: the events of one decision (all written together, or none).
        last_time: the latest time the caller knows of (a Sheet's memory).
        now: the clock (for tests); defaults to the current UTC time.

    Returns:
        The events as written, with their time set.

    Raises:
        SheetError: the sheet cannot be opened, locked or written (e.g. disk
            full); the file is left as it was before the call.
    """
    path = Path(path)
    events = list(events)
    if not events:
        return []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SheetError(f"cannot open the sheet for writing ({exc.strerror or exc})",
                         path=path, hint="nothing of this decision was saved") from exc
    size = None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        prefix = ""
        if size == 0:
            prefix = HEADER
        elif os.pread(fd, 1, size - 1) != b"\n":
            prefix = _close_torn_tail(fd, size)
        stamp = next_time(max(last_time, _last_time(fd, size) if size else ""), now)
        written = [Event(stamp, e.reviewer, e.study_id, e.stage, e.field, e.value, e.note,
                         e.codebook_version) for e in events]
        data = (prefix + _rows_text(e.row() for e in written)).encode("utf-8")
        _write_all(fd, data)
        os.fsync(fd)
        if size == 0:
            _fsync_dir(path.parent)
        return written
    except OSError as exc:
        if size is not None:
            try:
                os.ftruncate(fd, size)
                os.fsync(fd)
            except OSError as again:
                log.error("could not truncate %s back to %d bytes: %s", path, size, again)
        raise SheetError(f"cannot save to the sheet ({exc.strerror or exc})", path=path,
                         hint="this decision was not saved; earlier ones are intact") from exc
    finally:
        os.close(fd)  # closing releases the lock
