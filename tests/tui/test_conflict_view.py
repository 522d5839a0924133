"""The resolve screen names the codes of a code conflict, as the coding screen does."""

from __future__ import annotations

from workbench.core.conflicts import Conflict
from workbench.tui.widgets.conflict_view import conflict_text


def test_codes_are_shown_with_their_labels():
    conflict = Conflict("S1", "coding", "code:harms", {"alice": "theme_a;theme_b",
                                                       "bob": "theme_a"}, kind="code")
    labels = {"theme_a": "Financial harm", "theme_b": "Health harm"}
    text = conflict_text(conflict, {}, None, "A study", labels).plain
    assert "alice: theme_a (Financial harm); theme_b (Health harm)" in text
    assert "bob: theme_a (Financial harm)" in text
    decision = Conflict("S1", "title_abstract", "decision", {"alice": "include",
                                                             "bob": "exclude"}, kind="decision")
    assert "alice: include" in conflict_text(decision, {}, {}, "", labels).plain
