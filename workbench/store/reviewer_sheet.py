"""`Sheet`: one reviewer's sheet kept in memory (latest-wins) and appended durably.

A screen opens a Sheet once, then records decisions through it; each call
validates against the codebook, appends durably (see `workbench.store.sheet`)
and updates the in-memory state, so screening 100,000 studies never re-reads
the file. Nothing is written when validation fails.

    sheet = Sheet.open(review / "coding" / "alice.csv", "alice", codebook.version)
    sheet.record_screening(codebook, "title_abstract", study_id, "exclude", ["E1"])
    sheet.undo()                       # appends events restoring the old values
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from workbench.core import coding as cod
from workbench.core.codebook import Codebook
from workbench.core.events import Change, DecisionRefused, Event, SheetState, undo_changes
from workbench.core.screening import ScreeningDecision, screening_changes, screening_decision
from workbench.errors import Problem, SheetError
from workbench.store.sheet import append_events, paused_gc, read_sheet, validate_reviewer


@dataclass(frozen=True)
class _Done:
    """One undoable step: the fields it wrote, per study, what they were before, the lines."""

    stage: str
    studies: tuple[tuple[str, dict[str, Event | None], tuple[str, ...]], ...]
    written: tuple[Event, ...] = ()

    @property
    def study_id(self) -> str:
        return self.studies[0][0]


class UndoRefused(SheetError):
    """Undo would take back a line this session did not write; nothing was saved."""


def _own(event: Event) -> tuple[str, str, str, str]:
    """What tells a line this session wrote from any other line of the sheet."""
    return (event.time, event.stage, event.study_id, event.field)


def _size(path: Path) -> int:
    """The file's size in bytes (0 when it does not exist yet or cannot be seen)."""
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


class Sheet:
    """A coding sheet open for one reviewer: in-memory latest-wins state plus durable appends.

    Attributes:
        path: the sheet file.
        reviewer: the name written in the `reviewer` column (for the consensus
            sheet: who resolves).
        codebook_version: written in every event.
        state: the latest-wins SheetState of the whole file.
        problems: what `read_sheet` reported when the sheet was opened.
    """

    def __init__(self, path: str | Path, reviewer: str, codebook_version: str = "",
                 events: Iterable[Event] = (), problems: Sequence[Problem] = ()) -> None:
        self.path = Path(path)
        self.reviewer = validate_reviewer(reviewer)
        self.codebook_version = codebook_version
        events = events if isinstance(events, list) else list(events)
        self.state = SheetState(events)
        self.last_time = max(map(attrgetter("time"), events), default="")
        self.problems = list(problems)
        self._done: list[_Done] = []
        #: The lines this session wrote (`_own`): undo takes back only its own latest lines.
        self._mine: set[tuple[str, str, str, str]] = set()
        #: The file's size as this Sheet last read or wrote it (None: not read from a file).
        self.disk_size: int | None = None

    @classmethod
    def open(cls, path: str | Path, reviewer: str, codebook_version: str = "",
             aliases: Mapping[str, str] | None = None) -> "Sheet":
        """Read a sheet file (missing = empty) and return it ready for recording.

        `aliases` (old study id -> current id, from duplicate detection) carries
        decisions made on a study that has since merged into another.

        Raises:
            SheetError: the file exists but cannot be read, or the reviewer name is invalid.
        """
        size = _size(path)          # before reading: an append in between reads again later
        with paused_gc():
            contents = read_sheet(path, aliases)
            sheet = cls(path, reviewer, codebook_version, contents.events, contents.problems)
        sheet.disk_size = size
        return sheet

    def _wrote(self, stale: bool) -> None:
        """Remember the size after our own append (unless the file had already changed)."""
        if self.disk_size is not None and not stale:
            self.disk_size = _size(self.path)

    def changed_on_disk(self) -> bool:
        """Return True when another process (a CLI command) appended to the file since
        this Sheet read it or last wrote it: its state is then out of date."""
        return self.disk_size is not None and _size(self.path) != self.disk_size

    # -- writing -----------------------------------------------------------------

    def append(self, stage: str, study_id: str, changes: Sequence[Change]) -> list[Event]:
        """Append one decision (several field changes) durably and update the state.

        Args:
            stage: the stage id.
            study_id: the study.
            changes: the fields to set, all written in one append.

        Returns:
            The events as written (with their time).

        Raises:
            SheetError: the append failed; nothing was saved and the state is unchanged.
        """
        if not changes:
            return []
        before = self.state.fields(stage, study_id)
        events = [Event("", self.reviewer, study_id, stage, c.field, c.value, c.note,
                        self.codebook_version) for c in changes]
        stale = self.changed_on_disk()
        written = append_events(self.path, events, last_time=self.last_time)
        self._wrote(stale)
        self.state.apply_all(written)
        self.last_time = written[-1].time
        self._mine.update(map(_own, written))
        touched = tuple(c.field for c in changes)
        self._done.append(_Done(stage, ((study_id, {f: before.get(f) for f in touched},
                                         touched),), tuple(written)))
        return written

    def append_group(self, stage: str, items: Sequence[tuple[str, Sequence[Change]]]
                     ) -> list[Event]:
        """Append changes to many studies as one durable write and one undoable step.

        Used for a bulk decision: each study gets its own events (the history
        shows them one by one), all written with one fsync, and one `undo`
        takes the whole group back.

        Raises:
            SheetError: the append failed; nothing was saved and the state is unchanged.
        """
        items = [(sid, list(changes)) for sid, changes in items if changes]
        if not items:
            return []
        before = []
        for study_id, changes in items:
            fields = self.state.fields(stage, study_id)
            touched = tuple(dict.fromkeys(c.field for c in changes))
            before.append((study_id, {f: fields.get(f) for f in touched}, touched))
        written = self.append_batch(stage, items)
        self._done.append(_Done(stage, tuple(before), tuple(written)))
        return written

    def append_batch(self, stage: str, items: Sequence[tuple[str, Sequence[Change]]]
                     ) -> list[Event]:
        """Append changes to many studies as one durable write (not undoable).

        Used for records the tool makes on a reviewer's behalf (e.g. the studies
        drawn for a stopping sample), where one fsync per study would be slow.

        Raises:
            SheetError: the append failed; nothing was saved and the state is unchanged.
        """
        events = [Event("", self.reviewer, study_id, stage, c.field, c.value, c.note,
                        self.codebook_version) for study_id, changes in items for c in changes]
        if not events:
            return []
        stale = self.changed_on_disk()
        written = append_events(self.path, events, last_time=self.last_time)
        self._wrote(stale)
        self.state.apply_all(written)
        self.last_time = written[-1].time
        self._mine.update(map(_own, written))
        return written

    def undo(self) -> tuple[str, str] | None:
        """Undo this session's latest decision by appending events restoring old values.

        Only this session's own lines are taken back: when a line it did not
        write (a CLI command such as `workbench bulk`, another app on the same
        sheet) changed a field of that decision since, the decision is dropped
        from the undo list and UndoRefused says so; nothing is written.

        Returns:
            (stage, study id) of the decision undone, or None when there is nothing to undo.

        Raises:
            UndoRefused: a later line this session did not write changed the decision.
            SheetError: the append failed; nothing changed.
        """
        if not self._done:
            return None
        done = self._done[-1]
        # One append may set a field twice: only its last line is what the sheet holds now.
        last = {(e.stage, e.study_id, e.field): e for e in done.written}
        for event in last.values():
            now = self.state.latest(event.stage, event.study_id, event.field)
            if now is None or _own(now) not in self._mine or now.value != event.value:
                self._done.pop()
                raise UndoRefused(
                    f"{event.study_id}: not undone: its {event.field} was changed after this "
                    "decision by a line saved outside this screen (e.g. workbench bulk); undo "
                    "takes back only this screen's own lines, so nothing was written",
                    path=self.path)
        self.append_batch(done.stage, [(study_id, undo_changes(before, touched))
                                       for study_id, before, touched in done.studies])
        self._done.pop()  # the decision (or the bulk group) undone
        return done.stage, done.study_id

    def can_undo(self) -> bool:
        """Return True when this session has a decision to undo."""
        return bool(self._done)

    def keep_undo(self, before: "Sheet") -> None:
        """Take over the undo list of `before`, the Sheet this one replaces after reading the
        file again (a save from a shell); `undo` still checks each line is this session's."""
        if before.path == self.path and before.reviewer == self.reviewer:
            self._done = list(before._done) + self._done
            self._mine |= before._mine

    def undo_size(self) -> int:
        """Return how many studies the next `undo` takes back (0: nothing to undo)."""
        return len(self._done[-1].studies) if self._done else 0

    def record_screening(self, codebook: Codebook, stage: str, study_id: str, decision: str,
                         criteria: Iterable[str] = (), note: str | None = None) -> list[Event]:
        """Validate and save a screening decision (see `core.screening.screening_changes`).

        Raises:
            DecisionRefused: the decision is not valid; nothing was saved.
            SheetError: the append failed.
        """
        changes = screening_changes(codebook, stage, self.state.values(stage, study_id),
                                    decision, criteria, note)
        return self.append(stage, study_id, changes)

    def set_codes(self, codebook: Codebook, stage: str, study_id: str, dimension: str,
                  codes: Iterable[str]) -> list[Event]:
        """Save the full set of selected codes of one dimension."""
        return self.append(stage, study_id,
                           cod.codes_changes(codebook, stage, dimension, codes))

    def set_field(self, codebook: Codebook, stage: str, study_id: str, field_id: str,
                  value: str) -> list[Event]:
        """Validate and save an extraction value ("" = NA)."""
        return self.append(stage, study_id, cod.field_changes(codebook, stage, field_id, value))

    def add_row(self, codebook: Codebook, stage: str, study_id: str, group: str,
                values: Mapping[str, str], row_id: str | None = None) -> str:
        """Validate and save a new row of a repeatable group; return its row id."""
        row_id = row_id or cod.new_row_id()
        self.append(stage, study_id,
                    cod.row_changes(codebook, stage, group, row_id, values, add=True))
        return row_id

    def edit_row(self, codebook: Codebook, stage: str, study_id: str, group: str,
                 row_id: str, values: Mapping[str, str]) -> list[Event]:
        """Validate and save changed values of an existing group row."""
        self._require_row(stage, study_id, group, row_id)
        return self.append(stage, study_id,
                           cod.row_changes(codebook, stage, group, row_id, values))

    def remove_row(self, codebook: Codebook, stage: str, study_id: str, group: str,
                   row_id: str) -> list[Event]:
        """Remove a group row (its values stay in the history)."""
        self._require_row(stage, study_id, group, row_id)
        return self.append(stage, study_id, [Change(cod.row_field(group, row_id), "")])

    def set_memo(self, codebook: Codebook, stage: str, study_id: str, dimension: str,
                 text: str) -> list[Event]:
        """Save the memo of one dimension ("" clears it)."""
        return self.append(stage, study_id, cod.memo_changes(codebook, stage, dimension, text))

    def set_evidence(self, codebook: Codebook, stage: str, study_id: str, code: str,
                     quote: str, page: str = "") -> list[Event]:
        """Save the evidence quote and page supporting a code ("" clears).

        A quote for a code this sheet has not ticked ticks it in the same save, so one
        undo takes both back: the rule the app and `CodingSession.set_evidence` follow
        (`core.coding.quote_changes`).

        Raises:
            DecisionRefused: unknown code, or a code of a single-select dimension where
                another code is ticked; nothing was saved.
            SheetError: the append failed.
        """
        codes = self.coding(codebook, stage, study_id).codes
        return self.append(stage, study_id,
                           cod.quote_changes(codebook, stage, codes, code, quote, page))

    def set_flag(self, codebook: Codebook, stage: str, study_id: str, flagged: bool,
                 reason: str = "") -> list[Event]:
        """Flag a study for discussion (with a reason) or clear the flag."""
        return self.append(stage, study_id, cod.flag_changes(codebook, stage, flagged, reason))

    def _require_row(self, stage: str, study_id: str, group: str, row_id: str) -> None:
        if self.state.value(stage, study_id, cod.row_field(group, row_id)) != cod.ROW_EXISTS:
            raise DecisionRefused(f"group {group!r}: row {row_id!r} does not exist for study "
                                  f"{study_id!r}; nothing was saved")

    # -- reading -----------------------------------------------------------------

    def screening(self, stage: str, study_id: str) -> ScreeningDecision:
        """Return the current screening decision of a study at a stage."""
        return screening_decision(self.state, stage, study_id)

    def coding(self, codebook: Codebook, stage: str, study_id: str) -> cod.StudyCoding:
        """Return the current coding of a study at a stage."""
        return cod.coding_of(codebook, self.state, stage, study_id)
