"""The coding sheet on disk: an append-only, per-reviewer CSV of decision events.

`coding/<reviewer>.csv` holds one reviewer's events, `coding/consensus.csv`
the resolved ones (its `reviewer` column names who resolved). Columns:
`time,reviewer,study_id,stage,field,value,note,codebook_version,check`, where
`check` is the CRC-32 of the line's other fields as written
(`sheet_reading.line_check`): a line proves it is complete. A sheet started
before the check column existed keeps its eight-column header; the lines
appended to it carry the check all the same.

Durability: `append_events` takes an exclusive `fcntl.flock` on the sheet,
writes every event of one decision in a single write, flushes and fsyncs
(and fsyncs the folder when it creates the file) before returning. If the
write fails (full disk, I/O error) the file is truncated back to its old size
and `SheetError` is raised, so the sheet stays valid. An unfinished last line
left by a crash is closed with the marker `torn` in its check column before
new lines are written, so it can never be read as a decision.

Times are ISO-8601 UTC with microseconds and "Z". All events of one append
share one time (one decision = one time), and each append's time is strictly
later than the last time in the file when that time is at most
`MAX_CLOCK_SKEW` ahead of the clock (a clock set back a little: the time is
bumped 1 µs past the last one). A time further ahead (a hand-edited 2999)
is ignored: the clock of a new save is never taken from the file. Latest-wins
follows file order, not times.

Values longer than `MAX_VALUE_CHARS` are refused before anything is written;
the reader accepts far longer ones, so a saved value always reads back.

Encoding: UTF-8 without a byte-order mark. The sheet is an append-only log
read by this tool, git and R/pandas, and a BOM in the middle of history helps
none of them; spreadsheets open it through their CSV import (LibreOffice
asks; Excel: Data > From Text/CSV, UTF-8). The wide export written by
`workbench.io.exports.sheet_table` carries a BOM (and an XLSX twin) for double-click
opening in Excel. A BOM at the start of a sheet (saved by a spreadsheet) is
accepted when reading.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

from workbench.core.events import CONSENSUS, COLUMNS, DecisionRefused, Event, is_valid_reviewer
from workbench.errors import SheetError
from workbench.store.files import open_for_append
from workbench.store.sheet_reading import (SHEET_COLUMNS, TORN, SheetContents, is_valid_time,
                                           paused_gc, read_sheet, remap_study_ids, sheet_line)

__all__ = ["Event", "SheetContents", "read_sheet", "remap_study_ids", "paused_gc",
           "append_events", "sheet_path", "consensus_path", "validate_reviewer", "format_time",
           "CONSENSUS", "COLUMNS", "SHEET_COLUMNS", "MAX_VALUE_CHARS", "MAX_CLOCK_SKEW"]

log = logging.getLogger(__name__)

HEADER = ",".join(SHEET_COLUMNS) + "\n"
#: The longest value or note a save accepts (a pasted chapter fits; the csv
#: module's default limit of 131,072 does not apply: the reader raises it).
MAX_VALUE_CHARS = 1_000_000
#: How far ahead of the clock the last time in a sheet may be and still be
#: followed (bumped past) by a new save; anything later is ignored.
MAX_CLOCK_SKEW = timedelta(minutes=1)
_TAIL_TIME = re.compile(rb"(?:^|\n)(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z),")
_TAIL_SIZES = (4096, 65536)


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
    """Return the time for a new append: now, or 1 µs after `last` if the clock went back.

    `last` is followed only when it is a real time at most MAX_CLOCK_SKEW
    ahead of the clock; a later or impossible one (hand-edited) is ignored.
    """
    moment = now or datetime.now(timezone.utc)
    stamp = format_time(moment)
    if last and stamp <= last and last <= format_time(moment + MAX_CLOCK_SKEW) \
            and is_valid_time(last):
        stamp = format_time(parse_time(last) + timedelta(microseconds=1))
    return stamp


def _rows_text(rows: Iterable[list[str]]) -> str:
    """Return rows as the lines a save writes (each with its check)."""
    return "".join(map(sheet_line, rows))


def _refuse_long_values(events: list[Event]) -> None:
    for event in events:
        for name in ("value", "note"):
            text = getattr(event, name)
            if len(text) > MAX_VALUE_CHARS:
                raise DecisionRefused(
                    f"study {event.study_id!r}, field {event.field!r}: the {name} is "
                    f"{len(text):,} characters, more than the {MAX_VALUE_CHARS:,} a sheet "
                    "accepts; nothing was saved",
                    hint="shorten it, or keep the long text in a file and note where it is")


def _last_time(fd: int, size: int, cutoff: str) -> str:
    """Return the latest time not after `cutoff` at a line start near the end ("" if none)."""
    limit = cutoff.encode("ascii")
    for span in _TAIL_SIZES:
        offset = max(0, size - span)
        tail = os.pread(fd, size - offset, offset)
        found = [t for t in _TAIL_TIME.findall(tail) if t <= limit]
        if found:
            return max(found).decode("ascii")
        if offset == 0:
            break
    return ""


def _close_torn_tail(fd: int, size: int) -> str:
    """Return what ends a torn last line so the next events start on their own line.

    Complete CSV records hold an even number of '"'; an odd count means the
    crash happened inside a quoted value, which must be closed first or the
    next events would be read as part of it. The fragment then gets `torn` as
    its last field, so whatever part of a line was left (even one that would
    parse, cut inside its codebook version) is never read as a decision;
    `read_sheet` reports it with its line number.
    """
    quotes = 0
    offset = 0
    while offset < size:
        chunk = os.pread(fd, min(1 << 20, size - offset), offset)
        if not chunk:
            break
        quotes += chunk.count(b'"')
        offset += len(chunk)
    log.warning("sheet ends with an incomplete line; marking it torn and starting a new line")
    return ('"' if quotes % 2 else "") + f",{TORN}\n"


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
        DecisionRefused: a value or note is longer than MAX_VALUE_CHARS (nothing written).
        SheetError: the sheet cannot be opened, locked or written (e.g. disk
            full, read-only folder); the file is left as it was before the call.
    """
    path = Path(path)
    events = list(events)
    if not events:
        return []
    _refuse_long_values(events)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = open_for_append(path, "sheet")
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
        moment = now or datetime.now(timezone.utc)
        cutoff = format_time(moment + MAX_CLOCK_SKEW)
        known = [t for t in (last_time, _last_time(fd, size, cutoff) if size else "")
                 if t and t <= cutoff]
        stamp = next_time(max(known, default=""), moment)
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
