"""The coding screen's full-text evidence keys: save a selected passage, jump code <-> passages.

A mixin for CodingScreen (kept apart so coding.py stays small). It expects the
screen's `session`, `source`, `sections`, `section`, `cursor`, `_item()`,
`_show()` and `fulltext` (a FulltextController).
"""

from __future__ import annotations

from textual.binding import Binding

from workbench.core.wording import plural
from workbench.errors import WorkbenchError
from workbench.review.evidence import add_passage, passages, remove_passage
from workbench.tui.modals import ErrorModal
from workbench.tui.widgets.coding_panel import DIMENSION, FIELDS, codes_with_depth
from workbench.tui.widgets.text_view import Span

EVIDENCE_BINDINGS = [
    Binding("t", "toggle_text", "Text/abstract", id="coding.toggle_text"),
    Binding("w", "passages", "Passages", id="coding.passages"),
    Binding("c", "code_of_passage", "Code of passage", show=False, id="coding.code_of_passage"),
    Binding("z", "remove_passage", "Remove passage", show=False, id="coding.remove_passage"),
    Binding("L", "link_text", "Link full text", show=False, id="coding.link_text"),
]

EVIDENCE_ACTIONS = ("toggle_text", "passages", "code_of_passage", "remove_passage",
                    "link_text")


def passage_target(item) -> tuple[str, str] | None:
    """Return ("code"|"field", id) of a codebook item, or None for a group row."""
    if item is None or item[0] not in ("code", "field"):
        return None
    return item[0], item[1].id


class EvidenceActions:
    """Actions of the coding screen that work with the full text shown beside the codebook."""

    def passage_spans(self, study_id: str) -> list[Span]:
        """The spans of a study's saved passages (for highlighting)."""
        if self.session is None or not study_id:
            return []
        return [Span(p.page, p.start, p.end) for p in passages(self.session, study_id)]

    def item_passages(self) -> list:
        target = passage_target(self._item())
        if target is None or self.source is None:
            return []
        return [p for p in passages(self.session, self.source.id)
                if (p.kind, p.target) == target]

    def passage_hint(self) -> str:
        found = self.item_passages()
        if not found:
            return ""
        pages = ", ".join(f"p. {p.page}" for p in found[:4]) + (" ..." if len(found) > 4 else "")
        return f" · {len(found)} passage{'s' if len(found) != 1 else ''} ({pages}; w goes there)"

    def check_evidence_action(self, action: str) -> bool | None:
        if action == "toggle_text":
            return True
        if action == "link_text":
            return self.source is not None
        if action in ("passages", "code_of_passage", "remove_passage"):
            return True if self.fulltext.showing_text else None
        return None

    def quote_ticks(self, code) -> bool | None:
        """Whether saving a quote for `code` ticks it (True), it is ticked (False), or a
        quote cannot be saved for it (None, after a notice saying why)."""
        from workbench.review.evidence import tick_changes
        try:
            return bool(tick_changes(self.session, self.source.id, code.id))
        except (WorkbenchError, OSError) as exc:
            self.notify(f"No quote saved: {exc}", severity="warning", timeout=12)
            return None

    def untick_notice(self, study_id: str, dimension: str, code) -> None:
        """After a toggle: say that an unticked code's quotes and passages are kept."""
        coding = self.session.coding(study_id)
        if code.id in coding.codes.get(dimension, ()):
            return
        quoted = int(bool(coding.evidence.get(code.id, ("", ""))[0])) + sum(
            1 for p in passages(self.session, study_id) if (p.kind, p.target) == ("code", code.id))
        if quoted:
            self.notify(f"{code.label or code.id} unticked; its {plural(quoted, 'quote')} "
                        f"{'stays' if quoted == 1 else 'stay'} "
                        "in your sheet (evidence.csv marks "
                        f"{'it' if quoted == 1 else 'them'} code_ticked = no; u ticks the code "
                        "again).", timeout=8)

    def save_selected_passage(self) -> bool:
        """Save the text selection as evidence for the item under the cursor; False if none."""
        extraction = self.fulltext.extraction
        if extraction is None:
            return False
        span = self.fulltext.panel.view.selected_span()
        if span is None:
            return False
        target = passage_target(self._item())
        if target is None:
            self.notify("Put the cursor on a code or a field to attach the passage to.",
                        severity="warning")
            return True
        ticks = self.quote_ticks(self._item()[1]) if target[0] == "code" else False
        if ticks is None:
            return True                       # the selection stays; the notice says why
        try:
            saved = add_passage(self.session, self.source.id, target[0], target[1], extraction,
                                span.page, span.start, span.end)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("The passage was NOT saved", [str(exc)]))
            return True
        self.fulltext.panel.view.clear_selection()
        self._show()
        self._refresh_undo()
        ticked = " and the code ticked (a quote is evidence for a code you apply)" \
            if ticks else ""
        self.notify(f"Passage on p. {saved.page} saved for {target[1]}{ticked} "
                    f"({plural(len(saved.quote), 'character')}; u undoes).",
                    timeout=6 if ticks else 4)
        return True

    def action_toggle_text(self) -> None:
        self.fulltext.toggle()

    def action_link_text(self) -> None:
        self.fulltext.ask_link(self.source, self.reviewer)

    def action_passages(self) -> None:
        """Show the next saved passage of the code or field under the cursor."""
        found = self.item_passages()
        if not found:
            self.notify("No passage saved for this item yet: select text and press e.",
                        timeout=4)
            return
        view = self.fulltext.panel.view
        here = view.cursor_span()
        key = (here.page, here.start) if here else (0, -1)
        nxt = next((p for p in found if (p.page, p.start) > key), found[0])
        if not view.go_to_span(Span(nxt.page, nxt.start, nxt.end), select=False):
            self.notify(f"Page {nxt.page} is not in this text (another file?).",
                        severity="warning")
            return
        view.focus()
        number = found.index(nxt) + 1
        self.notify(f"Passage {number} of {len(found)}, p. {nxt.page}", timeout=3)

    def _passage_at_cursor(self):
        here = self.fulltext.panel.view.cursor_span()
        if here is None or self.source is None:
            return None
        for p in reversed(passages(self.session, self.source.id)):
            if p.page == here.page and p.start <= here.start <= p.end:
                return p
        return None

    def action_code_of_passage(self) -> None:
        """Move the codebook cursor to the code or field of the passage under the text cursor."""
        found = self._passage_at_cursor()
        if found is None:
            self.notify("The text cursor is not in a saved passage.", timeout=3)
            return
        for index, section in enumerate(self.sections):
            if found.kind == "code" and section.kind == DIMENSION:
                ids = [c.id for c, _ in codes_with_depth(
                    self.session.codebook.dimension(section.id))]
                if found.target in ids:
                    self.section, self.cursor = index, ids.index(found.target)
                    break
            elif found.kind == "field" and section.kind == FIELDS:
                ids = [f.id for f in self.session.codebook.fields]
                if found.target in ids:
                    self.section, self.cursor = index, ids.index(found.target)
                    break
        self._show()
        self.refresh_bindings()

    def action_remove_passage(self) -> None:
        found = self._passage_at_cursor()
        if found is None:
            self.notify("The text cursor is not in a saved passage.", timeout=3)
            return
        try:
            remove_passage(self.session, self.source.id, found.id)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("Removing the passage was NOT saved", [str(exc)]))
            return
        self._show()
        self._refresh_undo()
        self.notify(f"Passage on p. {found.page} removed (u brings it back).", timeout=4)

    def passage_lines(self) -> list[str]:
        """Lines listing the item's passages, for the describe box."""
        return [f"p. {p.page} [{p.start}-{p.end}]: “{p.quote[:200]}”" for p in
                self.item_passages()]
