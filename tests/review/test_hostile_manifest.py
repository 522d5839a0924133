"""references/imports.csv edited by hand or by someone else: names that leave references/.

A review folder travels by shared drives, sync and email. Its import manifest
names each export by its file name in references/; the name was joined to
the folder as it was, so a row naming `../../outside.ris` or an absolute path
read a file outside the review into it as an export (its records joined the
review), and one naming a FIFO or a device hung or never ended reading it.
Such a row is now refused with the manifest's path and line, and an export
that is not a regular file (a folder, a device) is refused with its name.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from workbench.errors import ReviewError
from workbench.review import Review
from workbench.store.imports import MANIFEST_NAME, read_manifest


def manifest_naming(root, name: str, records: int | None = None) -> None:
    path = root / "references" / MANIFEST_NAME
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, first = lines[0], lines[1].split(",")
    first[0] = name
    if records is not None:
        first[4] = str(records)
    path.write_text(head + ",".join(first) + "".join(lines[2:]), encoding="utf-8")
    shutil.rmtree(root / ".workbench", ignore_errors=True)   # no records cache: files are read


@pytest.mark.parametrize("name", ["../../outside.ris", "{outside}", "sub/../../outside.ris",
                                  "..", "", "a\0b.ris"])
def test_a_manifest_row_naming_a_file_outside_references_is_refused(root, name):
    outside = root.parent / "outside.ris"
    outside.write_text("TY  - JOUR\nTI  - a private file outside the review\nER  - \n",
                       encoding="utf-8")
    manifest_naming(root, str(outside) if name == "{outside}" else name, records=1)
    with pytest.raises(ReviewError) as caught:
        read_manifest(root / "references")
    assert caught.value.line == 2 and MANIFEST_NAME in str(caught.value.path)
    with pytest.raises(ReviewError):
        Review.open(root).records()


def test_an_export_that_is_not_a_regular_file_is_refused_not_read(root):
    references = root / "references"
    (references / "folder.ris").mkdir()
    manifest_naming(root, "folder.ris")
    with pytest.raises(ReviewError, match="not a regular file"):
        Review.open(root).records()
    (references / "folder.ris").rmdir()
    os.symlink(os.devnull, references / "folder.ris")   # a device behind a link
    with pytest.raises(ReviewError, match="not a regular file"):
        Review.open(root).records()


def test_a_plain_name_still_reads(root):
    before = [r.title for r in Review.open(root).records()]
    manifest_naming(root, "search.ris")
    assert [r.title for r in Review.open(root).records()] == before


def test_an_export_copied_in_as_a_link_to_a_file_outside_is_refused(root, tmp_path):
    """An export in references/ that no manifest row names (copied in by hand) has no recorded
    digest. Placed as a link to a file outside the review (`../../.git-credentials` reaches the
    home folder of whoever opens a review kept in ~/reviews/x), its lines became records of
    the review. It is refused by name; a references/ folder that is itself a link still reads."""
    private = tmp_path / "private.ris"
    private.write_text("TY  - JOUR\nTI  - a private file outside the review\nER  - \n",
                       encoding="utf-8")
    before = [r.title for r in Review.open(root).records()]
    link = root / "references" / "extra.ris"
    os.symlink(os.path.relpath(private, link.parent), link)
    with pytest.raises(ReviewError, match="outside the review") as caught:
        Review.open(root).records()
    assert "extra.ris" in str(caught.value)
    link.unlink()
    elsewhere = tmp_path / "disk" / "references"
    elsewhere.parent.mkdir()
    (root / "references").rename(elsewhere)
    (root / "references").symlink_to(elsewhere)
    shutil.rmtree(root / ".workbench", ignore_errors=True)
    assert [r.title for r in Review.open(root).records()] == before
