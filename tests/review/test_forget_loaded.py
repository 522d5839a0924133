"""What a Review holds in memory can be dropped and is read again alike (export's writers)."""

from __future__ import annotations

from tests.io.export_review import make_review
from workbench.review.sheet_reads import forget_review_sheets, review_sheet_frame


def test_forget_loaded_reads_the_same_records_and_studies_again(tmp_path):
    review = make_review(tmp_path / "r")
    records, studies, aliases = review.records(), review.studies(), review.aliases()
    review.forget_loaded()
    again = review.records()
    assert again is not records and again == records
    assert review.aliases() == aliases
    assert [s.id for s in review.studies()] == [s.id for s in studies]


def test_forget_review_sheets_reads_the_sheet_again(tmp_path):
    review = make_review(tmp_path / "r")
    path = sorted(review.coding.glob("*.csv"))[0]
    first = review_sheet_frame(review, path)
    assert review_sheet_frame(review, path) is first   # shared while unchanged
    forget_review_sheets(review)
    again = review_sheet_frame(review, path)
    assert again is not first
    assert again.events.equals(first.events) and again.problems == first.problems
