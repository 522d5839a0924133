"""Counts written into exported files agree with their number ("1 reviewer", "1 study coded").

The s4/s5 walkthroughs left "1 reviewers" (the codebook sheet of the workbook) and
"n = 1 studies coded" (the chart title) as export contents; s6 fixed them.
"""

from __future__ import annotations

from workbench.io.codebook_yaml import parse_codebook
from workbench.io.exports.dictionary import codebook_table
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.exporting import write_exports

from ..review.coding_fixture import S, build_review, screen

CODEBOOK = """
stages:
  - {id: title_abstract, label: Title and abstract, kind: screening, reviewers: 1}
  - {id: full_text, label: Full text, kind: screening, reviewers: 2, source: title_abstract}
"""


def test_the_codebook_table_says_1_reviewer_and_2_reviewers():
    table = codebook_table(parse_codebook(CODEBOOK))
    stages = table[table.iloc[:, 0] == "stage"]
    assert list(stages.iloc[:, 6]) == ["1 reviewer", "2 reviewers"]


def test_the_code_chart_of_one_coded_study_says_1_study_coded(tmp_path):
    root = build_review(tmp_path / "review")
    review = Review.open(root)
    screen(review, "bob", "full_text", {S(6): "include"})   # the flow is finished
    for who in ("alice", "bob"):
        coding = open_coding_session(Review.open(root), who)
        coding.set_codes(S(1), "platforms", ["twitter"])
    write_exports(Review.open(root))
    svg = (root / "exports" / "charts" / "codes_platforms.svg").read_text(encoding="utf-8")
    assert "n = 1 study coded" in svg
    assert "1 studies" not in svg
