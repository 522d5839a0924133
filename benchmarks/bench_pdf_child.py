"""PDF text in a bounded child process against in-process: the cost of the bound.

Reads every PDF of ../shared/data/fulltext three ways (in-process `pdf_pages`;
`read_pdf_pages`, which starts one child per file, as opening one study's
text does; the same inside `pdf_batch()`, one child for all, as `fulltext link
FOLDER` does) and prints the wall and CPU seconds (the children's CPU
included) of each way, their ratios to in-process, and whether the pages are
the same. Run: python benchmarks/bench_pdf_child.py [ROUNDS]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from workbench.io.pdf_pages import pdf_batch, pdf_pages, read_pdf_pages

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "fulltext"


def cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    files = sorted(FOLDER.glob("*.pdf"))
    if not files:
        sys.exit(f"no PDFs in {FOLDER}")
    figures = {}
    same = True
    for way, read in (("in-process", pdf_pages), ("child", read_pdf_pages),
                      ("batch", read_pdf_pages)):
        best_wall = best_cpu = float("inf")
        for _ in range(rounds):
            wall, used = time.perf_counter(), cpu()
            with pdf_batch() if way == "batch" else open(os.devnull):
                for path in files:
                    try:
                        got = read(path)
                    except Exception as exc:  # noqa: BLE001 - a password PDF: the same each way
                        got = type(exc).__name__ + str(exc)
                    figures.setdefault(path, {})[way] = got
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, cpu() - used)
        print(f"{way:>10}: {len(files)} PDFs, wall {best_wall:.2f} s, CPU {best_cpu:.2f} s "
              f"(best of {rounds})")
        figures[way] = (best_wall, best_cpu)
    same = all(v["in-process"] == v["child"] == v["batch"] for k, v in figures.items()
               if isinstance(k, Path))
    base = figures["in-process"]
    for way in ("child", "batch"):
        got = figures[way]
        print(f"ratio {way} / in-process: wall {got[0] / base[0]:.2f}x, CPU "
              f"{got[1] / base[1]:.2f}x; per file +{(got[1] - base[1]) / len(files) * 1000:.0f} "
              "ms CPU")
    print(f"pages identical all three ways: {same}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
