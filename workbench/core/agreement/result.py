"""Agreement results: StatResult, conventional labels, and the shared unit bootstrap.

Split from workbench.core.agreement.measures, which re-exports everything public here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from workbench.core.agreement.data import Ratings
from workbench.core.agreement.stats import MAX_CELLS, REASONS, StatSpec

log = logging.getLogger(__name__)

#: Resamples drawn per block: block x units stays under this many weights.
_BLOCK_CELLS = 10_000_000


@dataclass(frozen=True)
class StatResult:
    """One agreement statistic, ready to print or export.

    Attributes:
        name: "percent_agreement", "cohen_kappa", "fleiss_kappa",
            "krippendorff_alpha", "gwet_ac1", "pabak" or "prevalence".
        value: the estimate, or None when undefined.
        ci_low, ci_high: the bootstrap interval, or None.
        n_units: units that entered the statistic.
        n_coders: coders in the matrix.
        label: the conventional reading ("substantial", "tentative"...),
            "undefined", or "" for statistics without a convention.
        reason: why the value is undefined ("" when defined).
        level: level of measurement for alpha ("nominal", "interval"...).
        category: the category, for prevalence.
        note: what was left out, or why there is no CI.
        n_resamples, seed, confidence: how the CI was made.
        q: the number of categories the statistic assumed (AC1 and PABAK
            depend on it), None for the others.
    """

    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n_units: int
    n_coders: int
    label: str
    reason: str = ""
    level: str = ""
    category: str = ""
    note: str = ""
    n_resamples: int = 0
    seed: int | None = None
    confidence: float = 0.95
    q: int | None = None

    @property
    def defined(self) -> bool:
        """True when the statistic has a value."""
        return self.value is not None


def landis_koch_label(value: float | None) -> str:
    """Return the Landis & Koch (1977) band for a kappa-type value.

    poor < 0; slight 0-.20; fair .21-.40; moderate .41-.60; substantial
    .61-.80; almost perfect .81-1 (upper bounds inclusive).
    """
    if value is None:
        return "undefined"
    if value < 0:
        return "poor"
    for bound, name in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial")):
        if value <= bound:
            return name
    return "almost perfect"


def krippendorff_label(value: float | None) -> str:
    """Return Krippendorff's (2004) reading of alpha.

    >= .800 "reliable"; .667 to < .800 "tentative" (tentative conclusions
    only); < .667 "unreliable".
    """
    if value is None:
        return "undefined"
    if value >= 0.800:
        return "reliable"
    if value >= 0.667:
        return "tentative"
    return "unreliable"


def _label(spec: StatSpec, value: float | None) -> str:
    if spec.kind == "alpha":
        return krippendorff_label(value)
    if spec.kind == "kappa":
        return landis_koch_label(value)
    return "undefined" if value is None else ""


def _resample_sums(stats: np.ndarray, n_resamples: int, seed: int,
                   codes: np.ndarray | None = None) -> np.ndarray:
    """Return (n_resamples, P) column sums of `stats` over bootstrap resamples of its rows.

    A resample draws n units with replacement; with W its matrix of draw
    counts (resamples x units), the sums are W @ stats. Per-unit statistics
    are a function of the unit's row of codes, so units with the same row
    can be pooled: when there are few distinct rows (categorical data), the
    draw counts per distinct row are drawn directly from a multinomial over
    the distinct rows, which is the same bootstrap at a fraction of the cost.
    Otherwise units are drawn by index, in blocks that depend only on the
    number of units. Either way a seed always gives the same resamples.

    Args:
        stats: units x P per-unit contributions.
        n_resamples: number of resamples (B).
        seed: seed of numpy's default generator.
        codes: units x coders codes that determine each row of `stats`.

    Returns:
        A (B, P) float array.
    """
    n = stats.shape[0]
    rng = np.random.default_rng(seed)
    if codes is not None and n > 1:
        base = int(codes.max(initial=-1)) + 2
        if base ** codes.shape[1] < 2 ** 62:  # one int64 key per row: a fast 1-D unique
            key = ((codes + 1) * (base ** np.arange(codes.shape[1], dtype=np.int64))).sum(axis=1)
            _, first, counts = np.unique(key, return_index=True, return_counts=True)
        else:
            _, first, counts = np.unique(codes, axis=0, return_index=True, return_counts=True)
        if len(counts) <= n // 2:
            log.debug("bootstrap over %d distinct unit patterns of %d units", len(counts), n)
            draws = rng.multinomial(n, counts / n, size=n_resamples).astype(np.float64)
            return draws @ stats[first]
    block = max(1, min(n_resamples, _BLOCK_CELLS // max(n, 1)))
    out = np.empty((n_resamples, stats.shape[1]), dtype=np.float64)
    for start in range(0, n_resamples, block):
        b = min(block, n_resamples - start)
        draws = rng.integers(0, n, size=(b, n), dtype=np.int64)
        draws += (np.arange(b, dtype=np.int64) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        out[start:start + b] = weights @ stats
    return out


def _finish(specs: list[StatSpec], r: Ratings, n_resamples: int, seed: int,
            confidence: float) -> list[StatResult]:
    """Turn specs into results: point estimates, then one shared bootstrap."""
    boot_specs = ([s for s in specs if s.bootstrap and s.unit_stats.size <= MAX_CELLS]
                  if n_resamples > 0 else [])
    sums = stacked = None
    if boot_specs and r.n_units > 0:
        stacked = np.hstack([s.unit_stats for s in boot_specs])
        sums = _resample_sums(stacked, n_resamples, seed, r.codes)
    offsets, pos = {}, 0
    for s in boot_specs:
        offsets[id(s)] = pos
        pos += s.unit_stats.shape[1]
    point = _point_sums(specs, stacked if sums is not None else None, boot_specs)
    tail = (1 - confidence) / 2 * 100
    results = []
    for s in specs:
        values, reasons = s.finish(point[id(s)][None, :])
        value = None if np.isnan(values[0]) else float(values[0])
        reason = REASONS[int(reasons[0])] if value is None else ""
        lo = hi = None
        note = s.note
        if value is not None and n_resamples > 0:
            if id(s) in offsets and sums is not None:
                o = offsets[id(s)]
                boot, _ = s.finish(sums[:, o:o + s.unit_stats.shape[1]])
                finite = boot[np.isfinite(boot)]
                if len(finite):
                    lo, hi = (float(v) for v in np.percentile(finite, [tail, 100 - tail]))
                    if len(finite) < len(boot):
                        note = _join(note, f"{len(boot) - len(finite)} of {len(boot)} resamples undefined")
                else:
                    note = _join(note, "no CI: undefined in every resample")
            else:
                note = _join(note, "no CI: too many distinct values to bootstrap")
        results.append(StatResult(
            name=s.name, value=value, ci_low=lo, ci_high=hi, n_units=s.used,
            n_coders=r.n_coders, label=_label(s, value), reason=reason, level=s.level,
            category=s.category, note=note, n_resamples=n_resamples if lo is not None else 0,
            seed=seed if lo is not None else None, confidence=confidence, q=s.q))
    return results


def _row_ordered(a: np.ndarray) -> bool:
    """True when numpy sums `a` over axis 0 row by row: a C-ordered (n, P) array, P >= 2."""
    return a.ndim == 2 and a.shape[1] >= 2 and a.flags.c_contiguous


def _point_sums(specs: list[StatSpec], stacked: np.ndarray | None,
                stacked_specs: list[StatSpec]) -> dict[int, np.ndarray]:
    """Each spec's column sums, bit for bit what `s.unit_stats.sum(axis=0)` gives.

    numpy sums a C-ordered (n, P) array over axis 0 row by row: each column
    is added in row order, one addition per row, whatever P >= 2 is. So the
    specs' columns side by side (`stacked`, the bootstrap's array, C-ordered)
    are summed in one pass with the very same additions, instead of one call
    per spec (about 1,900 at 100,000 studies). A single column (P = 1) numpy
    sums pairwise, and another layout may be summed in another order (and
    integers as integers): those specs are summed alone, as before. tests/core/test_agreement_sums.py
    compares the bits with the per-spec sums.

    Args:
        specs: every spec of the table.
        stacked: `np.hstack` of the unit statistics of `stacked_specs`, or None.
        stacked_specs: the specs in `stacked`, in order.

    Returns:
        {id(spec): its (P,) sums}.
    """
    out: dict[int, np.ndarray] = {}
    if stacked is not None and _row_ordered(stacked):
        total = stacked.sum(axis=0)
        pos = 0
        for s in stacked_specs:
            width = s.unit_stats.shape[1]
            if _row_ordered(s.unit_stats) and s.unit_stats.dtype == stacked.dtype:
                out[id(s)] = total[pos:pos + width]
            pos += width
    for s in specs:
        if id(s) not in out:
            out[id(s)] = s.unit_stats.sum(axis=0)
    return out


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b
