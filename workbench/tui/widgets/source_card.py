"""SourceCard: one study's bibliographic details with highlight terms in two colours."""

from __future__ import annotations

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
    SourceCard { height: 1fr; padding: 0 1; }
    SourceCard > Static { width: 1fr; }
    """

    def compose(self):
        yield Static("", id="card-title", classes="card-title")
        yield Static("", id="card-meta", classes="card-meta")
        yield Static("", id="card-abstract", classes="card-abstract")

    def show_study(self, study, matcher: HighlightMatcher | None, position: str = "") -> None:
        """Display a study (None shows an empty card)."""
        title = self.query_one("#card-title", Static)
        meta = self.query_one("#card-meta", Static)
        abstract = self.query_one("#card-abstract", Static)
        if study is None:
            title.update(Text("No study to show", style="bold"))
            meta.update(Text(position))
            abstract.update("")
            return
        title.update(highlighted(study.title or "(no title)", matcher, "bold"))
        lines = Text()
        authors = list(study.authors or ())
        shown = "; ".join(authors[:6]) + (f"; ... (+{len(authors) - 6})" if len(authors) > 6 else "")
        lines.append(shown or "(no authors)", style="italic")
        lines.append("\n")
        head = " · ".join(x for x in (str(study.year or "n.d."), study.venue or "") if x)
        lines.append(head)
        link = f"https://doi.org/{study.doi}" if study.doi else (study.url or "")
        if link:
            lines.append("\n" + link, style="underline")
        if study.keywords:
            lines.append("\nKeywords: ")
            lines.append_text(highlighted("; ".join(study.keywords), matcher))
        databases = ", ".join(getattr(study, "databases", ()) or ())
        lines.append(f"\nFrom: {databases or '(unknown)'}   {position}", style="dim")
        meta.update(lines)
        abstract.update(highlighted(study.abstract or "(no abstract)", matcher))
        self.scroll_home(animate=False)
