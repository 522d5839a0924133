"""Agreement statistics as per-unit sufficient statistics plus a finisher.

Every statistic here is a function of column sums of a units x P matrix of
per-unit contributions (agreeing pairs, value counts, coincidences...). The
point estimate finishes the plain column sums; a bootstrap resample finishes
W @ S, where W holds how often each unit was drawn. So 1,000 resamples cost
one matrix product, not 1,000 recomputations. Finishers are vectorized: they
take a (B, P) array of sums and return B values, NaN where undefined, plus a
reason code per row (see REASONS).

Definitions (m_u = values in unit u, n_uk = coders giving u value k):
- percent agreement: share of agreeing coder pairs among units with m_u >= 2,
  each unit weighted equally: mean over units of sum_k n_uk(n_uk-1)/(m_u(m_u-1)).
- Cohen's kappa: two coders, units both rated; (po - pe)/(1 - pe) with pe from
  each coder's own marginals.
- Fleiss' kappa, generalised for missing ratings (Gwet 2014, as irrCAC's
  fleiss.kappa.raw): pa as for AC1 below, pe = sum_k pi_k^2 with pi_k the
  mean over rated units of n_uk/m_u; Fleiss (1971) when every coder rated
  every unit. Linear/quadratic weights give the weighted form (ordinal data).
- Cohen's weighted kappa (linear, quadratic; Cohen 1968): two coders on an
  ordered scale, the categories in order.
- specific agreement of category k: sum_u n_uk(n_uk-1) / sum_u n_uk(m_u-1).
- Krippendorff's alpha: 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck
  over pairable units (m_u >= 2), coincidences o_u = (n_u n_u' - diag n_u)/(m_u-1).
- Gwet's AC1, multi-rater form (Gwet 2008; Handbook 2014, with missing data):
  pa = mean over units with m_u >= 2 of sum_k n_uk(n_uk-1)/(m_u(m_u-1));
  pi_k = mean over units with m_u >= 1 of n_uk/m_u; pe = sum_k pi_k(1-pi_k)/(Q-1),
  Q the number of categories. Two coders without missing data give the
  familiar two-rater AC1.
- PABAK: (Q * pa - 1)/(Q - 1) with pa the percent agreement above; for two
  coders and two categories this is 2 * po - 1 (Byrt, Bishop & Carlin 1993);
  for more coders it is the Brennan-Prediger coefficient.
- prevalence of category k: share of all values given that are k.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from workbench.core.agreement.data import Ratings, masi_distance

#: Reason codes returned by finishers, and the text the user reads.
REASONS: dict[int, str] = {
    0: "",
    1: "no unit was rated by two or more coders",
    2: "fewer than 2 pairable units (units with values from two or more coders)",
    3: "no variation: every value is the same, so expected disagreement is 0",
    4: "no variation: chance agreement is 1 (a single category was used)",
    5: "fewer than 2 units were rated by both coders",
    6: "fewer than 2 units were rated by every coder",
    7: "fewer than 2 categories, so chance agreement is undefined",
    8: "Cohen's kappa needs exactly 2 coders",
    9: "Fleiss' kappa needs 2 or more coders",
    10: "no values were given",
    11: "no coder gave this value on a unit rated by two or more coders",
}

_EPS = 1e-12
#: The bootstrap is skipped (no CI) when a statistic's per-unit matrix would
#: hold more cells than this.
MAX_CELLS = 120_000_000

Finisher = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class StatSpec:
    """One statistic: its per-unit contributions and how to finish their sums.

    `unit_stats` is units x P (float64); `finish(sums)` maps a (B, P) array of
    column sums to (values, reason codes). `used` counts the units that enter
    the statistic; `note` says what was left out.
    """

    name: str
    unit_stats: np.ndarray
    finish: Finisher
    used: int
    kind: str = "kappa"
    level: str = ""
    category: str = ""
    note: str = ""
    bootstrap: bool = True
    q: int | None = None


def _agreeing_pairs(r: Ratings) -> np.ndarray:
    """Return, per unit, the number of unordered coder pairs with equal values."""
    codes = r.codes
    eq = np.zeros(codes.shape[0], dtype=np.float64)
    for i in range(codes.shape[1]):
        for j in range(i + 1, codes.shape[1]):
            eq += (codes[:, i] == codes[:, j]) & (codes[:, i] >= 0)
    return eq


def _pair_agreement(r: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Return (share of agreeing pairs per unit, 0 where m_u < 2; pairable mask)."""
    m = r.values_per_unit().astype(np.float64)
    pairable = m >= 2
    pairs = np.where(pairable, m * (m - 1) / 2, 1.0)
    return np.where(pairable, _agreeing_pairs(r) / pairs, 0.0), pairable


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def _few_units(pairable: np.ndarray) -> np.ndarray:
    """Reason codes for chance-corrected coefficients: they need 2+ pairable units."""
    return np.where(pairable < 1, 1, np.where(pairable < 2, 2, 0))


def percent_agreement_spec(r: Ratings) -> StatSpec:
    """Percent agreement: mean share of agreeing coder pairs per pairable unit."""
    agree, pairable = _pair_agreement(r)
    stats = np.column_stack([agree, pairable.astype(np.float64)])

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bad = t[:, 1] < 1
        return np.where(bad, np.nan, _ratio(t[:, 0], t[:, 1])), np.where(bad, 1, 0)

    return StatSpec("percent_agreement", stats, finish, int(pairable.sum()), kind="plain")


def pabak_spec(r: Ratings) -> StatSpec:
    """PABAK / Brennan-Prediger: (Q * pa - 1) / (Q - 1)."""
    agree, pairable = _pair_agreement(r)
    stats = np.column_stack([agree, pairable.astype(np.float64)])
    q = r.n_categories

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pa = _ratio(t[:, 0], t[:, 1])
        reason = _few_units(t[:, 1])
        if q < 2:
            reason = np.where(reason == 0, 7, reason)
            return np.full(len(t), np.nan), reason
        value = (q * pa - 1) / (q - 1)
        return np.where(reason > 0, np.nan, value), reason

    return StatSpec("pabak", stats, finish, int(pairable.sum()), q=q)


def cohen_kappa_spec(r: Ratings) -> StatSpec:
    """Cohen's kappa for two coders over the units both rated."""
    k = r.n_categories
    if r.n_coders != 2:
        return StatSpec("cohen_kappa", np.zeros((r.n_units, 1)),
                        lambda t: (np.full(len(t), np.nan), np.full(len(t), 8)), 0)
    a, b = r.codes[:, 0], r.codes[:, 1]
    both = (a >= 0) & (b >= 0)
    n = r.n_units
    row = np.zeros((n, k))
    col = np.zeros((n, k))
    idx = np.flatnonzero(both)
    row[idx, a[idx]] = 1
    col[idx, b[idx]] = 1
    stats = np.column_stack([(both & (a == b)).astype(np.float64), both.astype(np.float64), row, col])

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nn = t[:, 1]
        po = _ratio(t[:, 0], nn)
        pe = _ratio((t[:, 2:2 + k] * t[:, 2 + k:]).sum(axis=1), nn ** 2)
        reason = np.where(nn < 2, 5, np.where(1 - pe <= _EPS, 4, 0))
        value = _ratio(po - pe, 1 - pe)
        return np.where(reason > 0, np.nan, value), reason

    return StatSpec("cohen_kappa", stats, finish, int(both.sum()))


def specific_agreement_specs(r: Ratings) -> list[StatSpec]:
    """Per-category (specific) agreement: how often a value one coder gave was matched.

    For category k over pairable units: sum_u n_uk (n_uk - 1) / sum_u n_uk (m_u - 1),
    the share of the pairs that involve k in which both coders gave k. For two
    coders this is 2 n_kk / (n_k. + n_.k) (positive and negative agreement of
    Cicchetti & Feinstein 1990 for a binary variable). A low value names the
    category that drives the disagreement.
    """
    m = r.values_per_unit().astype(np.float64)
    pairable = m >= 2
    counts = r.counts(pairable)
    both = counts * (counts - 1)
    involving = counts * np.where(pairable, m - 1, 0.0)[:, None]
    specs = []
    for j, cat in enumerate(r.categories):
        stats = np.column_stack([both[:, j], involving[:, j]])

        def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            bad = t[:, 1] <= 0
            return np.where(bad, np.nan, _ratio(t[:, 0], t[:, 1])), np.where(bad, 11, 0)

        specs.append(StatSpec("specific_agreement", stats, finish,
                              int(((counts[:, j] > 0) & pairable).sum()), kind="plain",
                              category=_label(cat)))
    return specs


def gwet_ac1_spec(r: Ratings) -> StatSpec:
    """Gwet's AC1 for any number of coders, missing values allowed."""
    k = r.n_categories
    agree, pairable = _pair_agreement(r)
    m = r.values_per_unit().astype(np.float64)
    rated = m >= 1
    share = r.counts() / np.where(rated, m, 1.0)[:, None]
    stats = np.column_stack([agree, pairable.astype(np.float64), rated.astype(np.float64), share])

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pa = _ratio(t[:, 0], t[:, 1])
        pi = _ratio(t[:, 3:3 + k], t[:, 2][:, None])
        reason = _few_units(t[:, 1])
        if k < 2:
            return np.full(len(t), np.nan), np.where(reason == 0, 7, reason)
        pe = (pi * (1 - pi)).sum(axis=1) / (k - 1)
        value = _ratio(pa - pe, 1 - pe)
        return np.where(reason > 0, np.nan, value), reason

    return StatSpec("gwet_ac1", stats, finish, int(pairable.sum()), q=k)


def prevalence_specs(r: Ratings) -> list[StatSpec]:
    """Prevalence of each category: its share of all values given."""
    counts = r.counts()
    m = counts.sum(axis=1)
    specs = []
    for j, cat in enumerate(r.categories):
        stats = np.column_stack([counts[:, j], m])

        def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            bad = t[:, 1] <= 0
            return np.where(bad, np.nan, _ratio(t[:, 0], t[:, 1])), np.where(bad, 10, 0)

        specs.append(StatSpec("prevalence", stats, finish, int((m > 0).sum()), kind="plain",
                              category=_label(cat)))
    return specs


def _label(value) -> str:
    if isinstance(value, frozenset):
        return ";".join(sorted(str(v) for v in value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _delta_matrix(r: Ratings, level: str) -> np.ndarray:
    """Return the K x K squared-difference matrix for a fixed metric."""
    k = r.n_categories
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        x = r.numeric_categories()
        return (x[:, None] - x[None, :]) ** 2
    if level == "ratio":
        x = r.numeric_categories()
        s = x[:, None] + x[None, :]
        return np.where(s > 0, _ratio(x[:, None] - x[None, :], np.where(s > 0, s, 1)) ** 2, 0.0)
    if level == "masi":
        cats = r.categories
        return np.asarray([[masi_distance(a, b) for b in cats] for a in cats],
                          dtype=np.float64).reshape(len(cats), len(cats))  # (0, 0) when empty
    raise ValueError(f"no fixed difference matrix for level {level!r}")


def _alpha_reason(t_pairable: np.ndarray, de: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Reason codes for alpha: < 2 pairable units, or expected disagreement 0."""
    return np.where(t_pairable < 2, 2, np.where(de <= 1e-10 * np.maximum(scale, 1e-300), 3, 0))


def krippendorff_alpha_spec(r: Ratings, level: str | None = None) -> StatSpec:
    """Krippendorff's alpha at a level of measurement, over pairable units."""
    level = level or r.level
    m = r.values_per_unit().astype(np.float64)
    pairable = m >= 2
    mm1 = np.where(pairable, m - 1, 1.0)
    name = "krippendorff_alpha"
    if level == "interval":
        x = r.numeric_categories()
        if len(x):
            x = x - x.mean()  # centre the scale: the sums below lose no precision
        vals = np.where(r.codes >= 0, x[np.maximum(r.codes, 0)], 0.0) if len(x) else np.zeros(r.codes.shape)
        s1 = np.where(pairable, vals.sum(axis=1), 0.0)
        s2 = np.where(pairable, (vals ** 2).sum(axis=1), 0.0)
        mp = np.where(pairable, m, 0.0)
        do = np.where(pairable, 2 * (mp * s2 - s1 ** 2) / mm1, 0.0)
        stats = np.column_stack([pairable.astype(np.float64), do, mp, s1, s2])

        def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            n = t[:, 2]
            de = 2 * (n * t[:, 4] - t[:, 3] ** 2)
            reason = _alpha_reason(t[:, 0], de, 2 * n * t[:, 4])
            value = 1 - (n - 1) * _ratio(t[:, 1], de)
            return np.where(reason > 0, np.nan, value), reason

        return StatSpec(name, stats, finish, int(pairable.sum()), kind="alpha", level=level)

    counts = r.counts(pairable)
    k = r.n_categories
    if level == "ordinal":
        # o_u = (n_u n_u^T - diag n_u) / (m_u - 1); the ordinal metric depends
        # on the marginals, so the bootstrap needs every coincidence cell.
        if len(counts) * k * k <= MAX_CELLS:
            o = (counts[:, :, None] * counts[:, None, :]
                 - counts[:, :, None] * np.eye(k)[None]) / mm1[:, None, None]
            stats = np.column_stack([pairable.astype(np.float64), o.reshape(len(o), k * k)])
            boot = True
        else:  # too many values for per-unit coincidences: totals only, no CI
            scaled = counts / mm1[:, None]
            o = counts.T @ scaled - np.diag(scaled.sum(axis=0))
            stats = np.concatenate([[pairable.sum()], o.ravel()])[None, :]
            boot = False

        def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            oo = t[:, 1:].reshape(len(t), k, k)
            nk = oo.sum(axis=2)
            n = nk.sum(axis=1)
            cum = np.concatenate([np.zeros((len(t), 1)), np.cumsum(nk, axis=1)], axis=1)
            lo = np.minimum.outer(np.arange(k), np.arange(k))
            hi = np.maximum.outer(np.arange(k), np.arange(k))
            between = cum[:, hi + 1] - cum[:, lo]
            delta = (between - (nk[:, :, None] + nk[:, None, :]) / 2) ** 2
            delta[:, np.arange(k), np.arange(k)] = 0.0
            do = (oo * delta).sum(axis=(1, 2))
            de = np.einsum("bi,bij,bj->b", nk, delta, nk)
            reason = _alpha_reason(t[:, 0], de, n ** 4)
            value = 1 - (n - 1) * _ratio(do, de)
            return np.where(reason > 0, np.nan, value), reason

        return StatSpec(name, stats, finish, int(pairable.sum()), kind="alpha", level=level,
                        bootstrap=boot)

    delta = _delta_matrix(r, level)
    # observed disagreement per unit: sum over ordered pairs of values / (m_u - 1)
    do = ((counts @ delta) * counts).sum(axis=1) / mm1
    stats = np.column_stack([pairable.astype(np.float64), do, counts])

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nk = t[:, 2:]
        n = nk.sum(axis=1)
        de = ((nk @ delta) * nk).sum(axis=1)
        reason = _alpha_reason(t[:, 0], de, n ** 2 * max(float(delta.max(initial=0)), 1e-300))
        value = 1 - (n - 1) * _ratio(t[:, 1], de)
        return np.where(reason > 0, np.nan, value), reason

    return StatSpec(name, stats, finish, int(pairable.sum()), kind="alpha", level=level)
