"""OrderModal: choose the order to screen in (every order of workbench.review.ordering.ORDERS)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.review.ordering import ORDERS


class OrderModal(ModalScreen[str | None]):
    """List the orders; Enter picks one, Escape keeps the current one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str) -> None:
        super().__init__(classes="modal")
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Screening order", classes="dialog-title")
            options = [Option(f"{'● ' if o.name == self.current else '  '}{o.label}"
                              + (f"  ({o.help})" if o.help else ""), id=o.name)
                       for o in ORDERS.values()]
            yield OptionList(*options, id="order-options")
            yield Static("Enter chooses; Escape keeps the current order.",
                         classes="dialog-help")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = list(ORDERS)
        options.highlighted = names.index(self.current) if self.current in names else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
