"""Start-up of the command line and of the app, as ratios to `python -c "import click"`.

Usage: .venv/bin/python benchmarks/bench_startup.py [N] [--repeat R] [--big DIR]
       (N studies in the generated big review, default 100000; R runs per figure, default 5;
       --big DIR: time a copy of an existing review instead of generating one, e.g. a 100k
       review built earlier by benchmarks/bench_export.py; DIR itself is never written)

Measured, each in a fresh interpreter (the median of R runs, wall and CPU time of the child):

- baseline: `python -c "import click"`, in the same run;
- `workbench --help`;
- `workbench status` and `workbench check` on a copy of the example review (the repository's
  references/, coding/ and codebook.yaml), after one warm-up run filled its cache;
- `workbench status` on a generated review of N studies (benchmarks/bench_export.build and
  write_sheets: one RIS export, two reviewers' and a consensus sheet), cache warm;
- the app's first frame: a headless run (Textual's run_test) that stops as soon as the home
  screen has been painted (its first refresh, `call_after_refresh`; until 2026-11-29 this
  waited for Pilot.pause, which also waits for the counting threads to go idle), on the example and on the big review (wall time and the process's
  CPU time at that point); on the example also the time until the home screen shows its
  counts (they are computed in a worker after the first frame).

The children write and use compiled bytecode (in a temporary PYTHONPYCACHEPREFIX) as an
installed package does, even where PYTHONDONTWRITEBYTECODE is set; warm-up runs fill it.

Targets (issue 17): --help <= 1.5x the baseline; status on the example <= 3x; first frame
< 1 s on the example and < 3 s on 100k studies. On a loaded machine wall times inflate:
CPU times are printed beside them.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

#: Run in the child: time from the top of the script to the home screen's first frame, and
#: until its counts are shown (not waited for with "--no-counts": on 100k studies they take
#: minutes and gigabytes). Prints "first_frame counts first_frame_cpu" (s; the CPU time is the
#: whole process's, the home screen's reading threads included).
FIRST_FRAME = r"""
import time
t0 = time.perf_counter()
c0 = time.process_time()
import asyncio, os, sys
from workbench.tui.app import make_app
from workbench.tui.screens.home import HomeScreen

async def main():
    app = make_app(sys.argv[1], reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        while not isinstance(app.screen, HomeScreen):
            await asyncio.sleep(0.005)
        painted = asyncio.Event()    # the home screen's first refresh (its first frame);
        app.screen.call_after_refresh(painted.set)   # its counts are read in a worker
        await painted.wait()
        first = time.perf_counter() - t0
        first_cpu = time.process_time() - c0
        await pilot.pause()
        if "--no-counts" in sys.argv:
            print(f"{first:.4f} nan {first_cpu:.4f}", flush=True)
            os._exit(0)     # the reading threads are not waited for
        progress = app.screen.query_one("#home-progress")
        deadline = time.perf_counter() + 120
        while str(progress.render()).startswith("Reading") and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        counts = time.perf_counter() - t0
        app.exit()
    print(f"{first:.4f} {counts:.4f} {first_cpu:.4f}")

asyncio.run(main())
"""


#: Where the children keep their compiled bytecode, as an installed package has it: a sandbox
#: that sets PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start.
PYCACHE = Path(tempfile.mkdtemp(prefix="bench-startup-pycache-"))


def run(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a child; return its wall time, its CPU time (user+sys) and its stdout."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(PYCACHE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = os.times()
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = os.times()
    if out.returncode not in (0, 1):
        raise SystemExit(f"{args}: exit {out.returncode}\n{out.stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system
                                                          - before.children_system)
    return wall, cpu, out.stdout


def median_of(args: list[str], repeat: int, cwd: Path | None = None) -> tuple[float, float]:
    runs = [run(args, cwd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def example_copy(tmp: Path) -> Path:
    root = tmp / "example"
    root.mkdir()
    shutil.copytree(REPO / "references", root / "references")
    shutil.copytree(REPO / "coding", root / "coding")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    return root


def big_review(tmp: Path, n: int) -> Path:
    from bench_export import build, write_sheets
    root = tmp / "big" / "review"
    root.mkdir(parents=True)
    start = time.perf_counter()
    review = build(root, n)
    review.records()
    review.studies()
    events = write_sheets(review)
    print(f"built a review of {n:,} studies ({events:,} sheet events) in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    return root


def big_copy(tmp: Path, source: Path) -> Path:
    """Copy an existing review (its sheets, exports and caches) to a scratch folder."""
    root = tmp / "big" / "review"
    shutil.copytree(source, root)
    return root


def count_studies(root: Path) -> int:
    """The number of studies of a review, as `status` reports it (uses its cache)."""
    out = run([sys.executable, "-m", "workbench", "--review", str(root), "status"])[2]
    for line in out.splitlines():
        if line.startswith("Studies:"):
            return int(line.split()[1].replace(",", ""))
    raise SystemExit(f"{root}: status printed no 'Studies:' line")


def first_frame(root: Path, repeat: int, counts: bool = True) -> tuple[float, float, float]:
    """Median first frame (in-process wall s), counts shown (s, nan if not waited for), and
    the process's CPU time at the first frame."""
    args = [sys.executable, "-c", FIRST_FRAME, str(root)] + ([] if counts else ["--no-counts"])
    runs = [run(args)[2].split() for _ in range(repeat)]
    return tuple(statistics.median(float(r[i]) for r in runs) for i in range(3))


def main() -> None:
    args = sys.argv[1:]
    repeat = 5
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i:i + 2]
    source = None
    if "--big" in args:
        i = args.index("--big")
        source = Path(args[i + 1])
        del args[i:i + 2]
    n = int(args[0]) if args else 100_000
    py = sys.executable
    wb = [py, "-m", "workbench"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; median of {repeat} "
          f"runs; wall time inflates on a loaded machine, CPU time (user+sys) much less",
          flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        example = example_copy(tmp)
        for warm in (["--help"], ["--review", str(example), "check"],
                     ["--review", str(example), "status"]):  # bytecode and the review's cache
            run(wb + warm)
        run([py, "-c", FIRST_FRAME, str(example)])
        if source is None:
            big = big_review(tmp, n)
            run(wb + ["--review", str(big), "status"])     # warm the big review's cache
        else:
            big = big_copy(tmp, source)
            n = count_studies(big)                           # and warms its cache
            print(f"copied {source} ({n:,} studies)", flush=True)
        base_wall, base_cpu = median_of([py, "-c", "import click"], repeat)
        print(f"{'':34} {'wall s':>7} {'x base':>7} {'CPU s':>7} {'x base':>7}  target")
        print(f"{'baseline: python -c import click':34} {base_wall:7.3f} {1:7.2f} "
              f"{base_cpu:7.3f} {1:7.2f}")
        rows = [("workbench --help", wb + ["--help"], "<= 1.5x"),
                ("status, example review", wb + ["--review", str(example), "status"], "<= 3x"),
                ("check, example review", wb + ["--review", str(example), "check"], ""),
                (f"status, {n:,} studies", wb + ["--review", str(big), "status"], "")]
        for name, cmd, target in rows:
            wall, cpu = median_of(cmd, repeat)
            print(f"{name:34} {wall:7.3f} {wall / base_wall:7.2f} {cpu:7.3f} "
                  f"{cpu / base_cpu:7.2f}  {target}", flush=True)
        for name, root, target, counts in (("example review", example, "< 1 s", True),
                                           (f"{n:,} studies", big, "< 3 s", False)):
            first, shown, cpu = first_frame(root, repeat, counts)
            print(f"app first frame, {name}: {first:.3f} s wall ({first / base_wall:.1f}x base), "
                  f"{cpu:.3f} s CPU ({cpu / base_cpu:.1f}x base) (target {target})"
                  + (f"; counts shown {shown:.3f} s" if counts else ""), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(PYCACHE, ignore_errors=True)


if __name__ == "__main__":
    main()
