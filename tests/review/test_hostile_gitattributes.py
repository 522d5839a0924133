"""`init --git` never writes through a `.gitattributes` that is a link, and a FIFO does not hang it.

`init_git` appended its sync lines with a plain `open("a")`, which follows a
symbolic link: a folder unpacked from someone else's zip (or a clone) with
`.gitattributes -> ~/.bashrc` got the lines appended to that file. It now
appends through `store.files.open_for_append` (never through a link, only to a
regular file) and reads the file without blocking; a refusal names the file,
says nothing was written and gives the lines to add by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workbench.review import init_review
from workbench.review.sync import GITATTRIBUTES, SyncError, init_git


def test_a_gitattributes_link_to_a_file_outside_is_not_written_through(tmp_path):
    review = init_review(tmp_path / "rv")
    outside = tmp_path / "bashrc"
    outside.write_text("alias ll='ls -l'\n", encoding="utf-8")
    (review.root / ".gitattributes").symlink_to(outside)
    with pytest.raises(SyncError) as caught:
        init_git(review.root)
    message = str(caught.value)
    assert str(review.root / ".gitattributes") in message and "symbolic link" in message
    assert "nothing was written" in message and "references/* -text" in message
    assert outside.read_text(encoding="utf-8") == "alias ll='ls -l'\n"


def test_a_link_that_already_holds_every_line_is_left_alone(tmp_path):
    review = init_review(tmp_path / "rv")
    outside = tmp_path / "team.gitattributes"
    outside.write_text(GITATTRIBUTES, encoding="utf-8")
    (review.root / ".gitattributes").symlink_to(outside)
    init_git(review.root)   # read through the link: nothing to add, nothing refused
    assert outside.read_text(encoding="utf-8") == GITATTRIBUTES


def test_a_regular_gitattributes_gets_the_missing_lines_once(tmp_path):
    review = init_review(tmp_path / "rv")
    (review.root / ".gitattributes").write_text("*.pdf binary", encoding="utf-8")
    init_git(review.root)
    init_git(review.root)
    assert (review.root / ".gitattributes").read_text(encoding="utf-8") == \
        "*.pdf binary\n" + GITATTRIBUTES


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_gitattributes_is_refused_without_hanging(tmp_path):
    folder = tmp_path / "rv"
    folder.mkdir()
    os.mkfifo(folder / ".gitattributes")
    code = ("import sys; from workbench.cli import main; sys.argv = ['workbench', 'init', "
            f"{str(folder)!r}, '--git']; main()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)   # a hang guard, not a timing
    assert done.returncode != 0
    assert ".gitattributes" in done.stderr and "not a regular file" in done.stderr, done.stderr
