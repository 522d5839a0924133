"""The resolve screen names codes, criteria and choices as `workbench conflicts` does: "Label (id)"."""

from __future__ import annotations

from pathlib import Path

from workbench.core.conflicts import Conflict
from workbench.io.codebook_yaml import load_codebook
from workbench.tui.widgets.conflict_view import conflict_text

CODEBOOK = load_codebook(Path(__file__).resolve().parents[2] / "codebook.yaml")


def test_codes_are_shown_with_their_labels():
    conflict = Conflict("S1", "coding", "code:platforms", {"alice": "twitter;facebook",
                                                           "bob": "twitter"}, kind="code")
    text = conflict_text(conflict, {}, None, "A study", CODEBOOK).plain
    assert "alice: Twitter/X (twitter); Facebook (facebook)" in text
    assert "bob: Twitter/X (twitter)" in text
    decision = Conflict("S1", "title_abstract", "decision", {"alice": "include",
                                                             "bob": "exclude"}, kind="decision")
    shown = conflict_text(decision, {}, {"alice": "", "bob": "E1"}, "", CODEBOOK).plain
    assert "alice: include" in shown
    assert f"criteria: {CODEBOOK.criterion('E1').label} (E1)" in shown


def test_choice_values_are_shown_with_their_labels_not_as_bare_ids():
    conflict = Conflict("S1", "coding", "field:source_type",
                        {"alice": "peer_reviewed", "bob": "grey_literature", "carol": ""},
                        kind="field")
    text = conflict_text(conflict, {}, None, "", CODEBOOK).plain
    assert "alice: Peer-reviewed article (peer_reviewed)" in text
    assert "bob: Grey literature (grey_literature)" in text
    assert "carol: (none)" in text
    free = Conflict("S1", "coding", "field:hashtag_reach", {"alice": "2.5", "bob": "3"},
                    kind="field")
    assert "alice: 2.5" in conflict_text(free, {}, None, "", CODEBOOK).plain


def test_a_group_rows_choices_are_labelled_in_a_row_field_and_a_whole_row():
    field = Conflict("S1", "coding", "row:campaign:MeToo:platform",
                     {"alice": "twitter;facebook", "bob": "twitter"}, kind="row_field",
                     group="campaign", key="MeToo")
    text = conflict_text(field, {}, None, "", CODEBOOK).plain
    assert "alice: Twitter/X (twitter); Facebook (facebook)" in text
    row = Conflict("S1", "coding", "row:campaign:MeToo", {"alice": "keep", "bob": ""},
                   kind="row", group="campaign", key="MeToo",
                   rows={"alice": {"name": "MeToo", "platform": "twitter"}})
    text = conflict_text(row, {}, None, "", CODEBOOK).plain
    assert "alice: name=MeToo, platform=Twitter/X (twitter)" in text
    assert "bob: (no row: drop it)" in text
