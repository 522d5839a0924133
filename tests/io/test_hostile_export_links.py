"""Exported files placed beforehand as links to files outside the review are replaced, not written.

A review folder arrives by sync, git or zip, which keep links: exports/coded_dataset.csv
(or the wide sheet, or the workbook) placed as a link to a file outside the review
must not have that file overwritten by the next export. The export moves each new
file into place (`os.replace`), which replaces the link itself.
"""

from __future__ import annotations

import os

from tests.io.export_review import make_review
from workbench.review.checking import write_wide_sheet
from workbench.review.exporting import write_exports

OUTSIDE = "export PATH=$HOME/bin:$PATH\n"


def test_exported_files_that_are_links_are_replaced(tmp_path):
    review = make_review(tmp_path / "review")
    victim = tmp_path / "outside.sh"
    victim.write_text(OUTSIDE)
    exports = review.exports
    exports.mkdir(parents=True, exist_ok=True)
    names = ["coded_dataset.csv", "workbench_export.xlsx", "included.bib", "sheet-alice.csv",
             "sheet-alice.xlsx"]
    for name in names:
        os.symlink(victim, exports / name)
    write_exports(review, charts=False)
    write_wide_sheet(review, "alice")
    assert victim.read_text() == OUTSIDE
    for name in names:
        path = exports / name
        assert path.is_file() and not path.is_symlink() and path.stat().st_size, name
