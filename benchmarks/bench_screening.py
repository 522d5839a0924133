"""Screening at scale: open a 100k-study review in the TUI and screen 1,000 studies by keys.

Usage:
    .venv/bin/python benchmarks/bench_screening.py [--studies N] [--decisions K] [--dir PATH]

Builds (once; reused from --dir on later runs) a review whose references/
holds one RIS export of N synthetic, distinct records (title, authors,
abstract, DOI), imported with `Review.import_references`, and groups them into
studies with `Review.studies()` (which fills the on-disk caches, as a first
`workbench dedupe` does). Then, in a fresh Review, it times:

- open: `make_app(...)` until the screening screen has loaded the session
  (records and studies from the caches, the reviewer's sheet, the work list),
  measured inside Pilot (App.run_test, 100x30 terminal);
- key to next study: K decisions pressed as keys (i, m, and every 10th an
  exclusion: x, 1, Enter). Two figures per key: "app" is from the action
  starting (the durable, fsynced append included) until the screen has been
  repainted with the next study (call_after_refresh); "pilot" is the whole
  `pilot.press` round trip, which adds Pilot's own idle detection.

The sheet is checked afterwards: it must hold exactly the K decisions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.review import Review  # noqa: E402
from workbench.store.sheet import read_sheet  # noqa: E402
from workbench.tui.app import make_app  # noqa: E402
from workbench.tui.modals import CriteriaModal  # noqa: E402
from workbench.tui.screens.screening import ScreeningScreen  # noqa: E402

CODEBOOK = Path(__file__).resolve().parents[1] / "tests" / "data" / "tui" / "codebook.yaml"
WORDS = ("social media activism policy change campaign hashtag online digital platform "
         "twitter facebook engagement reach government accountability gender rights youth "
         "mobilization protest network analysis survey interviews content qualitative "
         "quantitative case study evidence outcome legislation reform civil society "
         "misinformation censorship access literacy").split()


def write_ris(path: Path, n: int, seed: int = 11) -> None:
    """Write n distinct synthetic records as RIS."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            title = " ".join(rng.choice(WORDS) for _ in range(9)) + f" {i}"
            abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 220)))
            out.write(f"TY  - JOUR\nAU  - Author{i % 997}, A.\nAU  - Writer{i % 313}, B.\n"
                      f"TI  - {title.capitalize()}\nPY  - {2010 + i % 16}\n"
                      f"JO  - Journal {i % 50}\nDO  - 10.9999/bench.{i}\nAB  - {abstract}\n"
                      "ER  - \n\n")


def build(root: Path, n: int) -> None:
    """Make the review folder and fill its caches (records, studies)."""
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True, exist_ok=True)
    shutil.copy(CODEBOOK, root / "codebook.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / f"synthetic-{n}.ris"
        t = time.perf_counter()
        write_ris(export, n)
        print(f"  wrote {n:,} records as RIS in {time.perf_counter() - t:.1f} s")
        review = Review.open(root)
        t = time.perf_counter()
        review.import_references([export], database="Scopus")
        print(f"  imported in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    studies = review.studies()
    print(f"  grouped into {len(studies):,} studies in {time.perf_counter() - t:.1f} s")


async def run(root: Path, decisions: int) -> dict:
    """Open the app on the review and screen `decisions` studies by keys."""
    sheet = root / "coding" / "bench.csv"
    sheet.unlink(missing_ok=True)
    app_times: list[float] = []
    pilot_times: list[float] = []
    original = ScreeningScreen._decide

    def timed(self, study, decision, criteria=()):
        start = time.perf_counter()
        ok = original(self, study, decision, criteria)
        self.call_after_refresh(lambda: app_times.append(time.perf_counter() - start))
        return ok

    ScreeningScreen._decide = timed
    try:
        start = time.perf_counter()
        app = make_app(root, reviewer="bench", start="screening")
        async with app.run_test(size=(100, 30)) as pilot:
            while not (isinstance(app.screen, ScreeningScreen) and app.screen.session):
                await asyncio.sleep(0.005)
            open_s = time.perf_counter() - start
            screen = app.screen
            for k in range(decisions):
                before = screen.source.id
                t = time.perf_counter()
                if k % 10 == 9:
                    await pilot.press("x")
                    while not isinstance(app.screen, CriteriaModal):
                        await asyncio.sleep(0.001)
                    t = time.perf_counter()   # time the key that saves: Enter
                    await pilot.press("1", "enter")
                else:
                    await pilot.press("i" if k % 3 else "m")
                pilot_times.append(time.perf_counter() - t)
                assert screen.source.id != before, "the next study did not appear"
            await pilot.pause()
    finally:
        ScreeningScreen._decide = original
    n_studies = len(screen.session)
    decided = {e.study_id for e in read_sheet(sheet).events if e.field == "decision"}
    assert len(decided) == decisions, (len(decided), decisions)
    return {"open": open_s, "studies": n_studies, "app": app_times, "pilot": pilot_times}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir())
                        / "workbench-bench-screening")
    args = parser.parse_args()
    root = args.dir / f"review-{args.studies}"
    if not (root / "codebook.yaml").exists():
        print(f"building {root} ...")
        build(root, args.studies)
    result = asyncio.run(run(root, args.decisions))
    app_ms = [t * 1000 for t in result["app"]]
    pilot_ms = [t * 1000 for t in result["pilot"]]
    print(f"review: {result['studies']:,} studies ({root})")
    print(f"open (app start to first study on screen): {result['open']:.2f} s   target < 3 s")
    print(f"key to next study, app (save+fsync+repaint): median {statistics.median(app_ms):.1f} ms"
          f", p95 {pct(app_ms, 0.95):.1f} ms, n={len(app_ms)}   target median < 50 ms")
    print(f"key to next study, pilot round trip:         median {statistics.median(pilot_ms):.1f}"
          f" ms, p95 {pct(pilot_ms, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
