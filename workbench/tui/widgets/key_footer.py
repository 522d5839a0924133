"""KeyFooter: the footer, wrapped onto as many rows as needed so every key stays visible."""

from __future__ import annotations

import math

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A compact Footer laid out as a grid: at 80 columns the keys take two or three rows."""

    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-columns: auto;
        grid-rows: 1;
        grid-gutter: 0 1;
    }
    KeyFooter.-compact FooterKey { margin-right: 0; }
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    def compose(self):
        items = list(super().compose())
        keys = [w for w in items if isinstance(w, FooterKey)]
        width = max(20, (self.size.width or self.app.size.width) - 1)
        lengths = [len(k.key_display) + 1 + len(k.description) for k in keys]
        columns = max(1, len(keys))
        while columns > 1:
            widths = [max(lengths[c::columns], default=0) for c in range(columns)]
            if sum(widths) + columns - 1 <= width:
                break
            columns -= 1
        self.styles.grid_size_columns = columns
        self.styles.height = max(1, math.ceil(len(keys) / columns))
        yield from items

    def on_resize(self) -> None:
        self.refresh(recompose=True)
