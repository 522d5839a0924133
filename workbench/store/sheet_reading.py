"""Reading a coding sheet: every valid event, and a Problem for every line that is not one.

Each line the tool writes ends with a `check` column: the CRC-32 (8 hex
digits) of the line's first eight fields as written (see `line_check`). A
line proves it is complete with it: a line cut short by a crash, or closed
by a later save (which marks it `torn`), never becomes an event. Sheets
written before the check column existed stay readable: their lines have
eight fields and are accepted as long as no checked line came before them
and they are not an unfinished last line.

A clean sheet (a header and one valid event per line) is read on a fast path
straight from the CSV reader; anything irregular (a torn last line after a
crash, a record spanning lines, an unbalanced quote, a wrong width, a bad
check or time) goes through the careful path, which reports each problem
with its line and keeps every other event. Nothing here writes to disk;
`workbench.store.sheet` appends.
"""

from __future__ import annotations

import csv
import gc
from array import array
import re
import sys
import zlib
from contextlib import contextmanager
from itertools import chain, islice
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from workbench.core.events import COLUMNS, TIME_PATTERN, Event, is_valid_reviewer
from workbench.errors import Problem, SheetError
from workbench.store.files import mapped_regular_file, read_regular_file

#: The column that proves a line complete, after the eight event columns.
CHECK = "check"
#: The header of a sheet created by this version: the event columns and `check`.
SHEET_COLUMNS: tuple[str, ...] = COLUMNS + (CHECK,)
#: What a save writes after an unfinished last line it finds (in the check column).
TORN = "torn"
#: Sheets larger than this are refused (a sheet of 100,000 studies x 4 events is ~15 MB).
MAX_SHEET_BYTES = 1 << 30
#: The csv module's limit per field while reading sheets: large enough for any value
#: `append_events` accepts (`MAX_VALUE_CHARS`), so a saved value always reads back.
FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)

TORN_MESSAGE = ("incomplete last line (the program stopped while saving it, so the decision "
                 "was never confirmed); it was set aside, not applied")
_MARKED_MESSAGE = ("incomplete line (the program stopped while saving it and a later save "
                   "marked it torn; the decision was never confirmed); it was set aside, "
                   "not applied")


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


def allow_long_fields() -> None:
    """Raise the csv module's per-field limit (131,072 by default) to FIELD_LIMIT.

    Called where the tool's own CSV files are read, so a long note reads back
    whatever else was imported before.
    """
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_field(value: str) -> str:
    """Return one value as a CSV field (quoted only when it must be)."""
    # The csv module quotes only delimiter, quote char and the line terminator
    # ("\n"), so a lone "\r" would be written bare and split the line on reading.
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def line_check(body: str) -> str:
    """Return the check value of a line's event fields as written (8 hex digits of CRC-32)."""
    return format(zlib.crc32(body.encode("utf-8")), "08x")


def sheet_line(values: list[str] | tuple[str, ...]) -> str:
    """Return the line a save writes for one event: its fields, its check and a newline."""
    body = ",".join(map(csv_field, values))
    return f"{body},{line_check(body)}\n"


# Month lengths in the pattern; only 29 February needs the calendar (leap years).
_TIME_RANGES = (r"\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-"
                r"(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2\d))T(?:[01]\d|2[0-3]):[0-5]\d:"
                r"[0-5]\d\.\d{6}Z")
_TIMES = re.compile(f"(?:{_TIME_RANGES}\n)*")


def is_valid_time(text: str) -> bool:
    """Return True when `text` is a sheet time (ISO-8601 UTC, microseconds, "Z") of a real date."""
    if not TIME_PATTERN.match(text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def _all_times_valid(times: list[str]) -> bool:
    """Check many times at C speed: the form and ranges by one regex, day 29-31 by the calendar."""
    joined = "\n".join(times) + "\n"
    if len(joined) != 28 * len(times) or not _TIMES.fullmatch(joined):
        return False
    if "-02-29T" not in joined:
        return True
    return all(map(is_valid_time, {t for t in times if t[4:10] == "-02-29"}))


def read_sheet(path: str | Path, aliases: Mapping[str, str] | None = None) -> SheetContents:
    """Read a sheet: every valid event, and a Problem for each line that is not one.

    A torn last line (no trailing newline, e.g. after a crash while saving) is
    reported with its line number and ignored; so is a line a later save
    closed as torn, a line whose check does not match, and any other
    malformed line. A missing file is an empty sheet.

    Args:
        path: the sheet (coding/<reviewer>.csv or coding/consensus.csv).
        aliases: old study id -> current study id (DedupeResult.aliases), applied on read.

    Returns:
        SheetContents(events, problems, lines), `lines[i]` being the 1-based
        line where `events[i]` starts.

    Raises:
        SheetError: the file exists but cannot be read, is not a regular file
            (a FIFO, a device) or is larger than MAX_SHEET_BYTES.
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
        data = read_regular_file(path, MAX_SHEET_BYTES, what="sheet")
    except FileNotFoundError:
        return SheetContents()
    except OSError as exc:
        raise SheetError(f"cannot read the sheet ({exc.strerror or exc})", path=path) from exc
    allow_long_fields()
    shown = str(path)
    try:
        text = data.decode("utf-8")
        bad_bytes = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad_bytes = True
    del data   # a 75 MB sheet: the bytes, the text and the lines are not held at once
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        return SheetContents()
    marked = f",{TORN}\n" in text  # a line a save closed as torn: reported line by line
    lines = text.split("\n")
    del text
    torn = lines[-1] != ""
    if not torn:
        lines.pop()
    fast = None if bad_bytes or marked else _read_clean(lines, torn)
    if fast is not None:
        events, numbers = fast
        problems = [Problem(shown, len(lines), None, TORN_MESSAGE)] if torn else []
        return SheetContents(events, problems, numbers)
    return _read_careful(lines, torn, shown, bad_bytes)


def _read_clean(lines: list[str], torn: bool) -> tuple[list[Event], list[int]] | None:
    """The fast path for a sheet with a header and one valid event per line; None otherwise.

    Checked lines are verified against the raw text (the check is computed
    over the fields exactly as the save wrote them), then only their event
    fields go through the CSV reader, which builds the events straight from
    its rows. An older sheet may start with lines without a check; once a
    checked line appears every later line must have one. Any irregularity
    returns None and the careful path reports it line by line.

    The lines are handed to the reader one by one (no joined copy of the
    sheet: a StringIO of it would hold four bytes per character).
    """
    header = lines[0]
    if header == ",".join(SHEET_COLUMNS):
        old_allowed = False
    elif header == ",".join(COLUMNS):
        old_allowed = True
    else:
        return None
    body = lines[1:-1] if torn else lines[1:]
    if not body:
        return [], []
    first = _first_checked(body, old_allowed)
    if first is None:
        return None
    fields = chain((line + "\n" for line in body[:first]),
                   (line[:-9] + "\n" for line in islice(body, first, None)))
    reader = csv.reader(fields, strict=True)
    make = tuple.__new__
    try:
        events = [make(Event, row) for row in reader]
    except csv.Error:
        return None
    if len(events) != len(body) or reader.line_num != len(body):
        return None
    if set(map(len, events)) != {len(COLUMNS)} or not _all_valid(events):
        return None
    return events, list(range(2, len(events) + 2))


def _first_checked(body: list[str], old_allowed: bool) -> int | None:
    """Return where the checked lines start, or None if irregular.

    Lines before that index are older lines without a check (allowed only
    when the header is the old one). Checks are compared in bulk: the last
    nine characters of every line (",xxxxxxxx") are joined, decoded from hex
    at once and compared with the CRC-32s of the lines' fields.
    """
    joined = "".join([line[-9:] for line in body])
    if len(joined) != 9 * len(body):
        return None
    commas = joined[::9]
    first = 0
    if commas.count(",") != len(commas):
        if not old_allowed:
            return None
        first = max(commas.rfind(c) for c in set(commas) - {","}) + 1
        for i in range(first):  # an old line may end like a check; a real one must not precede
            if commas[i] == "," and _is_checked(body[i]):
                return None
    ok = _verified(islice(body, first, None), len(body) - first, joined[9 * first:])
    return first if ok else None


def _is_checked(line: str) -> bool:
    return line[-9] == "," and line[-8:] == line_check(line[:-9])


def _verified(lines: Iterable[str], count: int, ends: str) -> bool:
    """True when every check in `ends` is "," and the CRC-32 of its line without it."""
    digits = ends.replace(",", "")
    if digits != digits.lower():
        return False   # a check in capitals: the line-by-line reader rejects it, and so does this
    try:
        stored = array("I", bytes.fromhex(digits))
    except ValueError:
        return False
    if len(stored) != count:
        return False
    if sys.byteorder == "little":
        stored.byteswap()
    return stored == array("I", (zlib.crc32(line[:-9].encode()) for line in lines))


def _all_valid(rows: list) -> bool:
    """Check every row at C speed where possible: True when all rows are valid events."""
    if not rows:
        return True
    if not _all_times_valid([r[0] for r in rows]):
        return False
    if not all(is_valid_reviewer(name) for name in {r[1] for r in rows}):
        return False
    return all(r[2] and r[3] and r[4] for r in rows)


_LINE_START = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z,")


class _Lines:
    """The sheet's lines fed to a CSV reader one at a time, with the position kept."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.at = 0

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.at >= len(self.lines):
            raise StopIteration
        self.at += 1
        return self.lines[self.at - 1] + "\n"


def _records(lines: list[str], shown: str,
             problems: list[Problem]) -> Iterator[tuple[list[str], int, int]]:
    """Yield (fields, first line, last line) per CSV record; an unbalanced quote costs only its own line.

    A record that spans lines is a value with a line break, unless one of the
    lines it swallowed starts like a sheet line (a time and a comma): then a
    '"' was opened by hand and never closed. That line is reported and the
    reading restarts on the next line, so the lines after it are kept.
    """
    source = _Lines(lines)
    reader = csv.reader(source, strict=False)
    while True:
        start = source.at
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(shown, start + 1, None, f"unreadable CSV ({exc}); this line "
                                    "was ignored"))
            source.at = start + 1
            reader = csv.reader(source, strict=False)
            continue
        end = source.at
        if end - start > 1 and any(_LINE_START.match(lines[i]) for i in range(start + 1, end)):
            problems.append(Problem(shown, start + 1, None, "unbalanced '\"' (a quote opened and "
                                    f"never closed, by a hand edit or a save cut short, "
                                    f"swallowed lines {start + 2}-{end}); this line was ignored "
                                    "and the next lines were read on their own"))
            source.at = start + 1
            reader = csv.reader(source, strict=False)
            continue
        yield row, start + 1, end


def _open_quote(lines: list[str], start: int, end: int) -> bool:
    """True when the record on lines[start:end] ends inside a quoted value (odd '"' count).

    A complete record always holds an even number of '"' (a value is quoted
    whole and its own quotes are doubled), so an odd count at the end of the
    file means the save stopped inside a value.
    """
    return sum(lines[i].count('"') for i in range(start, end)) % 2 == 1


def _read_careful(lines: list[str], torn: bool, shown: str, bad_bytes: bool) -> SheetContents:
    """Read line by line: keep every valid event, report every other line."""
    problems: list[Problem] = []
    events: list[Event] = []
    good: list[int] = []
    width = len(COLUMNS)
    checked_sheet = False
    last = len(lines)
    for row, line, end in _records(lines, shown, problems):
        if line == 1 and tuple(row) in (COLUMNS, SHEET_COLUMNS):
            checked_sheet = len(row) == len(SHEET_COLUMNS)
            continue
        if not row or row == [""]:
            continue
        if end == last and (torn or _open_quote(lines, line - 1, end)):
            # cut off (a crash while saving), also right after a line break inside a value
            problems.append(Problem(shown, line, None, TORN_MESSAGE))
            continue
        if row[-1] == TORN and len(row) <= width + 2:
            problems.append(Problem(shown, line, None, _MARKED_MESSAGE))
            continue
        if len(row) not in (width, width + 1):
            # the sheet's own format: checked lines (9 columns), or the format before checks
            problems.append(Problem(shown, line, None, f"expected {width + int(checked_sheet)} "
                                    f"columns, found {len(row)}; this line was ignored"))
            continue
        message = _row_problem(row, line, bad_bytes)
        if not message and len(row) == width + 1:
            if row[width] != line_check(",".join(map(csv_field, row[:width]))):
                message = ("its check value does not match its contents (changed by hand or "
                           "cut short after saving)")
            else:
                # Only a line workbench saved (its check verifies) starts the checked lines:
                # one hand-typed line with an extra field must not set aside every older
                # line after it in a sheet of the format before checks.
                checked_sheet = True
            row = row[:width]
        elif not message and checked_sheet:
            message = ("no check value (every line saved by workbench ends with one; added by "
                       "hand or cut short?)")
        if message:
            problems.append(Problem(shown, line, None, message + "; this line was ignored"))
        else:
            events.append(Event(*row))
            good.append(line)
    return SheetContents(events, sorted(problems, key=lambda p: p.line or 0), good)


def _row_problem(row: list[str], line: int, bad_bytes: bool) -> str:
    """Return why a row of the right width is not a valid event ("" when it is)."""
    if not is_valid_time(row[0]):
        if line == 1:
            return "the first line is not the sheet header " + ",".join(SHEET_COLUMNS)
        if TIME_PATTERN.match(row[0]):
            return f"impossible time {row[0]!r} (no such date or time of day)"
        return f"bad time {row[0]!r} (expected like 2025-01-31T12:00:00.000000Z)"
    if not (is_valid_reviewer(row[1]) and row[2] and row[3] and row[4]):
        return "empty or invalid reviewer, study_id, stage or field"
    if bad_bytes and "\ufffd" in "".join(row):
        return "not valid UTF-8"
    return ""


__all__ = ["SheetContents", "read_sheet", "remap_study_ids", "paused_gc", "allow_long_fields",
           "csv_field", "line_check", "sheet_line", "is_valid_time", "CHECK", "SHEET_COLUMNS",
           "TORN", "TORN_MESSAGE", "MAX_SHEET_BYTES", "FIELD_LIMIT"]


def read_sheet_matching(path: str | Path, needles: set[str],
                        aliases: Mapping[str, str] | None = None) -> list[Event]:
    """Read only the events of a sheet whose line contains one of `needles` (e.g. study ids).

    For one study's history in a large review: the file is searched as bytes
    and only the matching lines are parsed, with the same checks as
    `read_sheet` (the check column, a torn last line, a line marked torn, an
    older sheet's lines before its first checked line). Lines that merely
    mention a needle elsewhere (in a note) are parsed too; callers filter the
    events. Problems are not reported (`read_sheet` and `workbench check` do).

    Raises:
        SheetError: as read_sheet.
    """
    path = Path(path)
    try:
        with mapped_regular_file(path, MAX_SHEET_BYTES, what="sheet") as data:
            found = _matching_lines(data, needles)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SheetError(f"cannot read the sheet ({exc.strerror or exc})", path=path) from exc
    if found is None:
        return []
    header, lines, torn = found
    allow_long_fields()
    lines = [header] + lines
    with paused_gc():
        fast = None if any(line.endswith(f",{TORN}") for line in lines) else \
            _read_clean(lines, torn)
        events = fast[0] if fast is not None else \
            _read_careful(lines, torn, str(path), False).events
    return remap_study_ids(events, aliases) if aliases else events


def _matching_lines(data, needles: set[str]) -> tuple[str, list[str], bool] | None:
    """Return (header, the lines holding a needle in file order, torn) or None for none.

    `data` is the sheet's bytes or a map of them. An older sheet's first
    checked line is kept too, so the lines are judged as read_sheet would.
    """
    begin = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    header_end = data.find(b"\n", begin)
    if header_end < 0 or not needles:
        return None
    kept: dict[int, bytes] = {}
    last_start = -1  # the kept line that runs to the end of the file, if any
    for needle in needles:
        word = needle.encode("utf-8")
        at = data.find(word, header_end + 1)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            while end >= 0 and data[start:end].count(b'"') % 2:  # a value with a line break
                end = data.find(b"\n", end + 1)
            kept.setdefault(start, data[start:] if end < 0 else data[start:end])
            if end < 0:
                last_start = start
                break
            at = data.find(word, end)
    if not kept:
        return None
    header = data[begin:header_end].decode("utf-8", errors="replace")
    if header == ",".join(COLUMNS):  # an older sheet: keep where its checked lines begin
        first = _first_checked_line(data, header_end + 1, max(kept))
        if first is not None:
            kept.setdefault(*first)
    starts = sorted(kept)
    torn = data[-1:] != b"\n" and starts[-1] == last_start
    return header, [kept[s].decode("utf-8", errors="replace") for s in starts], torn


#: What ends a checked line: a comma and the 8 hex digits of its check.
_CHECK_END = re.compile(rb",[0-9a-f]{8}(?=\n)")


def _first_checked_line(data: bytes, begin: int, before: int) -> tuple[int, bytes] | None:
    """Return (start, line) of the first line with a valid check that starts before `before`."""
    for match in _CHECK_END.finditer(data, begin):
        start = data.rfind(b"\n", 0, match.start()) + 1
        if start > before:
            return None
        line = data[start:match.end()].decode("utf-8", errors="replace")
        if _is_checked(line):
            return start, data[start:match.end()]
    return None
