"""Inter-coder agreement: the statistics a review reports, with bootstrap CIs.

Input is a reliability matrix: rows are units (studies), columns are coders,
cells are the values given (strings or numbers; code sets for "masi"), with
None/NaN/"" where a coder gave no value. See workbench.core.agreement_data.

Every function returns StatResult values. Where a statistic is undefined (no
variation, no pairable units...) `value` is None and `reason` says why: it is
never reported as 0 or 1. Confidence intervals are 95% percentile bootstrap
intervals over units (resampled with replacement, `n_resamples` times, with
a fixed `seed` recorded in the result), computed from per-unit sufficient
statistics in one matrix product (see agreement_stats).

Example:
    >>> table = agreement_table(frame, level="nominal")
    >>> results_frame(table)      # a DataFrame for display or export
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.agreement_data import (LEVELS, Ratings, code_presence, masi_distance,
                                           read_ratings)
from workbench.core.agreement_stats import (MAX_CELLS, REASONS, StatSpec, cohen_kappa_spec,
                                            fleiss_kappa_spec, gwet_ac1_spec,
                                            krippendorff_alpha_spec, pabak_spec,
                                            percent_agreement_spec, prevalence_specs)

__all__ = [
    "DEFAULT_SEED", "DEFAULT_RESAMPLES", "LEVELS", "StatResult", "Ratings", "read_ratings",
    "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "masi_alpha",
    "gwet_ac1", "pabak", "prevalence", "agreement_table", "results_frame", "masi_distance",
    "code_presence", "landis_koch_label", "krippendorff_label",
]

log = logging.getLogger(__name__)

#: The seed used unless another is given; it is recorded in every result.
DEFAULT_SEED = 20260701
#: Bootstrap resamples unless told otherwise (0 turns the CI off).
DEFAULT_RESAMPLES = 1000
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
    sums = None
    if boot_specs and r.n_units > 0:
        stacked = np.hstack([s.unit_stats for s in boot_specs])
        sums = _resample_sums(stacked, n_resamples, seed, r.codes)
    offsets, pos = {}, 0
    for s in boot_specs:
        offsets[id(s)] = pos
        pos += s.unit_stats.shape[1]
    tail = (1 - confidence) / 2 * 100
    results = []
    for s in specs:
        values, reasons = s.finish(s.unit_stats.sum(axis=0)[None, :])
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
            seed=seed if lo is not None else None, confidence=confidence))
    return results


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b


def _one(spec_fn, matrix, level, categories, n_resamples, seed, confidence) -> StatResult:
    r = read_ratings(matrix, level=level, categories=categories)
    return _finish([spec_fn(r)], r, n_resamples, seed, confidence)[0]


_DOC_ARGS = """
    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        categories: every possible value, in order; needed when a category
            exists that nobody used (it changes PABAK and AC1).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult; value None with a reason when undefined.

    Raises:
        ValueError: the matrix is not 2-D, or a value is not among `categories`.
"""


def percent_agreement(matrix: Any, *, categories: Sequence | None = None,
                      n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                      confidence: float = 0.95) -> StatResult:
    return _one(percent_agreement_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def cohen_kappa(matrix: Any, *, categories: Sequence | None = None,
                n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                confidence: float = 0.95) -> StatResult:
    return _one(cohen_kappa_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def fleiss_kappa(matrix: Any, *, categories: Sequence | None = None,
                 n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                 confidence: float = 0.95) -> StatResult:
    return _one(fleiss_kappa_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def gwet_ac1(matrix: Any, *, categories: Sequence | None = None,
             n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
             confidence: float = 0.95) -> StatResult:
    return _one(gwet_ac1_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def pabak(matrix: Any, *, categories: Sequence | None = None,
          n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
          confidence: float = 0.95) -> StatResult:
    return _one(pabak_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


percent_agreement.__doc__ = "Return the mean share of agreeing coder pairs over units with 2+ values.\n" + _DOC_ARGS
cohen_kappa.__doc__ = "Return Cohen's kappa for exactly two coders, over units both rated.\n" + _DOC_ARGS
fleiss_kappa.__doc__ = ("Return Fleiss' kappa over the units rated by every coder (Fleiss 1971 needs "
                        "equal numbers of ratings; the others are left out and counted in `note`).\n"
                        + _DOC_ARGS)
gwet_ac1.__doc__ = "Return Gwet's AC1 (multi-rater form; missing values allowed).\n" + _DOC_ARGS
pabak.__doc__ = ("Return PABAK, (Q * pa - 1) / (Q - 1) (Brennan-Prediger for 3+ coders).\n" + _DOC_ARGS)


def krippendorff_alpha(matrix: Any, level: str = "nominal", *, categories: Sequence | None = None,
                       n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                       confidence: float = 0.95) -> StatResult:
    """Return Krippendorff's alpha at a level of measurement.

    Units with fewer than two values are unpairable and dropped. Any number
    of coders; missing values allowed. level is "nominal", "ordinal" (order
    from `categories` or sorted values), "interval", "ratio" (numbers) or
    "masi" (code sets, MASI distance, Passonneau 2006).
    """
    r = read_ratings(matrix, level=level, categories=categories)
    return _finish([krippendorff_alpha_spec(r, level)], r, n_resamples, seed, confidence)[0]


krippendorff_alpha.__doc__ += _DOC_ARGS.replace("    Args:\n", "    Args:\n        level: see above.\n", 1)


def masi_alpha(matrix: Any, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
               confidence: float = 0.95) -> StatResult:
    """Return Krippendorff's alpha on code sets with the MASI distance.

    Args:
        matrix: units x coders of code sets (set/tuple/list or ";"-joined text).
        n_resamples, seed, confidence: as for krippendorff_alpha.

    Returns:
        A StatResult with level "masi".
    """
    return krippendorff_alpha(matrix, "masi", n_resamples=n_resamples, seed=seed, confidence=confidence)


def prevalence(matrix: Any, *, categories: Sequence | None = None,
               n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
               confidence: float = 0.95) -> list[StatResult]:
    """Return each category's share of all values given, one StatResult per category.

    Args:
        matrix, categories, n_resamples, seed, confidence: as for percent_agreement.

    Returns:
        One StatResult per category, in category order.
    """
    r = read_ratings(matrix, categories=categories)
    return _finish(prevalence_specs(r), r, n_resamples, seed, confidence)


def agreement_table(matrix: Any, level: str = "nominal", *, categories: Sequence | None = None,
                    n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                    confidence: float = 0.95, with_prevalence: bool = True) -> list[StatResult]:
    """Return every statistic that fits the data, with one shared bootstrap.

    nominal and ordinal: percent agreement, Cohen's kappa (2 coders) or
    Fleiss' kappa (3+), Krippendorff's alpha at `level`, Gwet's AC1, PABAK
    and the prevalence of each category. interval and ratio: percent (exact)
    agreement and alpha. masi: percent (exact set) agreement and MASI alpha;
    per-code present/absent tables come from `code_presence`. All resamples
    are shared, so the CIs equal those of the single-statistic functions.

    Args:
        matrix: units x coders; see read_ratings.
        level: one of LEVELS.
        categories: every possible value, in order.
        n_resamples: bootstrap resamples (0: no CIs).
        seed: bootstrap seed, recorded in each result.
        confidence: CI coverage.
        with_prevalence: add one prevalence row per category.

    Returns:
        A list of StatResult.

    Raises:
        ValueError: bad level, non-numeric interval/ratio value, value outside `categories`.
    """
    r = read_ratings(matrix, level=level, categories=categories)
    specs = [percent_agreement_spec(r)]
    if level in ("nominal", "ordinal"):
        if r.n_coders == 2:
            specs.append(cohen_kappa_spec(r))
        elif r.n_coders >= 3:
            specs.append(fleiss_kappa_spec(r))
    specs.append(krippendorff_alpha_spec(r, level))
    if level in ("nominal", "ordinal"):
        specs += [gwet_ac1_spec(r), pabak_spec(r)]
        if with_prevalence:
            specs += prevalence_specs(r)
    return _finish(specs, r, n_resamples, seed, confidence)


def results_frame(results: Sequence[StatResult], digits: int | None = None) -> pd.DataFrame:
    """Return results as a DataFrame (one row per statistic) for display or export.

    Args:
        results: StatResults, e.g. from agreement_table.
        digits: round value and CI to this many decimals (None keeps them).

    Returns:
        A DataFrame with the StatResult fields as columns; undefined values are NaN.
    """
    columns = list(StatResult.__dataclass_fields__)
    frame = pd.DataFrame([asdict(r) for r in results], columns=columns)
    for col in ("value", "ci_low", "ci_high"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
        if digits is not None:
            frame[col] = frame[col].round(digits)
    return frame
