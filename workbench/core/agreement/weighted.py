"""Fleiss' kappa generalised for missing ratings, and the weighted kappas for ordered scales.

Per-unit sufficient statistics plus a finisher, like workbench.core.agreement.stats
(whose StatSpec, reason codes and helpers these use):

- Fleiss' kappa (Gwet 2014; irrCAC fleiss.kappa.raw): observed agreement over
  units with two or more values, chance agreement from the category shares of
  every unit with a value; Fleiss (1971) when every coder rated every unit.
  Linear or quadratic weights give its weighted form.
- Cohen's weighted kappa (Cohen 1968) for two coders on an ordered scale.
"""

from __future__ import annotations

import numpy as np

from workbench.core.agreement.data import Ratings
from workbench.core.agreement.stats import _EPS, StatSpec, _few_units, _ratio


def _weights(k: int, weighting: str) -> np.ndarray:
    """Return the K x K agreement weights: identity, linear or quadratic (Cohen 1968)."""
    if weighting == "":
        return np.eye(k)
    i = np.arange(k, dtype=np.float64)
    gap = np.abs(i[:, None] - i[None, :]) / max(k - 1, 1)
    if weighting == "linear":
        return 1.0 - gap
    if weighting == "quadratic":
        return 1.0 - gap ** 2
    raise ValueError(f"unknown weighting {weighting!r}; use linear or quadratic")


def fleiss_kappa_spec(r: Ratings, weighting: str = "") -> StatSpec:
    """Fleiss' kappa generalised for missing ratings (Gwet 2014; irrCAC fleiss.kappa.raw).

    pa = mean over units with m_u >= 2 of sum_k n_uk (n*_uk - 1) / (m_u (m_u - 1)),
    n*_uk = sum_l w_kl n_ul; pi_k = mean over units with m_u >= 1 of n_uk / m_u;
    pe = sum_kl w_kl pi_k pi_l. With every unit rated by every coder and no
    weights this is Fleiss (1971). `weighting` "linear"/"quadratic" gives the
    weighted form for ordered categories.
    """
    c, k = r.n_coders, r.n_categories
    w = _weights(k, weighting)
    m = r.values_per_unit().astype(np.float64)
    pairable, rated = m >= 2, m >= 1
    counts = r.counts()
    agree = (counts * (counts @ w.T - 1)).sum(axis=1) / np.where(pairable, m * (m - 1), 1.0)
    agree = np.where(pairable, agree, 0.0)
    share = counts / np.where(rated, m, 1.0)[:, None]
    stats = np.column_stack([agree, pairable.astype(np.float64), rated.astype(np.float64), share])
    n_pairable, n_rated = int(pairable.sum()), int(rated.sum())
    note = (f"agreement over the {n_pairable} unit(s) with 2+ values; chance agreement from "
            f"the {n_rated} unit(s) with a value" if n_rated > n_pairable or
            (m[rated] < c).any() else "")

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if c < 2:
            return np.full(len(t), np.nan), np.full(len(t), 9)
        pa = _ratio(t[:, 0], t[:, 1])
        pi = _ratio(t[:, 3:3 + k], t[:, 2][:, None])
        pe = np.einsum("bi,ij,bj->b", pi, w, pi)
        reason = _few_units(t[:, 1])
        reason = np.where(reason > 0, reason, np.where(1 - pe <= _EPS, 4, 0))
        value = _ratio(pa - pe, 1 - pe)
        return np.where(reason > 0, np.nan, value), reason

    name = f"fleiss_kappa_{weighting}" if weighting else "fleiss_kappa"
    return StatSpec(name, stats, finish, n_pairable, note=note)


def weighted_kappa_spec(r: Ratings, weighting: str) -> StatSpec:
    """Cohen's weighted kappa (linear or quadratic weights) for two coders on an ordered scale.

    kappa_w = (po_w - pe_w) / (1 - pe_w), po_w = sum_ij w_ij p_ij and
    pe_w = sum_ij w_ij p_i. p_.j over the units both coders rated; the scale
    is the categories in order (Cohen 1968).
    """
    k = r.n_categories
    name = f"weighted_kappa_{weighting}"
    if r.n_coders != 2:
        return StatSpec(name, np.zeros((r.n_units, 1)),
                        lambda t: (np.full(len(t), np.nan), np.full(len(t), 8)), 0)
    w = _weights(k, weighting)
    a, b = r.codes[:, 0], r.codes[:, 1]
    both = (a >= 0) & (b >= 0)
    n = r.n_units
    row = np.zeros((n, k))
    col = np.zeros((n, k))
    idx = np.flatnonzero(both)
    row[idx, a[idx]] = 1
    col[idx, b[idx]] = 1
    agree = np.zeros(n)
    agree[idx] = w[a[idx], b[idx]]
    stats = np.column_stack([agree, both.astype(np.float64), row, col])

    def finish(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nn = t[:, 1]
        po = _ratio(t[:, 0], nn)
        pe = _ratio(np.einsum("bi,ij,bj->b", t[:, 2:2 + k], w, t[:, 2 + k:]), nn ** 2)
        reason = np.where(nn < 2, 5, np.where(1 - pe <= _EPS, 4, 0))
        value = _ratio(po - pe, 1 - pe)
        return np.where(reason > 0, np.nan, value), reason

    return StatSpec(name, stats, finish, int(both.sum()))
