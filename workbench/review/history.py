"""The audit trail of a review: `workbench log`, the app's history panel, `codebook history/diff`.

Reads every sheet (reviewers and consensus), the duplicate answers and the
kept codebook copies, and hands back `workbench.core.history.Entry` lists and
codebook comparisons. Study ids are read through the dedupe aliases, so a
decision made on a study that was later merged shows under the study it now
belongs to (asking for the old id finds it too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.core.codebook import Codebook
from workbench.core.codebook_diff import CodebookChange, diff_codebooks
from workbench.core.events import CONSENSUS
from workbench.core.history import (PAIR, Entry, changes_after_consensus, link_entries,
                                    merge_entries, select_entries, sheet_entries, visible_to,
                                    with_titles)
from workbench.errors import ReviewError
from workbench.store.codebooks import codebook_copies

#: The export's file of the whole audit trail.
AUDIT_FILE = "audit_log.csv"

__all__ = ["AUDIT_FILE", "audit_chunks", "audit_table", "review_history", "study_history", "changed_after_consensus", "VersionUse",
           "codebook_history", "codebook_diff", "load_codebook_version"]


def review_history(review, studies: Sequence[str] = (), reviewer: str | None = None,
                   stage: str | None = None, since: str | None = None) -> list[Entry]:
    """Return every event of the review in time order, with titles, filtered.

    Args:
        review: the open Review.
        studies: study ids (current or merged-away ones); empty means all.
        reviewer: only this reviewer's events (and consensus events they made).
        stage: only this stage.
        since: an ISO date or time; only events at or after it.

    Returns:
        The entries (workbench.core.history.Entry), oldest first.

    Raises:
        ReviewError: a study id is unknown.
        SheetError: a sheet exists but cannot be read.
    """
    if not studies:
        entries = select_entries(_all_entries(review), [], reviewer, stage, since)
        return with_titles(entries, {s.id: s.title for s in review.studies()})
    index = review.study_index()  # one study of a large review: no need to load them all
    wanted = _current_ids(index, studies, review)
    entries = select_entries(_study_entries(review, index, wanted, stage), wanted, reviewer,
                             stage, since)
    return with_titles(entries, index.titles)


def study_history(review, study_id: str, viewer: str | None = None) -> list[Entry]:
    """Return one study's history as `viewer` may see it (the app's history panel).

    A reviewer sees only their own events at a stage until they have finished
    that stage (no peeking at the other reviewer's decisions); a resolver
    named in the codebook's `resolvers:`, or no viewer at all, sees everything.
    """
    entries = review_history(review, [study_id])
    if viewer is None or viewer in _resolvers(review):
        return entries
    return visible_to(entries, viewer, closed_stages(review, viewer))


def changed_after_consensus(review, stage: str | None = None) -> list[Entry]:
    """Return reviewers' events made after a consensus was recorded on that study and stage."""
    return changes_after_consensus(review_history(review, stage=stage))


def closed_stages(review, reviewer: str) -> list[str]:
    """Return the stages this reviewer has finished (every study given to them decided)."""
    from workbench.review.coding import open_coding_session
    from workbench.review.screening import stage_progress
    closed = [p.stage for p in stage_progress(review, reviewer) if p.total and p.done >= p.total]
    codebook = review.codebook()
    for stage in codebook.coding_stages() if codebook.may(reviewer, "code") else ():
        progress = open_coding_session(review, reviewer, stage.id).progress()
        if progress.total and progress.left <= 0:
            closed.append(stage.id)
    return closed


def _resolvers(review) -> set[str]:
    return set(review.codebook().resolver_names())


def _current_ids(index, studies: Sequence[str], review=None) -> list[str]:
    """Study ids (current, merged-away, or a record id as `dedupe` prints it) -> current ids."""
    out = []
    records: dict[str, str] | None = None
    for study in studies:
        current = index.aliases.get(study, study)
        if current not in index.titles and review is not None:
            if records is None:   # only on a miss: a record id needs every record's study
                records = review.study_of_records()
            current = records.get(study, current)
        if current not in index.titles:
            raise ReviewError(f"no study or record with id {study!r}",
                              hint="see `workbench records` for the ids")
        out.append(current)
    return out


def _study_entries(review, index, wanted: list[str], stage: str | None) -> list[Entry]:
    """The entries of some studies only: their sheet lines are found as text, not all parsed.

    A study's previous values and undos depend only on its own events at the
    same stage in the same sheet, so filtering the events first gives the same
    entries as building them all and filtering after (tested).
    """
    from workbench.core.events import is_valid_reviewer
    from workbench.store.sheet_reading import read_sheet_matching
    aliases = index.aliases
    keep = set(wanted)
    needles = keep | {old for old, new in aliases.items() if new in keep}
    streams = []
    folder = Path(review.coding)
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        name = path.stem
        if name != CONSENSUS and not is_valid_reviewer(name):
            continue
        events = [e for e in read_sheet_matching(path, needles, aliases)
                  if e.study_id in keep and (stage is None or e.stage == stage)]
        streams.append(sheet_entries(events, consensus=name == CONSENSUS))
    streams.append([e for e in _pair_entries(review, index.record_to_study)
                    if e.study_id in keep])
    from workbench.review.fulltext import link_files
    for path in link_files(review):
        events = read_sheet_matching(path, needles, aliases)
        streams.append([e for e in link_entries(events) if e.study_id in keep])
    return merge_entries(streams)


def _link_stream(review) -> list[Entry]:
    """Every full-text link and unlink as entries (aliases applied)."""
    from workbench.review.fulltext import link_files
    from workbench.store.sheet import read_sheet
    files = link_files(review)
    if not files:
        return []
    aliases = review.aliases()
    return [entry for path in files for entry in link_entries(read_sheet(path, aliases).events)]


def _all_entries(review) -> list[Entry]:
    from workbench.review.all_sheets import read_sheets
    sheets = read_sheets(review)
    streams = [sheet_entries(events) for events in sheets.reviewers.values()]
    streams.append(sheet_entries(sheets.consensus, consensus=True))
    streams.append(_pair_entries(review))
    streams.append(_link_stream(review))
    return merge_entries(streams)


def _pair_entries(review, record_to_study: dict[str, str] | None = None) -> list[Entry]:
    from workbench.store.pairs import read_pair_decisions
    if record_to_study is None:
        record_to_study = review.study_of_records()
    out = []
    for d in read_pair_decisions(review.root):
        study = record_to_study.get(d.record_a, "")
        other = record_to_study.get(d.record_b, "")
        field = f"pair:{d.record_a}~{d.record_b}"
        value = d.verdict if study == other else f"{d.verdict} (other record in {other})"
        out.append(Entry(d.time, "duplicates", d.reviewer, study, "", field, value,
                         action=PAIR, note=d.note))
    return out


def audit_table(review, events, dedupe, studies):
    """Return the whole audit trail as a DataFrame (the export's audit_log.csv).

    Args:
        review: the open Review.
        events: every sheet's events as the export reads them (a DataFrame with
            the sheet columns and the sheet's name in "sheet"; aliases applied).
        dedupe: the review's DedupeResult (for the duplicate answers' studies).
        studies: the studies (for titles).
    """
    import pandas as pd

    from workbench.core.history import COLUMNS
    from workbench.core.history_frame import history_frame, time_order
    titles = {s.id: s.title for s in studies}
    frame = history_frame(events, "sheet", titles)
    others = [e.as_dict() for e in _pair_entries(review, dict(dedupe.record_to_study))]
    others += [e.as_dict() for e in _link_stream(review)]  # full-text links
    if not others:
        return frame
    pairs_frame = pd.DataFrame(others, columns=list(COLUMNS))
    pairs_frame["title"] = pairs_frame["study_id"].map(lambda s: titles.get(s, ""))
    both = pd.concat([frame, pairs_frame], ignore_index=True)
    return both.iloc[time_order(both["time"])].reset_index(drop=True)


def audit_chunks(review, events, dedupe, studies, rows: int = 100_000):
    """Yield the audit trail `audit_table` gives, `rows` entries at a time, oldest first.

    The whole table is never built: each event's previous value and action are
    computed once for all events (`history_columns`: three columns of shared
    strings), the order of all entries once, and each chunk's rows are made
    from those when it is asked for. At least one chunk (maybe empty) is given.
    """
    import numpy as np
    import pandas as pd

    from workbench.core.history import COLUMNS
    from workbench.core.history_frame import (history_columns, history_rows, time_codes,
                                              time_order)
    titles = {s.id: s.title for s in studies}
    others = [e.as_dict() for e in _pair_entries(review, dict(dedupe.record_to_study))]
    others += [e.as_dict() for e in _link_stream(review)]  # full-text links
    pairs_frame = None
    if others:
        pairs_frame = pd.DataFrame(others, columns=list(COLUMNS))
        pairs_frame["title"] = pairs_frame["study_id"].map(lambda s: titles.get(s, ""))
    n = len(events)
    frame = events.reset_index(drop=True)
    order = np.arange(0)
    if n:
        times = time_codes(frame["time"])   # the order, and the times as integers
        value, previous, action = history_columns(frame, "sheet", times)
        order = times[0]
    # The order audit_table gives: the events by time, then with the others by time.
    if pairs_frame is not None:
        times = pd.concat([frame["time"].iloc[order], pairs_frame["time"]], ignore_index=True)
        order = np.concatenate([order, n + np.arange(len(pairs_frame))])[time_order(times)]
    if not len(order):
        yield pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
        return
    for start in range(0, len(order), rows):
        take = order[start:start + rows]
        mine, theirs = take[take < n], take[take >= n] - n
        parts = []
        if len(mine):
            parts.append(history_rows(frame.iloc[mine].reset_index(drop=True), "sheet", titles,
                                      value[mine], previous[mine], action[mine]))
        if len(theirs):
            parts.append(pairs_frame.iloc[theirs])
        chunk = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        if len(parts) > 1:   # back to the time order: the events came first in `parts`
            chunk = chunk.iloc[np.argsort(np.argsort(take >= n, kind="stable"))]
        yield chunk.reset_index(drop=True)


# -- codebook versions -------------------------------------------------------------------------
@dataclass(frozen=True)
class VersionUse:
    """One codebook version as the sheets used it."""

    version: str
    first: str
    last: str
    reviewers: tuple[str, ...]
    events: int
    kept: bool
    current: bool


def codebook_history(review) -> list[VersionUse]:
    """Return the codebook versions seen in the sheets (and the current one), oldest first.

    Each carries its first and last use, who used it, how many events, and
    whether a copy is kept in coding/codebooks/ (needed by `codebook diff`).
    """
    from workbench.review.all_sheets import read_sheets
    current = review.codebook().version
    sheets = read_sheets(review)
    uses: dict[str, dict] = {}
    everyone = list(sheets.reviewers.items()) + [(CONSENSUS, sheets.consensus)]
    for name, events in everyone:
        for e in events:
            use = uses.setdefault(e.codebook_version, {"first": e.time, "last": e.time,
                                                       "who": set(), "n": 0})
            use["first"] = min(use["first"], e.time)
            use["last"] = max(use["last"], e.time)
            use["who"].add(e.reviewer if name != CONSENSUS else f"{e.reviewer} (consensus)")
            use["n"] += 1
    kept = codebook_copies(review.coding)
    if current not in uses:
        uses[current] = {"first": "", "last": "", "who": set(), "n": 0}
    out = [VersionUse(v, u["first"], u["last"], tuple(sorted(u["who"])), u["n"], v in kept,
                      v == current) for v, u in uses.items()]
    out.sort(key=lambda u: (u.first == "", u.first, u.version))
    return out


def load_codebook_version(review, version: str) -> Codebook:
    """Return a kept codebook version; "current" (or a prefix of the current one) is codebook.yaml.

    Raises:
        ReviewError: no kept copy matches, or the prefix is ambiguous.
    """
    from workbench.io.codebook_yaml import load_codebook
    current = review.codebook()
    if version in ("current", "") or current.version.startswith(version):
        return current
    copies = codebook_copies(review.coding)
    matches = [v for v in copies if v.startswith(version)]
    if len(matches) != 1:
        known = ", ".join(copies) or "none"
        what = "is ambiguous" if matches else "has no kept copy"
        raise ReviewError(f"codebook version {version!r} {what} (kept: {known}; "
                          f"current: {current.version})",
                          path=Path(review.coding) / "codebooks",
                          hint="see `workbench codebook history`")
    return load_codebook(copies[matches[0]])


def codebook_diff(review, old: str, new: str = "current") -> tuple[Codebook, Codebook,
                                                                    list[CodebookChange]]:
    """Return the two codebooks and what changed from `old` to `new` (version ids or prefixes)."""
    before = load_codebook_version(review, old)
    after = load_codebook_version(review, new)
    return before, after, diff_codebooks(before, after)
