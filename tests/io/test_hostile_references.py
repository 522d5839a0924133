"""included.bib read back: a backslash or a tilde in a field, and a URL or DOI ending in a backslash.

The references writers (`workbench.io.exports.refs`) escape LaTeX's special
characters. A backslash was escaped as `\\textbackslash{}` before the braces of
the text were dropped, which dropped the escape's own braces too: `C:\\path`
became `\\textbackslashpath`, an unknown macro, and read back as `C:`. A URL or
DOI is kept verbatim, so one ending in a backslash wrote `{...\\}`: the closing
brace reads as escaped and the whole entry was lost (bibtexparser and our own
importer). Both are read back here with the importer and with bibtexparser.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workbench.io.exports.refs import bibtex_text
from workbench.io.formats.bibtex import parse_bibtex


def study(sid="S1", **fields):
    base = dict(id=sid, title="", authors=(), year=2020, venue="", volume="", issue="",
                pages="", doi="", pmid="", url="", keywords=(), abstract="")
    base.update(fields)
    return SimpleNamespace(**base)


def read_back(studies):
    import bibtexparser
    text = bibtex_text(studies)
    ours = parse_bibtex(text, "included.bib")
    theirs = bibtexparser.parse_string(text)
    assert not ours.problems and not theirs.failed_blocks, text
    assert [e.key for e in theirs.entries] == [s.id for s in studies]
    return ours.records


@pytest.mark.parametrize("title", [
    "C:\\path\\to", "ends with \\", "\\", "a\\b c\\ d", "\\textbf{x}", "tilde ~ here",
    "50% of $5 & #1_a", "back\\slash and {braces}"])
def test_a_backslash_or_tilde_in_a_title_reads_back_as_written(title):
    got = read_back([study(title=title), study("S2", title="second")])
    assert [r.title for r in got] == [title.replace("{", "").replace("}", ""), "second"]


@pytest.mark.parametrize("field,value", [
    ("url", "https://x.org/a\\"), ("url", "https://x.org/a\\\\"), ("url", "https://x.org/\\y}\\"),
    ("doi", "10.1000/a\\"), ("doi", "10.1000/x\\y}\\")])
def test_a_link_ending_in_a_backslash_does_not_swallow_its_entry(field, value):
    got = read_back([study(**{field: value}), study("S2", title="second")])
    assert len(got) == 2 and got[1].title == "second"
    want = value.replace("\\", "%5C").replace("}", "%7D")
    assert getattr(got[0], field) == (want.lower() if field == "doi" else want)  # DOIs: any case
