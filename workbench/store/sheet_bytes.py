"""A clean sheet's columns straight from its bytes (numpy), for `read_sheet_frame`.

pandas' C reader makes a Python string of every field of every line (on a
100,000-study review: 1.5M lines x 9 fields) and `read_sheet_frame` then
turns most of them back into categories. A sheet without a quote has one
event per line and one comma between fields, so the fields can be found
from the positions of the commas and newlines, and each column's distinct
values found in bulk on the raw bytes: the fields are laid out as rows of a
zero-padded byte matrix, read as 64-bit words, and factorised by their
words (one word: exactly; longer: by a hash of the words, every row then
compared with its category's first row, so a collision is never trusted).
Only the distinct values become Python strings. Lines are found by the
positions of their newlines (no list of lines), the stored checks are cut
from the bytes and decoded as arrays, and only each line's CRC-32 is a call
per line (`checked_lines`, `frame_from_lines`; the previous code is kept in
tests/store/old_sheet_bytes.py as the tests' oracle).

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
    if ends != ends.lower():
        return None   # a check in capitals: the careful reader rejects the line
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


def checked_lines(data: bytes, buf: "np.ndarray", starts: "np.ndarray", ends: "np.ndarray",
                  old_allowed: bool) -> int | None:
    """`checked_from` on lines given by their positions (`data[starts[i]:ends[i]]`), in bulk.

    The stored checks are cut from the bytes and decoded as arrays; only the
    CRC-32 of each line is a call per line (on a view, no copy). An older
    sheet whose first lines have no check is answered by `checked_from`.
    A check must be written as a save writes it: eight lower-case hex digits
    (the careful reader compares the text, so "ABCD..." is not a check).
    """
    import numpy as np
    n = len(starts)
    if not n:
        return 0
    if int((ends - starts).min()) < 9:
        return None
    if not (buf[ends - 9] == _COMMA).all():
        if not old_allowed:
            return None
        return checked_from([data[a:b] for a, b in zip(starts.tolist(), ends.tolist())], True)
    digits = _hex_digits()[rows_of(buf, ends - 8, 8)]
    if int(digits.max()) > 15:
        return None
    stored = np.zeros(n, dtype=np.uint32)
    for k in range(8):
        stored = (stored << np.uint32(4)) | digits[:, k].astype(np.uint32)
    view = memoryview(data)
    found = np.fromiter(map(zlib.crc32, map(view.__getitem__, map(
        slice, starts.tolist(), (ends - 9).tolist()))), dtype=np.uint32, count=n)
    return 0 if np.array_equal(stored, found) else None


def _hex_digits() -> "np.ndarray":
    """Each byte's value as a lower-case hex digit; 16 for any other byte."""
    import numpy as np
    table = np.full(256, 16, dtype=np.uint8)
    table[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)
    return table


def frame_from_lines(data: bytes, buf: "np.ndarray", starts: "np.ndarray", ends: "np.ndarray",
                     first: int) -> "pd.DataFrame | None":
    """`frame_from_bytes` for a body given by its lines' positions (`ends`: their newlines).

    On a sheet whose every line is checked, each line's commas are found by
    one scan: when there are exactly eight per line in all, the commas are
    a table of eight columns, and each row's first comma lies after its
    line's start and its last before its line's end, each line holds exactly
    its own eight (lines are disjoint and the commas sorted). (The time check
    then proves it again: each row's time must end at its first comma.)
    Otherwise the commas are counted line by line, as `frame_from_bytes` does.
    """
    import numpy as np
    n = len(starts)
    last = len(COLUMNS) - 1
    body_end = int(ends[-1])
    comma = np.flatnonzero(buf[int(starts[0]):body_end] == _COMMA) + int(starts[0])
    if first == 0 and len(comma) == n * (last + 1):
        table = comma.reshape(n, last + 1)
        if not ((table[:, 0] >= starts).all() and (table[:, last] < ends).all()):
            return None
        bounds = [starts] + [table[:, i] + 1 for i in range(last)]
        stops = [table[:, i] for i in range(last + 1)]
    else:
        at = np.searchsorted(comma, starts)                 # each line's first comma
        count = np.diff(np.append(at, len(comma)))
        wanted = np.full(n, last, dtype=np.int64)
        wanted[first:] += 1                                 # a checked line: one more, its check
        if not np.array_equal(count, wanted):
            return None
        bounds = [starts] + [comma[at + i] + 1 for i in range(last)]
        stops = [comma[at + i] for i in range(last)] + [np.where(wanted > last, comma[np.minimum(
            at + last, len(comma) - 1)], ends)]
    del comma
    return _columns(data, buf, bounds, stops)


def _columns(data: bytes, buf: "np.ndarray", bounds: list, stops: list) -> "pd.DataFrame | None":
    """The events' columns from each field's start and stop (None: a field is not valid)."""
    import numpy as np
    import pandas as pd
    from workbench.core.events import is_valid_reviewer
    widths = [b - a for a, b in zip(bounds, stops)]
    if not (widths[0] == _TIME_WIDTH).all():
        return None
    for i in (2, 3, 4):   # study, stage, field are never empty
        if not widths[i].all():
            return None
    times = rows_of(buf, np.ascontiguousarray(bounds[0]), _TIME_WIDTH)
    if not table_times_valid(times):
        return None
    columns: dict[str, object] = {}
    joined = times.tobytes().decode("ascii")            # valid times are ASCII
    del times
    columns["time"] = np.array([joined[i:i + _TIME_WIDTH]
                                for i in range(0, len(joined), _TIME_WIDTH)], dtype=object)
    del joined
    for i, name in enumerate(COLUMNS[1:], start=1):
        codes, names = factorize_spans(data, buf, np.ascontiguousarray(bounds[i]), widths[i])
        columns[name] = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))
    if not all(map(is_valid_reviewer, columns["reviewer"].categories.tolist())):
        return None
    return pd.DataFrame({name: pd.Series(values, dtype=object if name == "time" else None)
                         for name, values in columns.items()})


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
    ends = start + np.cumsum(lengths + 1) - 1          # each line's newline
    return frame_from_lines(data, np.frombuffer(data, dtype=np.uint8), ends - lengths, ends,
                            first)


def rows_of(buf: "np.ndarray", starts: "np.ndarray", width: int) -> "np.ndarray":
    """Return the `width` bytes from each start as rows of a matrix (a copy).

    `starts` ascending. Bytes past the end of `buf` read as zero (no padded
    copy of the whole sheet: only the rows that run past the end are built
    from a small zero-padded copy of its last bytes).
    """
    import numpy as np
    size = len(buf)
    near = int(np.searchsorted(starts, size - width, side="right")) if size >= width else 0
    out = np.empty((len(starts), width), dtype=np.uint8)
    if near:
        view = np.lib.stride_tricks.as_strided(buf, shape=(size - width + 1, width),
                                               strides=(buf.strides[0], buf.strides[0]),
                                               writeable=False)
        if near == len(starts):
            return view[starts]
        out[:near] = view[starts[:near]]
    if near < len(starts):
        base = max(size - width, 0)
        tail = np.zeros(size - base + width, dtype=np.uint8)
        tail[:size - base] = buf[base:]
        far = np.lib.stride_tricks.as_strided(tail, shape=(size - base + 1, width),
                                              strides=(1, 1), writeable=False)
        out[near:] = far[np.minimum(starts[near:] - base, size - base)]
    return out


def factorize_spans(data: bytes, buf: "np.ndarray", starts: "np.ndarray",
                    widths: "np.ndarray") -> tuple["np.ndarray", list[str]]:
    """Return (codes, distinct values) of byte spans, values in order of first appearance.

    `buf` is `data` as uint8 (it may be followed by zero bytes); `starts`
    ascending. As `pd.factorize` of the decoded strings (tests compare them).
    """
    import numpy as np
    import pandas as pd
    n = len(starts)
    if not n:
        return np.zeros(0, dtype=np.int64), []
    if not widths.any():   # every span empty (a note column nobody wrote in)
        return np.zeros(n, dtype=np.int64), [""]
    narrow = widths <= WIDE_BYTES
    rows = np.flatnonzero(narrow) if not narrow.all() else None
    s = starts if rows is None else starts[rows]
    w = widths if rows is None else widths[rows]
    codes = np.zeros(n, dtype=np.int64)
    names: list[str] = []
    firsts = np.zeros(0, dtype=np.int64)
    if len(s):
        width = max(8, -(-int(w.max()) // 8) * 8)
        words = rows_of(buf, s, width).view(np.uint64)
        masks = _word_masks()
        for k in range(width // 8):                    # the bytes after each field: zero
            words[:, k] &= masks[np.clip(w - 8 * k, 0, 8)]
        # one word is its own exact key; longer rows are keyed by a hash, then compared
        found, _ = pd.factorize(words[:, 0] if width == 8 else row_keys(words))
        found = found.astype(np.int64, copy=False)
        firsts = _firsts(found)
        if width > 8 and not (words == words[firsts[found]]).all():
            found, firsts = _exact(words)               # a hash collision: compare the bytes
        codes_narrow = found
        names = [data[a:a + b].decode("utf-8") for a, b in
                 zip(s[firsts].tolist(), w[firsts].tolist())]
        if rows is None:
            return codes_narrow, names
        codes[rows] = codes_narrow
        firsts = rows[firsts]
    wide = np.flatnonzero(~narrow)
    texts = np.array([data[a:a + b].decode("utf-8") for a, b in
                      zip(starts[wide].tolist(), widths[wide].tolist())], dtype=object)
    found, uniques = pd.factorize(texts)
    codes[wide] = found + len(names)
    wide_firsts = wide[_firsts(found.astype(np.int64, copy=False))]
    names = names + list(uniques)
    order = np.argsort(np.concatenate([firsts, wide_firsts]), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], [names[i] for i in order.tolist()]


def _firsts(codes: "np.ndarray") -> "np.ndarray":
    """The row where each code first appears, for codes numbered in order of first appearance."""
    import numpy as np
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    np.greater(codes[1:], seen[:-1], out=new[1:])
    return np.flatnonzero(new)


def _word_masks() -> "np.ndarray":
    """`masks[j]`: the 64-bit word that keeps a word's first j bytes (in memory order)."""
    import numpy as np
    table = np.zeros((9, 8), dtype=np.uint8)
    for j in range(9):
        table[j, :j] = 0xFF
    return table.view(np.uint64).ravel()


def row_keys(words: "np.ndarray") -> "np.ndarray":
    """Return a 64-bit key per row of 64-bit words: the word itself, or a hash of several."""
    import numpy as np
    key = words[:, 0].copy()
    for k in range(1, words.shape[1]):
        key = (key ^ (key >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9) + words[:, k]
    return key


def _exact(table: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """Codes and first rows of a matrix's rows, compared whole (order of appearance)."""
    import numpy as np
    rows = np.ascontiguousarray(table).view(f"V{table.shape[1] * table.itemsize}").ravel()
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


__all__ = ["checked_from", "checked_lines", "frame_from_bytes", "frame_from_lines",
           "factorize_spans", "rows_of", "table_times_valid", "WIDE_BYTES"]
