"""DecisionBar: this reviewer's decision on the shown study, progress and the active filter."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STYLES = {"include": "bold green", "exclude": "bold red", "maybe": "bold yellow",
          "not_retrieved": "bold magenta", "": "dim"}
LABELS = {"include": "INCLUDED", "exclude": "EXCLUDED", "maybe": "MAYBE",
          "not_retrieved": "FULL TEXT NOT RETRIEVED", "": "not screened yet"}


class DecisionBar(Static):
    """One line: your decision (with criteria and note), progress, filter."""

    DEFAULT_CSS = "DecisionBar { height: 1; padding: 0 1; }"

    def show_state(self, decision: str, criteria: tuple[str, ...], note: str,
                   done: int, total: int, flt: str = "", shown: int | None = None) -> None:
        """Update the bar; the screen calls this after every change."""
        text = Text()
        if not total:            # nothing imported (or nothing passed the earlier stage)
            self.update(Text("no studies to screen", style="dim"), layout=False)
            self.set_class(False, "decided")
            return
        text.append(LABELS.get(decision, decision), style=STYLES.get(decision, ""))
        if criteria:
            text.append(f" [{', '.join(criteria)}]")
        if note:
            text.append(f"  note: {note[:40]}{'...' if len(note) > 40 else ''}", style="italic")
        pct = 100 * done // total
        text.append(f"   {done}/{total} screened ({pct}%)", style="dim")
        if flt:
            text.append(f"   filter: {flt} ({shown} shown)", style="cyan")
        self.update(text, layout=False)
        self.set_class(bool(decision), "decided")
