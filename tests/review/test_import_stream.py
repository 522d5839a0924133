"""`import` of a table streams it from disk; the review ends up exactly as the whole-file read made it.

A clean UTF-8 CSV/TSV is decoded, split and turned into records a chunk at a
time, and its records go straight into a temporary records cache. Compared here
with the same import forced through the whole-file path (`read_export`):
the same records, the same cache bytes, the same manifest and problems, and a
failed or cancelled import leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import ImportProblems, ReviewError, WorkbenchError
from workbench.io.formats import table_rows, tabular
from workbench.io.formats.encoding import decode_export
from workbench.io.formats.references import stream_export
from workbench.review import Review, init_review, importing
from workbench.store import imports as store_imports
from workbench.store.cache import CacheWriter, read_cache, write_cache
from workbench.store.imports import (RecordCacheWriter, json_rows, json_rows_utf8,
                                     read_manifest, stage_export, staged_path,
                                     write_cached_records)

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "formats"


@pytest.fixture
def small_chunks(monkeypatch):
    """Blocks of 64 bytes and chunks of 3 records, so every boundary is crossed."""
    monkeypatch.setattr(table_rows, "BLOCK_BYTES", 64)
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 3)


def _review(tmp_path: Path, name: str) -> Review:
    init_review(tmp_path / name)
    return Review.open(tmp_path / name)


def _import_both(tmp_path, monkeypatch, source: Path, **options):
    """Import `source` streamed and whole; return both reviews and both results (or errors)."""
    results = []
    for name in ("streamed", "whole"):
        review = _review(tmp_path, name)
        with monkeypatch.context() as patch:
            if name == "whole":
                patch.setattr(importing, "_stream", lambda *a, **k: False)
            try:
                results.append((review, review.import_references([source], **options)))
            except (ImportProblems, WorkbenchError) as exc:
                results.append((review, exc))
    return results


def _assert_same_review(tmp_path, monkeypatch, source: Path, **options) -> int:
    (streamed, done_s), (whole, done_w) = _import_both(tmp_path, monkeypatch, source, **options)
    if isinstance(done_w, Exception):
        assert type(done_s) is type(done_w) and str(done_s) == str(done_w)
        assert getattr(done_s, "problems", None) == getattr(done_w, "problems", None)
        for review in (streamed, whole):
            assert not (review.root / "references").exists() or \
                not list((review.root / "references").iterdir())
            assert not list((review.root / ".workbench").rglob("*.json*"))
        return 0
    assert [(d.records, d.skipped, d.format, d.database, d.stored_as) for d in done_s] == \
        [(d.records, d.skipped, d.format, d.database, d.stored_as) for d in done_w]
    rows = [[(e.file, e.database, e.sha256, e.format, e.records, e.skipped)
             for e in read_manifest(r.root / "references")] for r in (streamed, whole)]
    assert rows[0] == rows[1]
    caches = [sorted((r.root / ".workbench" / "records").glob("*")) for r in (streamed, whole)]
    assert [p.name for p in caches[0]] == [p.name for p in caches[1]]
    assert [p.read_bytes() for p in caches[0]] == [p.read_bytes() for p in caches[1]]
    records = Review.open(streamed.root).records()
    assert records == Review.open(whole.root).records()
    for path in caches[0]:  # and the cache holds what parsing the stored export gives
        path.unlink()
    assert Review.open(streamed.root).records() == records
    return len(records)


def _tables() -> list[Path]:
    names = ["scopus_csv/metaknowledge_scopus_testing.csv", "zotero_csv/pybiblio_zotero_exported_items.csv",
             "other_csv/asreview_embase.csv", "other_csv/bibliometrix_openalex_sample.csv",
             "wos_tab/uvt_wos_tab_savedrecs_cited_by.txt"]
    found = [SHARED / n for n in names if (SHARED / n).is_file()]
    data = REPO / "tests" / "data"
    return found + sorted(data.glob("io_*/*.csv")) + sorted(data.glob("io_*/*.tsv")) + \
        [data / "io_b" / "wos_tab.txt"]


@pytest.mark.parametrize("source", _tables(), ids=lambda p: p.name)
def test_a_streamed_table_import_equals_the_whole_file_import(tmp_path, monkeypatch, small_chunks,
                                                              source):
    _assert_same_review(tmp_path, monkeypatch, source, skip_invalid=True)
    _assert_same_review(tmp_path / "strict", monkeypatch, source)


def _line_tagged_files() -> list[Path]:
    """The RIS, MEDLINE and Web of Science plain-text files (streamed like tables)."""
    shared = sorted((SHARED / "ris").glob("*.ris*")) if (SHARED / "ris").is_dir() else []
    for folder in ("pubmed_nbib", "wos_plaintext"):
        if (SHARED / folder).is_dir():
            shared += sorted(p for p in (SHARED / folder).iterdir() if p.name != "MANIFEST.md")
    data = REPO / "tests" / "data"
    return shared + sorted(data.glob("io_*/*.ris")) + sorted(data.glob("io_*/medline_*.nbib")) \
        + [data / "io_b" / "wos_good.txt", data / "io_b" / "wos_bad.txt"]


@pytest.mark.parametrize("source", _line_tagged_files(), ids=lambda p: p.name)
def test_a_streamed_line_tagged_import_equals_the_whole_file_import(tmp_path, monkeypatch,
                                                                    small_chunks, source):
    _assert_same_review(tmp_path, monkeypatch, source, skip_invalid=True)
    _assert_same_review(tmp_path / "strict", monkeypatch, source)
    _assert_same_review(tmp_path / "labelled", monkeypatch, source, database="Given")


def _scopus_variant(tmp_path: Path, **fmt) -> Path:
    path = SHARED / "scopus_csv" / "metaknowledge_scopus_testing.csv"
    if not path.is_file():
        pytest.skip("../shared/data is not present")
    rows = list(csv.reader(io.StringIO(decode_export(path.read_bytes(), "s").text)))
    header, body = rows[0], rows[1:]
    order = list(reversed(range(len(header))))
    out = io.StringIO()
    writer = csv.writer(out, **fmt)
    writer.writerow([header[i] for i in order] + ["Extra"])
    for n, row in enumerate(body):
        writer.writerow([row[i] for i in order] + [f"=cmd {n}"])
    target = tmp_path / "variant.csv"
    target.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return target


@pytest.mark.parametrize("fmt", [{"lineterminator": "\r\n", "quoting": csv.QUOTE_ALL},
                                 {"lineterminator": "\r", "delimiter": ";"},
                                 {"lineterminator": "\n", "delimiter": "\t"}],
                         ids=["crlf-quoted", "cr-semicolon", "tab"])
def test_held_aside_scopus_variants_stream_as_they_read_whole(tmp_path, monkeypatch, small_chunks,
                                                              fmt):
    source = _scopus_variant(tmp_path, **fmt)
    assert _assert_same_review(tmp_path, monkeypatch, source) > 0


_CELLS = ["", " ", "x", 'q"uote', "two\nlines", "cr\r\nlf", "=cmd|'/c calc'!A0", "ünï ©",
          "Smith J.; Doe A.", "10.1000/X", "2020", "\ufeff", "a\\b", "tab\tin", "NA",
          "No terms assigned", "\x01ctl"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELLS), min_size=0, max_size=5), max_size=15),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), st.booleans(), st.integers(1, 4))
def test_hostile_tables_stream_as_they_read_whole(tmp_path_factory, rows, delimiter, ending,
                                                  quoting, skip, chunk):
    tmp_path = tmp_path_factory.mktemp("hostile")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting)
    writer.writerow(["Title", "Authors", "Abstract", "Author Keywords", "DOI"])
    writer.writerows(rows)
    source = tmp_path / "h.csv"
    source.write_text(out.getvalue(), encoding="utf-8", newline="")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_rows, "BLOCK_BYTES", 7)
        patch.setattr(tabular, "CHUNK_ROWS", chunk)
        _assert_same_review(tmp_path, patch, source, skip_invalid=skip)


def test_a_damaged_byte_far_into_a_table_reads_the_file_whole(tmp_path, monkeypatch, small_chunks):
    lines = ["Title,Year"] + [f"Étude {n},20{n % 30:02d}" for n in range(60_000)]
    data = ("\n".join(lines) + "\n").encode("utf-8").replace(b"de 59990,", b"de \xff59990,")
    assert data.index(b"\xff") > 800_000  # beyond the head read to detect the format
    source = tmp_path / "damaged.csv"
    source.write_bytes(data)
    with pytest.raises(table_rows.NotStreamable):
        stream = stream_export(source, "d.csv")
        for _ in stream.chunks:
            pass
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 5000)
    assert _assert_same_review(tmp_path, monkeypatch, source, skip_invalid=True) == 59_999


def test_a_failed_import_leaves_the_review_as_it_was(tmp_path, small_chunks):
    review = _review(tmp_path, "r")
    good = tmp_path / "good.csv"
    good.write_text("Title,Year\n" + "".join(f"S{n},2001\n" for n in range(10)))
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Title,Year\n" + "".join(f"S{n},2001\n" for n in range(10)) + "x,1,2\n")
    with pytest.raises(ImportProblems) as raised:
        review.import_references([good, ragged])
    [problem] = raised.value.problems
    assert (problem.path, problem.line, problem.entry) == (str(ragged), 12, "row 11")
    assert "row has 3 fields but the header has 2" in problem.message
    with pytest.raises(WorkbenchError, match="unknown field"):
        review.import_references([good], mapping={"Title": "nonsense"})
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ReviewError, match="cancelled"):
        review.import_references([good], cancel=cancel)
    target = review.root / "references" / "good.csv"
    stage_export(good, target)
    with pytest.raises(ReviewError, match="cancelled"):
        importing._stream(review.root, importing._Staged(good, target, "0" * 64), None, None,
                          cancel)
    staged_path(target).unlink()
    assert not (review.root / "references").exists() or not list((review.root / "references").iterdir())
    assert not list((review.root / ".workbench").rglob("*")) or \
        not [p for p in (review.root / ".workbench").rglob("*") if p.is_file()]
    assert review.records() == []


def test_two_exports_with_one_name_get_their_own_file_and_cache(tmp_path, small_chunks):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "s.csv").write_text("Title\nOne\nTwo\n")
    (tmp_path / "b" / "s.csv").write_text("Title\nThree\n")
    review = _review(tmp_path, "r")
    done = review.import_references([tmp_path / "a" / "s.csv", tmp_path / "b" / "s.csv"])
    assert [d.stored_as for d in done] == ["references/s.csv", "references/s-2.csv"]
    records = Review.open(review.root).records()
    assert [(r.title, r.file) for r in records] == [
        ("One", "references/s.csv"), ("Two", "references/s.csv"), ("Three", "references/s-2.csv")]
    assert len(list((review.root / ".workbench" / "records").iterdir())) == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"a", b",", b"\n", b"\r", b"\r\n", b"\xef\xbb\xbf", b"\xc3\xa9",
                                 b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xff", b"\x00", b'"',
                                 b"\xc3"]), max_size=40),
       st.integers(1, 9))
def test_streamed_decoding_is_decode_export_or_refuses(tmp_path_factory, pieces, block):
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("bytes") / "t.csv"
    path.write_bytes(data)
    try:
        decoded = decode_export(data, "t.csv")
    except WorkbenchError:
        decoded = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_rows, "BLOCK_BYTES", block)
        try:
            got = "".join(table_rows.decoded_lines(path))
        except table_rows.NotStreamable:
            got = None
    clean = decoded is not None and not decoded.bad_lines and decoded.encoding == "utf-8"
    if got is None:
        assert not clean or "\x00" in data.decode("utf-8", "replace")
    else:
        assert clean and got == decoded.text


def test_the_streamed_records_cache_is_byte_for_byte_the_whole_one(tmp_path):
    from workbench.io.formats.references import read_export
    source = REPO / "tests" / "data" / "io_b" / "scopus.csv"
    records = read_export(source).records
    digest = "ab" * 32
    write_cached_records(tmp_path / "whole", digest, records)
    for sizes in ([len(records)], [1] * len(records), [0, 2, 0, len(records)]):
        writer = RecordCacheWriter(tmp_path / "streamed", digest)
        start = 0
        for size in sizes:
            writer.write([list(r.__dict__.values()) for r in records[start:start + size]])
            start += size
        assert writer.commit()
        assert (tmp_path / "streamed" / f"{digest}.json").read_bytes() == \
            (tmp_path / "whole" / f"{digest}.json").read_bytes()
    empty = RecordCacheWriter(tmp_path / "e", digest)
    assert empty.commit()
    write_cached_records(tmp_path / "e2", digest, [])
    assert (tmp_path / "e" / f"{digest}.json").read_bytes() == \
        (tmp_path / "e2" / f"{digest}.json").read_bytes()


def test_a_cache_written_in_pieces_reads_as_one_and_discard_leaves_nothing(tmp_path):
    writer = CacheWriter(tmp_path / "c" / "x.json", "studies")
    for piece in (b'{"a":', b'[1,"\xc3\xa9"', b"]}"):
        writer.write(piece)
    assert writer.commit()
    write_cache(tmp_path / "d" / "x.json", "studies", {"a": [1, "é"]})
    assert (tmp_path / "c" / "x.json").read_bytes() == (tmp_path / "d" / "x.json").read_bytes()
    assert read_cache(tmp_path / "c" / "x.json", "studies") == {"a": [1, "é"]}
    dropped = CacheWriter(tmp_path / "c" / "y.json", "studies")
    dropped.write(b"{}")
    dropped.discard()
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["x.json"]
    (tmp_path / "ro").write_text("a file, not a folder")
    blocked = CacheWriter(tmp_path / "ro" / "z.json", "studies")
    blocked.write(b"{}")
    assert blocked.failed and not blocked.commit()


def test_the_staged_copy_is_what_is_hashed_parsed_and_stored(tmp_path, monkeypatch):
    """The export is read once: the copy hashed on the way is the one parsed and moved in."""
    review = _review(tmp_path, "r")
    source = tmp_path / "s.csv"
    source.write_text("Title\nA\nB\n")
    staged = importing.stage_export

    def stage_then_change(path, target):
        digest = staged(path, target)
        path.write_text("Title\nchanged after the copy\n")  # the source changes meanwhile
        return digest

    monkeypatch.setattr(importing, "stage_export", stage_then_change)
    [done] = review.import_references([source])
    assert done.records == 2
    stored = review.root / "references" / "s.csv"
    assert stored.read_text() == "Title\nA\nB\n"
    assert [r.title for r in review.records()] == ["A", "B"]
    assert [e.sha256 for e in read_manifest(review.root / "references")] == \
        [importing.file_digest(stored.read_bytes())]
    assert not list((review.root / "references").glob("*.part"))


def test_a_copy_that_cannot_be_written_leaves_nothing(tmp_path, monkeypatch):
    review = _review(tmp_path, "r")
    source = tmp_path / "s.csv"
    source.write_text("Title\nA\n")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("workbench.store.imports.os.fsync", full_disk)
    with pytest.raises(ReviewError, match="cannot copy the export into references/ "
                                          "[(]No space left on device[)]"):
        review.import_references([source])
    assert list((review.root / "references").iterdir()) == []
    monkeypatch.undo()

    def unreadable(path, *args, **kwargs):
        if Path(path) == source:
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kwargs)

    monkeypatch.setattr("workbench.store.imports.open", unreadable, raising=False)
    with pytest.raises(ReviewError, match="cannot read the file [(]Permission denied[)]"):
        review.import_references([source])
    assert list((review.root / "references").iterdir()) == []
    monkeypatch.undo()
    assert review.records() == []
    assert [d.records for d in review.import_references([source])] == [1]


_VALUE = st.one_of(st.text(max_size=8), st.sampled_from(["", "plain", 'q"', "b\\", "\n", "\x00", "\u2028",
                                                        "\xa0", "é", "\ud800"]))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.tuples(*[st.one_of(
    _VALUE, st.tuples() | st.lists(_VALUE, max_size=3).map(tuple), st.none(), st.integers(),
    st.booleans(), st.floats(allow_nan=False)) for _ in range(width)]).map(list), min_size=1,
    max_size=6)))
def test_json_rows_is_json_dumps(rows):
    expected = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))[1:-1]
    assert json_rows(rows) == expected
    _assert_utf8_is_dumps(rows)
    same_kind = [[v if isinstance(v, str) else "x" for v in row] for row in rows]
    assert json_rows(same_kind) == json.dumps(same_kind, ensure_ascii=False,
                                              separators=(",", ":"))[1:-1]
    _assert_utf8_is_dumps(same_kind)
    tuples = [[v if isinstance(v, tuple) else (str(v),) for v in row] for row in rows]
    assert json_rows(tuples) == json.dumps(tuples, ensure_ascii=False, separators=(",", ":"))[1:-1]
    _assert_utf8_is_dumps(tuples)
    records = [[str(v) if not isinstance(v, (tuple, int)) or isinstance(v, bool) else v
                for v in row] for row in rows]  # the kinds a record row holds
    _assert_utf8_is_dumps(records)


def _assert_utf8_is_dumps(rows) -> None:
    """json_rows_utf8 gives json.dumps's bytes, or the same encoding error (both byte checks)."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))[1:-1]
    for numpy_from in (0, 1 << 40):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(store_imports, "NUMPY_BYTES", numpy_from)
            try:
                expected = text.encode("utf-8")
            except UnicodeEncodeError:
                with pytest.raises(UnicodeEncodeError):
                    json_rows_utf8(rows)
                continue
            assert json_rows_utf8(rows) == expected


@pytest.mark.parametrize("value", ['"', "\\", "\n", "\x00", "\x1f", 'a"b', "é\"", "\u2028",
                                   "\x7f", "\ud800"])
def test_json_rows_utf8_falls_back_on_any_value_that_needs_an_escape(value):
    plain = [["title", ("Doe J.", "Roe R."), 2020, None, "é" * 3]] * 3
    for column in range(5):
        for kind in (str, tuple):
            rows = [list(row) for row in plain]
            rows[1][column] = value if kind is str else ("x", value)
            _assert_utf8_is_dumps(rows)


@pytest.mark.parametrize("rows", [[], [[]], [[], []], [["a"], []], [[1, None, ("x",), ()]]])
def test_json_rows_of_empty_and_odd_rows_is_json_dumps(rows):
    assert json_rows(rows) == json.dumps(rows, ensure_ascii=False, separators=(",", ":"))[1:-1]
    _assert_utf8_is_dumps(rows)


def _reparsed(review: Review, monkeypatch, streamed: bool):
    """Remove the records caches and load the records again (the export is re-parsed)."""
    cache = review.root / ".workbench" / "records"
    for path in cache.glob("*"):
        path.unlink()
    with monkeypatch.context() as patch:
        if not streamed:
            patch.setattr(importing, "_reparse_streamed", lambda *a, **k: None)
        try:
            records = importing.load_records(review.root)
        except (ImportProblems, WorkbenchError) as exc:
            return exc, []
    return records, sorted((p.name, p.read_bytes()) for p in cache.glob("*"))


@pytest.mark.parametrize("source", [*_tables(), *_line_tagged_files()], ids=lambda p: p.name)
def test_a_missing_records_cache_is_rebuilt_streamed_as_it_was_whole(tmp_path, monkeypatch,
                                                                     small_chunks, source):
    review = _review(tmp_path, "r")
    try:
        review.import_references([source], skip_invalid=True)
    except ImportProblems:
        return  # nothing of it was imported
    cache = review.root / ".workbench" / "records"
    written = sorted((p.name, p.read_bytes()) for p in cache.glob("*"))
    imported = importing.load_records(review.root)
    streamed = _reparsed(review, monkeypatch, streamed=True)
    whole = _reparsed(review, monkeypatch, streamed=False)
    assert streamed == whole == (imported, written)
    # copied in by hand (no manifest row): its problems are errors, its label a guess
    (review.root / "references" / "imports.csv").unlink(missing_ok=True)
    streamed, whole = (_reparsed(review, monkeypatch, s) for s in (True, False))
    if isinstance(whole[0], Exception):
        assert type(streamed[0]) is type(whole[0]) and str(streamed[0]) == str(whole[0])
        assert getattr(streamed[0], "problems", None) == getattr(whole[0], "problems", None)
        assert streamed[1] == whole[1] == []
    else:
        assert streamed == whole


def test_a_re_parse_that_finds_another_count_is_refused_streamed_as_whole(tmp_path, monkeypatch,
                                                                         small_chunks):
    review = _review(tmp_path, "r")
    source = tmp_path / "s.csv"
    source.write_text("Title,Year\n" + "".join(f"S{n},2001\n" for n in range(10)))
    review.import_references([source])
    manifest = review.root / "references" / "imports.csv"
    manifest.write_text(manifest.read_text().replace(",10,0,", ",11,0,"))
    streamed, whole = (_reparsed(review, monkeypatch, s) for s in (True, False))
    assert isinstance(streamed[0], ReviewError)
    assert str(streamed[0]) == str(whole[0])
    assert "imported as 11 records, but this version of workbench reads 10" in str(streamed[0])
    assert streamed[1] == whole[1] == []  # no cache is left


def test_a_re_parse_streams_the_export(tmp_path, monkeypatch, small_chunks):
    """The export is read a block at a time: no read_export, no read_bytes of it."""
    review = _review(tmp_path, "r")
    source = tmp_path / "s.csv"
    source.write_text("Title,Year\n" + "".join(f"S{n},2001\n" for n in range(50)))
    review.import_references([source])
    imported = importing.load_records(review.root)
    from workbench.io.formats import references

    def refused(*args, **kwargs):
        raise AssertionError("read whole")

    for path in (review.root / ".workbench" / "records").glob("*"):
        path.unlink()
    with monkeypatch.context() as patch:
        patch.setattr(references, "read_export", refused)
        patch.setattr(Path, "read_bytes", refused)
        assert importing.load_records(review.root) == imported
    assert _reparsed(review, monkeypatch, streamed=False)[0] == imported  # the patch can fail
    with monkeypatch.context() as patch, pytest.raises(AssertionError, match="read whole"):
        patch.setattr(references, "read_export", refused)
        _reparsed(review, monkeypatch, streamed=False)


_PLAIN = st.text(alphabet=st.sampled_from(list("ab é€,;.-:/[]{}") + ["\U0001f600"]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda width: st.lists(st.tuples(*[st.one_of(
    _PLAIN, st.lists(_PLAIN, max_size=3).map(tuple), st.none(), st.integers())
    for _ in range(width)]).map(list), min_size=1, max_size=6)), st.booleans())
def test_rows_that_need_no_escape_are_made_without_the_value_by_value_path(rows, constant):
    """The one-join text itself is json.dumps's (the byte check is only the safety net)."""
    kinds = [type(v) for v in rows[0]]
    rows = [[v if type(v) is kind or v is None and kind is int else
             (None if kind in (int, type(None)) else kind()) for v, kind in zip(row, kinds)]
            for row in rows]
    if constant:  # a column with one value all the way down is folded into the text
        rows = [row[:1] + [rows[0][1] if len(row) > 1 else None] + row[2:] for row in rows]
    expected = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))[1:-1].encode("utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_imports, "json_rows", None)  # the fallback would fail
        assert json_rows_utf8(rows) == expected
