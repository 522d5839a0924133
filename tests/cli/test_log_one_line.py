"""`workbench log` prints one line per event, also for a memo or note with line breaks.

The s6 walkthrough's log of a study coded from a PDF broke a passage quote over ten
lines, so the events after it no longer lined up. The CSV and JSON keep the text whole.
"""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from tests.review.coding_fixture import S, build_review
from workbench.cli import cli
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.store.sheet import read_sheet

MEMO = "first line\nsecond line\r\nthird"


def test_a_memo_with_line_breaks_stays_on_its_event_line(tmp_path):
    root = build_review(tmp_path / "review")
    coding = open_coding_session(Review.open(root), "alice")
    coding.set_codes(S(1), "platforms", ["twitter"])
    coding.set_memo(S(1), "platforms", MEMO)
    runner = CliRunner()
    table = runner.invoke(cli, ["--review", str(root), "log", S(1), "--reviewer", "alice"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    memo = [line for line in lines if "memo:platforms" in line]
    assert len(memo) == 1 and "first line ↵ second line ↵ third" in memo[0], lines
    assert all(line.startswith(("  ", S(1))) or line.endswith("events") for line in lines), lines
    raw = runner.invoke(cli, ["--review", str(root), "log", S(1), "--reviewer", "alice",
                              "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(raw.stdout, newline="")))
    [stored] = [e.value for e in read_sheet(root / "coding" / "alice.csv").events
                if e.field == "memo:platforms"]
    assert "\n" in stored
    assert any(row["value"].splitlines() == stored.splitlines() for row in rows)  # kept whole
