"""The streamed review.qdpx writer gives the archive the tree-built writer gave, byte for byte.

`tests/io/refi_project_oracle.py` is the writer as it was (lxml builds the whole
project.qde, then `writestr` per part). With the clock fixed, both archives must be
the same bytes: the same parts, in the same order, compressed alike. Sources carry
hostile text (markup, quotes, CR/LF/tab, control characters XML cannot hold,
right-to-left marks, emoji, long quotes), values of every variable type that fit
and do not fit it, unknown codes and fields, coders not in the project, and the
same study twice.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timezone
import zipfile
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.io.refi_project_oracle import project_qdpx as oracle_qdpx
from workbench.io.codebook_yaml import load_codebook
from workbench.io.refi_project import (COMPRESS_LEVEL, ProjectSource, Selection,
                                       project_qdpx, write_project_qdpx)

pytest.importorskip("lxml.etree")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "influencer-advocacy"
CODERS = ["alice", "bob", "consensus", "=carol", "d&<ave>\""]
NOW = 1_790_000_000.0   # the clock both writers see (zip entry times)
WHEN = datetime(2026, 11, 29, 8, 0, 0, tzinfo=timezone.utc)   # the project's creation time


@pytest.fixture(scope="module")
def codebook(tmp_path_factory):
    """The example's codebook with hostile labels and a variable of every type."""
    book = yaml.safe_load((EXAMPLE / "codebook.yaml").read_text(encoding="utf-8"))
    book["review"]["title"] = 'Review <&> "quoted"\tand\r\nbroken'
    book["dimensions"][0]["label"] = '=HYPERLINK("x") & <b>'
    book["dimensions"][0]["codes"][0]["label"] = "tab\there & \"q\" 'a' é 😀"
    book["fields"] += [{"id": "flag", "label": "Flag <b>", "type": "boolean"},
                       {"id": "ratio", "label": "Ratio & more", "type": "number"},
                       {"id": "comment", "label": "-Comment $", "type": "text",
                        "description": "free text\nwith <markup> & \"quotes\""}]
    path = tmp_path_factory.mktemp("qdpx-codebook") / "codebook.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    return load_codebook(path)


def ids(codebook):
    codes = [c.id for d in codebook.dimensions for c in d.all_codes()]
    return codes + ["no_such_code"], [f.id for f in codebook.fields] + ["no_such_field"]


HOSTILE = st.sampled_from([
    "", " ", "a & b", "<tag>", "x > y", '"quoted"', "'single'", "line\nbreak", "cr\rhere",
    "crlf\r\n", "\ttab", "nul\x00and\x0bvt\x1f", "\ufffe\uffff", "\u202eevil\u202c",
    "😀 emoji", "مطالعہ", "é" * 90, "]]>", "&amp;", "&#13;", "=1+1", "12", "-3", "+4",
    "1.5e3", "0.10", "NaN", "Infinity", "true", "false", "TRUE", "2020-01-31",
    "2020-02-30", " 7 ", "1,5"])
TEXT = st.one_of(HOSTILE, st.text(max_size=40),
                 st.lists(HOSTILE, min_size=2, max_size=4).map("".join))


def sources_strategy(codebook):
    codes, fields = ids(codebook)
    coder = st.sampled_from(CODERS)
    target = st.one_of(st.sampled_from(codes).map(lambda c: f"code:{c}"),
                       st.sampled_from(fields).map(lambda f: f"field:{f}"),
                       st.just("other:x"))
    selection = st.builds(Selection, coder, target, st.integers(0, 10**6),
                          st.integers(0, 10**6), TEXT, st.integers(0, 40))
    source = st.builds(
        ProjectSource, st.sampled_from(["S1", "S2", "s1", "S&<3>", "S\"4\"", "é5"]),
        TEXT, TEXT, TEXT,
        st.lists(st.tuples(coder, st.sampled_from(codes)), max_size=4).map(tuple),
        st.lists(selection, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from(fields), st.one_of(TEXT, st.none(), st.integers()),
                        max_size=5))
    return st.lists(source, max_size=6)


def both(codebook, sources, coders, name):
    """The library's archive and the oracle's at the library's deflate level (same bytes)."""
    with mock.patch("time.time", return_value=NOW):
        return (project_qdpx(codebook, sources, coders, name, WHEN),
                oracle_qdpx(codebook, sources, coders, name, WHEN, COMPRESS_LEVEL))


def parts(archive: bytes) -> list:
    """Each part's name, time, attributes, method and bytes, in order (not how deflated)."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert z.testzip() is None
        return [(i.filename, i.date_time, i.external_attr, i.compress_type, z.read(i))
                for i in z.infolist()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_streamed_archive_is_the_tree_built_archive(codebook, data):
    sources = data.draw(sources_strategy(codebook))
    coders = data.draw(st.lists(st.sampled_from(CODERS), unique=True))
    name = data.draw(TEXT)
    new, old = both(codebook, sources, coders, name)
    # Against the archive as it was (zlib's default level): every part the same.
    with mock.patch("time.time", return_value=NOW):
        assert parts(new) == parts(oracle_qdpx(codebook, sources, coders, name, WHEN))
        assert project_qdpx(codebook, sources, coders, name, WHEN) == new   # reproducible
    if new != old:   # name the first part that differs
        with zipfile.ZipFile(io.BytesIO(new)) as a, zipfile.ZipFile(io.BytesIO(old)) as b:
            assert a.namelist() == b.namelist()
            for part in b.namelist():
                assert a.read(part) == b.read(part), part
    assert new == old


def test_many_sources_over_several_writes_and_a_file_target(codebook, tmp_path):
    """600 sources (several joined writes into the compressor) written to a path."""
    rng = random.Random(21)
    codes, fields = ids(codebook)
    words = ["alpha", "beta & gamma", "<delta>", "\"eps\"", "zeta\r\neta", "θ", "😀"]
    sources = []
    for n in range(600):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 300)))
        sels = tuple(Selection(rng.choice(CODERS), f"code:{rng.choice(codes)}", n, n + 5,
                               text[:100], rng.randint(0, 3)) for _ in range(rng.randint(0, 3)))
        sources.append(ProjectSource(
            f"study{n % 590}", f"Author ({2000 + n % 25}) {text[:60]}", text, "title and abstract",
            tuple((rng.choice(CODERS), rng.choice(codes)) for _ in range(rng.randint(0, 5))),
            sels, {f: rng.choice(["3", "2.5", "x & y", "", "true"]) for f in fields}))
    with mock.patch("time.time", return_value=NOW):
        write_project_qdpx(tmp_path / "review.qdpx", codebook, sources, CODERS[:3], "Review",
                           WHEN)
        old = oracle_qdpx(codebook, sources, CODERS[:3], "Review", WHEN, COMPRESS_LEVEL)
        before = oracle_qdpx(codebook, sources, CODERS[:3], "Review", WHEN)
    assert (tmp_path / "review.qdpx").read_bytes() == old
    assert parts(old) == parts(before)
    with zipfile.ZipFile(tmp_path / "review.qdpx") as archive:
        assert len(archive.namelist()) == 1 + 590   # ten studies given twice: one part each


@pytest.mark.parametrize("coders", [[], ["alice"]])
def test_no_source_no_codebook_parts(tmp_path, coders):
    """An empty project (no source, no code, no variable) is written as before."""
    path = tmp_path / "codebook.yaml"
    book = yaml.safe_load((EXAMPLE / "codebook.yaml").read_text(encoding="utf-8"))
    book["dimensions"], book["fields"], book["groups"] = [], [], []
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    empty = load_codebook(path)
    new, old = both(empty, [], coders, "")
    assert new == old
    with zipfile.ZipFile(io.BytesIO(new)) as archive:
        assert archive.namelist() == ["project.qde"]


def test_text_xml_cannot_hold_is_refused_by_both(codebook):
    """A lone surrogate in a name: neither writer writes an archive."""
    sources = [ProjectSource("S1", "bad \udc80 name", "text")]
    with pytest.raises((ValueError, UnicodeError)):
        oracle_qdpx(codebook, sources, [], "r")
    with pytest.raises((ValueError, UnicodeError)):
        project_qdpx(codebook, sources, [], "r")


class _Unseekable(io.RawIOBase):
    """A write-only stream that cannot seek (a pipe): zipfile writes data descriptors."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def test_unseekable_target_gets_writestr_parts(codebook):
    """Not seekable, the parts go through writestr itself: the same parts as the oracle."""
    sources = [ProjectSource(f"S{n}", f"Name {n}", f"text {n} & <b>" * n) for n in range(5)]
    target = _Unseekable()
    with mock.patch("time.time", return_value=NOW):
        write_project_qdpx(target, codebook, sources, ["alice"], "Review", WHEN)
        old = oracle_qdpx(codebook, sources, ["alice"], "Review", WHEN)
    assert parts(bytes(target.data)) == parts(old)
