"""review.qdpx: valid against the published Project.xsd, read back by pyrefiqda, passages in place."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.io.export_review import EVENTS, make_review, study_ids
from workbench.io.refi import stable_guid
from workbench.io.refi_project import PAGE_JOIN
from workbench.review import Review
from workbench.review.exporting import write_exports
from workbench.review.fulltext import link_file, open_fulltext

etree = pytest.importorskip("lxml.etree")
REFI = Path(__file__).resolve().parents[1] / "data" / "refi"
PDF = "datta2010_dvt_prophylaxis_review"


def passage(coder, sid, pid, target, quote, page, start, end, sha):
    return [(coder, sid, "coding", f"seg:{pid}", target),
            (coder, sid, "coding", f"seg:{pid}:quote", quote),
            (coder, sid, "coding", f"seg:{pid}:page", str(page)),
            (coder, sid, "coding", f"seg:{pid}:start", str(start)),
            (coder, sid, "coding", f"seg:{pid}:end", str(end)),
            (coder, sid, "coding", f"seg:{pid}:sha256", sha)]


@pytest.fixture(scope="module")
def project(tmp_path_factory, request):
    """The export review with a real PDF linked to study A and passages on pages 2 and 4."""
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "fulltext"
    if not (shared / f"{PDF}.pdf").is_file():
        pytest.skip("../shared/data is not present")
    root = tmp_path_factory.mktemp("qdpx") / "review"
    review = make_review(root)
    ids = study_ids(review)
    link_file(review, shared / f"{PDF}.pdf", ids["A"], "alice")
    extraction = open_fulltext(review, ids["A"])
    pages = [p.text for p in extraction.pages]
    spans = []
    for page, words in ((2, 60), (4, 40)):
        text = pages[page - 1]
        start = len(text) // 3
        spans.append((page, start, start + words, text[start:start + words]))
    extra = (passage("bob", "A", "p1", "code:twitter", spans[0][3], *spans[0][:3],
                     extraction.sha256)
             + passage("alice", "A", "p2", "code:facebook", spans[1][3], *spans[1][:3],
                       extraction.sha256)
             + passage("alice", "A", "p3", "field:source_type", spans[1][3], *spans[1][:3],
                       extraction.sha256)
             + passage("alice", "B", "p4", "code:twitter", "elsewhere", 1, 0, 9, "cd" * 32))
    # rewrite the sheets with the passages (make_review writes the events once)
    review = make_review(tmp_path_factory.mktemp("qdpx2") / "review", EVENTS + extra)
    link_file(review, shared / f"{PDF}.pdf", ids["A"], "alice")
    summary = write_exports(Review.open(review.root), charts=False)
    return review, summary, extraction, spans, ids


def qde(review):
    with zipfile.ZipFile(review.exports / "review.qdpx") as archive:
        return archive.read("project.qde"), {n: archive.read(n) for n in archive.namelist()}


def test_project_is_valid_against_the_published_project_schema(project):
    review = project[0]
    data, _ = qde(review)
    xsd = etree.XMLSchema(etree.parse(str(REFI / "Project.xsd")))
    assert xsd.validate(etree.fromstring(data)), xsd.error_log


def test_passages_sit_at_their_offsets_in_the_full_text(project):
    review, summary, extraction, spans, ids = project
    data, files = qde(review)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    root = etree.fromstring(data)
    source = root.find(f".//q:TextSource[@guid='{stable_guid('study', ids['A'])}']", ns)
    text = files[f"Sources/{source.get('guid')}.txt"].decode("utf-8")
    assert text == PAGE_JOIN.join(p.text for p in extraction.pages)
    selections = source.findall("q:PlainTextSelection", ns)
    assert len(selections) == 3
    for sel in selections:
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        assert text[start:end] in (spans[0][3], spans[1][3])
    by_user = {u.get("name"): u.get("guid") for u in root.findall(".//q:User", ns)}
    coded = {(s.get("creatingUser"), s.find("q:Coding/q:CodeRef", ns).get("targetGUID"))
             for s in selections if s.find("q:Coding", ns) is not None}
    assert coded == {(by_user["bob"], stable_guid("code", "twitter")),
                     (by_user["alice"], stable_guid("code", "facebook"))}
    # B's passage was coded from another file: not placed, named in the warnings
    assert any(ids["B"] in w and "annotations.csv" in w for w in summary.warnings)


def test_independent_reader_finds_every_coding_and_passage(project, tmp_path):
    pyrefiqda = pytest.importorskip("pyrefiqda")
    review, _, extraction, spans, ids = project
    loaded = pyrefiqda.RefiProject.load(review.exports / "review.qdpx",
                                        extract_dir=str(tmp_path / "x"))
    users = {u.guid: u.name for u in loaded.users.user}
    assert set(users.values()) == {"alice", "bob"}
    codes = {}

    def walk(items):
        for c in items:
            codes[c.guid] = c.name
            walk(c.code)
    walk(loaded.code_book.codes.code)
    sources = {s.guid: s for s in loaded.sources.text_source}
    a = sources[stable_guid("study", ids["A"])]
    text = (tmp_path / "x" / "Sources" / f"{a.guid}.txt").read_text(encoding="utf-8")
    placed = sorted((users[s.creating_user], text[s.start_position:s.end_position],
                     codes[s.coding[0].code_ref.target_guid] if s.coding else "")
                    for s in a.plain_text_selection)
    assert placed == sorted([("bob", spans[0][3], "Twitter/X"),
                             ("alice", spans[1][3], "Facebook"),
                             ("alice", spans[1][3], "")])
    # whole-source codings: every coder's study-level codes (A: both coded twitter, facebook)
    whole = sorted((users[c.creating_user], codes[c.code_ref.target_guid]) for c in a.coding)
    assert ("alice", "Twitter/X") in whole and ("bob", "Twitter/X") in whole
    assert ("alice", "Legislative change") in whole
    b = sources[stable_guid("study", ids["B"])]
    assert b.plain_text_selection == []
    values = {v.variable_ref.target_guid: v for v in b.variable_value}
    sample = values[stable_guid("field", "sample_size")]
    assert sample.integer_value == 0                     # a real zero stays 0
    assert stable_guid("field", "sample_size") not in {
        v.variable_ref.target_guid for v in a.variable_value}   # A's NA: no value at all
