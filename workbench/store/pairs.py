"""People's answers about duplicate pairs: one append-only CSV per reviewer.

`coding/duplicates/<reviewer>.csv` has the columns time, reviewer, record_a,
record_b, verdict, note. Each answer is appended, flushed and fsynced before
`append_pair_decision` returns, so a crash loses at most the answer in flight;
a failed write (full disk, read-only folder) leaves the file as it was (no
half line, no empty file). Files from several reviewers (or machines) merge
without conflicts; the latest answer per pair stands (`latest_pair_decisions`).
Times are validated on reading: a line with an impossible time, or one more
than a day in the future (it would win every later answer), is reported and
ignored.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.core.dedupe.duplicates import VERDICTS, PairDecision, latest_pair_decisions
from workbench.errors import DedupeError, Problem
from workbench.store.files import open_for_append, read_regular_file
from workbench.store.sheet_reading import allow_long_fields

log = logging.getLogger(__name__)

COLUMNS = ("time", "reviewer", "record_a", "record_b", "verdict", "note")
FOLDER = Path("coding") / "duplicates"
_REVIEWER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: A pair-answer file larger than this is not read.
MAX_PAIRS_BYTES = 256 << 20
#: How far in the future a pair answer's time may be before it is refused on reading.
FUTURE_SLACK = timedelta(days=1)
TORN = "torn"
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$")


def _is_real_time(text: str) -> bool:
    """True for an ISO-8601 UTC time ending in Z (fraction optional) of a real date."""
    if not _TIME.match(text):
        return False
    try:
        datetime.fromisoformat(text[:-1])
    except ValueError:
        return False
    return True

__all__ = ["COLUMNS", "append_pair_decision", "read_pair_decisions", "read_pair_decisions_report",
           "latest_pair_decisions", "pair_decisions_path", "now_iso"]


def now_iso() -> str:
    """Return the current time as ISO-8601 UTC with microseconds and a Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pair_decisions_path(review_dir: str | Path, reviewer: str) -> Path:
    """Return the path of a reviewer's duplicate-decision file.

    Raises:
        DedupeError: the reviewer name cannot be a file name.
    """
    if not _REVIEWER.match(reviewer or ""):
        raise DedupeError(f"reviewer name {reviewer!r} must be letters, digits, '.', '_' or '-'")
    return Path(review_dir) / FOLDER / f"{reviewer}.csv"


def append_pair_decision(review_dir: str | Path, decision: PairDecision) -> Path:
    """Append one answer to the reviewer's file, flushed and fsynced before returning.

    Args:
        review_dir: the review folder.
        decision: the answer; `time` may be "" to stamp it now.

    Returns:
        The path of the file written.

    Raises:
        DedupeError: invalid verdict, same record twice, or the file cannot be written.
    """
    if decision.verdict not in VERDICTS:
        raise DedupeError(f"verdict {decision.verdict!r} must be one of {', '.join(VERDICTS)}")
    if not decision.record_a or not decision.record_b or decision.record_a == decision.record_b:
        raise DedupeError(f"a pair needs two different records, got {decision.record_a!r} "
                          f"and {decision.record_b!r}")
    path = pair_decisions_path(review_dir, decision.reviewer)
    row = [decision.time or now_iso(), decision.reviewer, decision.record_a, decision.record_b,
           decision.verdict, " ".join(decision.note.splitlines())]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = open_for_append(path, "answers file")
    except OSError as exc:
        raise DedupeError(f"cannot save the answer: {exc.strerror or exc}", path=path,
                          hint="the answer was not saved") from exc
    size = None
    try:
        size = os.fstat(fd).st_size
        prefix = ",".join(COLUMNS) + "\n" if size == 0 else \
            "" if os.pread(fd, 1, size - 1) == b"\n" else _close_torn_line(fd, size)
        view = memoryview((prefix + buffer.getvalue()).encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        try:
            if size == 0:
                path.unlink(missing_ok=True)
            elif size is not None:
                os.ftruncate(fd, size)
        except OSError as again:
            log.error("could not undo a partial write to %s: %s", path, again)
        raise DedupeError(f"cannot save the answer: {exc.strerror or exc}", path=path,
                          hint="the answer was not saved; earlier answers are intact") from exc
    finally:
        os.close(fd)
    return path


def _close_torn_line(fd: int, size: int) -> str:
    """What ends a torn last line (a crash mid-append) so it can never read as an answer.

    An open quote is closed, then two `torn` fields are added: whatever part
    of a line was left then has a wrong width or the verdict `torn`.
    """
    quotes = os.pread(fd, size, 0).count(b'"') if size <= MAX_PAIRS_BYTES else 0
    return ('"' if quotes % 2 else "") + f",{TORN},{TORN}\n"


def read_pair_decisions_report(review_dir: str | Path) -> tuple[list[PairDecision], list[Problem]]:
    """Return every reviewer's answers and the problems found reading them.

    A torn last line (a crash mid-append) is reported as a Problem and skipped;
    so is any other unreadable row. Nothing raises for bad rows.

    Args:
        review_dir: the review folder.

    Returns:
        (answers from all files, ordered by file name then line; problems).
    """
    folder = Path(review_dir) / FOLDER
    decisions: list[PairDecision] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return decisions, problems
    allow_long_fields()
    future = (datetime.now(timezone.utc) + FUTURE_SLACK).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for path in sorted(folder.glob("*.csv")):
        shown = str(path.relative_to(review_dir)) if path.is_relative_to(review_dir) else str(path)
        try:
            raw = read_regular_file(path, MAX_PAIRS_BYTES, what="answers file").decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, None, None, f"cannot read: {exc}"))
            continue
        torn = bool(raw) and not raw.endswith("\n")
        lines = raw.splitlines()
        if not lines:
            continue
        header = next(csv.reader([lines[0]]), [])
        if tuple(header) != COLUMNS:
            problems.append(Problem(shown, 1, None, f"header must be {','.join(COLUMNS)}; file skipped"))
            continue
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            is_last = number == len(lines)
            fields = next(csv.reader([line]), [])
            if fields and fields[-1] == TORN:
                problems.append(Problem(shown, number, None, "incomplete line (a save was "
                                        "interrupted, the answer never confirmed); line ignored"))
                continue
            if len(fields) != len(COLUMNS) or (torn and is_last):
                what = "last line is incomplete (interrupted save)" if is_last and torn else \
                    f"expected {len(COLUMNS)} columns, found {len(fields)}"
                problems.append(Problem(shown, number, None, f"{what}; line ignored"))
                continue
            decision = PairDecision(*fields)
            if not _is_real_time(decision.time) or decision.time > future:
                what = "is in the future" if _is_real_time(decision.time) else "is not a real time"
                problems.append(Problem(shown, number, None, f"time {decision.time!r} {what}; "
                                        "line ignored"))
                continue
            if decision.verdict not in VERDICTS:
                problems.append(Problem(shown, number, None,
                                        f"verdict {decision.verdict!r} is not same, different or possible; line ignored"))
                continue
            decisions.append(decision)
    for problem in problems:
        log.warning("%s", problem)
    return decisions, problems


def read_pair_decisions(review_dir: str | Path) -> list[PairDecision]:
    """Return every reviewer's answers; unreadable lines are logged as warnings and skipped.

    Args:
        review_dir: the review folder.

    Returns:
        All answers from coding/duplicates/*.csv (use `latest_pair_decisions` for the standing ones).
    """
    return read_pair_decisions_report(review_dir)[0]
