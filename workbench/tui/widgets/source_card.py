"""SourceCard: one study's bibliographic details with highlight terms in two colours."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from workbench.core.codebook import HighlightMatcher


def highlighted(text: str, matcher: HighlightMatcher | None, base: str = "") -> Text:
    """Return `text` as Rich Text with include terms and exclude terms styled."""
    out = Text(text, style=base)
    if matcher is not None:
        for start, end, kind in matcher.spans(text):
            out.stylize("bold reverse green" if kind == "include" else "bold reverse red",
                        start, end)
    return out


class SourceCard(VerticalScroll, can_focus=True):
    """Shows one study: title, authors, year, venue, DOI/URL, keywords, databases, abstract.

    The screen sets what to show with `show_study`; the card scrolls when the
    abstract is long (arrows, PageUp/PageDown).
    """

    DEFAULT_CSS = """
    SourceCard { height: 1fr; padding: 1 1 0 1; }
    SourceCard > Static { width: 1fr; margin-bottom: 1; }
    """

    def compose(self):
        yield Static("", id="card-body")

    #: What an empty card says; each screen names its own way to widen the list.
    empty_text = "No study to show (change the filter with /)."

    def show_study(self, study, matcher: HighlightMatcher | None) -> None:
        """Display a study (None shows an empty card), scrolled to the top."""
        body = self.query_one("#card-body", Static)
        if study is None:
            body.update(Text(self.empty_text, style="bold"))
            return
        title = highlighted(study.title or "(no title)", matcher, "bold")
        meta = Text()
        authors = list(study.authors or ())
        shown = "; ".join(authors[:6]) + (f"; ... (+{len(authors) - 6})" if len(authors) > 6 else "")
        meta.append(shown or "(no authors)", style="italic")
        head = " · ".join(x for x in (str(study.year or "n.d."), study.venue or "") if x)
        meta.append("\n" + head)
        link = f"https://doi.org/{study.doi}" if study.doi else (study.url or "")
        if link:
            meta.append("\n" + link, style="underline")
        if study.keywords:
            meta.append("\nKeywords: ")
            meta.append_text(highlighted("; ".join(study.keywords), matcher))
        databases = ", ".join(getattr(study, "databases", ()) or ())
        meta.append(f"\nFrom: {databases or '(unknown)'}", style="dim")
        abstract = highlighted(study.abstract or "(no abstract)", matcher)
        body.update(Group(title, Text(""), meta, Text(""), abstract))
        self.scroll_home(animate=False)
