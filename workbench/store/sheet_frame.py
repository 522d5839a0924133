"""Reading a coding sheet into columns (pandas), for commands that look at every decision.

`read_sheet` builds one `Event` per line: on a 75 MB sheet that is 750,000
tuples of eight strings (seconds, and most of a gigabyte). `read_sheet_frame`
returns the same events as a DataFrame instead: `time` as text, every other
column categorical (a few distinct reviewers, stages, fields and values
stored once), and the line of each event.

It accepts exactly what `read_sheet` accepts. A clean sheet (the header, one
valid event per line, each checked line's CRC-32 matching, at most a torn
last line) is parsed by pandas' C reader after the same checks as
`read_sheet`'s fast path (the checks are verified against the raw lines; the
times, reviewers and empty ids in bulk; every line's field count by its
commas). Anything irregular (a line a save marked torn, bad UTF-8, a quote
left open, a value spanning lines, a wrong width, a bad check) is read by
`read_sheet` itself, so every problem is reported with its line exactly as
before and every other event is kept.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from operator import methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from workbench.core.events import COLUMNS, is_valid_reviewer
from workbench.errors import Problem, SheetError
from workbench.store.files import read_regular_file
from workbench.store.sheet_reading import (MAX_SHEET_BYTES, SHEET_COLUMNS, TORN, TORN_MESSAGE,
                                           _first_checked, paused_gc,
                                           read_sheet)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Columns kept as text (one value per event); the others are categorical.
TEXT_COLUMNS = ("time",)


@dataclass
class SheetFrame:
    """A sheet's valid events as columns (file order), their lines, and the problems.

    `events` has the COLUMNS; `lines[i]` is the 1-based line of row i.
    """

    events: "pd.DataFrame"
    lines: "np.ndarray"
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.events)


def empty_events() -> "pd.DataFrame":
    """Return an events frame with no rows (the dtypes of a read one)."""
    import pandas as pd
    return pd.DataFrame({c: pd.Series([], dtype=object if c in TEXT_COLUMNS else "category")
                         for c in COLUMNS})


def events_to_frame(events) -> "pd.DataFrame":
    """Return Event tuples as an events frame (categorical columns, `time` as text)."""
    import pandas as pd
    if not events:
        return empty_events()
    frame = pd.DataFrame.from_records(events, columns=list(COLUMNS))
    for name in COLUMNS:
        # text as object (pandas 3 would make it its own string dtype), as read_csv gives it
        frame[name] = frame[name].astype(object) if name in TEXT_COLUMNS \
            else categorical(frame[name])
    return frame


def read_sheet_frame(path: str | Path, aliases: Mapping[str, str] | None = None,
                     data: bytes | None = None) -> SheetFrame:
    """Read a sheet as columns: every valid event, and a Problem for each line that is not one.

    The same events, lines and problems as `read_sheet(path, aliases)` (tests
    compare the two on clean and broken sheets). `data`: the file's bytes when
    the caller has just read them (a regular file within MAX_SHEET_BYTES), so
    they are not read a second time; a sheet the careful reader must read is
    read from `path`.

    Raises:
        SheetError: the file exists but cannot be read (as read_sheet).
    """
    import numpy as np
    path = Path(path)
    with paused_gc():
        found = _read_frame(path, data)
    if found is None:   # irregular: the careful reader reports line by line
        contents = read_sheet(path)
        found = SheetFrame(events_to_frame(contents.events),
                           np.asarray(contents.lines, dtype=np.int64), list(contents.problems))
    if aliases:
        found.events["study_id"] = remap_categories(found.events["study_id"], aliases)
    return found


def remap_categories(column: "pd.Series", mapping: Mapping[str, str]) -> "pd.Series":
    """Return a categorical column with its values renamed through `mapping` (merges joined)."""
    import numpy as np
    import pandas as pd
    cats = column.cat.categories
    renamed = [mapping.get(c, c) for c in cats.tolist()]
    if renamed == cats.tolist():
        return column
    codes_of, uniques = pd.factorize(np.asarray(renamed, dtype=object))
    old = column.cat.codes.to_numpy()
    new = np.where(old < 0, -1, codes_of[np.maximum(old, 0)])
    return pd.Series(pd.Categorical.from_codes(new, categories=uniques), index=column.index,
                     name=column.name)


def _read_frame(path: Path, data: bytes | None = None) -> SheetFrame | None:
    """The fast path; None when the sheet needs the careful reader."""
    import numpy as np
    if data is None or len(data) > MAX_SHEET_BYTES:
        try:
            data = read_regular_file(path, MAX_SHEET_BYTES, what="sheet")
        except FileNotFoundError:
            return SheetFrame(empty_events(), np.zeros(0, dtype=np.int64))
        except OSError as exc:
            raise SheetError(f"cannot read the sheet ({exc.strerror or exc})",
                             path=path) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return SheetFrame(empty_events(), np.zeros(0, dtype=np.int64))
    if f",{TORN}\n".encode() in data or b"\r" in data or b"\x00" in data:
        return None
    ascii_ = data.isascii()   # ASCII is UTF-8: decoded only where the text is needed
    if not ascii_:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    header_end = data.find(b"\n")
    new_header = data[:header_end] == ",".join(SHEET_COLUMNS).encode()
    if header_end > 0 and b'"' not in data and (new_header or ascii_):
        return _bytes_frame(path, data, header_end)
    return _text_frame(path, data.decode("utf-8"))


def _bytes_frame(path: Path, data: bytes, header_end: int) -> SheetFrame | None:
    """A sheet without a quote: its columns found on its bytes (`store.sheet_bytes`)."""
    import numpy as np
    from workbench.store.sheet_bytes import checked_lines, frame_from_lines
    header = data[:header_end]
    if header not in (",".join(SHEET_COLUMNS).encode(), ",".join(COLUMNS).encode()):
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)        # the header's, then each whole line's
    n = len(newlines) - 1
    torn = not data.endswith(b"\n")            # bytes after the last whole line
    problems = ([Problem(str(path), n + 2, None, TORN_MESSAGE)] if torn else [])
    if not n:
        return SheetFrame(empty_events(), np.zeros(0, dtype=np.int64), problems)
    starts, ends = newlines[:-1] + 1, newlines[1:]
    del newlines
    first = checked_lines(data, buf, starts, ends, header == ",".join(COLUMNS).encode())
    if first is None:
        return None
    frame = frame_from_lines(data, buf, starts, ends, first)
    if frame is None:
        return None
    return SheetFrame(frame, np.arange(2, n + 2, dtype=np.int64), problems)


def _text_frame(path: Path, text: str) -> SheetFrame | None:
    """A sheet with a quote (or an old one that is not ASCII): pandas' C reader."""
    import numpy as np
    import pandas as pd
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        return SheetFrame(empty_events(), np.zeros(0, dtype=np.int64))
    lines = text.split("\n")
    torn = lines[-1] != ""
    if not torn:
        lines.pop()
    header = lines[0]
    if header not in (",".join(SHEET_COLUMNS), ",".join(COLUMNS)):
        return None
    body = lines[1:-1] if torn else lines[1:]
    problems = [Problem(str(path), len(lines), None, TORN_MESSAGE)] if torn else []
    del lines
    if not body:
        return SheetFrame(empty_events(), np.zeros(0, dtype=np.int64), problems)
    first = _first_checked(body, header == ",".join(COLUMNS))  # checks verified from here
    if first is None:
        return None
    n = len(body)
    if torn:
        text = text[:text.rindex("\n") + 1]
    start = text.index("\n") + 1
    # Every line has the eight event fields: seven commas outside quotes (lines with a
    # quote are read by the csv module), plus one before the check on a checked line.
    # Counted line by line: a short line and a long one must not make up for each other.
    quoted = [i for i, one in enumerate(body) if '"' in one]
    if quoted:
        fields = [body[i] if i < first else body[i][:-9] for i in quoted]
        if not _widths_ok(fields):
            return None
    counts = list(map(methodcaller("count", ","), body))
    for i in quoted:
        counts[i] = len(COLUMNS) - 1 + (i >= first)
    if counts[:first] != [len(COLUMNS) - 1] * first \
            or counts[first:] != [len(COLUMNS)] * (n - first):
        return None
    del body
    try:   # every line: the eight fields, then its check (or nothing, on an older line)
        frame = pd.read_csv(io.StringIO(text[start:]), header=None, names=list(SHEET_COLUMNS),
                            dtype=object, na_filter=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        return None
    del text
    frame = frame.drop(columns=[SHEET_COLUMNS[-1]])
    if len(frame) != n:
        return None
    if not times_valid(frame["time"].tolist()):
        return None
    for name in ("study_id", "stage", "field"):
        if (frame[name].to_numpy() == "").any():
            return None
    for name in COLUMNS:
        if name not in TEXT_COLUMNS:
            frame[name] = categorical(frame[name])
    if not all(map(is_valid_reviewer, frame["reviewer"].cat.categories.tolist())):
        return None
    return SheetFrame(frame, np.arange(2, n + 2, dtype=np.int64), problems)


def last_of_codes(codes: "np.ndarray", count: int) -> "np.ndarray":
    """Return the row of each code's last occurrence, for codes 0..count-1 (each present).

    `codes` as `pd.factorize` numbers them (in order of first appearance), so
    the rows come out in that order: the latest row of each key, keys in the
    order they first appeared. The same rows as `~pd.Series(codes).duplicated(
    keep="last")` picks, without hashing the keys a second time (tests compare).
    """
    import numpy as np
    out = np.full(count, -1, dtype=np.int64)
    np.maximum.at(out, codes, np.arange(len(codes), dtype=np.int64))
    return out


def categorical(column: "pd.Series") -> "pd.Series":
    """Return a text column as categorical, categories in order of appearance (no sorting)."""
    import pandas as pd
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object)),
                     index=column.index, name=column.name)


def times_valid(times: list[str]) -> bool:
    """True when every time is a sheet time of a real date (as `is_valid_time`), checked in bulk.

    The texts' bytes as a 27-column table, checked by `sheet_bytes.table_times_valid`
    (one check for both fast readers).
    """
    import numpy as np
    from workbench.store.sheet_bytes import table_times_valid
    if not times:
        return True
    if set(map(len, times)) != {27}:
        return False
    try:
        raw = "".join(times).encode("ascii")
    except UnicodeEncodeError:
        return False
    return table_times_valid(np.frombuffer(raw, dtype=np.uint8).reshape(len(times), 27))


def _widths_ok(fields: list[str]) -> bool:
    """True when each of these lines (event fields with a quote) reads as eight fields."""
    import csv
    try:
        rows = list(csv.reader(fields, strict=True))
    except csv.Error:
        return False
    return len(rows) == len(fields) and all(len(row) == len(COLUMNS) for row in rows)


__all__ = ["SheetFrame", "read_sheet_frame", "times_valid", "events_to_frame", "empty_events",
           "remap_categories", "last_of_codes", "TEXT_COLUMNS"]
