"""An export whose files fail to move into place leaves exports/ as it was.

`ExportFolder.commit` moves the staged files into exports/ one rename at a
time. Here a rename fails in the middle (a full disk, a file held open, a
folder at a file's name): exports/ must be byte for byte as before (the same
files, folders and links, no hidden folder left), the error must name the file,
the problem and say nothing was exported, and the next export must work.
Before, the files moved before the failure stayed: a coded dataset of one
export next to a README of the previous one.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from tests.io.export_review import make_review
from workbench.errors import ExportError
from workbench.io.exports import folder as folder_module
from workbench.io.exports.folder import ExportFolder, write_text
from workbench.review.exporting import write_exports

REAL_REPLACE = os.replace


def snapshot(top: Path) -> dict[str, object]:
    """Every entry under `top`: a folder, a link (its target) or a file (its bytes)."""
    out: dict[str, object] = {}
    for path in sorted(top.rglob("*")):
        name = path.relative_to(top).as_posix()
        if path.is_symlink():
            out[name] = ("link", os.readlink(path))
        elif path.is_dir():
            out[name] = "folder"
        else:
            out[name] = path.read_bytes()
    return out


OLD = {"coded_dataset.csv": "study_id,x\nS1,old\n", "README.txt": "old readme\n",
       "stats/coded_dataset.dta": "old dta", "only_old.csv": "kept\n"}
NEW = {"coded_dataset.csv": "study_id,x\nS1,new\n", "README.txt": "new readme\n",
       "stats/coded_dataset.dta": "new dta", "charts/a.svg": "<svg/>",
       "charts/deep/b.svg": "<svg></svg>", "fresh.json": "{}\n", "linked.bib": "@misc{a}\n"}


def old_export(tmp_path: Path) -> Path:
    target = tmp_path / "exports"
    for name, text in OLD.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text, encoding="utf-8")
    outside = tmp_path / "outside.bib"
    outside.write_text("not the review's\n", encoding="utf-8")
    (target / "linked.bib").symlink_to(outside)   # replaced, never written through
    return target


def export_new(target: Path) -> list[Path]:
    with ExportFolder(target) as folder:
        for name, text in NEW.items():
            write_text(folder, name, text)
        return folder.commit()


class FailingReplace:
    """os.replace that fails with `error` on its `nth` call (0-based), or from it on."""

    def __init__(self, nth: int, error: int = errno.ENOSPC, after: bool = False) -> None:
        self.nth, self.error, self.after, self.calls = nth, error, after, 0

    def __call__(self, src, dst):
        n, self.calls = self.calls, self.calls + 1
        if n == self.nth or (self.after and n > self.nth):
            raise OSError(self.error, os.strerror(self.error), str(dst))
        return REAL_REPLACE(src, dst)


def moves_of_one_commit(tmp_path: Path) -> int:
    counter = FailingReplace(-1)
    target = old_export(tmp_path / "count")
    folder_module.os.replace = counter
    try:
        export_new(target)
    finally:
        folder_module.os.replace = REAL_REPLACE
    return counter.calls


def test_the_normal_path_writes_the_new_files_and_keeps_the_others(tmp_path):
    target = old_export(tmp_path)
    files = export_new(target)
    assert files == [target / name for name in NEW]
    after = snapshot(target)
    expected = {name: text.encode() for name, text in NEW.items()}
    expected["only_old.csv"] = OLD["only_old.csv"].encode()
    assert {k: v for k, v in after.items() if v != "folder"} == expected
    assert sorted(k for k, v in after.items() if v == "folder") == [
        "charts", "charts/deep", "stats"]
    assert (tmp_path / "outside.bib").read_text(encoding="utf-8") == "not the review's\n"


def test_a_move_failing_at_any_point_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    moves = moves_of_one_commit(tmp_path)
    assert moves >= len(NEW)   # every new file moved in (and, now, the 4 it replaces aside)
    for nth in range(moves):
        target = old_export(tmp_path / str(nth))
        before = snapshot(target)
        failing = FailingReplace(nth)
        monkeypatch.setattr(folder_module.os, "replace", failing)
        with pytest.raises(ExportError) as caught:
            export_new(target)
        monkeypatch.undo()
        message = str(caught.value)
        assert "No space left on device" in message and "nothing was exported" in message
        assert any(str(target / name) in message for name in NEW), message
        assert snapshot(target) == before, f"failed on move {nth}"
        # the next export works and gives what the normal path gives
        export_new(target)
        assert snapshot(target)["coded_dataset.csv"] == NEW["coded_dataset.csv"].encode()
        assert snapshot(target)["only_old.csv"] == OLD["only_old.csv"].encode()
        assert not [p for p in target.iterdir() if p.name.startswith(".export")]


def test_a_folder_at_a_file_name_is_named_and_nothing_moves(tmp_path):
    target = old_export(tmp_path)
    (target / "fresh.json").mkdir()
    (target / "fresh.json" / "mine.txt").write_text("a coder's file\n", encoding="utf-8")
    before = snapshot(target)
    with pytest.raises(ExportError) as caught:
        export_new(target)
    message = str(caught.value)
    assert str(target / "fresh.json") in message
    assert "a folder has this file's name" in message and "nothing was exported" in message
    assert snapshot(target) == before


def test_when_putting_back_fails_too_the_error_says_where_each_file_is(tmp_path, monkeypatch):
    target = old_export(tmp_path)
    # the 4 files replaced set aside, two new ones moved in, then nothing moves any more
    failing = FailingReplace(4 + 2, errno.EACCES, after=True)
    monkeypatch.setattr(folder_module.os, "replace", failing)
    with pytest.raises(ExportError) as caught:
        export_new(target)
    monkeypatch.undo()
    message = str(caught.value)
    assert "Permission denied" in message and "putting the folder back failed too" in message
    lines = message.splitlines()
    assert any(str(target / "coded_dataset.csv") in line and "new file stayed" not in line
               and "previous file is kept as" in line for line in lines)
    assert any(str(target / "README.txt") in line and "previous file is kept as" in line
               for line in lines)
    # no old file was deleted: each is where the message says
    for line in lines:
        if "previous file is kept as " in line:
            kept = Path(line.split("previous file is kept as ", 1)[1].rsplit(" (", 1)[0])
            name = line.strip().split(": ", 1)[0]
            rel = Path(name).relative_to(target).as_posix()
            if rel == "linked.bib":
                assert os.readlink(kept) == str(tmp_path / "outside.bib")
            else:
                assert kept.read_text(encoding="utf-8") == OLD[rel]


@pytest.fixture()
def exported(tmp_path):
    review = make_review(tmp_path / "review")
    write_exports(review, charts=False)
    return review


def test_a_whole_export_failing_to_move_leaves_the_previous_one(exported, monkeypatch):
    review = exported
    readme = review.exports / "README.txt"
    readme.unlink()
    readme.mkdir()   # moved late: the tables would have been replaced before it
    (readme / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = snapshot(review.exports)
    with pytest.raises(ExportError) as caught:
        write_exports(review, charts=False)
    assert str(readme) in str(caught.value) and "nothing was exported" in str(caught.value)
    assert snapshot(review.exports) == before
    shutil.rmtree(readme)

    real = ExportFolder.commit

    def commit_failing_late(self):   # the 10th rename of the commit alone
        monkeypatch.setattr(folder_module.os, "replace", FailingReplace(9, errno.EBUSY))
        try:
            return real(self)
        finally:
            monkeypatch.setattr(folder_module.os, "replace", REAL_REPLACE)
    before = snapshot(review.exports)
    monkeypatch.setattr(ExportFolder, "commit", commit_failing_late)
    with pytest.raises(ExportError) as caught:
        write_exports(review, charts=False)
    monkeypatch.undo()
    assert "busy" in str(caught.value) and "nothing was exported" in str(caught.value)
    assert snapshot(review.exports) == before
    write_exports(review, charts=False)
    after = snapshot(review.exports)
    assert set(after) == set(before) | {"README.txt"}
    assert not [p for p in review.exports.iterdir() if p.name.startswith(".export")]
