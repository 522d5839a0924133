"""Inter-coder agreement: the statistics a review reports, with bootstrap CIs.

Input is a reliability matrix: rows are units (studies), columns are coders,
cells are the values given (strings or numbers; code sets for "masi"), with
None/NaN/"" where a coder gave no value. See workbench.core.agreement.data.

Every function returns StatResult values. Where a statistic is undefined (no
variation, no pairable units...) `value` is None and `reason` says why: it is
never reported as 0 or 1. Confidence intervals are 95% percentile bootstrap
intervals over units (resampled with replacement, `n_resamples` times, with
a fixed `seed` recorded in the result), computed from per-unit sufficient
statistics in one matrix product (see agreement.stats).

Example:
    >>> table = agreement_table(frame, level="nominal")
    >>> results_frame(table)      # a DataFrame for display or export
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd

from workbench.core.agreement.defaults import DEFAULT_RESAMPLES, DEFAULT_SEED
from workbench.core.agreement.data import (LEVELS, Ratings, code_presence, masi_distance,
                                           read_ratings)
from workbench.core.agreement.result import (StatResult, _finish, _resample_sums,  # noqa: F401
                                             krippendorff_label, landis_koch_label)
from workbench.core.agreement.stats import (cohen_kappa_spec, gwet_ac1_spec,
                                            krippendorff_alpha_spec, pabak_spec,
                                            percent_agreement_spec, prevalence_specs,
                                            specific_agreement_specs)
from workbench.core.agreement.weighted import fleiss_kappa_spec, weighted_kappa_spec

__all__ = [
    "DEFAULT_SEED", "DEFAULT_RESAMPLES", "LEVELS", "StatResult", "Ratings", "read_ratings",
    "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "masi_alpha",
    "gwet_ac1", "pabak", "prevalence", "weighted_kappa", "specific_agreement", "agreement_table", "results_frame", "masi_distance",
    "code_presence", "landis_koch_label", "krippendorff_label", "result_record",
    "INTEGER_COLUMNS",
]

log = logging.getLogger(__name__)



def _one(spec_fn, matrix, level, categories, n_resamples, seed, confidence) -> StatResult:
    r = read_ratings(matrix, level=level, categories=categories)
    return _finish([spec_fn(r)], r, n_resamples, seed, confidence)[0]


def percent_agreement(matrix: Any, *, categories: Sequence | None = None,
                      n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                      confidence: float = 0.95) -> StatResult:
    """Return the mean share of agreeing coder pairs over units with 2+ values.

    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        categories: every possible value, in order; give it when a category
            exists that nobody used (it changes PABAK and AC1).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult; value None with a reason when undefined.

    Raises:
        ValueError: the matrix is not 2-D, or a value is not among `categories`.
    """
    return _one(percent_agreement_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def cohen_kappa(matrix: Any, *, categories: Sequence | None = None,
                n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                confidence: float = 0.95) -> StatResult:
    """Return Cohen's kappa for exactly two coders, over the units both rated.

    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        categories: every possible value, in order; give it when a category
            exists that nobody used (it changes PABAK and AC1).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult; value None with a reason when undefined.

    Raises:
        ValueError: the matrix is not 2-D, or a value is not among `categories`.
    """
    return _one(cohen_kappa_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def fleiss_kappa(matrix: Any, *, categories: Sequence | None = None,
                 n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                 confidence: float = 0.95) -> StatResult:
    """Return Fleiss' kappa, generalised for missing ratings (Gwet 2014).

    As irrCAC's fleiss.kappa.raw: observed agreement over the units with two
    or more values, chance agreement from every unit with a value; equal to
    Fleiss (1971) when every coder rated every unit. `note` says which units
    entered each part when some coder skipped a unit.

    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        categories: every possible value, in order; give it when a category
            exists that nobody used (it changes PABAK and AC1).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult; value None with a reason when undefined.

    Raises:
        ValueError: the matrix is not 2-D, or a value is not among `categories`.
    """
    return _one(fleiss_kappa_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def gwet_ac1(matrix: Any, *, categories: Sequence | None = None,
             n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
             confidence: float = 0.95) -> StatResult:
    """Return Gwet's AC1 (multi-rater form, missing values allowed).

    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        categories: every possible value, in order; give it when a category
            exists that nobody used (it changes PABAK and AC1).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult; value None with a reason when undefined.

    Raises:
        ValueError: the matrix is not 2-D, or a value is not among `categories`.
    """
    return _one(gwet_ac1_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def pabak(matrix: Any, *, categories: Sequence | None = None,
          n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
          confidence: float = 0.95) -> StatResult:
    """Return PABAK, (Q * pa - 1) / (Q - 1) (Brennan-Prediger for 3+ coders).

    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        categories: every possible value, in order; give it when a category
            exists that nobody used (it changes PABAK and AC1).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult; value None with a reason when undefined.

    Raises:
        ValueError: the matrix is not 2-D, or a value is not among `categories`.
    """
    return _one(pabak_spec, matrix, "nominal", categories, n_resamples, seed, confidence)


def weighted_kappa(matrix: Any, weighting: str = "quadratic", *,
                   categories: Sequence | None = None, n_resamples: int = DEFAULT_RESAMPLES,
                   seed: int = DEFAULT_SEED, confidence: float = 0.95) -> StatResult:
    """Return Cohen's weighted kappa for two coders on an ordered scale.

    Args:
        matrix: units x 2 coders; missing cells are None/NaN/"".
        weighting: "linear" (1 - |i-j|/(K-1)) or "quadratic" (1 - (i-j)^2/(K-1)^2).
        categories: the scale in order (default: the sorted values); give it so
            unused points of the scale count in K.
        n_resamples, seed, confidence: as for percent_agreement.

    Returns:
        A StatResult named weighted_kappa_<weighting>.

    Raises:
        ValueError: unknown weighting, or a value not among `categories`.
    """
    r = read_ratings(matrix, level="ordinal", categories=categories)
    return _finish([weighted_kappa_spec(r, weighting)], r, n_resamples, seed, confidence)[0]


def specific_agreement(matrix: Any, *, categories: Sequence | None = None,
                       n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                       confidence: float = 0.95) -> list[StatResult]:
    """Return each category's specific agreement (which value drives the disagreement).

    Args:
        matrix, categories, n_resamples, seed, confidence: as for percent_agreement.

    Returns:
        One StatResult per category, in category order; for two coders
        2 n_kk / (n_k. + n_.k).
    """
    r = read_ratings(matrix, categories=categories)
    return _finish(specific_agreement_specs(r), r, n_resamples, seed, confidence)


def krippendorff_alpha(matrix: Any, level: str = "nominal", *, categories: Sequence | None = None,
                       n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                       confidence: float = 0.95) -> StatResult:
    """Return Krippendorff's alpha at a level of measurement.

    Units with fewer than two values are unpairable and dropped. Any number
    of coders; missing values allowed. level is "nominal", "ordinal" (order
    from `categories` or sorted values), "interval", "ratio" (numbers) or
    "masi" (code sets, MASI distance, Passonneau 2006).

    Args:
        matrix: units x coders (DataFrame, array or list of rows); missing
            cells are None/NaN/"".
        level: the level of measurement (see above).
        categories: every possible value, in order (the scale, for ordinal).
        n_resamples: bootstrap resamples for the CI (0: no CI).
        seed: the bootstrap seed, recorded in the result.
        confidence: the CI's coverage.

    Returns:
        A StatResult with `level` set; value None with a reason when undefined.

    Raises:
        ValueError: bad level, non-numeric interval/ratio value, negative
            ratio value, or a value not among `categories`.
    """
    r = read_ratings(matrix, level=level, categories=categories)
    return _finish([krippendorff_alpha_spec(r, level)], r, n_resamples, seed, confidence)[0]


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
    (both with q = the number of categories), the specific agreement and the
    prevalence of each category; ordinal adds Cohen's weighted kappa (linear,
    quadratic; 2 coders) and Fleiss' weighted kappa (any number of coders,
    missing ratings allowed). interval and ratio: percent (exact)
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
    if level == "ordinal":
        if r.n_coders == 2:
            specs += [weighted_kappa_spec(r, w) for w in ("linear", "quadratic")]
        if r.n_coders >= 2:
            specs += [fleiss_kappa_spec(r, w) for w in ("linear", "quadratic")]
    specs.append(krippendorff_alpha_spec(r, level))
    if level in ("nominal", "ordinal"):
        specs += [gwet_ac1_spec(r), pabak_spec(r)]
        if with_prevalence:
            specs += specific_agreement_specs(r) + prevalence_specs(r)
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
    for col in INTEGER_COLUMNS:  # counts and the seed stay integers (missing: <NA>)
        frame[col] = pd.array([None if (v := getattr(r, col)) is None else int(v)
                               for r in results], dtype="Int64")
    return frame


#: StatResult fields that are whole numbers (written without a decimal point).
INTEGER_COLUMNS = ("n_units", "n_coders", "n_resamples", "seed", "q")


def result_record(result: StatResult, digits: int | None = None) -> dict:
    """Return one StatResult as plain JSON-ready values: floats at full precision
    (or rounded to `digits`), counts and the seed as ints, undefined as None.
    """
    out = asdict(result)
    for col in ("value", "ci_low", "ci_high"):
        if out[col] is not None:
            out[col] = float(out[col]) if digits is None else round(float(out[col]), digits)
    for col in INTEGER_COLUMNS:
        if out[col] is not None:
            out[col] = int(out[col])
    return out
