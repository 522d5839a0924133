"""An imported export edited in place: a cold machine must not read other records.

`references/imports.csv` records the SHA-256 of every export as imported,
and the records cache is keyed by it. A machine with the cache (warm) reads
the records as imported; a machine without it (a fresh clone, `.workbench/`
deleted) parsed the file as it now is and cached it under its new digest,
so two machines of one team saw different records (and record ids, which
are made from the digest) with nothing said. A cold parse now compares the
file's digest with the manifest's and refuses a difference, naming the file,
both digests and what to do. The warm path still trusts the manifest: it
never hashes an export on every command (#21's speed).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import workbench

from workbench.errors import ReviewError
from workbench.review import Review
from workbench.review.importing import import_exports, load_records
from workbench.store.imports import read_manifest

RIS = "".join(f"TY  - JOUR\nTI  - Study number {n} of the search\nPY  - 2020\nER  - \n\n"
              for n in range(1, 6))
BIB = "".join(f"@article{{k{n},\n  title = {{Study number {n} of the search}},\n"
              f"  year = {{2020}}\n}}\n\n" for n in range(1, 6))
# A cp1252 RIS is not clean UTF-8: it is read whole, not streamed.
RIS_1252 = RIS.replace("Study", "Stüdy").encode("cp1252")


def review_with(tmp_path, name: str, data: bytes):
    root = tmp_path / "review"
    (root / "references").mkdir(parents=True)
    (root / "coding").mkdir()
    shutil.copy(Path(workbench.__file__).parent / "templates" / "codebook.yaml",
                root / "codebook.yaml")
    source = tmp_path / name
    source.write_bytes(data)
    import_exports(root, [source])
    return root


def edit_in_place(root, old: bytes, new: bytes) -> tuple[str, str]:
    entry = read_manifest(root / "references")[0]
    path = root / "references" / entry.file
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    return entry.sha256, hashlib.sha256(path.read_bytes()).hexdigest()


CASES = [("search.ris", RIS.encode(), b"number 3", b"number 9"),
         ("search.bib", BIB.encode(), b"number 3", b"number 9"),
         ("search-1252.ris", RIS_1252, b"number 3", b"number 9")]


@pytest.mark.parametrize("name, data, old, new", CASES)
def test_a_cold_parse_of_an_edited_export_is_refused_naming_both_digests(tmp_path, name, data,
                                                                          old, new):
    root = review_with(tmp_path, name, data)
    imported = [r.title for r in load_records(root)]
    recorded, now = edit_in_place(root, old, new)
    shutil.rmtree(root / ".workbench")   # a fresh clone: no records cache
    with pytest.raises(ReviewError) as caught:
        load_records(root)
    text = str(caught.value)
    assert name in text and recorded[:12] in text and now[:12] in text
    assert "changed since it was imported" in text and "workbench import" in text
    with pytest.raises(ReviewError):   # every later command too: nothing was cached
        Review.open(root).records()
    assert not list((root / ".workbench" / "records").glob(f"{now}*"))
    # Restored, it reads as imported again.
    edit_in_place(root, new, old)
    assert [r.title for r in load_records(root)] == imported


@pytest.mark.parametrize("name, data, old, new", CASES[:1])
def test_the_warm_path_does_not_hash_the_export(tmp_path, monkeypatch, name, data, old, new):
    root = review_with(tmp_path, name, data)
    imported = [(r.id, r.title) for r in load_records(root)]
    edit_in_place(root, old, new)
    import workbench.review.importing as importing

    def no_parse(*args, **kwargs):
        raise AssertionError("a cached export was read again")
    monkeypatch.setattr(importing, "_parse_stored", no_parse)
    assert [(r.id, r.title) for r in load_records(root)] == imported


def test_an_unedited_export_reads_cold_as_warm(tmp_path):
    root = review_with(tmp_path, "search.ris", RIS.encode())
    warm = load_records(root)
    shutil.rmtree(root / ".workbench")
    assert load_records(root) == warm
