"""HelpScreen: every key of the screen below it (and the app), with its binding id for remapping."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Lists the keys of `target` (a screen) and the app's global keys."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, target) -> None:
        super().__init__(classes="modal")
        self.rows = []
        seen = set()
        for key, active in target.active_bindings.items():
            binding = active.binding
            if binding.action in seen or not binding.description or not binding.id:
                continue
            seen.add(binding.action)
            keys = [k for k, a in target.active_bindings.items() if a.binding.action == binding.action]
            display = ", ".join(target.app.get_key_display(Binding(k, "")) for k in keys)
            self.rows.append((display, binding.description, binding.id or ""))

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("Key", no_wrap=True)
        table.add_column("Does")
        table.add_column("Id (for keys.yaml)", style="dim")
        for row in self.rows:
            table.add_row(*row)
        with VerticalScroll(classes="dialog help-dialog"):
            yield Static("Keys (Esc closes)", classes="dialog-title")
            yield Static(table)
            yield Static("↑ ↓ PgUp PgDn Home End scroll a long abstract; Tab moves between "
                         "fields in a dialog; ctrl+q quits; F2 switches dark/light.",
                         classes="dialog-help")
            yield Static("Remap keys in .workbench/keys.yaml (this review, this machine) or "
                         "~/.config/workbench/keys.yaml, e.g.\n  keys:\n    screening.include: i,y",
                         classes="dialog-help")

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
