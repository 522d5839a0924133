"""An export edited together with its manifest row: said when it is read again.

h7 made a cold parse refuse an export whose bytes differ from the SHA-256
`references/imports.csv` recorded. Someone who also writes the new digest into
the manifest gets past that: the file and the manifest agree, the records get
new ids (made from the digest), and every decision on the old studies names ids
no export has. `check` listed them one by one; nothing said why. Now the read
that makes the new ids says at once that the sheets name studies of an export
the manifest does not list, and which export just read no decision names.
"""

from __future__ import annotations

import logging
import shutil

from click.testing import CliRunner

from tests.review.test_hostile_edited_export import RIS, edit_in_place, review_with
from workbench.cli import cli
from workbench.review import Review, orphaned_ids
from workbench.review.importing import load_records
from workbench.store.sheet import Event, append_events


def decided(tmp_path):
    root = review_with(tmp_path, "search.ris", RIS.encode())
    studies = Review.open(root).studies()
    append_events(root / "coding" / "alice.csv", [
        Event("", "alice", s.id, "title_abstract", "decision", "include", "", "")
        for s in studies])
    return root, [s.id for s in studies]


def test_an_export_edited_with_its_manifest_row_is_named_when_read_again(tmp_path, caplog):
    root, ids = decided(tmp_path)
    recorded, now = edit_in_place(root, b"number 3", b"number 9")
    manifest = root / "references" / "imports.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(recorded, now),
                        encoding="utf-8")
    shutil.rmtree(root / ".workbench")   # a fresh clone
    with caplog.at_level(logging.WARNING):
        records = load_records(root)
    assert {r.id[:8] for r in records} == {now[:8]}   # the new ids: read, not refused
    said = " ".join(r.getMessage() for r in caplog.records)
    assert f"S{recorded[:8]}" in said and "references/search.ris" in said, said
    assert "imports.csv does not list" in said and "restore both as imported" in said
    # check still lists the decisions that reach no study, as before
    done = CliRunner().invoke(cli, ["--review", str(root), "check"])
    assert ids[0] in done.output and "no such study" in done.output
    # said once, when the ids are made: the next read is warm and scans nothing
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_records(root)
    assert not caplog.records


def test_a_fresh_clone_of_a_sound_review_says_nothing(tmp_path, caplog):
    root, _ = decided(tmp_path)
    shutil.rmtree(root / ".workbench")
    with caplog.at_level(logging.WARNING):
        load_records(root)
    assert not [r for r in caplog.records if "imports.csv does not list" in r.getMessage()]


def test_the_warm_path_scans_no_sheet(tmp_path, monkeypatch):
    root, _ = decided(tmp_path)
    load_records(root)
    monkeypatch.setattr(orphaned_ids, "orphaned_prefixes",
                        lambda root: (_ for _ in ()).throw(AssertionError("scanned")))
    load_records(root)
