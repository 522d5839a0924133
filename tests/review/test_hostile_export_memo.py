"""The kept export (.workbench/export/, review/export_memo.py) against edits and damage.

An unchanged review's export stages the kept files instead of building them;
it must equal a build of the same state (timestamps apart), and anything
changed since must build again: a sheet appended to, edited by hand in place
(same size) or torn, the codebook, the references, the pair decisions; a kept
file edited, truncated or removed, the sealed manifest edited or cut, a file of
exports/ edited in place (the kept files are hard links to it). A bad memo is
ignored, never trusted.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from workbench.review import Review, export_memo, exporting
from workbench.review.exporting import write_exports

STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TA = "title_abstract"


@pytest.fixture(autouse=True)
def kept_for_any_size(monkeypatch):
    monkeypatch.setattr(export_memo, "MIN_SHEET_BYTES", 0)


@pytest.fixture
def review(root):  # noqa: F811
    """The scenario review with its merge conflict resolved: the export runs."""
    from click.testing import CliRunner
    from workbench.cli import cli
    from tests.review.test_consensus_scenario import S
    done = CliRunner().invoke(cli, ["--review", str(root), "resolve", S(4), "--stage", TA,
                                    "--field", "decision", "--value", "exclude", "--criteria",
                                    "E1", "--reviewer", "carol", "--reason", "checked"])
    assert done.exit_code == 0, done.output
    return root


@pytest.fixture
def builds(monkeypatch):
    """How many exports read the sheets (were built, not copied)."""
    count = []
    real = exporting._read_sheets

    def counted(review):
        count.append(1)
        return real(review)
    monkeypatch.setattr(exporting, "_read_sheets", counted)
    return count


def export(root, out, source="consensus"):
    return write_exports(Review.open(root), source=source, charts=False, out=out)


def built(root, out, source="consensus"):
    """A build of the review as it is now: the memo set aside, then put back."""
    memo = root / ".workbench" / "export"
    aside = root.parent / "memo-aside"
    if memo.exists():
        memo.rename(aside)
    try:
        return write_exports(Review.open(root), source=source, charts=False, out=out)
    finally:
        shutil.rmtree(memo, ignore_errors=True)
        if aside.exists():
            aside.rename(memo)


def contents(folder: Path) -> dict:
    """Each file's content, timestamps masked; zip files part by part; .dta/.sav read back."""
    import pyreadstat
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix in (".xlsx", ".qdpx"):
            with zipfile.ZipFile(path) as z:
                out[name] = [(n, STAMP.sub(b"T", z.read(n))) for n in z.namelist()]
        elif path.suffix in (".dta", ".sav"):
            read = pyreadstat.read_dta if path.suffix == ".dta" else pyreadstat.read_sav
            frame, meta = read(str(path))
            out[name] = (frame.to_csv(), meta.column_names, meta.column_labels,
                         meta.variable_value_labels)
        else:
            out[name] = STAMP.sub(b"T", path.read_bytes())
    return out


def test_an_unchanged_review_is_copied_and_equals_a_build(review, tmp_path, builds):
    first = export(review, tmp_path / "a")
    assert len(builds) == 1 and (review / ".workbench" / "export").is_dir()
    again = export(review, tmp_path / "b")
    assert len(builds) == 1                       # copied, not built
    assert contents(tmp_path / "b") == contents(tmp_path / "a")
    cold = built(review, tmp_path / "c")
    assert contents(tmp_path / "b") == contents(tmp_path / "c")
    # What the command prints is the same, with this export's time and folder.
    assert (again.source, again.studies_included, again.prisma, again.codebook_version,
            again.sheets, again.warnings, again.not_agreed) == \
        (cold.source, cold.studies_included, cold.prisma, cold.codebook_version, cold.sheets,
         cold.warnings, cold.not_agreed)
    assert [p.relative_to(tmp_path / "b") for p in again.files] == \
        [p.relative_to(tmp_path / "a") for p in first.files]
    meta = json.loads((tmp_path / "b" / "export_metadata.json").read_text())
    assert meta["exported_at"] == again.exported_at
    assert f"Exported at (UTC): {again.exported_at}" in (tmp_path / "b" / "README.txt").read_text()
    with zipfile.ZipFile(tmp_path / "b" / "workbench_export.xlsx") as z:
        assert again.exported_at.encode() in z.read("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(tmp_path / "b" / "review.qdpx") as z:
        qde = z.read("project.qde")
    assert qde.count(f'creationDateTime="{again.exported_at}"'.encode()) >= 1 or \
        STAMP.search(qde)   # the second may tick between the two clocks
    # Another source is kept beside it, not instead of it.
    export(review, tmp_path / "d", source="alice")
    export(review, tmp_path / "e", source="alice")
    export(review, tmp_path / "f")
    assert len(builds) == 3


def _append_event(root):
    from workbench.review.coding import open_coding_session
    from tests.review.test_consensus_scenario import S
    open_coding_session(Review.open(root), "alice").set_field(S(3), "software", "SPSS")


def _same_size_edit(root):
    path = root / "coding" / "alice.csv"
    data = path.read_bytes()
    assert b"twitter" in data
    path.write_bytes(data.replace(b"twitter", b"twittex", 1))


def _torn_line(root):
    with open(root / "coding" / "bob.csv", "ab") as handle:
        handle.write(b"2026-01-01T00:00:00.000000Z,bob,S")


def _codebook(root):
    with open(root / "codebook.yaml", "a", encoding="utf-8") as handle:
        handle.write("\n# edited by hand\n")


def _references(root):
    path = next(p for p in sorted((root / "references").iterdir()) if p.suffix != ".csv")
    with open(path, "ab") as handle:
        handle.write(b"\n")


EDITS = {"appended": _append_event, "same-size edit": _same_size_edit, "torn line": _torn_line,
         "codebook": _codebook}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_input_is_built_again_as_a_build_would(review, tmp_path, builds, edit):
    export(review, tmp_path / "a")
    EDITS[edit](review)
    try:
        export(review, tmp_path / "b")
    except Exception as exc:   # the edit may make the export refuse: a build refuses alike
        with pytest.raises(type(exc)):
            built(review, tmp_path / "c")
        assert len(builds) >= 2
        return
    assert len(builds) == 2
    built(review, tmp_path / "c")
    assert contents(tmp_path / "b") == contents(tmp_path / "c")
    assert contents(tmp_path / "b") != contents(tmp_path / "a") or edit == "codebook"


def test_a_copied_review_is_built_not_given_the_originals_paths(review, tmp_path, builds):
    export(review, tmp_path / "a")
    copy = tmp_path / "copy"
    shutil.copytree(review, copy, symlinks=True)
    export(copy, tmp_path / "b")
    assert len(builds) == 2


def test_a_linked_folder_in_the_review_is_never_kept(review, tmp_path, builds):
    outside = tmp_path / "texts"
    outside.mkdir()
    (outside / "a.txt").write_text("first")
    (review / "fulltext").symlink_to(outside, target_is_directory=True)
    export(review, tmp_path / "a")
    (outside / "a.txt").write_text("changed where the key would not have looked")
    export(review, tmp_path / "b")
    assert len(builds) == 2 and not (review / ".workbench" / "export").exists()


def _kept(root, name):
    return next((root / ".workbench" / "export").glob(f"*/files/{name}"))


def _edit_kept(root):
    path = _kept(root, "coded_dataset.csv")
    data = bytearray(path.read_bytes())
    data[-2] = ord("x") if data[-2] != ord("x") else ord("y")
    path.unlink()                 # not through the link: exports/ keeps its file
    path.write_bytes(bytes(data))


def _truncate_kept(root):
    path = _kept(root, "audit_log.csv")
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data[:len(data) // 2])


def _remove_kept(root):
    _kept(root, "included.bib").unlink()


def _edit_workbook(root):
    path = _kept(root, "workbench_export.xlsx")
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data[:-30] + bytes(30))


def _edit_manifest(root):
    path = next((root / ".workbench" / "export").glob(f"*/{export_memo.MANIFEST}"))
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"studies_included":', b'"studies_included":1', 1))


def _cut_manifest(root):
    path = next((root / ".workbench" / "export").glob(f"*/{export_memo.MANIFEST}"))
    path.write_bytes(path.read_bytes()[:100])


def _edit_export_in_place(root, out):
    with open(out / "coded_dataset.csv", "r+b") as handle:   # the same inode as the kept one
        handle.seek(-3, 2)
        handle.write(b"zzz")


DAMAGE = {"kept file edited": _edit_kept, "kept file truncated": _truncate_kept,
          "kept file removed": _remove_kept, "kept workbook damaged": _edit_workbook,
          "manifest edited": _edit_manifest, "manifest cut": _cut_manifest}


@pytest.mark.parametrize("damage", list(DAMAGE) + ["exports/ edited in place"])
def test_a_damaged_memo_is_ignored_and_the_export_built(review, tmp_path, builds, damage):
    out = review / "exports"
    export(review, None)
    if damage == "exports/ edited in place":
        _edit_export_in_place(review, out)
    else:
        DAMAGE[damage](review)
    export(review, tmp_path / "b")
    assert len(builds) == 2
    built(review, tmp_path / "c")
    assert contents(tmp_path / "b") == contents(tmp_path / "c")
    export(review, tmp_path / "d")        # kept again, whole: the next one is copied
    assert len(builds) == 3
    assert contents(tmp_path / "d") == contents(tmp_path / "c")


def test_the_creation_time_is_replaced_only_in_its_tags(tmp_path):
    def qdpx(text: bytes) -> Path:
        path = tmp_path / f"p{len(list(tmp_path.iterdir()))}.qdpx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("project.qde", text)
        return path
    old, new = "2026-01-02T03:04:05Z", "2027-06-07T08:09:10Z"
    good = (f'<Project name="x" creationDateTime="{old}">\n<Sources>\n'
            f'<TextSource guid="g" creationDateTime="{old}">\n<Description>a &lt;b</Description>'
            f'\n</TextSource>\n</Sources>\n</Project>\n').encode()
    text, zip64 = export_memo.project_text(qdpx(good), new)
    assert text == good.replace(old.encode(), new.encode()) and not zip64
    # A coder's note quoting the time (text is not in a tag): refused, never rewritten.
    quoted = good.replace(b"a &lt;b", f'see creationDateTime="{old}"'.encode())
    with pytest.raises(export_memo.Stale):
        export_memo.project_text(qdpx(quoted), new)


def test_a_rewritten_zip_has_the_same_parts_in_order(tmp_path):
    source = tmp_path / "a.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("one.txt", "first " * 100)
        with z.open("two.xml", "w", force_zip64=True) as part:   # a data descriptor
            part.write(b"<x/>" * 1000)
        z.writestr("three.txt", "")
    dest = tmp_path / "b.zip"
    export_memo.rewrite_zip(source, dest, {"two.xml": lambda z: z.writestr("two.xml", "new")})
    with zipfile.ZipFile(dest) as z:
        assert z.testzip() is None
        assert z.namelist() == ["one.txt", "two.xml", "three.txt"]
        assert [z.read(n) for n in z.namelist()] == [b"first " * 100, b"new", b""]
    assert zipfile.ZipFile(io.BytesIO(dest.read_bytes())).read("one.txt") == b"first " * 100
