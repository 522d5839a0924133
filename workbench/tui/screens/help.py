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
        self.rows: list[tuple[str, str, str]] = []
        app = target.app
        keys_of: dict[str, list[str]] = {}
        bindings: dict[str, tuple[object, Binding]] = {}
        # every binding of the screen and the app, also those that do not apply right now
        # (memo and evidence only work on a dimension, add row only on a group)
        for namespace, chain in target._modal_binding_chain:
            for key, binding in chain:
                if not binding.description or not binding.id:
                    continue
                keys_of.setdefault(binding.action, [])
                if key not in keys_of[binding.action]:
                    keys_of[binding.action].append(key)
                bindings.setdefault(binding.action, (namespace, binding))
        listed: set[str] = set()
        for action, (namespace, binding) in bindings.items():
            if set(keys_of[action]) <= listed:
                continue  # the app's own "?" behind the screen's: one line is enough
            listed.update(keys_of[action])
            display = ", ".join(app.get_key_display(Binding(k, "")) for k in keys_of[action])
            state = app._check_action_state(binding.action, namespace)
            does = binding.description + ("" if state else " (not now)")
            self.rows.append((display, does, binding.id or ""))

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
