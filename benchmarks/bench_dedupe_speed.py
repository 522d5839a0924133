"""Duplicate detection speed and memory on synthetic multi-database exports.

Usage:
    .venv/bin/python benchmarks/bench_dedupe_speed.py [N ...]     (default: 10000 100000)
    .venv/bin/python benchmarks/bench_dedupe_speed.py --bib-dedupe [PYTHON] 79880

With --bib-dedupe, bib-dedupe (installed in a separate venv, by default
/tmp/bibdedupe: `python3 -m venv /tmp/bibdedupe && /tmp/bibdedupe/bin/pip install
bib-dedupe`) dedupes the same records in the same run (prep, block, match,
cluster; both cores), and the ratio of the wall times is printed (issue 14:
under 20 s at 79,880 records and under 0.1 of bib-dedupe).

Builds N records (about 4% of studies are traps: an erratum sharing the
DOI, Part I/Part II, an earlier conference abstract, the same title by other
authors) of which about 20% are extra copies of a study as another
database would export it (other casing and punctuation, abbreviated journal,
missing DOI, "123-9" pages, year off by one, subtitle cut off, HTML markup,
run-together authors), then times `find_duplicates` and prints the peak memory
(resource.getrusage) and pairwise precision/recall against the known truth.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
import resource
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.core.dedupe.duplicates import find_duplicates  # noqa: E402
from workbench.core.records import Record  # noqa: E402

_SYLLABLES = ("ka", "lo", "mi", "ne", "ra", "tu", "vi", "so", "de", "pa", "gri", "hon", "bel", "mar",
              "sta", "quo", "zen", "lin", "fer", "tor")
_JOURNALS = (("Journal of Clinical Epidemiology", "J Clin Epidemiol"),
             ("American Journal of Public Health", "Am J Public Health"),
             ("British Medical Journal", "Br Med J"), ("Social Science and Medicine", "Soc Sci Med"),
             ("Journal of the American Heart Association", "J Am Heart Assoc"),
             ("Current Opinion in Lipidology", "Curr Opin Lipidol"),
             ("International Journal of Stroke", "Int J Stroke"), ("PLoS One", "PLoS One"),
             ("New Media and Society", "New Media Soc"), ("Policy and Internet", "Policy Internet"))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def make_records(n: int, seed: int = 7) -> tuple[list[Record], list[int]]:
    """Return (records in import order, true study number of each record)."""
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(4000)]
    common = vocabulary[:60]  # frequent words so that titles share prefixes, as real ones do
    surnames = [_word(rng).capitalize() for _ in range(3000)]
    n_studies = int(n / 1.25)
    studies = []
    for s in range(n_studies):
        words = [rng.choice(common if rng.random() < 0.35 else vocabulary) for _ in range(rng.randint(6, 16))]
        title = " ".join(words).capitalize()
        if rng.random() < 0.3:
            title += ": " + " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 6)))
        authors = tuple(f"{rng.choice(surnames)}, {rng.choice('ABCDEFGHJKLMNPRST')}."
                        for _ in range(rng.randint(1, 6)))
        journal = rng.choice(_JOURNALS)
        first = rng.randint(1, 2000)
        studies.append(dict(title=title, authors=authors, year=rng.randint(2005, 2025), journal=journal,
                            volume=str(rng.randint(1, 80)), pages=f"{first}-{first + rng.randint(5, 20)}",
                            doi=f"10.{rng.randint(1000, 9999)}/x{s}" if rng.random() < 0.7 else ""))
    # about 4% of studies are traps: a distinct study that looks like an earlier one
    for s in range(0, n_studies, 25):
        base = dict(studies[s])
        kind = s // 25 % 4
        if kind == 0:
            base["title"] = "Erratum: " + base["title"]
        elif kind == 1:
            base["title"] = base["title"] + ". Part II"
            studies[s]["title"] += ". Part I"
            last = int(base["pages"].split("-")[1])
            base["pages"] = f"{last + 1}-{last + rng.randint(5, 20)}"
        elif kind == 2:
            base["year"] -= 1
            base["journal"] = ("Annual Meeting Abstracts", "Annu Meet Abstr")
            base["pages"] = f"A{rng.randint(1, 300)}"
        else:
            base["authors"] = (f"{rng.choice(surnames)}, Q.",)
            base["pages"] = f"{rng.randint(2001, 3000)}-{rng.randint(3001, 3100)}"
        base["doi"] = base["doi"] if kind == 0 else ""
        studies[s + 1] = base
    truth = list(range(n_studies)) + [rng.randrange(n_studies) for _ in range(n - n_studies)]
    records = []
    for i, s in enumerate(truth):
        st = studies[s]
        copy = i >= n_studies
        title, venue, pages, doi, year = st["title"], st["journal"][0], st["pages"], st["doi"], st["year"]
        authors = st["authors"]
        if copy:
            title = rng.choice((title.upper(), title.lower(), title.replace(" ", "  ") + ".",
                                title.split(":")[0], f"<i>{title}</i>", title + " [Chinese]", title))
            venue = st["journal"][rng.random() < 0.6]
            if rng.random() < 0.5 and "-" in pages:
                a, b = pages.split("-")
                pages = f"{a}-{b[-1]}" if b[:-1] == a[:len(b) - 1] else pages
            doi = "" if rng.random() < 0.3 else doi
            year = year + (1 if rng.random() < 0.1 else 0)
            if rng.random() < 0.3:
                authors = ("".join(a.replace(", ", " ") for a in authors),)
        records.append(Record(title=title, authors=authors, year=year, venue=venue, volume=st["volume"],
                              pages=pages, doi=doi, database=("scopus", "wos", "pubmed")[i % 3],
                              file="synthetic.ris", key=f"record {i + 1}", id=f"synth{i // 10000:03d}-{i:04d}"))
    order = list(range(n))
    rng.shuffle(order)
    return [records[k] for k in order], [truth[k] for k in order]


#: Where the issue's instructions install bib-dedupe (a separate venv, not a dependency).
BIB_DEDUPE_PYTHON = "/tmp/bibdedupe/bin/python"
_BIB_DEDUPE_RUN = """
import json, sys, time
import pandas as pd
import bib_dedupe.bib_dedupe as bd
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
start = time.perf_counter()
prepared = bd.prep(df, verbosity_level=0, cpu=2)
pairs = bd.block(prepared, verbosity_level=0, cpu=2)
matched = bd.match(pairs, verbosity_level=0, cpu=2)
sets = bd.cluster(matched, verbosity_level=0)
print(json.dumps({"seconds": time.perf_counter() - start, "sets": [list(s) for s in sets]}))
"""


def run_bib_dedupe(python: str, records: list[Record]) -> tuple[float, list[list[str]]]:
    """Return (wall seconds of bib-dedupe's prep+block+match+cluster, duplicate id sets)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["ID", "ENTRYTYPE", "author", "title", "year", "journal", "volume", "number",
                             "pages", "doi", "abstract"])
            for r in records:
                writer.writerow([r.id, "article", " and ".join(r.authors), r.title, r.year or "", r.venue,
                                 r.volume, r.issue, r.pages, r.doi, r.abstract])
        out = subprocess.run([python, "-c", _BIB_DEDUPE_RUN, str(path)], capture_output=True, text=True,
                             cwd=tmp)
    if out.returncode != 0:
        raise RuntimeError(f"bib-dedupe failed: {out.stderr.strip()[-500:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["seconds"], data["sets"]


def _scores(groups, truth: list[int], position: dict[str, int]) -> tuple[float, float]:
    predicted = {p for g in groups for p in combinations(sorted(position[rid] for rid in g), 2)}
    by_truth: dict[int, list[int]] = {}
    for k, t in enumerate(truth):
        by_truth.setdefault(t, []).append(k)
    true = {p for g in by_truth.values() for p in combinations(g, 2)}
    correct = len(predicted & true)
    return correct / max(1, len(predicted)), correct / max(1, len(true))


def main(argv: list[str]) -> int:
    bib_python = None
    if argv and argv[0] == "--bib-dedupe":
        argv = argv[1:]
        bib_python = argv.pop(0) if argv and not argv[0].isdigit() else BIB_DEDUPE_PYTHON
        if not Path(bib_python).exists():
            print(f"bib-dedupe is not installed at {bib_python}; install it with `python3 -m venv "
                  "/tmp/bibdedupe && /tmp/bibdedupe/bin/pip install bib-dedupe`; timing workbench only")
            bib_python = None
    for n in [int(a) for a in argv] or [10_000, 100_000]:
        records, truth = make_records(n)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, cpu = time.perf_counter(), time.process_time()
        result = find_duplicates(records)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        groups: dict[str, list[str]] = {}
        for r in records:
            groups.setdefault(result.record_to_study[r.id], []).append(r.id)
        position = {r.id: k for k, r in enumerate(records)}
        precision, recall = _scores(groups.values(), truth, position)
        print(f"{n:>7} records: {seconds:6.2f} s wall, {cpu:6.2f} s CPU, peak RSS {peak / 2**20:7.1f} MiB "
              f"(before: {before / 2**10:.0f} MiB), "
              f"{result.candidate_pairs} candidate pairs, {len(result.studies)} studies "
              f"(true {len(set(truth))}), precision {precision:.4f}, "
              f"recall {recall:.4f}, uncertain {len(result.uncertain)} (target: < 20 s at 79,880)")
        if bib_python:
            bib_seconds, sets = run_bib_dedupe(bib_python, records)
            bib_precision, bib_recall = _scores(sets, truth, position)
            print(f"{'':>7} bib-dedupe: {bib_seconds:6.2f} s wall, precision {bib_precision:.4f}, "
                  f"recall {bib_recall:.4f}; workbench/bib-dedupe time ratio {seconds / bib_seconds:.3f} "
                  "(target: < 0.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
