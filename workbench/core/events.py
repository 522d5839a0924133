"""Sheet events and the latest-wins state built from them (pure; no file I/O).

A coding sheet is a list of events in long form. The current value of a
(stage, study, field) is the value of its latest event; older events are the
audit trail. `workbench.store.sheet` reads and appends events on disk and
re-exports `Event`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, NamedTuple

from workbench.errors import SheetError

#: The CSV header of every sheet, in column order.
COLUMNS: tuple[str, ...] = ("time", "reviewer", "study_id", "stage", "field", "value",
                            "note", "codebook_version")

#: Valid reviewer names: a letter or digit, then letters, digits, "_", "." or "-".
REVIEWER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

#: The name of the consensus sheet (coding/consensus.csv); not a reviewer name.
CONSENSUS = "consensus"

#: Event times: ISO-8601 UTC with microseconds and a "Z".
TIME_PATTERN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class Event(NamedTuple):
    """One decision event: at `time`, `reviewer` set `field` of `study_id` at `stage`.

    All values are strings; "" means cleared / not applicable. `time` is
    ISO-8601 UTC with microseconds and "Z" (it is filled in on append when "").

    An immutable NamedTuple rather than a frozen dataclass (STYLE.md's default
    for values): opening a review builds hundreds of thousands of events, and a
    frozen dataclass's `__init__` costs five times as much (1.05 s against
    0.2 s for 390k events), which alone broke the 2 s reload target.
    Use `event._replace(field=value)` for a changed copy.
    """

    time: str
    reviewer: str
    study_id: str
    stage: str
    field: str
    value: str
    note: str = ""
    codebook_version: str = ""

    def row(self) -> list[str]:
        """Return the event as a CSV row in COLUMNS order."""
        return [self.time, self.reviewer, self.study_id, self.stage, self.field,
                self.value, self.note, self.codebook_version]


assert Event._fields == COLUMNS


def is_valid_reviewer(name: str) -> bool:
    """Return True when `name` is a valid reviewer name (see REVIEWER_PATTERN)."""
    return bool(REVIEWER_PATTERN.match(name or ""))


class SheetState:
    """The latest-wins state of one sheet: for each (stage, study) the latest event per field.

    Apply events in file order; a later event for the same (stage, study,
    field) replaces the earlier one. Applying is O(1), so a screen keeps one
    SheetState in memory and never re-reads the file.
    """

    __slots__ = ("_cells", "count")

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._cells: dict[tuple[str, str], dict[str, Event]] = {}
        self.count = 0
        self.apply_all(events)

    def apply(self, event: Event) -> None:
        """Make `event` the latest value of its (stage, study, field)."""
        key = (event.stage, event.study_id)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = {}
        cell[event.field] = event
        self.count += 1

    def apply_all(self, events: Iterable[Event]) -> None:
        """Apply events in order."""
        cells = self._cells
        n = 0
        for event in events:
            key = (event.stage, event.study_id)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = {}
            cell[event.field] = event
            n += 1
        self.count += n

    def fields(self, stage: str, study_id: str) -> dict[str, Event]:
        """Return {field: latest event} for one study at one stage (a copy)."""
        return dict(self._cells.get((stage, study_id), {}))

    def values(self, stage: str, study_id: str) -> dict[str, str]:
        """Return {field: current value} for one study at one stage."""
        return {k: e.value for k, e in self._cells.get((stage, study_id), {}).items()}

    def value(self, stage: str, study_id: str, field: str, default: str = "") -> str:
        """Return the current value of one field, or `default` when never set."""
        event = self._cells.get((stage, study_id), {}).get(field)
        return default if event is None else event.value

    def latest(self, stage: str, study_id: str, field: str) -> Event | None:
        """Return the latest event of one field, or None."""
        return self._cells.get((stage, study_id), {}).get(field)

    def studies(self, stage: str) -> list[str]:
        """Return the ids of studies with at least one event at `stage`."""
        return [study for (s, study) in self._cells if s == stage]

    def items(self) -> Iterator[tuple[tuple[str, str], dict[str, Event]]]:
        """Yield ((stage, study_id), {field: latest event}) for every cell."""
        yield from self._cells.items()

    def __len__(self) -> int:
        return len(self._cells)


class Change(NamedTuple):
    """One field to set in an append: `field` gets `value` (with an optional `note`)."""

    field: str
    value: str
    note: str = ""


class DecisionRefused(SheetError):
    """A decision or value is not valid for the codebook; nothing was saved."""


def undo_changes(before: Mapping[str, Event | None], touched: Iterable[str]) -> list[Change]:
    """Return the changes that put the `touched` fields back to how they were `before`.

    Args:
        before: {field: its latest event (or None)} before the decision being undone.
        touched: the fields that decision wrote.

    Returns:
        One Change per touched field restoring its value and note; a field
        that had no event gets "".
    """
    out = []
    for name in dict.fromkeys(touched):
        event = before.get(name)
        out.append(Change(name, event.value, event.note) if event else Change(name, ""))
    return out
