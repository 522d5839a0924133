"""Small wording helpers for what the screens say."""

from __future__ import annotations

from workbench.core.wording import plural  # one rule for the CLI, the app and the library

__all__ = ["plural", "NOTHING_TO_UNDO"]

#: What `u` says when this screen has nothing of its own to take back.
NOTHING_TO_UNDO = ("Nothing to undo: nothing was saved on this screen since it opened. "
                   "u takes back only this screen's own saves, never a line saved by a "
                   "command such as workbench bulk or by someone else.")
