"""Closing screening once the stopping test says stop: the studies left are not screened.

Walkthrough (session 8): after the stopping test said stop, the studies left
unscreened still blocked the export, and the only way out was `bulk exclude`,
after which PRISMA counted them as "Records screened / excluded". Now the
reviewer closes screening (`workbench screen --stop`, `S` in the app): the
studies left get a `stopped` mark (not a decision), the export accepts them,
says so, and PRISMA puts them in "Records marked as ineligible by automation
tools" (not screened: stopping criterion met).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.errors import ExportError
from workbench.review import Review
from workbench.review.exporting import write_exports
from workbench.review.prioritise import draw_stopping_sample, stopping_estimate
from workbench.review.screening import open_session
from workbench.store.sheet import read_sheet

DATA = Path(__file__).resolve().parents[1] / "data" / "tui"
N = 300


def _review(path: Path, reviewers: int = 1) -> Review:
    for name in ("references", "coding", "exports"):
        (path / name).mkdir(parents=True, exist_ok=True)
    text = (DATA / "codebook.yaml").read_text(encoding="utf-8")
    if reviewers == 2:   # dual screening at title/abstract only
        text = text.replace("    kind: screening\n    reviewers: 1\n",
                            "    kind: screening\n    reviewers: 2\n", 1)
    (path / "codebook.yaml").write_text(text, encoding="utf-8")
    export = path.parent / "search.csv"
    with export.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "abstract", "year"])
        for i in range(N):
            writer.writerow([f"Study number {i} on topic {i % 17} with words w{i * 7919 % 1000}",
                             f"Abstract {i} of a trial in group {i % 23}.", 2011 + i % 10])
    Review.open(path).import_references([export], database="Scopus")
    return Review.open(path)


def _screen_until_stop(review, reviewer, include, exclude, seed) -> set:
    """Screen, draw the stopping sample, exclude all of it: the test then says stop."""
    session = open_session(review, reviewer)
    for sid in include:
        session.record(sid, "include")
    for sid in exclude:
        session.record(sid, "exclude", ["E1"])
    drawn = [session.studies[p].id for p in draw_stopping_sample(session, seed=seed)]
    for sid in drawn:
        session.record(sid, "exclude", ["E1"])
    assert stopping_estimate(session.state, "title_abstract").can_stop
    return set(include) | set(exclude) | set(drawn)


def _full_text(review, reviewer, include):
    session = open_session(review, reviewer, "full_text")
    for k, sid in enumerate(include):
        session.record(sid, "include" if k % 2 else "exclude", [] if k % 2 else ["E3"])


def _screen(root, *args, input=None):
    return CliRunner().invoke(cli, ["--review", str(root), "screen", *args], input=input)


def _counts(root) -> dict:
    with (root / "exports" / "prisma_counts.csv").open(encoding="utf-8") as f:
        return {row["data"]: row["n"] for row in csv.DictReader(f)}


def test_closing_after_the_test_says_stop_puts_the_rest_in_prismas_automation_box(tmp_path):
    root = tmp_path / "review"
    review = _review(root)
    ids = [s.id for s in open_session(review, "alice").studies]
    include = ids[:20]
    screened = _screen_until_stop(review, "alice", include, ids[20:30], seed=5)
    _full_text(review, "alice", include)
    with pytest.raises(ExportError, match="still unscreened at title_abstract"):
        write_exports(Review.open(root), charts=False)

    no = _screen(root, "--stop", "--reviewer", "alice", input="n\n")
    assert no.exit_code == 1 and "Nothing was saved." in no.output
    assert "the stopping test says stop" in no.output
    left = N - len(screened)
    assert f"{left} studies left unscreened" in no.output
    yes = _screen(root, "--stop", "--reviewer", "alice", input="y\n")
    assert yes.exit_code == 0, yes.output
    assert f"Recorded {left} studies as not screened (stopping criterion met)" in yes.output
    marks = [e for e in read_sheet(root / "coding" / "alice.csv").events if e.field == "stopped"]
    assert len(marks) == left and {e.study_id for e in marks} == set(ids) - screened
    assert marks[0].value.startswith("test;confidence=0.9")
    again = _screen(root, "--stop", "--reviewer", "alice", "--yes")
    assert again.exit_code == 1 and "nothing is left unscreened or already closed" in again.output

    shown = CliRunner().invoke(cli, ["--review", str(root), "export", "--no-charts"])
    assert shown.exit_code == 0, shown.output
    assert (f"duplicates 0, not screened (stopping criterion met) {left}, screened "
            f"{len(screened)}, excluded {len(screened) - 20}") in shown.output
    counts = _counts(root)
    assert counts["excluded_automatic"] == str(left)
    assert counts["records_screened"] == str(len(screened))
    assert counts["records_excluded"] == str(len(screened) - 20)   # not the studies left
    assert counts["dbr_sought_reports"] == "20" and counts["new_studies"] == "10"
    meta = json.loads((root / "exports" / "export_metadata.json").read_text(encoding="utf-8"))
    assert meta["studies"] == N
    assert meta["stopped"]["studies"] == sorted(set(ids) - screened)
    assert f"{left} records at title_abstract not screened" in meta["stopped"]["text"]
    assert "alice closed when the stopping test said stop" in meta["stopped"]["text"]
    assert any("automation tools" in w for w in meta["sheet_warnings"])
    readme = (root / "exports" / "README.txt").read_text(encoding="utf-8")
    assert "Not screened: stopping criterion met:" in readme
    with (root / "exports" / "prisma_studies.csv").open(encoding="utf-8") as f:
        boxes = [row["box"] for row in csv.DictReader(f)]
    assert boxes.count("records_not_screened_stopping") == left
    # a later decision on a closed study counts: it is screened then
    session = open_session(Review.open(root), "alice")
    late = sorted(set(ids) - screened)[0]
    session.record(late, "exclude", ["E2"])
    write_exports(Review.open(root), charts=False)
    assert _counts(root)["excluded_automatic"] == str(left - 1)
    assert _counts(root)["records_screened"] == str(len(screened) + 1)


def test_closing_before_the_test_says_stop_needs_an_override_the_export_repeats(tmp_path):
    root = tmp_path / "review"
    review = _review(root)
    session = open_session(review, "alice")
    ids = [s.id for s in session.studies]
    for sid in ids[:5]:
        session.record(sid, "include")
    refused = _screen(root, "--stop", "--reviewer", "alice", "--yes")
    assert refused.exit_code == 1
    assert "the stopping test does not say stop: no stopping test started" in refused.output
    assert not [e for e in read_sheet(root / "coding" / "alice.csv").events
                if e.field == "stopped"]
    assert _screen(root, "--override", "--reviewer", "alice").exit_code == 2
    forced = _screen(root, "--stop", "--override", "--reviewer", "alice", "--yes")
    assert forced.exit_code == 0 and "OVERRIDE" in forced.output
    _full_text(review, "alice", ids[:5])
    write_exports(Review.open(root), charts=False)
    meta = json.loads((root / "exports" / "export_metadata.json").read_text(encoding="utf-8"))
    assert "alice closed WITHOUT the stopping test saying stop (override)" in \
        meta["stopped"]["text"]
    assert _counts(root)["excluded_automatic"] == str(N - 5)
    at_full_text = _screen(root, "--stop", "--override", "--stage", "full_text",
                           "--reviewer", "alice", "--yes")
    assert at_full_text.exit_code == 1 and "at title_abstract only" in at_full_text.output


def test_dual_screening_each_reviewer_stops_on_her_own_test(tmp_path):
    """A study one reviewer screened and the other stopped before is single-screened."""
    root = tmp_path / "review"
    review = _review(root, reviewers=2)
    ids = [s.id for s in open_session(review, "alice").studies]
    include = ids[:20]
    by_bob = _screen_until_stop(review, "bob", include, ids[20:30], seed=9)
    # alice includes one study bob never screened: it goes to full text on her decision
    extra = next(sid for sid in ids[40:] if sid not in by_bob)
    by_alice = _screen_until_stop(review, "alice", include + [extra], ids[20:40], seed=5)
    with pytest.raises(ExportError, match="still unscreened at title_abstract"):
        write_exports(Review.open(root), charts=False)
    assert extra not in {s.id for s in open_session(Review.open(root), "carol",
                                                       "full_text").studies}
    for name in ("alice", "bob"):
        assert _screen(root, "--stop", "--reviewer", name, "--yes").exit_code == 0
    work = [s.id for s in open_session(Review.open(root), "carol", "full_text").studies]
    assert sorted(work) == sorted(include + [extra])
    _full_text(review, "carol", work)
    write_exports(Review.open(root), charts=False)
    counts = _counts(root)
    both, either = by_alice & by_bob, by_alice | by_bob
    assert counts["excluded_automatic"] == str(N - len(either))
    assert counts["records_screened"] == str(len(either))
    assert counts["records_excluded"] == str(len(either) - 21)
    assert counts["dbr_sought_reports"] == "21"
    meta = json.loads((root / "exports" / "export_metadata.json").read_text(encoding="utf-8"))
    assert meta["stopped"]["single_screened"] == sorted(either - both)
    assert f"{len(either - both)} studies screened by one reviewer only" in \
        meta["stopped"]["text"]
    assert set(meta["stopped"]["reviewers"]) == {"alice", "bob"}
    conflicts = CliRunner().invoke(cli, ["--review", str(root), "conflicts"])
    assert conflicts.exit_code == 0, conflicts.output
    assert not any(sid in conflicts.output for sid in either - both)
