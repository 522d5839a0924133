"""Agreement statistics at scale: 100k units x 3 coders, every statistic, 1,000 resamples.

Run: .venv/bin/python benchmarks/bench_agreement.py [--units 100000] [--resamples 1000]
Prints the time of each statistic on its own (each draws its own resamples),
then of agreement_table per level (one shared bootstrap), and the total.
Target: every statistic with 1,000 bootstrap resamples in under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.core.agreement.measures import (agreement_table, cohen_kappa, fleiss_kappa, gwet_ac1,
                                      krippendorff_alpha, masi_alpha, pabak, percent_agreement,
                                      prevalence)


def make_data(units: int, coders: int, seed: int = 1) -> tuple[np.ndarray, list]:
    """Return (5-point ratings with 5% missing, code sets over 4 codes) for units x coders."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, units)
    noisy = np.where(rng.random((units, coders)) < 0.7, truth[:, None],
                     rng.integers(1, 6, (units, coders))).astype(float)
    noisy[rng.random(noisy.shape) < 0.05] = np.nan
    codes = np.array(list("abcd"))
    masks = rng.random((units, coders, 4)) < 0.3
    sets = [[frozenset(codes[masks[u, c]]) for c in range(coders)] for u in range(units)]
    return noisy, sets


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    first = result[0] if isinstance(result, list) else result
    ci = "" if first.ci_low is None else f" [{first.ci_low:.3f}, {first.ci_high:.3f}]"
    value = "undefined" if first.value is None else f"{first.value:.3f}"
    print(f"{label:<34} {took:7.2f} s   {first.name}={value}{ci}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    ratings, sets = make_data(args.units, args.coders)
    b = args.resamples
    print(f"{args.units} units x {args.coders} coders, {b} bootstrap resamples")
    print("-- each statistic on its own")
    single = [
        ("percent agreement", lambda: percent_agreement(ratings, n_resamples=b)),
        ("Cohen's kappa (coders 1-2)", lambda: cohen_kappa(ratings[:, :2], n_resamples=b)),
        ("Fleiss' kappa", lambda: fleiss_kappa(ratings, n_resamples=b)),
        ("alpha nominal", lambda: krippendorff_alpha(ratings, "nominal", n_resamples=b)),
        ("alpha ordinal", lambda: krippendorff_alpha(ratings, "ordinal", n_resamples=b)),
        ("alpha interval", lambda: krippendorff_alpha(ratings, "interval", n_resamples=b)),
        ("alpha ratio", lambda: krippendorff_alpha(ratings, "ratio", n_resamples=b)),
        ("alpha MASI (code sets)", lambda: masi_alpha(sets, n_resamples=b)),
        ("Gwet's AC1", lambda: gwet_ac1(ratings, n_resamples=b)),
        ("PABAK", lambda: pabak(ratings, n_resamples=b)),
        ("prevalence (5 categories)", lambda: prevalence(ratings, n_resamples=b)),
    ]
    singles = sum(timed(label, fn) for label, fn in single)
    print(f"{'sum of single statistics':<34} {singles:7.2f} s")
    print("-- agreement_table (one shared bootstrap per call)")
    tables = sum(timed(f"table {level}", lambda level=level: agreement_table(
        ratings, level, n_resamples=b)) for level in ("nominal", "ordinal", "interval", "ratio"))
    tables += timed("table masi", lambda: agreement_table(sets, "masi", n_resamples=b))
    print(f"{'total, every statistic (tables)':<34} {tables:7.2f} s   target < 10 s")


if __name__ == "__main__":
    main()
