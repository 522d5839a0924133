"""Check every coding sheet of a review against its codebook (`workbench check`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.core.checks import check_sheet_events
from workbench.core.codebook import Codebook
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.errors import Problem
from workbench.store.sheet import Event, format_time, paused_gc, read_sheet

#: A time this far past the clock is reported (a machine's clock may be off by minutes).
FUTURE_SLACK = timedelta(days=1)
#: Unknown study ids listed one by one per sheet before the rest are counted together.
UNKNOWN_LISTED = 20


def sheet_files(coding_dir: str | Path) -> list[Path]:
    """Return the sheets in coding/ (every *.csv), the consensus sheet last."""
    folder = Path(coding_dir)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.csv") if p.stem != CONSENSUS)
    consensus = folder / f"{CONSENSUS}.csv"
    return files + ([consensus] if consensus.exists() else [])


def check_coding(codebook: Codebook, coding_dir: str | Path,
                 study_ids: Collection[str] | None = None) -> list[Problem]:
    """Read every sheet in coding/ and return its reading problems and codebook problems.

    Torn, cut or malformed lines, impossible and future times, events of
    another reviewer, unknown stages, fields and codes, decisions on study
    ids the review does not have, and values no longer valid are reported;
    renamed codes are reported as carried over. Nothing is modified.

    Args:
        codebook: the loaded codebook.
        coding_dir: the review's coding/ folder (its form is used in messages).
        study_ids: the review's study ids (and the old ids merged into them);
            None skips that check.

    Returns:
        The problems, sheet by sheet, in line order.

    Raises:
        SheetError: a sheet exists but cannot be read.
    """
    with paused_gc():
        return _check_files(codebook, sheet_files(coding_dir), study_ids)


def _future_times(path: str, events: list[Event], lines: list[int]) -> list[Problem]:
    limit = format_time(datetime.now(timezone.utc) + FUTURE_SLACK)
    late = [(line, e.time) for e, line in zip(events, lines) if e.time > limit]
    if not late:
        return []
    more = f" (and {len(late) - 1} more line{'s' if len(late) > 2 else ''})" if len(late) > 1 \
        else ""
    return [Problem(path, late[0][0], None, f"time {late[0][1]!r} is in the future{more}; "
                    "the event is kept (the order of lines decides), but no later save takes "
                    "its time from it")]


def _unknown_studies(path: str, events: list[Event], lines: list[int],
                     study_ids: Collection[str]) -> list[Problem]:
    first: dict[str, int] = {}
    for event, line in zip(events, lines):
        if event.study_id not in study_ids and event.study_id not in first:
            first[event.study_id] = line
    out = [Problem(path, line, f"study {study}", "no such study in this review's references "
                   "(edited by hand, or its export was removed?); its decisions are kept but "
                   "not used") for study, line in list(first.items())[:UNKNOWN_LISTED]]
    rest = list(first.items())[UNKNOWN_LISTED:]
    if rest:
        out.append(Problem(path, rest[0][1], None, f"and {len(rest)} more study ids that are "
                           "not in this review's references"))
    return out


def _check_files(codebook: Codebook, files: list[Path],
                 study_ids: Collection[str] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for path in files:
        if path.stem != CONSENSUS and not is_valid_reviewer(path.stem):
            problems.append(Problem(str(path), None, None, f"{path.stem!r} is not a valid "
                                    "reviewer name, so this file is not read as a sheet"))
            continue
        contents = read_sheet(path)
        problems.extend(contents.problems)
        problems.extend(_future_times(str(path), contents.events, contents.lines))
        if study_ids is not None:
            problems.extend(_unknown_studies(str(path), contents.events, contents.lines,
                                             study_ids))
        reviewer = None if path.stem == CONSENSUS else path.stem
        problems.extend(check_sheet_events(codebook, str(path), contents.events,
                                           contents.lines, reviewer))
    return problems
