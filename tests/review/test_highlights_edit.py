"""Editing the highlight terms: the file keeps everything else, the diff, the stale-file guard."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.errors import CodebookError
from workbench.review import Review
from workbench.review.highlights import plan_highlights, split_terms, write_highlights

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def review(tmp_path) -> Review:
    root = tmp_path / "r"
    root.mkdir()
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    return Review.open(root)


def test_only_the_terms_change_comments_and_order_stay(review):
    before = review.codebook_path.read_text(encoding="utf-8")
    old = review.codebook().highlights
    include = tuple(old.include) + ("hashtag campaign*",)
    edit = plan_highlights(review, include, split_terms("theoretical framework, '*odd'"))
    assert review.codebook_path.read_text(encoding="utf-8") == before   # nothing written yet
    assert "+    - hashtag campaign*" in edit.diff and "-    - India*" in edit.diff
    changed = [line for line in edit.diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 1 + 3 + 1     # one include in; 3 exclude terms out, 1 in
    codebook = write_highlights(review, edit)
    assert codebook.highlights.include[-1] == "hashtag campaign*"
    assert codebook.highlights.exclude == ("theoretical framework", "'*odd'")
    after = review.codebook_path.read_text(encoding="utf-8")
    untouched = [line for line in before.splitlines()
                 if not line.startswith("    - ") and "highlights" not in line]
    assert [line for line in after.splitlines() if line in set(untouched)] == untouched
    assert "# -- Thematic framework" in after


def test_a_file_changed_on_disk_meanwhile_is_never_overwritten(review):
    edit = plan_highlights(review, ("a*",), ())
    path = review.codebook_path
    path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="changed on disk"):
        write_highlights(review, edit)
    assert path.read_text(encoding="utf-8").endswith("# edited by hand\n")
    assert "a*" not in Review.open(path.parent).codebook().highlights.include


def test_crlf_and_a_byte_order_mark_are_kept(review):
    path = review.codebook_path
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    write_highlights(review, plan_highlights(review, ("x",), ("y",)))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert Review.open(path.parent).codebook().highlights.include == ("x",)
