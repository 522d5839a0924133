"""FullTextPanel: the full text with a status line (file, page, problem) and a search/page box."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from workbench.tui.key_hold import TypedInput
from workbench.tui.widgets.text_view import FullTextView


class FullTextPanel(Vertical):
    """Status line + FullTextView + an input shown for `/` (search) and `:` (go to page)."""

    DEFAULT_CSS = """
    FullTextPanel { height: 1fr; }
    FullTextPanel #text-status { height: 1; padding: 0 1; background: $boost;
                                 text-wrap: nowrap; text-overflow: ellipsis; }
    FullTextPanel FullTextView, FullTextPanel FullTextView:focus {
        height: 1fr; border: none; padding: 0 0 0 1; scrollbar-size-vertical: 1;
    }
    FullTextPanel #text-input { display: none; height: 3; }
    FullTextPanel #text-input.-asking { display: block; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.asking = ""
        self.label = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="text-status")
        yield FullTextView(id="text-view")
        # A TypedInput: Enter searches with everything typed before it, and the keys typed
        # after it go to the text (n next match...), not into the closed prompt.
        yield TypedInput(id="text-input")

    @property
    def view(self) -> FullTextView:
        return self.query_one(FullTextView)

    def show_extraction(self, extraction, matcher, label: str, evidence=()) -> None:
        """Show a text; `label` names it in the status line (file, pages, problem)."""
        self.label = label
        self.view.show_extraction(extraction, matcher, list(evidence))
        self.update_status()

    def update_status(self, extra: str = "") -> None:
        view = self.view
        where = f"p. {view.page.number}/{view.page_count}" if view.page is not None else ""
        parts = [x for x in (where, extra, self.label) if x]
        self.query_one("#text-status", Static).update(" · ".join(parts))

    def on_full_text_view_page_shown(self, event: FullTextView.PageShown) -> None:
        self.update_status()

    def on_text_area_selection_changed(self, event) -> None:
        event.stop()
        span = self.view.selected_span()
        extra = f"selected {span.end - span.start} chars on p. {span.page}" if span else ""
        self.update_status(extra)

    def on_full_text_view_request(self, event: FullTextView.Request) -> None:
        event.stop()
        box = self.query_one("#text-input", Input)
        self.asking = event.what
        box.placeholder = ("search the text (Enter finds, Esc closes)" if event.what == "search"
                           else "go to page number (Enter goes)")
        box.value = ""
        box.add_class("-asking")
        box.focus()
        release = getattr(self.app, "_release_soon", None)
        if release is not None:          # the keys typed after / or : (held) go to the prompt
            release()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        view, value = self.view, event.value.strip()
        box = self.query_one("#text-input", Input)
        box.remove_class("-asking")
        view.focus()
        if self.asking == "search" and value:
            found = view.search(value)
            self.notify(f"{found} match{'es' if found != 1 else ''} for {value!r}"
                        + (" (n next, N previous)" if found else ""), timeout=4)
        elif self.asking == "page" and value:
            if not (value.isdigit() and view.show_page(int(value))):
                self.notify(f"No page {value} in this text.", severity="warning", timeout=4)
        self.update_status()

    def key_escape(self) -> None:
        box = self.query_one("#text-input", Input)
        if box.has_class("-asking"):
            box.remove_class("-asking")
            self.view.focus()
