"""Sheet.changed_on_disk: another process's append is noticed, the Sheet's own appends are not."""

from __future__ import annotations

from workbench.core.events import Change
from workbench.store.reviewer_sheet import Sheet


def test_own_appends_are_not_changes_but_another_writers_are(tmp_path):
    path = tmp_path / "alice.csv"
    app = Sheet.open(path, "alice")
    assert not app.changed_on_disk()                    # no file yet, nothing changed
    app.append("title_abstract", "S1", [Change("decision", "include")])
    assert not app.changed_on_disk()
    cli = Sheet.open(path, "alice")                     # e.g. `workbench bulk` in a shell
    cli.append("title_abstract", "S2", [Change("decision", "exclude")])
    assert app.changed_on_disk()
    app.append("title_abstract", "S3", [Change("decision", "maybe")])
    assert app.changed_on_disk()                        # still stale after its own append
    fresh = Sheet.open(path, "alice")
    assert not fresh.changed_on_disk()
    assert {sid for sid in ("S1", "S2", "S3")
            if fresh.state.fields("title_abstract", sid)} == {"S1", "S2", "S3"}


def test_a_sheet_built_from_events_never_claims_a_change(tmp_path):
    sheet = Sheet(tmp_path / "bob.csv", "bob")
    (tmp_path / "bob.csv").write_text("anything\n", encoding="utf-8")
    assert not sheet.changed_on_disk()
