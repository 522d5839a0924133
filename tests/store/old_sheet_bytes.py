"""The test oracle: store/sheet_bytes.py and sheet_frame._bytes_frame as they were before #21r.

The byte path now finds lines and commas by position and checks the CRCs in
bulk (store/sheet_bytes.py); this is the previous code, kept unchanged so
tests can compare the two on random and hostile sheets. Only difference in
what it accepts: it took a check written in capitals, which the careful
reader rejects (the new code rejects it too).

Previous docstring: a clean sheet's columns straight from its bytes (numpy), for `read_sheet_frame`.

pandas' C reader makes a Python string of every field of every line (on a
100,000-study review: 1.5M lines x 9 fields) and `read_sheet_frame` then
turns most of them back into categories. A sheet without a quote has one
event per line and one comma between fields, so the fields can be found
from the positions of the commas and newlines, and each column's distinct
values found in bulk on the raw bytes: the fields are laid out as rows of a
zero-padded byte matrix, read as 64-bit words, and factorised by their
words (one word: exactly; longer: by a hash of the words, every row then
compared with its category's first row, so a collision is never trusted).
Only the distinct values become Python strings.

Used only for a sheet the fast path accepts: UTF-8, no quote, no `\\r`, no
NUL, every checked line's check verified (`checked_from`), every line with
exactly its fields. Anything else returns None and the caller reads the
sheet another way (pandas, then the careful reader), so what is accepted
and every problem reported are unchanged (tests compare all three).
"""

from __future__ import annotations

import zlib
from array import array
from typing import TYPE_CHECKING

from workbench.core.events import COLUMNS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Fields up to this many bytes are factorised on the byte matrix; longer ones (a long
#: extraction value) as Python strings, merged in the order of appearance.
WIDE_BYTES = 64
_TIME_WIDTH = 27
_COMMA, _NEWLINE = 44, 10


def checked_from(lines: list[bytes], old_allowed: bool) -> int | None:
    """`sheet_reading._first_checked` on the lines' bytes: where the checked lines start.

    The same answer for a UTF-8 sheet: a check is nine ASCII characters, so
    a line ends with one as text exactly when its bytes do. Only called with
    `old_allowed` on an ASCII sheet (where a text position is a byte position).
    """
    joined = b"".join([line[-9:] for line in lines])
    if len(joined) != 9 * len(lines):
        return None
    commas = joined[::9]
    first = 0
    if commas.count(b",") != len(commas):
        if not old_allowed:
            return None
        first = max(commas.rfind(bytes([c])) for c in set(commas) - {_COMMA}) + 1
        for i in range(first):  # an old line may end like a check; a real one must not precede
            if commas[i] == _COMMA and lines[i][-8:] == b"%08x" % zlib.crc32(lines[i][:-9]):
                return None
    ends = joined[9 * first:].replace(b",", b"")
    try:
        stored = array("I", bytes.fromhex(ends.decode("ascii")))
    except (ValueError, UnicodeDecodeError):
        return None
    if len(stored) != len(lines) - first:
        return None
    if stored.itemsize != 4:   # pragma: no cover - array("I") is 4 bytes on every platform
        return None
    import sys
    if sys.byteorder == "little":
        stored.byteswap()
    crc = zlib.crc32
    return first if stored == array("I", [crc(line[:-9]) for line in lines[first:]]) else None


def frame_from_bytes(data: bytes, start: int, lengths: "np.ndarray",
                     first: int) -> "pd.DataFrame | None":
    """Return the events of a clean sheet body as columns, or None if a line is not an event.

    Args:
        data: the sheet's bytes (no BOM), `data[start:]` being the body: one
            line per event, each ending in a newline.
        start: where the body starts (after the header's newline).
        lengths: each body line's length in bytes (without its newline).
        first: the first checked line (earlier lines have no check).

    Returns:
        A frame with the COLUMNS: `time` as text, the others categorical
        (categories in order of appearance), or None when some line does not
        have exactly its fields or a time, reviewer or empty id is invalid.
    """
    import numpy as np
    import pandas as pd
    from workbench.core.events import is_valid_reviewer
    n = len(lengths)
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = start + np.cumsum(lengths + 1) - 1          # each line's newline
    starts = ends - lengths
    comma = np.flatnonzero(buf[start:int(ends[-1])] == _COMMA) + start
    at = np.searchsorted(comma, starts)                 # each line's first comma
    count = np.diff(np.append(at, len(comma)))
    wanted = np.full(n, len(COLUMNS) - 1, dtype=np.int64)
    wanted[first:] += 1                                 # a checked line: one more, its check
    if not np.array_equal(count, wanted):
        return None
    last = len(COLUMNS) - 1
    bounds = [starts] + [comma[at + i] + 1 for i in range(last)]
    stops = [comma[at + i] for i in range(last)] + [np.where(wanted > last, comma[np.minimum(
        at + last, len(comma) - 1)], ends)]
    widths = [b - a for a, b in zip(bounds, stops)]
    if not (widths[0] == _TIME_WIDTH).all():
        return None
    for i in (2, 3, 4):   # study, stage, field are never empty
        if not widths[i].all():
            return None
    padded = np.zeros(len(data) + WIDE_BYTES + 8, dtype=np.uint8)
    padded[:len(data)] = buf
    times = _rows(padded, starts, _TIME_WIDTH)
    if not table_times_valid(times):
        return None
    columns: dict[str, object] = {}
    joined = times.tobytes().decode("ascii")            # valid times are ASCII
    del times
    columns["time"] = np.array([joined[i:i + _TIME_WIDTH]
                                for i in range(0, len(joined), _TIME_WIDTH)], dtype=object)
    del joined
    for i, name in enumerate(COLUMNS[1:], start=1):
        codes, names = factorize_spans(data, padded, bounds[i], widths[i])
        columns[name] = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))
    if not all(map(is_valid_reviewer, columns["reviewer"].categories.tolist())):
        return None
    return pd.DataFrame({name: pd.Series(values, dtype=object if name == "time" else None)
                         for name, values in columns.items()})


def _rows(padded: "np.ndarray", starts: "np.ndarray", width: int) -> "np.ndarray":
    """Return the `width` bytes from each start as rows of a matrix (a copy)."""
    import numpy as np
    view = np.lib.stride_tricks.as_strided(padded, shape=(len(padded) - width + 1, width),
                                           strides=(1, 1), writeable=False)
    return view[starts]


def factorize_spans(data: bytes, padded: "np.ndarray", starts: "np.ndarray",
                    widths: "np.ndarray") -> tuple["np.ndarray", list[str]]:
    """Return (codes, distinct values) of byte spans, values in order of first appearance.

    `padded` is `data` followed by at least WIDE_BYTES + 8 zero bytes. As
    `pd.factorize` of the decoded strings (tests compare them).
    """
    import numpy as np
    import pandas as pd
    n = len(starts)
    if not n:
        return np.zeros(0, dtype=np.int64), []
    narrow = widths <= WIDE_BYTES
    rows = np.flatnonzero(narrow) if not narrow.all() else None
    s = starts if rows is None else starts[rows]
    w = widths if rows is None else widths[rows]
    codes = np.zeros(n, dtype=np.int64)
    names: list[str] = []
    firsts = np.zeros(0, dtype=np.int64)
    if len(s):
        width = max(8, -(-int(w.max()) // 8) * 8)
        table = _rows(padded, s, width)
        table[np.arange(width) >= w[:, None]] = 0      # the bytes after each field
        found, _ = pd.factorize(row_keys(table.view(np.uint64)))
        firsts = np.flatnonzero(~pd.Series(found).duplicated().to_numpy())
        if not (table == table[firsts[found]]).all():
            found, firsts = _exact(table)               # a hash collision: compare the bytes
        codes_narrow = found
        names = [data[a:a + b].decode("utf-8") for a, b in
                 zip(s[firsts].tolist(), w[firsts].tolist())]
        if rows is None:
            return codes_narrow.astype(np.int64), names
        codes[rows] = codes_narrow
        firsts = rows[firsts]
    wide = np.flatnonzero(~narrow)
    texts = np.array([data[a:a + b].decode("utf-8") for a, b in
                      zip(starts[wide].tolist(), widths[wide].tolist())], dtype=object)
    found, uniques = pd.factorize(texts)
    codes[wide] = found + len(names)
    wide_firsts = wide[np.flatnonzero(~pd.Series(found).duplicated().to_numpy())]
    names = names + list(uniques)
    order = np.argsort(np.concatenate([firsts, wide_firsts]), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], [names[i] for i in order.tolist()]


def row_keys(words: "np.ndarray") -> "np.ndarray":
    """Return a 64-bit key per row of 64-bit words: the word itself, or a hash of several."""
    import numpy as np
    key = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        key = (key ^ (key >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9) + words[:, k]
    return key


def _exact(table: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """Codes and first rows of a byte matrix's rows, compared whole (order of appearance)."""
    import numpy as np
    rows = np.ascontiguousarray(table).view(f"V{table.shape[1]}").ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse.ravel()], np.sort(first)


#: Where the separators of a sheet time are, and which they are.
_SEPARATORS = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: ".", 26: "Z"}
#: Days per month (February: 29, then checked against the calendar).
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def table_times_valid(table: "np.ndarray") -> bool:
    """True when every row (27 bytes) is a sheet time of a real date, as `is_valid_time`."""
    import numpy as np
    from workbench.store.sheet_reading import is_valid_time
    if not len(table):
        return True
    for at, char in _SEPARATORS.items():
        if not (table[:, at] == ord(char)).all():
            return False
    digits = table[:, [i for i in range(_TIME_WIDTH) if i not in _SEPARATORS]].astype(
        np.int16) - 48
    if digits.min() < 0 or digits.max() > 9:
        return False
    # columns of `digits`: year 0-3, month 4-5, day 6-7, hour 8-9, minute 10-11, second 12-13
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    if (month < 1).any() or (month > 12).any() or (day < 1).any():
        return False
    if (day > np.asarray(_MONTH_DAYS)[month]).any():
        return False
    if ((digits[:, 8] * 10 + digits[:, 9]) > 23).any() or (digits[:, 10] > 5).any() \
            or (digits[:, 12] > 5).any():
        return False
    leap = np.flatnonzero((month == 2) & (day == 29))
    if len(leap):
        return all(is_valid_time(bytes(row).decode("ascii"))
                   for row in np.unique(table[leap], axis=0))
    return True


def old_bytes_frame(path, data: bytes, header_end: int):
    """sheet_frame._bytes_frame before #21r (a SheetFrame, or None: another reader)."""
    from pathlib import Path
    from workbench.errors import Problem
    from workbench.store.sheet_frame import SheetFrame, empty_events
    from workbench.store.sheet_reading import SHEET_COLUMNS, TORN_MESSAGE
    path = Path(path)
    return _old_bytes_frame(path, data, header_end, Problem, SheetFrame, empty_events,
                            SHEET_COLUMNS, TORN_MESSAGE)


def _old_bytes_frame(path, data, header_end, Problem, SheetFrame, empty_events, SHEET_COLUMNS,
                     TORN_MESSAGE):
    """A sheet without a quote: its columns found on its bytes (`store.sheet_bytes`)."""
    import numpy as np
    header = data[:header_end]
    if header not in (",".join(SHEET_COLUMNS).encode(), ",".join(COLUMNS).encode()):
        return None
    start = header_end + 1
    torn = not data.endswith(b"\n")            # bytes after the last whole line
    lines = data.split(b"\n")
    lines.pop()                                 # what follows the last newline
    del lines[0]                                # the header
    n = len(lines)
    problems = ([Problem(str(path), n + 2, None, TORN_MESSAGE)] if torn else [])
    if not lines:
        return SheetFrame(empty_events(), np.zeros(0, dtype=np.int64), problems)
    first = checked_from(lines, header == ",".join(COLUMNS).encode())
    if first is None:
        return None
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    del lines   # a line's bytes are not needed any more: their lengths place them
    frame = frame_from_bytes(data, start, lengths, first)
    if frame is None:
        return None
    return SheetFrame(frame, np.arange(2, n + 2, dtype=np.int64), problems)



__all__ = ["checked_from", "frame_from_bytes", "factorize_spans", "table_times_valid",
           "WIDE_BYTES"]
