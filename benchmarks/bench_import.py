"""Import throughput: 100,000 generated records across BibTeX, RIS, MEDLINE and CSV.

Run:  .venv/bin/python benchmarks/bench_import.py [--records 100000] [--profile FORMAT]

Generates realistic exports (1-8 authors, some with LaTeX escapes, ~150-word
abstracts) into a temporary folder, imports each into a new review with `Review.import_references` (parse, copy into references/, cache, manifest), and prints
records/s per format, total time and peak memory (max RSS). Target: 100k in < 20 s,
< 2 GB.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from workbench.review import Review, init_review  # noqa: E402

WORDS = ("social media activism policy change pakistan digital platforms campaign hashtag "
         "engagement government reform advocacy network youth women rights online protest "
         "evidence review qualitative survey interview framework barrier facilitator outcome "
         "analysis reach mobilisation public opinion legislation accountability data").split()
LAST = ["Khan", "Ahmed", "Müller", "García", "O'Brien", "Iqbal", "Smith", "Nguyen", "Rossi",
        "Kowalski", "Chen", "Malik", "Haider", "Dubois", "Novak"]
LATEX_LAST = {"Müller": "M{\\\"u}ller", "García": "Garc{\\'\\i}a", "Dubois": "Dubois"}
FIRST = ["Ayesha", "Omar", "Jörg", "María", "Sean", "Sana", "John", "Linh", "Giulia", "Piotr",
         "Wei", "Usman", "Zara", "Élodie", "Jan"]


def _record(rng: random.Random, i: int) -> dict:
    authors = [(rng.choice(LAST), rng.choice(FIRST)) for _ in range(rng.randint(1, 8))]
    return {
        "authors": authors,
        "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize(),
        "abstract": " ".join(rng.choice(WORDS) for _ in range(150)),
        "journal": f"Journal of {rng.choice(WORDS).capitalize()} Studies",
        "year": rng.randint(2010, 2025), "volume": str(rng.randint(1, 90)),
        "issue": str(rng.randint(1, 12)), "pages": f"{i % 900 + 1}-{i % 900 + 15}",
        "doi": f"10.{1000 + i % 9000}/bench.{i}", "pmid": str(30000000 + i),
        "keywords": [rng.choice(WORDS) for _ in range(4)],
    }


def write_bibtex(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, r in enumerate(records):
            names = " and ".join(f"{LATEX_LAST.get(last, last)}, {first}"
                                 for last, first in r["authors"])
            out.write(f"@article{{{r['authors'][0][0].replace(chr(39), '')}{r['year']},\n"
                      f"  author = {{{names}}},\n  title = {{{r['title']}}},\n"
                      f"  journal = {{{r['journal']}}},\n  year = {{{r['year']}}},\n"
                      f"  volume = {{{r['volume']}}},\n  number = {{{r['issue']}}},\n"
                      f"  pages = {{{r['pages'].replace('-', '--')}}},\n"
                      f"  doi = {{{r['doi']}}},\n  keywords = {{{'; '.join(r['keywords'])}}},\n"
                      f"  abstract = {{{r['abstract']}}}\n}}\n\n")


def write_ris(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for r in records:
            out.write("TY  - JOUR\n")
            out.writelines(f"AU  - {last}, {first}\n" for last, first in r["authors"])
            out.write(f"TI  - {r['title']}\nT2  - {r['journal']}\nPY  - {r['year']}\n"
                      f"VL  - {r['volume']}\nIS  - {r['issue']}\nSP  - {r['pages']}\n"
                      f"DO  - {r['doi']}\nAB  - {r['abstract']}\n")
            out.writelines(f"KW  - {k}\n" for k in r["keywords"])
            out.write("DB  - Scopus\nER  - \n\n")


def _wrap(tag: str, text: str) -> str:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > 75:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return f"{tag:<4}- " + "\n      ".join(lines) + "\n"


def write_medline(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for r in records:
            out.write(f"PMID- {r['pmid']}\nOWN - NLM\nSTAT- MEDLINE\nDP  - {r['year']}\n")
            out.write(_wrap("TI", r["title"]) + _wrap("AB", r["abstract"]))
            for last, first in r["authors"]:
                out.write(f"FAU - {last}, {first}\nAU  - {last} {first[0]}\n")
            out.write(f"TA  - {r['journal']}\nJT  - {r['journal']}\nVI  - {r['volume']}\n"
                      f"IP  - {r['issue']}\nPG  - {r['pages']}\nLID - {r['doi']} [doi]\n")
            out.writelines(f"OT  - {k}\n" for k in r["keywords"])
            out.write("\n")


def write_csv(records: list[dict], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Authors", "Title", "Year", "Source title", "Volume", "Issue", "Page start",
                     "Page end", "DOI", "Abstract", "Author Keywords", "Source"])
    for r in records:
        start, end = r["pages"].split("-")
        writer.writerow(["; ".join(f"{last} {first[0]}." for last, first in r["authors"]),
                         r["title"], r["year"], r["journal"], r["volume"], r["issue"], start, end,
                         r["doi"], r["abstract"], "; ".join(r["keywords"]), "Scopus"])
    path.write_text(buffer.getvalue(), encoding="utf-8")


WRITERS = {"bibtex": (write_bibtex, "bench.bib"), "ris": (write_ris, "bench.ris"),
           "medline": (write_medline, "bench.nbib"), "table": (write_csv, "bench.csv")}


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (BibTeX may fork workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--profile", choices=sorted(WRITERS), help="cProfile one format")
    args = parser.parse_args()
    per_format = args.records // len(WRITERS)
    rng = random.Random(2025)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for fmt, (writer, name) in WRITERS.items():
            paths[fmt] = Path(tmp) / name
            writer([_record(rng, i) for i in range(per_format)], paths[fmt])
        print(f"generated {per_format:,} records per format "
              f"({sum(p.stat().st_size for p in paths.values()) / 1e6:.0f} MB)")
        review = init_review(Path(tmp) / "review")
        total_records, total_time, total_cpu = 0, 0.0, 0.0
        for fmt, path in paths.items():
            if args.profile and fmt != args.profile:
                continue
            profiler = cProfile.Profile() if args.profile else None
            start, cpu_start = time.perf_counter(), _cpu_seconds()
            if profiler:
                profiler.enable()
            (done,) = review.import_references([path], database=fmt)
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - start
            cpu = _cpu_seconds() - cpu_start
            total_cpu += cpu
            ok = done.records == per_format and not done.skipped
            total_records += done.records
            total_time += elapsed
            print(f"{fmt:8s} {done.records:7,} records  {elapsed:6.2f} s  "
                  f"{done.records / elapsed:9,.0f} records/s  (CPU {cpu:5.2f} s)"
                  f"{'' if ok else f'  MISMATCH ({len(done.skipped)} problems)'}")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            del done
        start, cpu_start = time.perf_counter(), time.process_time()
        reopened = len(Review.open(review.root).records())
        print(f"reopen: {reopened:,} records from the parse cache in "
              f"{time.perf_counter() - start:.2f} s (CPU {time.process_time() - cpu_start:.2f} s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"total    {total_records:7,} records  {total_time:6.2f} s  "
          f"{total_records / total_time:9,.0f} records/s  (CPU {total_cpu:5.2f} s)  "
          f"peak RSS {peak:,.0f} MB")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall time includes waiting for other processes; CPU time is ours, children included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
