"""BibTeX and RIS text equal the writers' text before session 7's speed-ups.

`record_type` is cached per publication-type text and `_bib_escape` returns a text
with no character to escape untouched: the oracle (`tests/io/refs_oracle.py`, the
module as it was) must give the same text on hostile studies: every character the
escape changes, alone and mixed, braces, backslashes, line breaks, RIS tags inside
text, non-ASCII, publication types that name a type, several, none, in any case and
spacing, asked again and again (the cache), and notes from final decisions.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.io import refs_oracle
from tests.io.test_export_refs_chunks import TEXT, _codebook, _finals
from workbench.core.dedupe.duplicates import Study
from workbench.io.exports import refs
from workbench.io.exports.csl import reference_notes

ESCAPED = st.lists(st.sampled_from(list("{}\\~&%$#_ ax\n") + ["\\textbackslash{}", "é"]),
                   max_size=10).map("".join)
FIELD = st.one_of(TEXT, ESCAPED, st.text(max_size=15))
PUB_TYPE = st.one_of(
    st.sampled_from(["Journal Article", "journal  ARTICLE", "Article; Proceedings Paper",
                     "Proceedings Paper; Article", "BOOK", "Book Chapter", "thesis",
                     "Conference Paper", "rprt", "web", "Review", "", " ; ", "unknown",
                     "Editorial; Journal Article"]),
    st.text(max_size=12))


@st.composite
def studies(draw):
    out = []
    for i in range(draw(st.integers(0, 8))):
        out.append(Study(f"S{i}" if draw(st.booleans()) else f"s {i}/{{x}}", (f"r{i}",),
                         title=draw(FIELD), abstract=draw(FIELD),
                         authors=tuple(draw(st.lists(FIELD, max_size=3))),
                         year=draw(st.none() | st.integers(1900, 2030)), venue=draw(FIELD),
                         volume=draw(FIELD), issue=draw(FIELD),
                         pages=draw(st.sampled_from(["", "1-9", "12", "3-", "x--y", "_%"])),
                         doi=draw(FIELD), pmid=draw(FIELD), url=draw(FIELD),
                         keywords=tuple(draw(st.lists(FIELD, max_size=2)))))
    return out


@settings(max_examples=200, deadline=None)
@given(studies(), st.lists(st.integers(0, 60), min_size=8, max_size=8),
       st.data())
def test_bibtex_and_ris_equal_the_old_writers(included, picks, data):
    codebook = _codebook()
    ids = [s.id for s in included]
    pub_types = {sid: data.draw(st.one_of(PUB_TYPE, st.lists(PUB_TYPE, max_size=3)))
                 for sid in ids if data.draw(st.booleans())}
    notes = reference_notes(ids, _finals(picks, ids),
                            {c.id: c.label for c in codebook.criteria},
                            {s.id: s.label for s in codebook.stages})
    for _ in range(2):   # the second time, every record type comes from the cache
        assert refs.bibtex_text(included, pub_types, notes) == \
            refs_oracle.bibtex_text(included, pub_types, notes)
        assert refs.ris_text(included, pub_types, notes) == \
            refs_oracle.ris_text(included, pub_types, notes)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ESCAPED, FIELD), PUB_TYPE)
def test_escape_and_record_type_equal_the_old_functions(text, pub_type):
    assert refs._bib_escape(text) == refs_oracle._bib_escape(text)
    assert refs.record_type(pub_type) == refs_oracle.record_type(pub_type)
