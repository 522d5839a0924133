"""included.bib/.ris/.json are written a piece at a time: the same bytes as the whole texts.

The oracle is what `write_reference_files` wrote before it streamed: `bibtex_text`,
`ris_text` and `csl_json` of all the included studies at once, each written with
`Path.write_text`. Compared on random studies with hostile text (quotes, braces,
line breaks and CRs in titles and abstracts, empty fields, non-ASCII), random final
decisions, and pieces of 1 to 5 studies, plus a review with no included study.
"""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.consensus import FinalDecision
from workbench.core.dedupe.duplicates import Study
from workbench.io.exports.csl import csl_json, reference_notes, write_reference_files
from workbench.io.exports.folder import ExportFolder
from workbench.io.exports.refs import bibtex_text, ris_text

TEXT = st.lists(st.sampled_from(list('ab ,;"{}\\\n\r\t:-&%_é漢😀') + ["AU  - ", "ER  - "]),
                max_size=12).map("".join)


@st.composite
def studies(draw):
    n = draw(st.integers(0, 9))
    out = []
    for i in range(n):
        out.append(Study(f"S{i}", (f"r{i}",), title=draw(TEXT), abstract=draw(TEXT),
                         authors=tuple(draw(st.lists(TEXT, max_size=3))),
                         year=draw(st.none() | st.integers(1900, 2030)), venue=draw(TEXT),
                         pages=draw(st.sampled_from(["", "1-9", "12", "3-", "x--y"])),
                         doi=draw(TEXT), url=draw(TEXT),
                         keywords=tuple(draw(st.lists(TEXT, max_size=2)))))
    return out


def _codebook():
    """What write_reference_files reads of a codebook: criterion and stage labels."""
    label = SimpleNamespace
    return SimpleNamespace(criteria=[label(id="E1", label='Off "topic"'),
                                     label(id="I1", label="In, scope; {x}")],
                           stages=[label(id="title_abstract", label="Title"),
                                   label(id="full_text", label="Full text")])


def _finals(draw_values, ids):
    finals = []
    for stage in ("title_abstract", "full_text"):
        found = {}
        for sid, pick in zip(ids, draw_values):
            if pick % 3:
                found[sid] = FinalDecision(sid, stage, "final", ["include", "exclude"][pick % 2],
                                           ("E1", "I1", "Z9")[:pick % 4], pick % 5 != 0)
        finals.append((stage, found))
    return finals


def test_streamed_reference_files_equal_the_whole_texts(tmp_path):
    codebook = _codebook()
    runs = iter(range(10_000))

    @settings(max_examples=120, deadline=None)
    @given(studies(), st.lists(st.integers(0, 60), min_size=9, max_size=9),
           st.integers(1, 5), st.dictionaries(st.sampled_from(["S0", "S1", "S3"]),
                                              st.lists(TEXT, max_size=2), max_size=3))
    def same(included, picks, chunk, pub_types):
        finals = _finals(picks, [s.id for s in included])
        notes = reference_notes([s.id for s in included], finals,
                                {c.id: c.label for c in codebook.criteria},
                                {s.id: s.label for s in codebook.stages})
        root = tmp_path / f"run{next(runs)}"
        root.mkdir()
        with ExportFolder(root) as folder:
            write_reference_files(folder, included, pub_types, finals, codebook, chunk=chunk)
            for name, whole in (("included.bib", bibtex_text(included, pub_types, notes)),
                                ("included.ris", ris_text(included, pub_types, notes)),
                                ("included.json", csl_json(included, pub_types, notes))):
                oracle = tmp_path / "oracle"
                oracle.write_text(whole, encoding="utf-8")
                assert folder.path(name).read_bytes() == oracle.read_bytes(), (name, chunk)
            assert folder.files[-3:] == ["included.bib", "included.ris", "included.json"]

    same()
