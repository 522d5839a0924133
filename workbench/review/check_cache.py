"""`workbench check` kept per sheet in .workbench/checks/, so a check reads only what was appended.

Sheets are append-only, so what `check` finds in a sheet's first bytes does
not change when lines are added after them. Per sheet, a sealed JSON
(`workbench.store.cache`) keeps, for the bytes it covers (their offset, the
SHA-256 of those bytes and the file's inode, as `review/sheet_tails.py`
keys its rows):

- the reading problems of those bytes (torn, cut or malformed lines...);
- how many events they hold;
- the events of another reviewer ({message: first line, study, count});
- every study id in order of first appearance, with its first line (the
  unknown ids are picked from these with the review's current ids);
- the times past the clock + FUTURE_SLACK when it was written (the clock
  only moves on, so no other time can become a future one; a clock set
  back reads the sheet in full);
- the problems of the latest values under the codebook it was written
  with (a digest of that codebook).

An unchanged sheet (offset = its size, bytes hashed again on every read) is
answered from that file alone. After a save, only the bytes after the
offset are read, by the sheet reader itself (the header and those bytes);
the latest values' problems are then counted again on the sheet's latest
rows (`sheet_tails.sheet_tail`, which also reads only the new bytes), as
they are after a changed codebook. A sheet that shrank, was replaced or was
edited before the offset, any problem after the offset other than a torn
last line, a missing, damaged or foreign cache, or an older sheet whose
tail holds an unchecked line: the sheet is read and checked in full
(`store.sheet_checks`, the oracle the tests compare with), and the cache
written again. A torn last line is never covered: it is read again next time.

Writing is best effort (a read-only review folder just checks in full).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Collection
from datetime import datetime, timezone
from pathlib import Path

from workbench.core.checks import counted_problems
from workbench.core.events import CONSENSUS
from workbench.errors import Problem
from workbench.store.cache import read_cache, write_cache
from workbench.review.sheet_tails import line_start, read_sheet_bytes
from workbench.store.sheet import format_time

#: Bump when what is cached changes shape.
CACHE_VERSION = 1
FOLDER = "checks"
KIND = "sheet-check"
#: The modules whose code decides what is cached (their source is in the key).
MODULES = ("workbench.core.events", "workbench.core.checks", "workbench.core.coding",
           "workbench.store.sheet_reading", "workbench.store.sheet_frame",
           "workbench.store.sheet_bytes", "workbench.store.sheet_checks",
           "workbench.review.check_cache")
#: Lines of an older (8-column) sheet after the offset must all carry a check.
_CHECKED_LINES = re.compile(rb"(?:[^\n]*,[0-9a-f]{8}\n)*")


def cache_path(root: Path, sheet: Path) -> Path:
    """Return the sealed JSON of one sheet's check under root/.workbench/checks/."""
    return Path(root) / ".workbench" / FOLDER / f"{Path(sheet).name}.json"


def codebook_digest(codebook) -> str:
    """A digest of a loaded codebook (what the checks of values depend on)."""
    return hashlib.sha256(repr(codebook).encode("utf-8")).hexdigest()


def _static_key() -> str:
    from workbench.review.status_cache import code_digest
    return hashlib.sha256(f"{CACHE_VERSION}:".encode() + code_digest(MODULES)).hexdigest()


def check_sheets(review, codebook, files: list[Path],
                 study_ids: Collection[str] | None) -> list[Problem]:
    """`store.sheet_checks._check_frames` on these sheets, from their caches where they hold.

    The same problems, in the same order, as checking every sheet in full.

    Raises:
        SheetError: a sheet exists but cannot be read.
    """
    from workbench.store.sheet_checks import _not_a_sheet
    static = _static_key()
    book = codebook_digest(codebook)
    limit = format_time(datetime.now(timezone.utc) + _slack())
    problems: list[Problem] = []
    for path in files:
        if _not_a_sheet(path, problems):
            continue
        summary = _summary(review, codebook, path, static, book, limit)
        problems.extend(summary.problems_for(path, study_ids, limit))
    return problems


def _slack():
    from workbench.store.sheet_checks import FUTURE_SLACK
    return FUTURE_SLACK


class Summary:
    """What `check` found in the first `offset` bytes of one sheet (see the module notes)."""

    def __init__(self, path: str, problems: list[Problem], events: int, reviewers: dict,
                 studies: dict[str, int], late: list[tuple[int, str]], values: dict,
                 torn: Problem | None = None):
        self.path = path
        self.problems = problems      # reading problems, in the reader's order
        self.events = events
        self.reviewers = reviewers    # {message: [line, entry, count]}, in line order
        self.studies = studies        # {study id: first line}, in order of first appearance
        self.late = late              # [(line, time)] past the clock when found, line order
        self.values = values          # {message: [line, entry, count]}, first reported first
        self.torn = torn              # a torn last line after the offset (not covered)

    def problems_for(self, path: Path, study_ids: Collection[str] | None,
                     limit: str) -> list[Problem]:
        """The sheet's problems as `_check_frames` gives them."""
        from workbench.store.sheet_checks import UNKNOWN_LISTED
        name = str(path)
        out = [_renamed(p, self.path, name) for p in self.problems]
        if self.torn is not None:
            out.append(self.torn)
        if not self.events:
            return out
        late = [(line, time) for line, time in self.late if time > limit]
        if late:
            more = f" (and {len(late) - 1} more line{'s' if len(late) > 2 else ''})" \
                if len(late) > 1 else ""
            out.append(Problem(name, late[0][0], None, f"time {late[0][1]!r} is in the "
                               f"future{more}; the event is kept (the order of lines decides), "
                               "but no later save takes its time from it"))
        if study_ids is not None:
            known = study_ids if isinstance(study_ids, (set, frozenset, dict)) \
                else set(study_ids)
            unknown = [(s, line) for s, line in self.studies.items() if s not in known]
            out += [Problem(name, line, f"study {s}", "no such study in this review's "
                            "references (edited by hand, or its export was removed?); its "
                            "decisions are kept but not used")
                    for s, line in unknown[:UNKNOWN_LISTED]]
            if len(unknown) > UNKNOWN_LISTED:
                out.append(Problem(name, unknown[UNKNOWN_LISTED][1], None,
                                   f"and {len(unknown) - UNKNOWN_LISTED} more study ids that "
                                   "are not in this review's references"))
        found = {m: list(slot) for m, slot in self.reviewers.items()}
        for message, slot in self.values.items():
            found[message] = list(slot)
        return out + counted_problems(name, found)


def _renamed(problem: Problem, was: str, now: str) -> Problem:
    if problem.path != was or was == now:
        return problem
    return Problem(now, problem.line, problem.entry, problem.message)


# -- one sheet ----------------------------------------------------------------------------------
def _summary(review, codebook, path: Path, static: str, book: str, limit: str) -> Summary:
    read_stat = _stat4(path)
    read = read_sheet_bytes(path)
    if read is not None:
        data, inode = read
        header = data[:data.find(b"\n") + 1]
        found = _cached(review.root, path, data, inode, header, static, limit) \
            if header else None
        if found is not None:
            meta, summary, hashed = found
            offset = int(meta["offset"])
            if offset == len(data):
                if meta.get("codebook") != book:
                    summary = _with_values(review, codebook, path, summary, data, offset)
                    if summary is not None:
                        _save(review.root, path, meta, summary, static, book, limit)
                if summary is not None:
                    return summary
            else:
                merged = _with_tail(review, codebook, path, meta, summary, data, hashed)
                if merged is not None:
                    meta, summary = merged
                    _save(review.root, path, meta, summary, static, book, limit)
                    return summary
    return _full(review, codebook, path, static, book, limit,
                 None if read is None else (read, read_stat))


def _stat4(path: Path) -> tuple | None:
    """(size, mtime_ns, inode, device) of a file, as `sheet_reads` keys a read (None: no stat)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _cached(root: Path, path: Path, data: bytes, inode: int, header: bytes, static: str,
            limit: str):
    """(meta, Summary, hash of the covered bytes) when the cache covers a prefix of `data`."""
    meta = read_cache(cache_path(root, path), KIND)
    if not isinstance(meta, dict) or meta.get("key") != static or meta.get("name") != path.name:
        return None
    try:
        offset = int(meta["offset"])
        int(meta["lines"])    # the lines the covered bytes hold (sealed with them)
        if int(meta["inode"]) != inode or not len(header) <= offset <= len(data) \
                or meta["header"] != header.decode("utf-8", errors="replace") \
                or str(meta["limit"]) > limit:    # the clock was set back: look again
            return None
        hashed = hashlib.sha256(memoryview(data)[:offset])
        if hashed.hexdigest() != meta["digest"]:
            return None
        built = str(meta["path"])
        problems = [Problem(str(p), None if n is None else int(n),
                            None if e is None else str(e), str(m))
                    for p, n, e, m in meta["problems"]]
        count, joined = meta["studies"]
        ids = joined.split("\0") if count else []
        firsts = meta["study_lines"]
        if len(ids) != int(count) or len(firsts) != len(ids):
            return None
        summary = Summary(built, problems, int(meta["events"]), _slots(meta["reviewers"]),
                          dict(zip(ids, (int(n) for n in firsts))),
                          [(int(n), str(t)) for n, t in meta["late"]],
                          _slots(meta["values"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return meta, summary, hashed


def _slots(found) -> dict[str, list]:
    return {str(m): [int(n), str(e), int(c)] for m, n, e, c in found}


def _save(root: Path, path: Path, meta: dict, summary: Summary, static: str, book: str,
          limit: str) -> None:
    """Write one sheet's check (best effort)."""
    if summary.torn is not None and summary.torn.line is None:
        return
    ids = list(summary.studies)
    joined = "\0".join(ids)
    if joined.count("\0") != max(len(ids) - 1, 0):
        return    # an id holding a NUL: not packed, not cached
    write_cache(cache_path(root, path), KIND, {
        "key": static, "name": path.name, "inode": meta["inode"], "offset": meta["offset"],
        "lines": meta["lines"], "digest": meta["digest"], "header": meta["header"],
        "path": summary.path, "codebook": book, "limit": limit,
        "problems": [[p.path, p.line, p.entry, p.message] for p in summary.problems],
        "events": summary.events,
        "reviewers": [[m, *slot] for m, slot in summary.reviewers.items()],
        "values": [[m, *slot] for m, slot in summary.values.items()],
        "studies": [len(ids), joined], "study_lines": list(summary.studies.values()),
        "late": [[n, t] for n, t in summary.late if t > limit]})


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


def _full(review, codebook, path: Path, static: str, book: str, limit: str,
          given: tuple | None = None) -> Summary:
    """Check the whole sheet (what `_check_frames` does) and keep what it found.

    `given`: ((bytes, inode), stat) of the sheet as `_summary` just read it;
    used (not read again) while the file's stat is still that one.
    """
    import numpy as np
    from workbench.review.sheet_reads import review_sheet_frame
    from workbench.store.sheet_checks import LatestRows, reviewer_slots, value_slots
    before = os.stat(path) if path.exists() else None
    read = None
    if before is not None:
        now = (before.st_size, before.st_mtime_ns, before.st_ino, before.st_dev)
        if given is not None and given[1] == now and len(given[0][0]) == before.st_size:
            read = given[0]
        else:
            read = read_sheet_bytes(path)
    frame = review_sheet_frame(review, path, aliased=False,
                               data=None if read is None else read[0],
                               data_stat=None if before is None else now)
    reviewer = None if path.stem == CONSENSUS else path.stem
    summary = Summary(str(path), list(frame.problems), len(frame.events), {}, {}, [], {})
    if len(frame.events):
        summary.reviewers = reviewer_slots(frame, reviewer)
        summary.studies = _first_lines(frame.events["study_id"], frame.lines)
        summary.late = _late(frame.events["time"], frame.lines, limit)
        summary.values = value_slots(codebook, LatestRows.of_frame(frame))
    if read is None or before is None or _changed(path, before):
        return summary
    data, inode = read
    header = data[:data.find(b"\n") + 1]
    torn = _torn_line(frame.problems)
    offset = len(data)
    if torn not in (None, -1):
        offset = line_start(data, torn)
        summary.problems = [p for p in summary.problems if p.line != torn]
        summary.torn = [p for p in frame.problems if p.line == torn][-1]
    elif not data.endswith(b"\n"):
        return summary
    clean = torn != -1 and np.array_equal(frame.lines, np.arange(2, len(frame.lines) + 2))
    if (not clean and b'"' in data) or not header or offset < len(header):
        return summary   # a record may span lines here: no safe place to resume from
    meta = {"inode": inode, "offset": offset, "lines": data.count(b"\n", 0, offset),
            "digest": hashlib.sha256(memoryview(data)[:offset]).hexdigest(),
            "header": header.decode("utf-8", errors="replace")}
    _save(review.root, path, meta, summary, static, book, limit)
    return summary


def _changed(path: Path, before) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return True
    return (now.st_size, now.st_mtime_ns, now.st_ino) != \
        (before.st_size, before.st_mtime_ns, before.st_ino)


def _first_lines(study, lines) -> dict[str, int]:
    """{study id: its first line}, in order of first appearance."""
    import numpy as np
    codes = study.cat.codes.to_numpy()
    names = study.cat.categories.tolist()
    _, at = np.unique(codes, return_index=True)
    at = np.sort(at)
    return dict(zip((names[c] for c in codes[at].tolist()), np.asarray(lines)[at].tolist()))


def _late(times, lines, limit: str) -> list[tuple[int, str]]:
    import numpy as np
    values = times.to_numpy(dtype=object)
    rows = np.flatnonzero(values > limit)
    return [(int(lines[i]), str(values[i])) for i in rows.tolist()]


def _read_tail(header: bytes, tail: bytes):
    """Read the header and the bytes after the offset as a sheet of their own."""
    from workbench.store.sheet_frame import read_sheet_frame
    with tempfile.TemporaryDirectory(prefix="workbench-check-") as folder:
        scratch = Path(folder) / "tail.csv"
        scratch.write_bytes(header + tail)
        return read_sheet_frame(scratch)


def _with_tail(review, codebook, path: Path, meta: dict, base: Summary, data: bytes, hashed):
    """(meta, Summary) of the whole sheet from the cache and the bytes after it; None: in full."""
    from workbench.core.events import COLUMNS
    from workbench.store.sheet_checks import reviewer_slots
    offset, lines = int(meta["offset"]), int(meta["lines"])
    header = data[:data.find(b"\n") + 1]
    tail = data[offset:]
    complete = tail[:tail.rfind(b"\n") + 1]
    if header.lstrip(b"\xef\xbb\xbf").rstrip(b"\r\n") == ",".join(COLUMNS).encode() \
            and not _CHECKED_LINES.fullmatch(complete):
        return None   # an older sheet: an unchecked line after the offset is judged in full
    frame = _read_tail(header, tail)
    torn = _torn_line(frame.problems)
    if torn == -1 or (torn is None and not tail.endswith(b"\n")):
        return None
    covered = len(tail) if torn is None else line_start(tail, torn - 1)
    shift = lines - 1
    summary = Summary(base.path, base.problems, base.events + len(frame.events),
                      dict(base.reviewers), dict(base.studies), list(base.late), base.values)
    if torn is not None:
        was = frame.problems[-1]
        summary.torn = Problem(str(path), torn + shift, was.entry, was.message)
    if len(frame.events):
        import numpy as np
        moved = frame.lines.astype(np.int64) + shift
        reviewer = None if path.stem == CONSENSUS else path.stem
        for message, (line, entry, count) in reviewer_slots(frame, reviewer).items():
            slot = summary.reviewers.get(message)
            if slot is None:
                summary.reviewers[message] = [line + shift, entry, count]
            else:
                slot[2] += count
        summary.reviewers = dict(sorted(summary.reviewers.items(), key=lambda kv: kv[1][0]))
        for study, line in _first_lines(frame.events["study_id"], moved).items():
            summary.studies.setdefault(study, line)
        summary.late += _late(frame.events["time"], moved, "")  # every time: filtered on use
        summary.late = [(n, t) for n, t in summary.late if t > str(meta["limit"])]
    new_offset = offset + covered
    digest = hashed.copy()
    digest.update(memoryview(data)[offset:new_offset])
    meta = {**meta, "offset": new_offset, "lines": lines + tail.count(b"\n", 0, covered),
            "digest": digest.hexdigest()}
    if len(frame.events):
        summary = _with_values(review, codebook, path, summary, data, new_offset)
        if summary is None:
            return None
    return meta, summary


def _with_values(review, codebook, path: Path, summary: Summary, data: bytes,
                 offset: int) -> Summary | None:
    """The summary with its latest values checked again, on the sheet's cached latest rows."""
    import numpy as np
    from workbench.review.sheet_tails import sheet_tail
    from workbench.store.sheet_checks import LatestRows, value_slots
    if not summary.events:
        summary.values = {}
        return summary
    rows = sheet_tail(review, path)
    if rows is None or rows.size != len(data) or rows.offset != offset:
        return None   # the file moved on while read, or the rows cover other bytes
    order = np.argsort(rows.first, kind="stable")
    latest = LatestRows(rows.codes["stage"][order], rows.codes["study_id"][order],
                        rows.codes["field"][order], rows.codes["value"][order],
                        rows.line[order], rows.cats["stage"], rows.cats["study_id"],
                        rows.cats["field"], rows.cats["value"])
    summary.values = value_slots(codebook, latest)
    return summary


__all__ = ["check_sheets", "cache_path", "Summary"]
