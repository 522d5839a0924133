"""The coding screen's moves between studies: next/back, next uncoded, views, copy, undo.

A mixin for CodingScreen (kept apart so coding.py stays small); it uses the
screen's `session`, `source`, `view`, `which`, `index` and `_show()`.
"""

from __future__ import annotations

from workbench.errors import WorkbenchError
from workbench.review.coding import ALL, FILTERS
from workbench.store.reviewer_sheet import UndoRefused
from workbench.tui.modals import ErrorModal
from workbench.tui.wording import NOTHING_TO_UNDO, plural


class NavigationActions:
    """Study-to-study actions of the coding screen."""

    def action_copy_previous(self) -> None:
        session, study = self.session, self.source
        here = session.index_of(study.id)
        previous = session.previous_coded(here)
        if previous is None:
            self.notify("No earlier study has codes to copy.", severity="warning")
            return
        source = session.studies[previous]
        try:
            changed = session.copy_codes(source.id, study.id)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("The copied codes were NOT saved", [str(exc)]))
            return
        self._show()
        self.refresh_bindings()
        self.notify(f"Copied the codes of study {previous + 1} "
                    f"({plural(changed, 'dimension')} changed; u undoes).", timeout=5)

    def action_undo(self) -> None:
        try:
            study_id = self.session.undo()
        except UndoRefused as exc:
            self.notify(exc.message, severity="warning", timeout=10)
            self.refresh_bindings()
            return
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("Undo was NOT saved", [str(exc)]))
            return
        if study_id is None:
            self.notify(NOTHING_TO_UNDO, timeout=8)
            return
        position = self.session.index_of(study_id)
        if position is not None and position not in self.view:
            self.which, self.view = ALL, list(range(len(self.session)))
        if position is not None and self.view.index(position) != self.index:
            self.index = self.view.index(position)
        self._show()
        self.refresh_bindings()
        self.notify("Undone.", timeout=3)

    def action_study(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.view):
            self.index = target
        elif step > 0:
            self.notify(f"End of the list ({self.session.progress().left} uncoded; "
                        "g goes to the next uncoded).", timeout=4)

    def action_next_uncoded(self) -> None:
        session, n = self.session, len(self.view)
        for step in range(1, n + 1):
            j = (self.index + step) % n
            if not session.is_coded(session.studies[self.view[j]].id):
                self.index = j
                return
        self.notify("Every study here is coded.", timeout=4)

    def action_cycle_view(self) -> None:
        session = self.session
        which = self.which
        for _ in FILTERS:
            which = FILTERS[(FILTERS.index(which) + 1) % len(FILTERS)]
            view = session.matching(which)
            if view or which == ALL:
                break
            self.notify(f"No {which} studies.", timeout=3)
        current = self.view[self.index] if self.view else None
        self.which, self.view = which, view
        new = view.index(current) if current in view else 0
        if new == self.index:
            self._show(scroll=True)
        self.index = new
        self.notify(f"Showing {which} studies ({len(view)}).", timeout=3)
        self.refresh_bindings()
