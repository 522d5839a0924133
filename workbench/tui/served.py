"""The app as `workbench serve` runs it for one browser connection.

textual-serve starts `python -m workbench.tui.served REVIEW_DIR` once per
connection. Each connection is a person of its own: the app asks their name
every time and remembers none (the terminal app offers the last name used).
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.tui.app import WorkbenchApp


class ServedApp(WorkbenchApp):
    """The workbench for one browser connection: asks who you are, remembers nobody."""

    REMEMBER_REVIEWER = False


def main(argv: list[str] | None = None) -> int:
    """Run the app for one connection on the review folder named by the first argument."""
    args = sys.argv[1:] if argv is None else argv
    app = ServedApp(Path(args[0] if args else "."))
    app.run()
    return app.return_code or (1 if app.fatal_message else 0)


if __name__ == "__main__":
    sys.exit(main())
