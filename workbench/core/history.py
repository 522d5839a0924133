"""The audit trail as a history: every event of every sheet, read as what happened.

Pure functions over `Event`s (no file I/O). A sheet keeps every decision
event; this module turns them into `Entry`s a person can read: who set which
field of which study, what it was before ("include -> exclude"), whether the
change was an undo, what the consensus said and why, under which codebook
version.

Undo. The sheet stores an undo as an ordinary append that puts the fields
back (the sheet is append-only, so nothing is deleted). An append is read as
an undo when it is the reviewer's next append on the same study and stage
and it writes exactly the fields the previous append wrote, restoring every
one to its value before that append. A deliberate decision that does exactly
the same is indistinguishable from an undo, and means the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from workbench.core.events import CONSENSUS, Event

#: What an entry records.
SET, CHANGE, CLEAR, UNDO, RESOLVE, PAIR, LINK = (
    "set", "change", "clear", "undo", "resolve", "pair", "link")


@dataclass(frozen=True)
class Entry:
    """One event of the audit trail, ready to show.

    Attributes:
        time: ISO-8601 UTC time of the event.
        source: where it was read: "sheet" (a reviewer's), "consensus",
            "duplicates" (a pair answer) or "fulltext" (a full-text link).
        reviewer: who made it (for consensus: who resolved).
        study_id: the study (for a pair answer: the study of its first record).
        stage: the stage id ("" for pair answers).
        field: the field set (decision, criteria, code:<dim>, field:<id>, ...).
        value: the value set ("" = cleared).
        previous: the same reviewer's value of that field before, or "" (never set).
        action: SET, CHANGE, CLEAR, UNDO, RESOLVE, PAIR or LINK.
        note: the event's note (for consensus: the reason).
        codebook_version: the codebook version the event was made under.
        title: the study's title, filled in by the review layer.
    """

    time: str
    source: str
    reviewer: str
    study_id: str
    stage: str
    field: str
    value: str
    previous: str = ""
    action: str = SET
    note: str = ""
    codebook_version: str = ""
    title: str = ""

    def change(self) -> str:
        """Return the change in words: "include", "include -> exclude", "(cleared)", ..."""
        if self.action == PAIR:
            return self.value
        if self.action == LINK:
            return self.value or "(unlinked)"
        if self.previous and self.value != self.previous:
            return f"{self.previous} -> {self.value or '(cleared)'}"
        return self.value or "(cleared)"

    def as_dict(self) -> dict[str, str]:
        """Return the entry as a flat dict (for CSV and JSON), with the change in words."""
        return {"time": self.time, "source": self.source, "reviewer": self.reviewer,
                "study_id": self.study_id, "title": self.title, "stage": self.stage,
                "field": self.field, "action": self.action, "previous": self.previous,
                "value": self.value, "change": self.change(), "note": self.note,
                "codebook_version": self.codebook_version}


#: Column order of the history as a table (CSV, the export's audit_log.csv).
COLUMNS: tuple[str, ...] = tuple(Entry("", "", "", "", "", "", "").as_dict())


def sheet_entries(events: Iterable[Event], consensus: bool = False) -> list[Entry]:
    """Turn one sheet's events (file order) into entries, with previous values and undos.

    Args:
        events: the events of ONE sheet, in file order.
        consensus: True for the consensus sheet (entries get action RESOLVE).

    Returns:
        One Entry per event, in file order.
    """
    source = CONSENSUS if consensus else "sheet"
    current: dict[tuple[str, str, str], str] = {}
    # (stage, study) -> (fields of the last append, {field: value before it}, {field: value set})
    last: dict[tuple[str, str], tuple[frozenset, dict[str, str], dict[str, str]]] = {}
    out: list[Entry] = []
    for group in _appends(events):
        first = group[0]
        cell = (first.stage, first.study_id)
        before = {e.field: current.get((e.stage, e.study_id, e.field), "") for e in group}
        written = {e.field: e.value for e in group}
        undo = False
        prior = last.get(cell)
        if prior is not None and not consensus:
            fields, prior_before, prior_written = prior
            undo = (fields == frozenset(written) and prior_written != prior_before
                    and all(written[f] == prior_before[f] for f in fields))
        for e in group:
            previous = before[e.field]
            if consensus:
                action = RESOLVE
            elif undo:
                action = UNDO
            elif not e.value:
                action = CLEAR
            elif previous and previous != e.value:
                action = CHANGE
            else:
                action = SET
            out.append(Entry(e.time, source, e.reviewer, e.study_id, e.stage, e.field, e.value,
                             previous, action, e.note, e.codebook_version))
            current[(e.stage, e.study_id, e.field)] = e.value
        # After an undo the next append is compared with what came before the undone one.
        last[cell] = (frozenset(written), before, written) if not undo else (frozenset(), {}, {})
    return out


def link_entries(events: Iterable[Event]) -> list[Entry]:
    """Turn one reviewer's full-text link events (file order) into one entry per link.

    A link is one append of the fields file, sha256, source and method; the
    entry's value is the copied file ("" for an unlink) and its note names
    how it was matched, the original file and the start of its SHA-256.
    """
    out: list[Entry] = []
    for group in _appends(events):
        values = {e.field: e.value for e in group}
        if "file" not in values:
            continue
        first = group[0]
        if values["file"]:
            parts = [values.get("method", ""), values.get("source", ""),
                     f"sha256 {values['sha256'][:12]}" if values.get("sha256") else ""]
            note = "; ".join(p for p in parts if p)
        else:
            note = next((e.note for e in group if e.field == "file"), "")
        out.append(Entry(first.time, "fulltext", first.reviewer, first.study_id, first.stage,
                         "file", values["file"], action=LINK, note=note,
                         codebook_version=first.codebook_version))
    return out


def _appends(events: Iterable[Event]) -> Iterable[list[Event]]:
    """Group consecutive events of one append (same time, stage and study)."""
    group: list[Event] = []
    for e in events:
        if group and (e.time, e.stage, e.study_id) != (group[0].time, group[0].stage,
                                                        group[0].study_id):
            yield group
            group = []
        group.append(e)
    if group:
        yield group


def merge_entries(streams: Iterable[Sequence[Entry]]) -> list[Entry]:
    """Merge several sources' entries into one time-ordered history (stable within a time)."""
    merged = [entry for stream in streams for entry in stream]
    merged.sort(key=lambda e: e.time)
    return merged


def select_entries(entries: Iterable[Entry], studies: Sequence[str] = (), reviewer: str | None = None,
                   stage: str | None = None, since: str | None = None) -> list[Entry]:
    """Keep the entries of some studies, one reviewer, one stage, from a date on.

    Args:
        entries: the history.
        studies: study ids to keep (empty: every study).
        reviewer: keep only this reviewer's entries (consensus entries made by them too).
        stage: keep only this stage (pair answers have no stage and are dropped).
        since: an ISO date or time prefix ("2026-03-01"); entries at or after it are kept.

    Returns:
        The kept entries, in the same order.
    """
    wanted = set(studies)
    return [e for e in entries
            if (not wanted or e.study_id in wanted)
            and (reviewer is None or e.reviewer == reviewer)
            and (stage is None or e.stage == stage)
            and (since is None or e.time >= since)]


def with_titles(entries: Iterable[Entry], titles: Mapping[str, str]) -> list[Entry]:
    """Return the entries with each study's title filled in."""
    return [replace(e, title=titles.get(e.study_id, "")) for e in entries]


def changes_after_consensus(entries: Iterable[Entry]) -> list[Entry]:
    """Return reviewer entries made at or after the first consensus entry on that study and stage.

    These are the decisions a reviewer changed after a consensus was recorded
    (when they may have seen it): `workbench agreement` leaves them out, and an
    audit of blindness lists them.
    """
    entries = list(entries)
    first: dict[tuple[str, str], str] = {}
    for e in entries:
        if e.source == CONSENSUS:
            key = (e.stage, e.study_id)
            if key not in first or e.time < first[key]:
                first[key] = e.time
    return [e for e in entries if e.source == "sheet"
            and (e.stage, e.study_id) in first and e.time >= first[(e.stage, e.study_id)]]


def visible_to(entries: Iterable[Entry], viewer: str, closed_stages: Iterable[str],
               sees_all: bool = False) -> list[Entry]:
    """Return what a reviewer may see of a history without breaking blind screening.

    Args:
        entries: the history (typically of one study).
        viewer: the reviewer looking.
        closed_stages: stages the viewer has finished (decided every study they
            were given): there, everyone's entries and the consensus are shown.
        sees_all: True for a resolver or lead (everything is shown).

    Returns:
        The viewer's own entries, plus everything at closed stages, every
        pair answer and every full-text link (neither carries a decision).
    """
    if sees_all:
        return list(entries)
    closed = set(closed_stages)
    return [e for e in entries
            if e.reviewer == viewer and e.source == "sheet"
            or e.stage in closed or e.source in ("duplicates", "fulltext")]
