"""Coding speed: keystroke to durably saved, on the example review (the repository root).

Usage:
    .venv/bin/python benchmarks/bench_coding.py [--keys K]

Copies the example review (codebook.yaml, references/) to a temporary folder,
includes its first studies at both screening stages for two reviewers
(through the sheet API), then opens `workbench code` in Pilot (80x24) as
"bob" and presses K code toggles (digits 1-8 on the first dimension). For
each key it reports:

- "saved": from the key's action starting until it returned, the event
  appended, flushed and fsynced to carol's sheet (checked on disk);
- "repaint": from the action starting until the screen has been refreshed
  after it (call_after_refresh), i.e. the change visible;
- "round trip": the whole `pilot.press` until repainted, which adds Pilot's
  own idle detection (an upper bound, not what a person waits).

It also times the library call alone (`CodingSession.toggle_code`) K times.
Target: median keystroke-to-saved under 50 ms. The sheet is checked
afterwards: it must hold exactly the K + K code events.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.review import Review  # noqa: E402
from workbench.review.coding import open_coding_session  # noqa: E402
from workbench.store.reviewer_sheet import Sheet  # noqa: E402
from workbench.store.sheet import read_sheet, sheet_path  # noqa: E402


def build(root: Path, included: int) -> Review:
    root.mkdir(parents=True)
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    shutil.copytree(REPO / "references", root / "references")
    for name in ("coding", "exports"):
        (root / name).mkdir()
    review = Review.open(root)
    studies = review.studies()
    codebook = review.codebook()
    for name in ("alice", "bob"):
        sheet = Sheet.open(sheet_path(review.coding, name), name, codebook.version)
        for s in studies[:included]:
            sheet.record_screening(codebook, "title_abstract", s.id, "include")
            sheet.record_screening(codebook, "full_text", s.id, "include")
    return review


def median_ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"median {statistics.median(values) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms, " \
           f"max {max(values) * 1000:.1f} ms"


async def tui_run(root: Path, keys: int) -> tuple[list[float], list[float], list[float]]:
    from workbench.tui.app import make_app
    from workbench.tui.screens.coding import CodingScreen
    app = make_app(root, reviewer="carol", start="coding")
    path = root / "coding" / "carol.csv"
    saved, shown, round_trip = [], [], []
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, CodingScreen) and app.screen.session is not None):
            await pilot.pause(0.01)
        screen = app.screen
        original = screen.action_number
        marks: dict[str, float] = {}

        def timed(number: int) -> None:
            marks["start"] = time.perf_counter()
            original(number)
            marks["saved"] = time.perf_counter()
            screen.call_after_refresh(lambda: marks.__setitem__("shown", time.perf_counter()))

        screen.action_number = timed
        for i in range(keys):
            size = path.stat().st_size if path.exists() else 0
            marks.clear()
            start = time.perf_counter()
            await pilot.press(str(i % 8 + 1))
            while "shown" not in marks:
                await pilot.pause(0.001)
            round_trip.append(time.perf_counter() - start)
            if path.stat().st_size <= size:
                raise SystemExit(f"key {i}: nothing was saved")
            saved.append(marks["saved"] - marks["start"])
            shown.append(marks["shown"] - marks["start"])
    return saved, shown, round_trip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--included", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "review"
        review = build(root, args.included)
        session = open_coding_session(review, "bob")
        print(f"example review: {len(review.studies())} studies, {len(session)} to code")
        study = session.studies[0].id
        codes = [c.id for c in review.codebook().dimensions[0].all_codes()]
        times = []
        for i in range(args.keys):
            start = time.perf_counter()
            session.toggle_code(study, review.codebook().dimensions[0].id, codes[i % len(codes)])
            times.append(time.perf_counter() - start)
        print(f"library toggle_code, durable ({args.keys}): {median_ms(times)}")
        saved, shown, trip = asyncio.run(tui_run(root, args.keys))
        print(f"TUI key to saved on disk ({args.keys} keys, 80x24): {median_ms(saved)}")
        print(f"TUI key to repainted: {median_ms(shown)}")
        print(f"Pilot press round trip (adds Pilot's idle wait): {median_ms(trip)}")
        events = [e for e in read_sheet(root / "coding" / "carol.csv").events
                  if e.stage == "coding"]
        bob = [e for e in read_sheet(root / "coding" / "bob.csv").events if e.stage == "coding"]
        assert len(events) == args.keys and len(bob) == args.keys, (len(events), len(bob))
        print("sheets checked: every keystroke is one saved event")


if __name__ == "__main__":
    main()
