"""The export carries the agreement report (full precision) and its methods sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.io.export_review import make_review
from workbench.review.agreement import agreement_report, methods_text
from workbench.review.exporting import write_exports


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    review = make_review(tmp_path_factory.mktemp("export-agreement") / "review")
    summary = write_exports(review, charts=False)
    return review, summary


def test_export_writes_agreement_csv_and_methods_text(exported):
    review, summary = exported
    names = {p.name for p in summary.files}
    assert {"agreement.csv", "agreement_methods.txt"} <= names
    table = pd.read_csv(review.exports / "agreement.csv")
    expected = [r for r in agreement_report(review) if r.results]
    assert set(table["stage"]) == {r.stage.id for r in expected}
    first = expected[0]
    kappa = next(s for v, stats in first.results if v.name == "decision" for s in stats
                 if s.name == "percent_agreement")
    row = table[(table["stage"] == first.stage.id) & (table["variable"] == "decision")
                & (table["name"] == "percent_agreement")]
    assert row["value"].item() == pytest.approx(kappa.value, abs=1e-12)  # every digit
    text = (review.exports / "agreement_methods.txt").read_text(encoding="utf-8")
    assert text == methods_text(agreement_report(review))
    assert f"{first.stage.label}: " in text and "reviewers screened" in text
    assert "seed 20260701" in text
    readme = (review.exports / "README.txt").read_text(encoding="utf-8")
    assert "agreement_methods.txt" in readme


def test_the_export_reads_each_sheet_once(tmp_path, monkeypatch):
    """Every part of the export (tables, audit log, agreement, conflicts) shares one read."""
    from collections import Counter
    from pathlib import Path

    import workbench.store.sheet as sheet
    import workbench.store.sheet_frame as sheet_frame
    import workbench.store.sheet_reading as sheet_reading
    from workbench.io.exports import background

    review = make_review(tmp_path / "review")
    reads: Counter = Counter()

    def counted(module, name):
        real = getattr(module, name)

        def read(path, *args, **kwargs):
            if Path(path).parent == review.coding:
                reads[Path(path).name] += 1
            return real(path, *args, **kwargs)
        monkeypatch.setattr(module, name, read)
    counted(sheet_frame, "read_sheet_frame")
    counted(sheet, "read_sheet")
    counted(sheet_reading, "read_sheet")
    real_init = background.Background.__init__
    monkeypatch.setattr(background.Background, "__init__",   # in this process, to count
                        lambda self, folder, parallel=True: real_init(self, folder, False))
    write_exports(review, charts=False)
    assert reads == Counter({"alice.csv": 1, "bob.csv": 1, "consensus.csv": 1})
