"""Time the commands a reviewer types, end to end, on a 100k-study review.

Usage:
    .venv/bin/python benchmarks/bench_commands.py [--review DIR] [--n N] [--base CHECKOUT]
        [--only status,status-cold,check,...] [--no-warm]
        [--import-csv ROWS] [--import-ris RECORDS] [--no-status-after] [--import-files DIR]

Each command runs as a user runs it: `python -m workbench --review DIR ...` in
a subprocess of its own. CPU time (user + sys) and peak memory (max RSS) come
from that child's own rusage (os.wait4), so other processes on a busy machine
do not count. Each figure is printed as a ratio to the floor measured in the
same run: a subprocess where pandas reads the review's sheet CSVs, which any
command that looks at every decision must at least do.

Without --review, a review of N studies (default 100,000) is built as
bench_export.py builds it (three sheets, about 1.5M events) in a temporary
folder. --base runs the same commands with PYTHONPATH set to another checkout
(e.g. the commit before the change) and prints both. The review's
.workbench/ caches are warmed once (`status`) before timing, for each checkout.
`status` then answers from .workbench/status.json; `status-cold` removes that
file first (the per-study caches answer); `status-nocache` and `conflicts-nocache`
remove every cache of the sheets' state first (.workbench/sheets/, status.json,
conflicts.json, progress*.json; the records' and studies' caches stay): the full
computation, as the first run after an import, a hand edit or an upgrade meets it
(`check-nocache` too; when a `check*` entry is timed, `check` is warmed as well, so
`check` answers from its per-sheet caches in .workbench/checks/). `agreement` removes
.workbench/agreement.json first (the computation); `agreement-repeat` runs it again on the
unchanged review (the stored agreement answers); an `export` listed after either reads
the agreement they stored, and one listed without them computes it (the file is removed
first); `export` removes .workbench/export/ (the kept export) first, `export-repeat` runs
it again on the unchanged review (the kept export is copied), and `export-append` after
alice saves her latest title_abstract decision again (one more event, no conflict; it
stays). `status-append`, `conflicts-append` and `check-append` first append
one decision to alice's sheet (a save through the library: what a reviewer sees
after saving one; the sheets' caches in .workbench/sheets/ then read only that
line), and flip it back after timing, so later commands see the review unchanged).
After each -nocache or -append entry the caches are warmed again (untimed), so an
entry times the same thing whatever its place in --only.

Targets: status, check, conflicts <= 2x the floor; agreement, export,
sheet <= 6x; no command above 1.5 GB.

--import-csv ROWS / --import-ris RECORDS generate a Scopus-like CSV and a RIS
export (bench_import.py's records: 1-8 authors, ~150-word abstracts) in a
temporary folder, import each into a new review (`workbench init`, then
`workbench import FILE`) and run `status` after it; the floor there is pandas
reading the same CSV. `--only ''` times the imports alone, `--no-status-after`
leaves out the `status` after each, `--import-files DIR` keeps the generated
exports for the next run. Target: 1M CSV rows under 60 s and 1.5 GB. A `--base`
checkout from before #21i holds a whole export in memory: at 1M rows it
passed 12 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

COMMANDS = {
    "status": (["status"], 2),
    # status with .workbench/status.json removed first: what a changed sheet costs
    "status-cold": (["status"], 2),
    # after one decision appended to alice's sheet (what a reviewer sees after saving)
    "status-append": (["status"], 2),
    # every cache of sheet state removed first (.workbench/sheets/, status.json,
    # conflicts.json, progress*.json): the full computation, as the first run after an
    # import, a hand edit mid-sheet or an upgrade meets it
    "status-nocache": (["status"], 2),
    "check": (["check"], 2),
    "conflicts": (["conflicts", "--stage", "title_abstract"], 2),
    "conflicts-append": (["conflicts", "--stage", "title_abstract"], 2),
    "conflicts-nocache": (["conflicts", "--stage", "title_abstract"], 2),
    "check-append": (["check"], 2),
    # check with every cache of the sheets removed first (.workbench/checks/ too)
    "check-nocache": (["check"], 2),
    # .workbench/agreement.json removed first: the computation, as after any change
    "agreement": (["agreement"], 6),
    # again on the unchanged review: the stored agreement answers
    "agreement-repeat": (["agreement"], 6),
    # .workbench/export/ (the kept export) removed first: the whole build
    "export": (["export"], 6),
    # again on the unchanged review: the kept export is checked and copied
    "export-repeat": (["export"], 6),
    # after one save (alice saves her latest title_abstract decision again): built anew
    "export-append": (["export"], 6),
    "sheet": (["sheet", "--reviewer", "alice"], 6),
}
PEAK_TARGET_MB = 1500

FLOOR = """
import sys
from pathlib import Path
import pandas as pd
for p in sorted(Path(sys.argv[1]).glob("*.csv")):
    pd.read_csv(p, dtype=str, keep_default_na=False)
"""


def run(argv: list[str], pythonpath: Path) -> tuple[float, float, float, int]:
    """Run argv; return (wall s, CPU s, peak MB, exit code) of that child alone."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    start = time.perf_counter()
    # cwd: `python -m workbench` puts the working folder first on sys.path, so the
    # checkout itself must be it (else --base would time this checkout twice).
    proc = subprocess.Popen(argv, env=env, cwd=str(pythonpath), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        print(f"  ! {' '.join(argv[3:])} exited {proc.returncode}: {err.strip()[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def build_review(n: int) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    sys.path.insert(0, str(REPO))
    from bench_export import build, write_sheets
    from workbench.review import Review

    root = Path(tempfile.mkdtemp(prefix="bench-commands-")) / "review"
    root.mkdir()
    build(root, n)
    events = write_sheets(Review.open(root))
    print(f"built {root}: {n:,} studies, {events:,} sheet events")
    return root


def time_commands(review: Path, checkout: Path, names: list[str],
                  warm: bool = True) -> dict[str, tuple]:
    py = sys.executable

    def warm_up() -> None:
        run([py, "-m", "workbench", "--review", str(review), "status"], checkout)  # warm caches
        if any(name.startswith("check") for name in names):   # and check's own
            run([py, "-m", "workbench", "--review", str(review), "check"], checkout)

    if warm:
        warm_up()
    out = {}
    for name in names:
        args, _ = COMMANDS[name]
        if name == "status-cold":
            (review / ".workbench" / "status.json").unlink(missing_ok=True)
        if name.endswith("-nocache"):
            remove_sheet_caches(review)
        if name == "agreement" or (name == "export" and not any(
                n.startswith("agreement") for n in names[:names.index(name)])):
            (review / ".workbench" / "agreement.json").unlink(missing_ok=True)
        if name == "export":
            shutil.rmtree(review / ".workbench" / "export", ignore_errors=True)
        if name == "export-append":   # the same decision again: no conflict, export runs
            run([py, "-c", APPEND, str(review), "same"], checkout)
        elif name.endswith("-append"):
            run([py, "-c", APPEND, str(review)], checkout)
        out[name] = run([py, "-m", "workbench", "--review", str(review), *args], checkout)
        if name.endswith("-append") and name != "export-append":
            # flip the decision back (untimed): the appended one made a conflict with bob,
            # and every later command (e.g. export, which refuses while one is open) must
            # see the review as it was
            run([py, "-c", APPEND, str(review)], checkout)
        if warm and (name.endswith("-nocache") or name.endswith("-append")):
            # untimed: the next entry meets warm caches whatever the order of --only (a
            # -nocache entry removed them; an -append entry left two lines to read)
            warm_up()
    return out


def remove_sheet_caches(review: Path) -> None:
    """Remove every cache of the sheets' state (not the records' or the studies')."""
    folder = review / ".workbench"
    shutil.rmtree(folder / "sheets", ignore_errors=True)
    shutil.rmtree(folder / "checks", ignore_errors=True)
    for pattern in ("status.json", "conflicts.json", "progress*.json"):
        for path in folder.glob(pattern):
            path.unlink()


#: Append one decision to alice's sheet (her first study, title_abstract, the other answer).
APPEND = """
import sys
from pathlib import Path
from workbench.review import Review
from workbench.store.sheet import Event, append_events
from workbench.store.sheet_reading import read_sheet_matching
review = Review.open(sys.argv[1])
sheet = review.coding / "alice.csv"
with open(sheet, encoding="utf-8") as handle:
    handle.readline()
    study = handle.readline().split(",")[2]
now = [e for e in read_sheet_matching(sheet, {study})
       if e.study_id == study and e.stage == "title_abstract" and e.field == "decision"]
value = "exclude" if not now or now[-1].value != "exclude" else "include"
if sys.argv[2:] == ["same"] and now:   # saved again as it is: one more event, no conflict
    value = now[-1].value
append_events(sheet, [Event("", "alice", study, "title_abstract", "decision", value, "",
                            review.codebook().version)])
"""

IMPORT_FLOOR = """
import sys
import pandas as pd
pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
"""


def write_import_files(folder: Path, csv_rows: int, ris_records: int) -> tuple[Path, Path]:
    """Write a Scopus-like CSV and a RIS export (bench_import's records), 10k at a time."""
    import csv
    import random

    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_import import _record

    rng = random.Random(2026)
    csv_path, ris_path = folder / "scopus.csv", folder / "wos.ris"
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Authors", "Title", "Year", "Source title", "Volume", "Issue",
                         "Page start", "Page end", "DOI", "Abstract", "Author Keywords",
                         "Document Type", "Source"])
        for i in range(csv_rows):
            r = _record(rng, i)
            start, end = r["pages"].split("-")
            writer.writerow(["; ".join(f"{last} {first[0]}." for last, first in r["authors"]),
                             r["title"], r["year"], r["journal"], r["volume"], r["issue"],
                             start, end, r["doi"], r["abstract"], "; ".join(r["keywords"]),
                             "Article", "Scopus"])
    with ris_path.open("w", encoding="utf-8") as out:
        for i in range(ris_records):
            r = _record(rng, csv_rows + i)
            out.write("TY  - JOUR\n" + "".join(f"AU  - {last}, {first}\n"
                                              for last, first in r["authors"])
                      + f"TI  - {r['title']}\nT2  - {r['journal']}\nPY  - {r['year']}\n"
                      f"VL  - {r['volume']}\nIS  - {r['issue']}\nSP  - {r['pages']}\n"
                      f"DO  - {r['doi']}\nAB  - {r['abstract']}\n"
                      + "".join(f"KW  - {k}\n" for k in r["keywords"]) + "ER  - \n\n")
    return csv_path, ris_path


def time_imports(csv_rows: int, ris_records: int, checkouts: dict[str, Path],
                 status: bool = True, files: Path | None = None) -> None:
    """Import a generated CSV and RIS into fresh reviews, then `status`; print ratios."""
    py = sys.executable
    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    try:
        if files is not None:  # generated once, kept for the next run
            files.mkdir(parents=True, exist_ok=True)
            csv_path, ris_path = files / f"scopus-{csv_rows}.csv", files / f"wos-{ris_records}.ris"
            if not csv_path.exists() or not ris_path.exists():
                made = write_import_files(folder, csv_rows, ris_records)
                shutil.move(made[0], csv_path)
                shutil.move(made[1], ris_path)
        else:
            csv_path, ris_path = write_import_files(folder, csv_rows, ris_records)
        floor = run([py, "-c", IMPORT_FLOOR, str(csv_path)], REPO)
        print(f"floor (pandas reads the {csv_path.stat().st_size / 1e6:.0f} MB CSV of "
              f"{csv_rows:,} rows): CPU {floor[1]:.1f} s, peak {floor[2]:.0f} MB "
              f"(load {os.getloadavg()[0]:.1f})")
        print(f"{'command':<45} {'run':<7} {'wall s':>8} {'CPU s':>8} {'CPU/floor':>10} "
              f"{'peak MB':>8}")
        steps = [("import", None)] + ([("status (after that import)", ["status"])] if status else [])
        for label, checkout in checkouts.items():
            for source, n in ((csv_path, csv_rows), (ris_path, ris_records)):
                if not n:
                    continue
                review = folder / f"{label}-{source.suffix[1:]}"
                init = run([py, "-m", "workbench", "init", str(review)], checkout)
                if init[3]:
                    continue
                for what, args in steps:
                    if args is None:
                        what, args = f"import {source.name} ({n:,})", ["import", str(source)]
                    wall, cpu, peak, code = run(
                        [py, "-m", "workbench", "--review", str(review), *args], checkout)
                    print(f"{'workbench ' + what:<45} {label:<7} {wall:8.1f} {cpu:8.1f} "
                          f"{cpu / floor[1]:9.1f}x {peak:8.0f}"
                          + (f"  (1M CSV rows target: < 60 s, <= {PEAK_TARGET_MB} MB)"
                             if "csv" in what else ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--review", type=Path, help="an existing review (default: build one)")
    ap.add_argument("--n", type=int, default=100_000, help="studies when building")
    ap.add_argument("--base", type=Path, help="a checkout to time as 'before'")
    ap.add_argument("--no-warm", action="store_true",
                    help="the review's .workbench caches are already warm for each checkout")
    ap.add_argument("--only", default=",".join(COMMANDS), help="comma-separated commands")
    ap.add_argument("--import-csv", type=int, default=0, metavar="ROWS",
                    help="also import a generated Scopus-like CSV of ROWS rows (e.g. 1000000)")
    ap.add_argument("--import-ris", type=int, default=0, metavar="RECORDS",
                    help="also import a generated RIS of RECORDS records (e.g. 250000)")
    ap.add_argument("--no-status-after", action="store_true",
                    help="time the imports without the `status` after each (at 1M rows that "
                         "status deduplicates a million records)")
    ap.add_argument("--import-files", type=Path, metavar="DIR",
                    help="keep the generated exports in DIR and reuse them in later runs")
    opts = ap.parse_args()
    names = [n for n in opts.only.split(",") if n]
    if opts.import_csv or opts.import_ris:
        checkouts = {"after": REPO, **({"before": opts.base.resolve()} if opts.base else {})}
        time_imports(opts.import_csv, opts.import_ris, checkouts, not opts.no_status_after,
                     opts.import_files)
        if not opts.only:
            return
    built = opts.review is None
    review = build_review(opts.n) if built else opts.review.resolve()
    try:
        floor = run([sys.executable, "-c", FLOOR, str(review / "coding")], REPO)
        size = sum(p.stat().st_size for p in (review / "coding").glob("*.csv")) / 1e6
        print(f"floor (pandas reads the {size:.0f} MB of sheet CSVs): wall {floor[0]:.1f} s, "
              f"CPU {floor[1]:.1f} s, peak {floor[2]:.0f} MB (load {os.getloadavg()[0]:.1f})")
        runs = {"after": time_commands(review, REPO, names, not opts.no_warm)}
        if opts.base:
            runs["before"] = time_commands(review, opts.base.resolve(), names,
                                           not opts.no_warm)
        print(f"{'command':<45} {'run':<7} {'wall s':>8} {'CPU s':>8} {'CPU/floor':>10} "
              f"{'peak MB':>8}  target")
        for name in names:
            args, target = COMMANDS[name]
            for label in ("before", "after"):
                if label not in runs:
                    continue
                wall, cpu, peak, code = runs[label][name]
                ok = cpu <= target * floor[1] and peak <= PEAK_TARGET_MB and code == 0
                shown = "workbench " + " ".join(args) + (" (cold)" if name == "status-cold" else
                                                         " (1 appended)" if name.endswith("-append")
                                                         else " (no caches)"
                                                         if name.endswith("-nocache")
                                                         else " (repeat)"
                                                         if name.endswith("-repeat") else "")
                print(f"{shown:<45} {label:<7} {wall:8.1f} {cpu:8.1f} "
                      f"{cpu / floor[1]:9.1f}x {peak:8.0f}  <= {target}x, "
                      f"<= {PEAK_TARGET_MB} MB: {'met' if ok else 'NOT met'}")
    finally:
        if built:
            shutil.rmtree(review.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
