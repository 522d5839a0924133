"""A full-text link edited to name a file outside the review is not read.

A study's link (coding/fulltext/<reviewer>.csv) names its copy under the
review, `fulltext/<study>-<digest>.pdf`. The name was joined to the review
folder as it was, so a link edited to `/home/me/notes.txt` or
`../../private.docx` (a review folder arrives by sync, git or email) made the
screens and the export read that file, and `export` put its text into
review.qdpx, which goes back to the team. Such a link is refused with a clear
error; a link to the review's own copy still reads.
"""

from __future__ import annotations

import pytest

from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from workbench.errors import FulltextError
from workbench.review import Review
from workbench.review.fulltext import (FIELDS, STAGE, extraction_of_link, link_file, links_path,
                                       read_links)
from workbench.store.sheet import Event, append_events


def link_by_hand(review, study: str, name: str) -> None:
    values = {"file": name, "sha256": "", "source": "", "method": "manual"}
    append_events(links_path(review, "mallory"),
                  [Event("", "mallory", study, STAGE, f, values[f]) for f in FIELDS])


@pytest.mark.parametrize("where", ["absolute", "parent", "inside-then-out"])
def test_a_link_to_a_file_outside_the_review_is_refused(root, tmp_path, where):
    private = tmp_path / "private.txt"
    private.write_text("the secret of someone who opened this review\n")
    review = Review.open(root)
    study = review.studies()[0].id
    name = {"absolute": str(private), "parent": "../private.txt",
            "inside-then-out": "fulltext/../../private.txt"}[where]
    link_by_hand(review, study, name)
    link = read_links(Review.open(root))[study]
    with pytest.raises(FulltextError, match="outside the review"):
        extraction_of_link(Review.open(root), link)


def test_the_reviews_own_copy_still_reads(root, tmp_path):
    source = tmp_path / "paper.txt"
    source.write_text("Full text of the paper.\n")
    review = Review.open(root)
    study = review.studies()[0].id
    link_file(review, source, study, "alice")
    link = read_links(Review.open(root))[study]
    text = "".join(p.text for p in extraction_of_link(Review.open(root), link).pages)
    assert "Full text of the paper." in text


def test_a_copy_placed_beforehand_as_a_link_is_not_written_through(root, tmp_path):
    """fulltext/.<study>-<digest>.txt.part placed as a link (the digest is known to whoever
    shared the file): linking copied the full text through it, over the file outside."""
    import hashlib
    source = tmp_path / "paper.txt"
    source.write_text("Full text of the paper.\n")
    outside = tmp_path / "outside.sh"
    outside.write_text("export PATH=$HOME/bin:$PATH\n")
    review = Review.open(root)
    study = review.studies()[0].id
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    part = root / "fulltext" / f".{study}-{digest[:8]}.txt.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.symlink_to(outside)
    link = link_file(review, source, study, "alice")
    assert outside.read_text() == "export PATH=$HOME/bin:$PATH\n"
    assert (root / link.file).read_bytes() == source.read_bytes()
    assert not (root / link.file).is_symlink()


@pytest.mark.parametrize("recorded", ["", "other"])
def test_a_copy_that_is_a_link_to_a_file_outside_is_not_read(root, tmp_path, recorded):
    """The link names the review's own `fulltext/<study>-x.txt`, but that file is a symbolic
    link (git, zip and sync keep them) to a file outside the review: the screens and the
    export read it, and its text went into review.qdpx, back to the team. A file reached
    through a link outside the review is read only when its digest is the one recorded."""
    private = tmp_path / "private.txt"
    private.write_text("the secret of someone who opened this review\n")
    review = Review.open(root)
    study = review.studies()[0].id
    name = f"fulltext/{study}-0badc0de.txt"
    (root / "fulltext").mkdir(exist_ok=True)
    (root / name).symlink_to("../../private.txt")   # relative: works on any machine
    assert (root / name).read_text() == private.read_text()
    values = {"file": name, "sha256": "ab" * 32 if recorded else "", "source": "",
              "method": "manual"}
    append_events(links_path(review, "mallory"),
                  [Event("", "mallory", study, STAGE, f, values[f]) for f in FIELDS])
    link = read_links(Review.open(root))[study]
    with pytest.raises(FulltextError, match="outside the review"):
        extraction_of_link(Review.open(root), link)


def test_a_linked_fulltext_folder_holding_the_linked_copies_still_reads(root, tmp_path):
    """A fulltext/ folder kept on another disk (a link to it) holds the very files linked:
    their digests are the recorded ones, so they read."""
    source = tmp_path / "paper.txt"
    source.write_text("Full text of the paper.\n")
    review = Review.open(root)
    study = review.studies()[0].id
    link_file(review, source, study, "alice")
    elsewhere = tmp_path / "disk" / "fulltext"
    elsewhere.parent.mkdir()
    (root / "fulltext").rename(elsewhere)
    (root / "fulltext").symlink_to(elsewhere)
    for cached in (root / ".workbench").rglob("*"):
        if cached.is_file() and "fulltext" in cached.as_posix():
            cached.unlink()
    link = read_links(Review.open(root))[study]
    text = "".join(p.text for p in extraction_of_link(Review.open(root), link).pages)
    assert "Full text of the paper." in text
