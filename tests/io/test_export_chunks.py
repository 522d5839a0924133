"""Large export tables are written in pieces, with the bytes of writing them whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.io.exports.folder import ExportFolder, write_csv
from workbench.io.safe_cells import write_safe_csv

HOSTILE = ['=1+1', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=x", "\r=1", "a\rb", "a\nb",
           'say "hi"', "x,y", "", "nul\x00in", "مطالعہ 😀", "-0.5", "12", "'=quoted"]


def _whole(frame: pd.DataFrame, path) -> bytes:
    """The old way: the whole table's text at once."""
    write_safe_csv(frame, path, index=False, na_rep="", encoding="utf-8", lineterminator="\n")
    return path.read_bytes()


def _chunked(frame: pd.DataFrame, tmp_path, rows: int) -> bytes:
    with ExportFolder(tmp_path / "exports") as folder:
        write_csv(folder, "t.csv", frame, chunk_rows=rows)
        folder.commit()
    return (tmp_path / "exports" / "t.csv").read_bytes()


def test_a_table_written_in_pieces_is_the_table_written_whole(tmp_path):
    n = 50
    frame = pd.DataFrame({
        "text": [HOSTILE[i % len(HOSTILE)] for i in range(n)],
        "str": pd.Series([HOSTILE[(i * 7) % len(HOSTILE)] for i in range(n)], dtype="str"),
        "number": [np.nan if i % 5 == 0 else i / 3 for i in range(n)],
        "integer": list(range(n)),
        "flag": [i % 2 == 0 for i in range(n)],
        "mixed": [None if i % 4 == 0 else (i if i % 3 else HOSTILE[i % len(HOSTILE)])
                  for i in range(n)],
    })
    frame.columns = ["text", "=str", "number", "integer", "flag", "mixed"]
    whole = _whole(frame, tmp_path / "whole.csv")
    assert b"\r" in whole and b"'=1+1" in whole       # the hostile rows are there
    for rows in (1, 3, 7, 49, 50, 1000):
        assert _chunked(frame, tmp_path, rows) == whole, rows
    empty = frame.iloc[:0]
    assert _chunked(empty, tmp_path, 3) == _whole(empty, tmp_path / "empty.csv")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(max_size=8), st.one_of(st.none(), st.floats(allow_nan=True),
                                                         st.text(max_size=5))),
                max_size=12), st.integers(1, 5))
def test_any_cells_in_pieces_equal_the_whole(tmp_path, cells, rows):
    frame = pd.DataFrame(cells, columns=["a", "b"]) if cells else \
        pd.DataFrame({"a": [], "b": []})
    assert _chunked(frame, tmp_path, rows) == _whole(frame, tmp_path / "whole.csv")


def test_the_screening_log_and_audit_log_in_pieces_are_the_logs_written_whole(tmp_path,
                                                                             monkeypatch):
    """The export's screening log (taken in pieces of CSV_CHUNK_ROWS events) and its audit
    log (audit_chunks, above XLSX_AUDIT_ROWS events) are the bytes of the whole tables."""
    from tests.io.export_review import make_review
    from workbench.review import Review
    from workbench.review import exporting
    review = make_review(tmp_path / "review")
    whole = exporting.write_exports(Review.open(review.root), charts=False,
                                    out=tmp_path / "whole")
    monkeypatch.setattr(exporting, "CSV_CHUNK_ROWS", 4)
    monkeypatch.setattr(exporting, "XLSX_AUDIT_ROWS", 0)
    from workbench.review import history
    chunks = history.audit_chunks
    monkeypatch.setattr(exporting, "audit_chunks",
                        lambda *a, **k: chunks(*a, **{**k, "rows": 5}))
    pieces = exporting.write_exports(Review.open(review.root), charts=False,
                                     out=tmp_path / "pieces")
    for name in ("screening_log.csv", "audit_log.csv"):
        text = (whole.folder / name).read_bytes()
        assert text.count(b"\n") > 10
        assert (pieces.folder / name).read_bytes() == text
