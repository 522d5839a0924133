"""FullTextView: a study's full text one page at a time, with highlights, search and selection.

One page is shown at a time (a "── p. N of M ──" marker line, then the
page's reading view `Page.body`); `]`/`[` or moving past either end turns the
page. Showing a page at a time keeps opening a 155-page report instant
(TextArea soft-wraps the whole document it holds) and ties every selected
passage to one page, which is how evidence is cited.

Positions: a document position on the page shown converts to a `Span`
(page, offsets in `Page.text`), the coordinates evidence is saved in; a saved
passage is drawn at the same place whenever the same extraction is shown.

Highlights (codebook terms, saved passages, search matches) are drawn through
TextArea's highlight map (`_highlights`, {row: [(start byte, end byte, name)]},
styled by the theme's `syntax_styles`): TextArea has no public hook for
highlights that do not come from a tree-sitter grammar, so `_build_highlight_map`
is overridden. Checked against textual 8.2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.style import Style
from textual.actions import SkipAction
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import Selection, TextAreaTheme

MARKER = "── p. {n} of {total} ──"
END = "── end of p. {n} · ] next page ──"
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)|\n\s*\n")


@dataclass(frozen=True)
class Span:
    """A stretch of one page's text: page number and offsets in `Page.text`."""

    page: int
    start: int
    end: int


THEME = TextAreaTheme(
    name="workbench-reader",
    syntax_styles={
        "page": Style(bold=True, dim=True),
        "include": Style(bold=True, color="green", reverse=True),
        "exclude": Style(bold=True, color="red", reverse=True),
        "evidence": Style(underline=True, bgcolor="#5f5f00"),
        "match": Style(bgcolor="#005f87"),
        "current": Style(bold=True, bgcolor="#d78700", color="black"),
    },
)


class FullTextView(TextArea):
    """The text of one page: read-only, selectable with shift+arrows, `v` (mark) or the mouse."""

    BINDINGS = [
        # / and : are priority keys: read, they hold the keys typed after them until the
        # prompt has the focus (`/ term Enter` in one burst searches; the letters ran as
        # the screen's keys before).
        Binding("slash", "search", "Search", id="text.search", priority=True),
        Binding("n", "match(1)", "Next match", id="text.next_match"),
        Binding("N", "match(-1)", "Prev match", show=False, id="text.previous_match"),
        Binding("colon", "go_page", "Page", key_display=":", id="text.page", priority=True),
        Binding("right_square_bracket", "turn(1)", "Next page", key_display="]",
                id="text.next_page"),
        Binding("left_square_bracket", "turn(-1)", "Prev page", key_display="[", show=False,
                id="text.previous_page"),
        Binding("v", "mark", "Mark", id="text.mark"),
        Binding("s", "sentence", "Sentence", id="text.sentence"),
        Binding("escape", "clear", "Clear", show=False, id="text.clear"),
    ]

    class Request(Message):
        """The view asks its parent for input: "search" or "page"."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    class PageShown(Message):
        """Another page is on screen."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, **kwargs) -> None:
        self.extraction = None
        self.matcher = None
        self.page_index = 0
        self.head = 0  # characters before the body (the marker line)
        self.evidence: list[Span] = []
        self.matches: list[Span] = []  # offsets in Page.text
        self.current = -1
        self.anchor: tuple[int, int] | None = None
        super().__init__("", read_only=True, soft_wrap=True, show_line_numbers=False, **kwargs)
        self.register_theme(THEME)
        self.theme = THEME.name

    # -- content ---------------------------------------------------------------------------
    @property
    def page(self):
        """The Page on screen (None when no text is shown)."""
        if self.extraction is None or not self.extraction.pages:
            return None
        return self.extraction.pages[self.page_index]

    @property
    def page_count(self) -> int:
        return len(self.extraction.pages) if self.extraction is not None else 0

    def show_extraction(self, extraction, matcher=None, evidence: list[Span] = ()) -> None:
        """Show an extraction from its first page with text; terms and passages highlighted."""
        self.extraction, self.matcher = extraction, matcher
        self.evidence = list(evidence)
        self.matches, self.current, self.anchor = [], -1, None
        first = next((i for i, p in enumerate(extraction.pages) if p.body.strip()), 0)
        self.show_page(first + 1 if extraction.pages else 1)

    def show_page(self, number: int) -> bool:
        """Show page `number` (1-based) from its top; False when there is no such page."""
        if self.extraction is None or not 1 <= number <= self.page_count:
            return False
        self.page_index = number - 1
        page = self.page
        marker = MARKER.format(n=page.number, total=self.page_count)
        self.head = len(marker) + 1
        self.anchor = None
        self.load_text(f"{marker}\n{page.body}\n{END.format(n=page.number)}")
        self._rebuild()
        self.scroll_home(animate=False)
        self.post_message(self.PageShown(page.number))
        return True

    def set_evidence(self, spans: list[Span]) -> None:
        """Highlight saved passages (page spans of every page)."""
        self.evidence = list(spans)
        self._rebuild()

    def _rebuild(self) -> None:
        self._build_highlight_map()
        self.refresh()

    def _body_ranges(self) -> list[tuple[int, int, str]]:
        """Highlights of the page shown, in body offsets."""
        page = self.page
        if page is None:
            return []
        out = []
        if self.matcher is not None:
            out += list(self.matcher.spans(page.body))
        shift = page.body_start
        out += [(s.start - shift, s.end - shift, "evidence") for s in self.evidence
                if s.page == page.number]
        out += [(s.start - shift, s.end - shift, "current" if i == self.current else "match")
                for i, s in enumerate(self.matches) if s.page == page.number]
        return out

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        if self.page is None:
            return
        doc = self.document
        highlights[0].append((0, len(doc.get_line(0).encode()), "page"))
        last = doc.line_count - 1
        highlights[last].append((0, len(doc.get_line(last).encode()), "page"))
        length = len(self.page.body)
        for start, end, name in self._body_ranges():
            start, end = max(start, 0), min(end, length)
            if end <= start:
                continue
            (r0, c0), (r1, c1) = self._location(start), self._location(end)
            for row in range(r0, r1 + 1):
                line = doc.get_line(row)
                a = c0 if row == r0 else 0
                b = c1 if row == r1 else len(line)
                if b > a:
                    highlights[row].append((len(line[:a].encode()), len(line[:b].encode()),
                                            name))

    # -- positions ---------------------------------------------------------------------------
    def _location(self, body_offset: int) -> tuple[int, int]:
        """(row, column) of an offset in the page body."""
        body = self.page.body
        before = body[:body_offset]
        row = before.count("\n")
        return row + 1, body_offset - (before.rfind("\n") + 1)

    def _body_offset(self, location: tuple[int, int]) -> int:
        """Offset in the page body of a (row, column), clamped to the body."""
        row, column = location
        if row <= 0:
            return 0
        lines = self.page.body.split("\n")
        if row > len(lines):
            return len(self.page.body)
        return min(sum(len(x) + 1 for x in lines[:row - 1]) + column, len(self.page.body))

    def selected_span(self) -> Span | None:
        """Return the selection as a span of the page shown (None when nothing is selected)."""
        page = self.page
        if page is None:
            return None
        start, end = sorted(self.selection)
        a, b = self._body_offset(start), self._body_offset(end)
        if b <= a:
            return None
        return Span(page.number, page.body_start + a, page.body_start + b)

    def cursor_span(self) -> Span | None:
        """Return the cursor as an empty span (page, offset in Page.text)."""
        page = self.page
        if page is None:
            return None
        at = page.body_start + self._body_offset(self.cursor_location)
        return Span(page.number, at, at)

    def go_to_span(self, span: Span, select: bool = True) -> bool:
        """Show a span's page and select (or put the cursor at) the span."""
        if self.extraction is None:
            return False
        if self.page is None or self.page.number != span.page:
            if not self.show_page(span.page):
                return False
        shift = self.page.body_start
        a = self._location(max(span.start - shift, 0))
        b = self._location(max(span.end - shift, 0)) if select else a
        self.anchor = None
        self.selection = Selection(a, b)
        self.scroll_cursor_visible(center=True, animate=False)
        return True

    # -- search ------------------------------------------------------------------------------
    def search(self, query: str) -> int:
        """Find every case-insensitive match in every page; go to the first from here."""
        self.matches, self.current = [], -1
        if self.extraction is not None and query:
            pattern = re.compile(re.escape(query), re.IGNORECASE)
            for page in self.extraction.pages:
                shift = page.body_start
                self.matches += [Span(page.number, m.start() + shift, m.end() + shift)
                                 for m in pattern.finditer(page.body)]
        if self.matches:
            here = self.cursor_span() or Span(1, 0, 0)
            self.current = next((i for i, s in enumerate(self.matches)
                                 if (s.page, s.start) > (here.page, here.start)), 0)
            self.go_to_span(self.matches[self.current], select=False)
        self._rebuild()
        return len(self.matches)

    def action_match(self, step: int) -> None:
        if not self.matches:
            raise SkipAction()  # n/N mean what the screen says until a search is made
        self.current = (self.current + step) % len(self.matches)
        self.go_to_span(self.matches[self.current], select=False)
        self._rebuild()

    def action_search(self) -> None:
        self._ask("search")

    def action_go_page(self) -> None:
        self._ask("page")

    def _ask(self, what: str) -> None:
        """Ask the panel for the prompt; the keys typed meanwhile wait for it (KeyHold)."""
        hold = getattr(self.app, "hold_keys", None)
        if hold is not None:
            hold()
        self.post_message(self.Request(what))

    def action_turn(self, step: int) -> None:
        if self.page is not None and not self.show_page(self.page.number + step):
            self.notify("First page." if step < 0 else "Last page.", timeout=2)

    def action_cursor_left(self, select: bool = False) -> None:
        if not select and self.anchor is None:
            raise SkipAction()  # left/right move between studies; shift or a mark selects
        super().action_cursor_left(select)

    def action_cursor_right(self, select: bool = False) -> None:
        if not select and self.anchor is None:
            raise SkipAction()
        super().action_cursor_right(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if not select and self.anchor is None and self.page is not None \
                and self.cursor_location[0] >= self.document.line_count - 1 \
                and self.page.number < self.page_count:
            self.show_page(self.page.number + 1)
            return
        super().action_cursor_down(select)

    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.anchor is None and self.page is not None \
                and self.cursor_location[0] == 0 and self.page.number > 1:
            self.show_page(self.page.number - 1)
            self.selection = Selection.cursor((self.document.line_count - 1, 0))
            self.scroll_end(animate=False)
            return
        super().action_cursor_up(select)

    # -- selecting from the keyboard ---------------------------------------------------------
    def action_mark(self) -> None:
        """Start (or stop) a selection at the cursor; moving the cursor then extends it."""
        if self.anchor is None:
            self.anchor = self.cursor_location
            self.notify("Mark set: move to extend the selection, then e saves it.", timeout=3)
        else:
            self.anchor = None

    def action_sentence(self) -> None:
        """Select the sentence around the cursor."""
        page = self.page
        if page is None:
            return
        body, here = page.body, self._body_offset(self.cursor_location)
        start = 0
        for m in _SENTENCE_END.finditer(body, 0, here):
            start = m.end()
        while start < len(body) and body[start].isspace():
            start += 1
        after = _SENTENCE_END.search(body, here)
        end = after.end() if after else len(body)
        if after is not None and not after.group().strip():
            end = after.start()
        self.anchor = None
        self.selection = Selection(self._location(start), self._location(end))

    def end_search(self) -> bool:
        """End the search (its matches are no longer marked, `n` is no longer the next
        match); return whether one was on. The selection stays."""
        if not self.matches:
            return False
        self.matches, self.current = [], -1
        self._rebuild()
        return True

    def action_clear(self) -> None:
        """Drop the selection and the mark; with neither, Escape goes to the screen."""
        start, end = self.selection
        if self.anchor is None and start == end and not self.matches:
            raise SkipAction()
        self.matches, self.current = [], -1
        self.clear_selection()

    def clear_selection(self) -> None:
        self.anchor = None
        self.selection = Selection.cursor(self.cursor_location)
        self._rebuild()

    def _watch_selection(self, previous_selection: Selection, selection: Selection) -> None:
        super()._watch_selection(previous_selection, selection)
        if self.anchor is not None and selection.start == selection.end \
                and selection.end != self.anchor:
            self.selection = Selection(self.anchor, selection.end)
