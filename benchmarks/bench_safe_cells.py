"""What neutralizing formula cells costs the CSV writers, against plain `to_csv` in the same run.

Usage: .venv/bin/python benchmarks/bench_safe_cells.py [N]   (N studies, default 100000)

Builds two tables shaped like a 100k-study export (`coded_dataset.csv`: N rows,
~40 columns of ids, titles, authors, codes as 0/1, fields, notes, numbers;
`screening_log.csv`: 10 N rows of sheet events), with 1% of the free-text
cells hostile (`=HYPERLINK(...)`, `-2+3`, `@SUM`) and some negative numbers,
and writes each with `DataFrame.to_csv` (the baseline) and with
`workbench.io.safe_cells.write_safe_csv`, best of 3. Prints the times, the
ratio, and the scan alone (`safe_frame`: finding and quoting the cells),
which is what neutralizing adds; the rest of the difference is noise.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from workbench.io.safe_cells import safe_frame, write_safe_csv  # noqa: E402

HOSTILE = ['=HYPERLINK("http://x","click")', "-2+3", "@SUM(A1)", "+cmd|' /C calc'!A0"]


def _text(rng: random.Random, i: int, words: str) -> str:
    if rng.random() < 0.01:
        return rng.choice(HOSTILE)
    return f"{words} {i} {rng.random():.6f}"


def coded(n: int, rng: random.Random) -> pd.DataFrame:
    data: dict[str, list] = {
        "study_id": [f"S{i:08x}-0001" for i in range(n)],
        "title": [_text(rng, i, "Study of social media activism") for i in range(n)],
        "authors": [f"Author{i}, A.; Other, B." for i in range(n)],
        "year": [2010 + i % 16 for i in range(n)],
        "venue": [f"Journal {i % 97}" for i in range(n)],
        "doi": [f"10.5555/bench.{i}" for i in range(n)],
    }
    for stage in ("title_abstract", "full_text"):
        data[f"{stage}.decision"] = ["include"] * n
        data[f"{stage}.note"] = [_text(rng, i, "note") if i % 5 == 0 else "" for i in range(n)]
    for d in range(3):
        data[f"dim{d}"] = [";".join(f"code{c}" for c in range(i % 4)) for i in range(n)]
        for c in range(6):
            data[f"dim{d}.code{c}"] = [int((i + c) % 3 == 0) for i in range(n)]
        data[f"memo.dim{d}"] = [_text(rng, i, "memo") if i % 7 == 0 else "" for i in range(n)]
    data["engagement_rate"] = [rng.uniform(-1, 10) for _ in range(n)]
    data["reach_text"] = [f"{rng.uniform(-1, 10):.2f}" for _ in range(n)]   # numbers as text
    return pd.DataFrame(data)


def log(n: int, rng: random.Random) -> pd.DataFrame:
    rows = 10 * n
    return pd.DataFrame({
        "sheet": ["alice" if i % 2 else "bob" for i in range(rows)],
        "time": [f"2025-01-01T00:00:{i % 60:02d}.{i % 1000000:06d}Z" for i in range(rows)],
        "reviewer": ["alice" if i % 2 else "bob" for i in range(rows)],
        "study_id": [f"S{i // 10:08x}-0001" for i in range(rows)],
        "stage": ["title_abstract"] * rows,
        "field": ["decision"] * rows,
        "value": ["include"] * rows,
        "note": [_text(rng, i, "n") if i % 20 == 0 else "" for i in range(rows)],
        "codebook_version": ["c5d65e1f6ba7"] * rows,
    })


def best(write, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        write()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(7)
    tables = {"coded_dataset.csv": coded(n, rng), "screening_log.csv": log(n, rng)}
    options = dict(index=False, na_rep="", encoding="utf-8", lineterminator="\n")
    total_plain = total_safe = total_scan = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in tables.items():
            path = Path(tmp) / name
            plain = best(lambda: frame.to_csv(path, **options))
            safe = best(lambda: write_safe_csv(frame, path, **options))
            scan = best(lambda: safe_frame(frame))
            total_plain, total_safe = total_plain + plain, total_safe + safe
            total_scan += scan
            print(f"{name}: {len(frame):,} rows x {frame.shape[1]} columns, "
                  f"{path.stat().st_size / 1e6:.1f} MB: to_csv {plain:.2f} s, "
                  f"safe {safe:.2f} s (x{safe / plain:.2f}), of which the scan {scan:.2f} s")
    print(f"total: to_csv {total_plain:.2f} s, safe {total_safe:.2f} s "
          f"({100 * (total_safe / total_plain - 1):+.1f}%); the scan alone {total_scan:.2f} s = "
          f"{100 * total_scan / total_plain:.1f}% of to_csv")


if __name__ == "__main__":
    main()
