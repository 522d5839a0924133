"""Cache reopen speed: the sealed JSON caches against the pickle files they replaced.

Run:  .venv/bin/python benchmarks/bench_cache.py [--records 100000] [--runs 3]

Builds 100,000 records like bench_import.py's (1-8 authors, ~150-word
abstracts) and a DedupeResult with one study per record, then times writing
and reading them back (a) as the pickle files the tool used to keep
(`.workbench/records/<sha>.pkl`, `.workbench/studies.pkl`, read the way the
old code read them; the baseline, measured in the same run) and (b) through
`workbench.store.imports` / `workbench.review.studies` as sealed JSON (MAC
checked, data only, the garbage collector paused while reading; the studies
cache holds the record -> study map and is read with the records at hand). For
fairness it also prints pickle read with the collector paused. Prints the
best of --runs wall and CPU times and the ratio new/old. Reading is what
reopening a review costs; `bench_import.py` prints the whole reopen.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_import import _record  # noqa: E402
from workbench.core.dedupe.duplicates import CandidatePair, DedupeResult, _build_study  # noqa: E402
from workbench.core.records import Record  # noqa: E402
from workbench.review import studies as studies_mod  # noqa: E402
from workbench.store.cache import read_cache, write_cache  # noqa: E402
from workbench.store.imports import read_cached_records, write_cached_records  # noqa: E402
from workbench.store.sheet_reading import paused_gc  # noqa: E402

DIGEST = "ab" * 32


def make_records(n: int) -> list[Record]:
    rng = random.Random(2025)
    out = []
    for i in range(n):
        r = _record(rng, i)
        out.append(Record(title=r["title"], abstract=r["abstract"],
                          authors=tuple(f"{last}, {first}" for last, first in r["authors"]),
                          year=r["year"], venue=r["journal"], volume=r["volume"],
                          issue=r["issue"], pages=r["pages"], doi=r["doi"], pmid=r["pmid"],
                          keywords=tuple(r["keywords"]), file="references/x.ris",
                          database="Scopus", key=f"record {i + 1}", line=1 + 20 * i,
                          id=f"abababab-{i + 1:04d}"))
    return out


def make_result(records: list[Record]) -> DedupeResult:
    studies = [_build_study("S" + r.id, [r]) for r in records]  # as detection builds them
    pairs = [CandidatePair(records[i].id, records[i + 1].id, 0.91, ("title", "year"))
             for i in range(0, min(len(records) - 1, 2000), 2)]
    return DedupeResult(studies, {r.id: "S" + r.id for r in records}, pairs[:500], pairs[500:],
                        {}, len(records), len(pairs), 0, 0, [])


def _read_studies(path: Path, key: str, records: list[Record]):
    with paused_gc():  # as review.studies.group_studies reads it (the records at hand)
        value = read_cache(path, "studies")
        assert studies_mod._fits(value, key)
        return studies_mod._decode(value, records)


def best(fn, runs: int) -> tuple[float, float, object]:
    wall, cpu, value = [], [], None
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        value = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    return min(wall), min(cpu), value


def pickle_write(path: Path, value) -> None:
    with path.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


def pickle_read(path: Path):
    with path.open("rb") as handle:
        return pickle.load(handle)


def pickle_read_no_gc(path: Path):
    with paused_gc():
        return pickle_read(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    records = make_records(args.records)
    result = make_result(records)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        # Records: old pickle file vs sealed JSON.
        old = folder / f"{DIGEST}.pkl"
        w_old = best(lambda: pickle_write(old, (1, records)), args.runs)
        r_old = best(lambda: pickle_read(old), args.runs)
        r_nogc = best(lambda: pickle_read_no_gc(old), args.runs)
        w_new = best(lambda: write_cached_records(folder, DIGEST, records), args.runs)
        r_new = best(lambda: read_cached_records(folder, DIGEST), args.runs)
        assert r_new[2] == records, "records did not round-trip"
        size_old, size_new = old.stat().st_size, (folder / f"{DIGEST}.json").stat().st_size
        rows.append(("records", w_old, r_old, w_new, r_new, size_old, size_new, r_nogc))
        # Studies: old pickle file vs sealed JSON.
        old = folder / "studies.pkl"
        new = folder / "studies.json"
        key = "k" * 64
        w_old = best(lambda: pickle_write(old, (key, result)), args.runs)
        r_old = best(lambda: pickle_read(old), args.runs)
        r_nogc = best(lambda: pickle_read_no_gc(old), args.runs)
        w_new = best(lambda: write_cache(new, "studies", studies_mod._encode(key, result)),
                     args.runs)
        r_new = best(lambda: _read_studies(new, key, records), args.runs)
        assert r_new[2] == result, "studies did not round-trip"
        rows.append(("studies", w_old, r_old, w_new, r_new, old.stat().st_size,
                     new.stat().st_size, r_nogc))
    print(f"{args.records:,} records, best of {args.runs} runs (wall / CPU seconds)")
    for name, w_old, r_old, w_new, r_new, size_old, size_new, r_nogc in rows:
        print(f"{name:8s} read   pickle {r_old[0]:5.2f} / {r_old[1]:5.2f}   sealed JSON "
              f"{r_new[0]:5.2f} / {r_new[1]:5.2f}   ratio (CPU) {r_new[1] / r_old[1]:4.2f}   "
              f"(pickle, collector paused: {r_nogc[0]:5.2f} / {r_nogc[1]:5.2f})")
        print(f"{'':8s} write  pickle {w_old[0]:5.2f} / {w_old[1]:5.2f}   sealed JSON "
              f"{w_new[0]:5.2f} / {w_new[1]:5.2f}   ratio (CPU) {w_new[1] / w_old[1]:4.2f}")
        print(f"{'':8s} size   pickle {size_old / 1e6:6.1f} MB   sealed JSON "
              f"{size_new / 1e6:6.1f} MB")
    total_old = sum(r[2][1] for r in rows)
    total_new = sum(r[4][1] for r in rows)
    print(f"reopen from caches (records + studies), CPU: pickle {total_old:.2f} s, sealed JSON "
          f"{total_new:.2f} s, ratio {total_new / total_old:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
