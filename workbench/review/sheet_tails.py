"""Each sheet's latest values kept in .workbench/, so a command reads only what was appended.

Sheets are append-only: a save adds lines at the end and never rewrites one.
So the latest-wins rows of a sheet (`workbench.review.decision_frames`'s
`latest_rows`: the latest event of every (stage, study, field), with its
line and the order cells and fields first appeared) can be kept together
with the byte offset they cover, and the next command reads only the bytes
after it:

- `.workbench/sheets/<sheet>.json` (sealed JSON, `workbench.store.cache`):
  the key, the offset covered, the number of lines in it, the SHA-256 of
  the covered bytes, the file's inode, the header, the categories (study
  ids, fields, values, ...) and the SHA-256 of
- `.workbench/sheets/<sheet>.npz`: the rows' category codes, lines and
  orders, and their times (numpy arrays, read with allow_pickle=False).

The covered bytes are hashed on every read (150 MB hash in a fraction of a
second, next to seconds of parsing): a sheet that shrank, was replaced
(another inode) or edited before the offset is read in full again, as is
one whose cache is missing, damaged, edited by hand, written by other code
(the source of the reading modules is in the key) or sealed elsewhere.

The bytes after the offset are read by the sheet reader itself
(`workbench.store.sheet_frame.read_sheet_frame` on the header and those
bytes), so a torn last line is what it always is: set aside, and left
outside the offset for the next command to read again. Anything else
irregular after the offset (a line a save marked torn, a line edited by
hand, a wrong check) makes the whole sheet read in full, so every problem
and line is judged exactly as before. The offset is only ever put where a
record starts: after a line the fast reader took as one event, in a
sheet without any '"' (where every line is its own record), or at the end of
a sheet the reader took whole without a problem (records spanning lines, e.g.
a note holding a line break, included: no quote is open at its end).

The rows after the merge are exactly `latest_rows`' (tests compare them on
random appends, torn lines, hand edits, replaced and shortened sheets). A
small tail is merged in memory and not written back (reading it again is
cheaper than rewriting the cache); once it passes `SAVE_TAIL_BYTES` the
cache is rewritten. Writing is best effort (a read-only folder just reads).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat as stat_mod
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from workbench.core.events import COLUMNS
from workbench.store.cache import read_cache, write_cache

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Bump when what is cached changes shape.
CACHE_VERSION = 1
FOLDER = "sheets"
KIND = "sheet-latest"
#: A tail longer than this is merged and written back; a shorter one is read again next time.
SAVE_TAIL_BYTES = 1 << 20
#: The categorical columns of the latest rows (`time` is text).
CATEGORIES = tuple(c for c in COLUMNS if c != "time")
#: The modules whose code decides the cached rows (their source is in the key).
MODULES = ("workbench.core.events", "workbench.store.sheet_reading",
           "workbench.store.sheet_frame", "workbench.review.decision_frames",
           "workbench.review.sheet_tails", "workbench.review.tail_frames")
#: The per-field parts `decision_frames.field_info` computes.
INFO = ("prefix", "parts", "rowkey", "group", "sub")
_CHECKED_LINES = re.compile(rb"(?:[^\n]*,[0-9a-f]{8}\n)*")
_LOCK = threading.Lock()


@dataclass
class SheetTail:
    """One sheet's latest rows as arrays, the bytes they cover, and the file they came from.

    `codes[c]` index `cats[c]`; `line`, `cell`, `first` are as in `latest_rows`.
    `offset` bytes (`lines` lines) of the file are covered; `size` is how
    many bytes the file had when read.
    """

    cats: dict[str, list[str]]
    codes: dict[str, "np.ndarray"]
    times: "np.ndarray"
    line: "np.ndarray"
    cell: "np.ndarray"
    first: "np.ndarray"
    offset: int
    lines: int
    digest: str
    inode: int
    header: bytes
    size: int = 0
    frames: dict = field(default_factory=dict)
    #: column -> `pd.Index` of `cats[column]`, made once (a 272k-field sheet's is ~0.1 s).
    indexes: dict = field(default_factory=dict)
    #: `decision_frames.field_info` of `cats["field"]` (without its entry for a missing value).
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.line)

    @property
    def version(self) -> list:
        """[inode, offset, SHA-256 of the covered bytes]: what a cache built on these rows names."""
        return [self.inode, self.offset, self.digest]


def cache_paths(root: Path, sheet: Path) -> tuple[Path, Path]:
    """Return (the sealed JSON, the arrays) of one sheet's cache under root/.workbench/sheets/."""
    folder = Path(root) / ".workbench" / FOLDER
    return folder / f"{sheet.name}.json", folder / f"{sheet.name}.npz"


def _static_key() -> str:
    from workbench.review.status_cache import code_digest
    return hashlib.sha256(f"{CACHE_VERSION}:".encode() + code_digest(MODULES)).hexdigest()


def _memo(review) -> dict:
    memo = getattr(review, "_sheet_tails", None)
    if memo is None:
        memo = {}
        try:
            review._sheet_tails = memo
        except AttributeError:
            pass
    return memo


def _stat(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat_mod.S_ISREG(st.st_mode):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def sheet_tail(review, path: str | Path) -> SheetTail | None:
    """Return a sheet's latest rows, from its cache and the bytes appended since.

    Read once per command while the file is unchanged. None when the sheet
    is missing, not a regular file, unreadable or has no header line yet:
    the ordinary reader answers (and reports) those.
    """
    path = Path(path)
    stat = _stat(path)
    if stat is None:
        return None
    memo = _memo(review)
    key = str(path.resolve())
    with _LOCK:
        hit = memo.get(key)
    if hit is not None and hit[0] == stat:
        return hit[1]
    found = _load(review, path, stat)
    if found is not None and _stat(path) == stat and found.size == stat[0]:
        with _LOCK:
            memo[key] = (stat, found)
    return found


def read_sheet_bytes(path: Path) -> tuple[bytes, int] | None:
    """A regular sheet's bytes and inode (None: missing, not a file, unreadable, too big)."""
    from workbench.store.sheet_reading import MAX_SHEET_BYTES
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)   # a FIFO does not hang the open
        with open(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat_mod.S_ISREG(st.st_mode) or st.st_size > MAX_SHEET_BYTES:
                return None
            return handle.read(), st.st_ino
    except OSError:
        return None


def _load(review, path: Path, stat: tuple) -> SheetTail | None:
    read = read_sheet_bytes(path)
    if read is None:
        return None
    data, inode = read
    header_end = data.find(b"\n")
    if header_end < 0:
        return None
    header = data[:header_end + 1]
    static = _static_key()
    base = _cached(review.root, path, data, inode, header, static)
    if base is not None:
        if base.offset == len(data):
            base.size = len(data)
            return base
        merged = _with_tail(base, data, path)
        if merged is not None:
            if merged.offset - base.offset >= SAVE_TAIL_BYTES:
                _save(review.root, path, merged, static)
            return merged
    full = _full(review, path, data, inode, header, stat)
    if full is not None and full.offset > len(header):
        _save(review.root, path, full, static)
    return full


def _cached(root: Path, path: Path, data: bytes, inode: int, header: bytes,
            static: str) -> SheetTail | None:
    """The cached rows when they cover an unchanged prefix of `data`; None otherwise."""
    import numpy as np
    meta_path, arrays_path = cache_paths(root, path)
    meta = read_cache(meta_path, KIND)
    if not isinstance(meta, dict) or meta.get("key") != static or meta.get("name") != path.name:
        return None
    try:
        offset, inode_was, digest = int(meta["offset"]), int(meta["inode"]), str(meta["digest"])
        if inode_was != inode or not len(header) <= offset <= len(data) \
                or meta["header"] != header.decode("utf-8", errors="replace"):
            return None
        if hashlib.sha256(memoryview(data)[:offset]).hexdigest() != digest:
            return None
        with open(arrays_path, "rb") as handle:
            raw = handle.read()
        if hashlib.sha256(raw).hexdigest() != meta["arrays"]:
            return None
        with np.load(io.BytesIO(raw), allow_pickle=False) as found:
            arrays = {name: found[name] for name in found.files}
        cats = {c: _unpacked(meta["cats"][c]) for c in CATEGORIES}
        codes = {c: arrays[c].astype(np.int64) for c in CATEGORIES}
        times = np.asarray(arrays["times"].tobytes().decode("utf-8").split("\n")
                           if len(arrays["line"]) else [], dtype=object)
        tail = SheetTail(cats, codes, times, arrays["line"].astype(np.int64),
                         arrays["cell"].astype(np.int64), arrays["first"].astype(np.int64),
                         offset, int(meta["lines"]), digest, inode, header)
        tail.info = {k: _unpacked(meta["info"][k]) for k in INFO if k != "parts"}
        tail.info["parts"] = arrays["parts"].astype(np.int64).tolist()
        if any(len(v) != len(cats["field"]) for v in tail.info.values()):
            return None
    except (OSError, KeyError, TypeError, ValueError, UnicodeDecodeError, AttributeError):
        return None
    n = len(tail.line)
    if len(times) != n or any(len(a) != n for a in (*codes.values(), tail.cell, tail.first)) \
            or any(len(codes[c]) and (codes[c].min() < 0 or codes[c].max() >= len(cats[c]))
                   for c in CATEGORIES):
        return None
    return tail


def _save(root: Path, path: Path, tail: SheetTail, static: str) -> None:
    """Write one sheet's cache (arrays first, then the sealed JSON naming their digest)."""
    import numpy as np
    meta_path, arrays_path = cache_paths(root, path)
    buffer = io.BytesIO()
    small = {c: tail.codes[c].astype(np.int32) for c in CATEGORIES}
    np.savez(buffer, line=tail.line.astype(np.int64), cell=tail.cell.astype(np.int64),
             first=tail.first.astype(np.int64),
             times=np.frombuffer("\n".join(tail.times.tolist()).encode("utf-8"), dtype=np.uint8),
             parts=np.asarray(tail.info["parts"], dtype=np.int64), **small)
    raw = buffer.getvalue()
    tmp = arrays_path.with_name(f"{arrays_path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        arrays_path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)   # a stale one, or a link placed there: never written through
        with open(tmp, "xb") as handle:
            handle.write(raw)
        os.replace(tmp, arrays_path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return
    write_cache(meta_path, KIND, {
        "key": static, "name": path.name, "inode": tail.inode, "offset": tail.offset,
        "lines": tail.lines, "digest": tail.digest,
        "header": tail.header.decode("utf-8", errors="replace"),
        "arrays": hashlib.sha256(raw).hexdigest(),
        "cats": {c: _packed(v) for c, v in tail.cats.items()},
        "info": {k: _packed(v) for k, v in tail.info.items() if k != "parts"}})


def _packed(values: list[str]):
    """A list of texts as one text joined by NUL (no event holds one), else as the list."""
    joined = "\0".join(values)
    if joined.count("\0") != max(len(values) - 1, 0):
        return values
    return [len(values), joined]


def _unpacked(found) -> list[str]:
    if len(found) == 2 and isinstance(found[0], int) and isinstance(found[1], str):
        out = found[1].split("\0") if found[0] else []
        if len(out) != found[0]:
            raise ValueError("packed texts of the wrong length")
        return out
    return [str(v) for v in found]


# -- reading ------------------------------------------------------------------------------------
def line_start(data: bytes, line: int, total_newlines: int | None = None) -> int:
    """The byte offset where 1-based `line` of `data` starts, walking back from the end (a
    torn line is near it) to the newline before it: a torn record may hold newlines of its
    own (an unclosed quote). `total_newlines`: `data.count(b"\\n")` when already known."""
    if line <= 1:
        return 0
    if total_newlines is None:
        total_newlines = data.count(b"\n")
    end = len(data)
    for _ in range(total_newlines - line + 2):   # the newlines from the (line-1)th on
        end = data.rindex(b"\n", 0, end)
    return end + 1


def _torn_line(problems) -> int | None:
    """The line of a torn last record among a read's problems (None if none); -1 if any other."""
    from workbench.store.sheet_reading import TORN_MESSAGE
    torn = None
    for p in problems:
        if p.message == TORN_MESSAGE:
            torn = p.line
        else:
            return -1
    return torn


def _full(review, path: Path, data: bytes, inode: int, header: bytes,
          stat: tuple) -> SheetTail | None:
    """Read the whole sheet (the ordinary reader) and keep its latest rows as arrays."""
    import numpy as np
    from workbench.review import decision_frames as df
    from workbench.review.sheet_reads import review_sheet_frame
    frame = review_sheet_frame(review, path, aliased=False, data=data, data_stat=stat)
    before = stat
    latest = df.latest_of_frame(frame)
    torn = _torn_line(frame.problems)
    newlines = data.count(b"\n")
    offset = len(data)
    if torn not in (None, -1):
        offset = line_start(data, torn, newlines)
    elif not data.endswith(b"\n"):
        offset = 0
    clean = torn != -1 and np.array_equal(frame.lines, np.arange(2, len(frame.lines) + 2))
    # The file's end is where a record starts even when records span lines: the reader
    # took every byte as whole events without a problem (an unclosed quote at the end
    # is a torn record, a problem), so after the last line break no quote is open.
    whole = not frame.problems and data.endswith(b"\n") and offset == len(data)
    if not clean and b'"' in data and not whole:
        offset = 0   # a record may span lines here: no safe place to resume from
    if offset < len(header) or _stat(path) != before:
        offset = 0   # no place to resume from, or the file changed while read: cache nothing
    return _from_latest(latest, offset, data, inode, header)


def _from_latest(latest: "pd.DataFrame", offset: int, data: bytes, inode: int,
                 header: bytes) -> SheetTail:
    import numpy as np
    cats = {c: latest[c].cat.categories.tolist() for c in CATEGORIES}
    codes = {c: latest[c].cat.codes.to_numpy().astype(np.int64) for c in CATEGORIES}
    tail = SheetTail(cats, codes, latest["time"].to_numpy(dtype=object),
                     latest["line"].to_numpy().astype(np.int64),
                     latest["cell"].to_numpy().astype(np.int64),
                     latest["first"].to_numpy().astype(np.int64), offset,
                     data.count(b"\n", 0, offset), "", inode, header, len(data))
    tail.digest = hashlib.sha256(memoryview(data)[:offset]).hexdigest()
    fcode = codes["field"]
    _, at = np.unique(fcode, return_index=True)
    if len(at) == len(cats["field"]):   # every field has a latest row: its parts are there
        tail.info = {k: latest[k].to_numpy()[at].tolist() for k in INFO}
    else:
        tail.info = _field_info(cats["field"])
    tail.frames[False] = latest
    return tail


def _field_info(names: list[str]) -> dict[str, list]:
    import pandas as pd
    from workbench.review.decision_frames import field_info
    info = field_info(pd.Index(names, dtype=object))
    return {k: info[k][:-1].tolist() for k in INFO}


def _read_tail(header: bytes, tail: bytes):
    """Read the header and the bytes after the offset as a sheet of their own."""
    from workbench.store.sheet_frame import read_sheet_frame
    with tempfile.TemporaryDirectory(prefix="workbench-tail-") as folder:
        scratch = Path(folder) / "tail.csv"
        scratch.write_bytes(header + tail)
        return read_sheet_frame(scratch)


def _with_tail(base: SheetTail, data: bytes, path: Path) -> SheetTail | None:
    """The cached rows with the events after the offset applied; None: read the sheet in full."""
    import numpy as np
    import pandas as pd
    from workbench.core.events import COLUMNS as EVENT_COLUMNS
    tail = data[base.offset:]
    complete = tail[:tail.rfind(b"\n") + 1]
    if base.header.lstrip(b"\xef\xbb\xbf").rstrip(b"\n") == ",".join(EVENT_COLUMNS).encode() \
            and not _CHECKED_LINES.fullmatch(complete):
        return None   # an older sheet: an unchecked line after the offset is judged in full
    frame = _read_tail(base.header, tail)
    torn = _torn_line(frame.problems)
    if torn == -1:
        return None
    covered = len(tail) if torn is None else \
        line_start(tail, torn - 1)
    if torn is None and not tail.endswith(b"\n"):
        return None
    out = SheetTail(dict(base.cats), dict(base.codes), base.times, base.line, base.cell,
                    base.first, base.offset + covered,
                    base.lines + tail.count(b"\n", 0, covered), "", base.inode, base.header,
                    len(data))
    out.digest = hashlib.sha256(memoryview(data)[:out.offset]).hexdigest()
    out.info = base.info
    events = frame.events
    if not len(events):
        return out
    shifted = frame.lines.astype(np.int64) - 1 + base.lines
    new = {}
    for c in CATEGORIES:
        mapping, out.cats[c] = _codes_in(base.cats[c], events[c].cat.categories.tolist())
        new[c] = mapping[events[c].cat.codes.to_numpy()]
    if len(out.cats["field"]) > len(base.cats["field"]):
        more = _field_info(out.cats["field"][len(base.cats["field"]):])
        out.info = {k: base.info[k] + more[k] for k in INFO}
    n_study, n_field = len(out.cats["study_id"]) + 1, len(out.cats["field"]) + 1
    old_cell = base.codes["stage"] * n_study + base.codes["study_id"]
    old_key = old_cell * n_field + base.codes["field"]
    t_cell = new["stage"] * n_study + new["study_id"]
    t_key = t_cell * n_field + new["field"]
    last = ~pd.Series(t_key).duplicated(keep="last").to_numpy()
    keep = ~np.isin(old_key, t_key[last])
    # The order fields and cells first appeared: the cache's for what it has; after all
    # of those, in order of first appearance in the tail, for the new ones.
    new_first = _ranks(old_key, base.first, t_key, last, len(base.line))
    n_cells = int(base.cell.max()) + 1 if len(base.cell) else 0
    new_cell = _ranks(old_cell, base.cell, t_cell, last, n_cells)
    out.codes = {c: np.concatenate([base.codes[c][keep], new[c][last]]) for c in CATEGORIES}
    out.times = np.concatenate([base.times[keep], events["time"].to_numpy(dtype=object)[last]])
    out.line = np.concatenate([base.line[keep], shifted[last]])
    out.cell = np.concatenate([base.cell[keep], new_cell])
    out.first = np.concatenate([base.first[keep], new_first])
    out.frames = {}
    return out


def _codes_in(cats: list[str], values: list[str]) -> tuple["np.ndarray", list[str]]:
    """Return (each value's code in `cats`, `cats` with the new values added: a copy if any)."""
    import numpy as np
    if len(values) > 64:
        index = {v: i for i, v in enumerate(cats)}
        found = [index.get(v, -1) for v in values]
    else:
        found = []
        for v in values:
            try:
                found.append(cats.index(v))
            except ValueError:
                found.append(-1)
    if -1 in found:
        cats = list(cats)
        for i, v in enumerate(values):
            if found[i] == -1:
                found[i] = len(cats)
                cats.append(v)
    return np.asarray(found, dtype=np.int64), cats


def _ranks(old: "np.ndarray", old_rank: "np.ndarray", keys: "np.ndarray", last: "np.ndarray",
           start: int) -> "np.ndarray":
    """The first-appearance rank of each latest tail row's key (`old` keys keep theirs)."""
    import numpy as np
    import pandas as pd
    rows = np.flatnonzero(np.isin(old, keys))     # the cached rows of the tail's keys
    uniq, at = np.unique(old[rows], return_index=True)
    found = pd.Index(uniq).get_indexer(keys)
    out = np.zeros(int(last.sum()), dtype=np.int64)
    hit = found[last]
    known = hit >= 0
    out[known] = old_rank[rows[at[hit[known]]]]
    if (~known).any():
        _, fresh = pd.factorize(keys[found < 0])   # new keys, in order of first appearance
        out[~known] = start + pd.Index(fresh).get_indexer(keys[last][~known])
    return out


# -- what commands use --------------------------------------------------------------------------
def touched_since(review, path: str | Path, version: list | None) -> set[str] | None:
    """Return the study ids (as written) of the events appended since `version`, or None.

    `version` is a `SheetTail.version` recorded earlier. None when the sheet
    is not an extension of what that version covered (replaced, shortened,
    edited before it) or cannot be told: then everything must be recounted.
    A few more ids than were touched may be named (harmless to recount).
    """
    tail = sheet_tail(review, path)
    if tail is None or not version or len(version) != 3:
        return None
    inode, offset, digest = version
    if inode != tail.inode or not isinstance(offset, int) or offset > tail.size \
            or offset < len(tail.header):
        return None
    if offset == tail.offset and digest == tail.digest:
        return set()
    read = read_sheet_bytes(Path(path))
    if read is None or read[1] != inode or len(read[0]) < offset:
        return None
    data = read[0]
    if hashlib.sha256(memoryview(data)[:offset]).hexdigest() != digest:
        return None
    return _study_ids(data[offset:])


def _study_ids(text: bytes) -> set[str] | None:
    """The third field of every line (each event's study id, plus harmless extras)."""
    out = set()
    for line in text.split(b"\n"):
        parts = line.split(b",", 3)
        if len(parts) < 3:
            continue
        if parts[2].startswith(b'"'):
            return None   # a quoted id: not worth parsing here
        out.add(parts[2].decode("utf-8", errors="replace"))
    return out


def versions(review, paths: Iterable[Path]) -> dict[str, list] | None:
    """Return {sheet file name: version} of the sheets, or None when one has no cache."""
    out = {}
    for path in paths:
        path = Path(path)
        if not path.exists():
            out[path.name] = ["missing"]
            continue
        tail = sheet_tail(review, path)
        if tail is None or tail.offset == 0:
            return None
        out[path.name] = tail.version
    return out


__all__ = ["sheet_tail", "touched_since", "versions", "SheetTail", "cache_paths",
           "SAVE_TAIL_BYTES"]
