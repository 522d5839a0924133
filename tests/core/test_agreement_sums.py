"""The point estimates summed in one pass over the stacked statistics equal the per-spec sums, bit for bit.

`result._point_sums` takes each statistic's column sums from one sum of the
bootstrap's stacked array instead of `s.unit_stats.sum(axis=0)` per spec.
The oracle is the per-spec sum (the code before). Every field of every
StatResult is compared, floats by their bits (float.hex), on random matrices
of every level (2-5 coders, missing values, shares such as 1/3 that make the
order of additions show in the last bits, sizes across numpy's 8,192-element
blocks), on the published tables of test_agreement_published and on a
review's reliability matrices. A check shows the data would catch a change of
order: pairwise sums of the same columns differ in the last bits.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.core.test_agreement_published import FLEISS_1971, KRIPP_2011
from workbench.core.agreement import result
from workbench.core.agreement.measures import agreement_table


def per_spec(specs, stacked, stacked_specs):
    """The oracle: each spec summed alone, as _finish did."""
    return {id(s): s.unit_stats.sum(axis=0) for s in specs}


def bits(results) -> list:
    out = []
    for r in results:
        row = []
        for name in r.__dataclass_fields__:
            v = getattr(r, name)
            row.append(v.hex() if isinstance(v, float) and not math.isnan(v) else repr(v))
        out.append(row)
    return out


def both(monkeypatch, matrix, level, **kw):
    new = agreement_table(matrix, level, **kw)
    with monkeypatch.context() as m:
        m.setattr(result, "_point_sums", per_spec)
        old = agreement_table(matrix, level, **kw)
    return bits(old), bits(new)


def random_matrix(rng: np.random.Generator, level: str) -> pd.DataFrame:
    n = int(rng.choice([1, 2, 5, 40, 777, 8193, 20_000]))
    coders = int(rng.integers(2, 6))
    if level in ("interval", "ratio"):
        # a few dozen distinct values (counting them per unit is what alpha does)
        values = rng.integers(0, 60, size=(n, coders)) / float(rng.choice([1, 3, 4, 7]))
        cells = values.astype(object)
    elif level == "masi":
        pool = [frozenset(), frozenset({"a"}), frozenset({"b"}), frozenset({"a", "b"}),
                frozenset({"a", "c"})]
        cells = np.empty((n, coders), dtype=object)
        picks = rng.integers(0, len(pool), size=(n, coders))
        for i in range(n):
            for j in range(coders):
                cells[i, j] = pool[picks[i, j]]
    else:
        k = int(rng.integers(2, 6))
        # mostly agreeing, as coders are: a unit's value plus some noise
        base = rng.integers(0, k, size=(n, 1))
        noise = rng.integers(0, k, size=(n, coders))
        cells = np.where(rng.random((n, coders)) < 0.7, base, noise).astype(object)
        cells = np.vectorize(lambda v: f"c{v}", otypes=[object])(cells)
    missing = rng.random((n, coders)) < rng.choice([0.0, 0.1, 0.4])
    cells = np.where(missing, None, cells)
    return pd.DataFrame(cells, columns=[f"r{j}" for j in range(coders)])


@pytest.mark.parametrize("seed", range(12))
def test_random_matrices_every_level(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    for level in ("nominal", "ordinal", "interval", "ratio", "masi"):
        matrix = random_matrix(rng, level)
        resamples = int(rng.choice([0, 30]))
        old, new = both(monkeypatch, matrix, level, n_resamples=resamples, seed=seed)
        assert new == old, (level, matrix.shape, resamples)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_published_tables(monkeypatch, level):
    for table in (KRIPP_2011, pd.DataFrame(FLEISS_1971)):
        old, new = both(monkeypatch, table.astype(object).where(table.notna(), None), level,
                        n_resamples=200)
        assert new == old


def test_a_review_s_variables(monkeypatch, tmp_path):
    """Every variable of the scenario review with random appends (test_agreement_columns)."""
    import shutil

    from tests.core.test_agreement_columns import build_scenario, scramble
    from workbench.review import Review
    from workbench.review.agreement import agreement_csv, agreement_report
    root = tmp_path / "review"
    build_scenario(root)
    scramble(root, 3)
    shutil.rmtree(root / ".workbench", ignore_errors=True)
    new = agreement_csv(agreement_report(Review.open(root), n_resamples=50))
    monkeypatch.setattr(result, "_point_sums", per_spec)
    old = agreement_csv(agreement_report(Review.open(root), n_resamples=50))
    assert new == old


def test_the_data_shows_a_change_of_order():
    """Summed pairwise (another order), the same columns differ: the bits above can fail."""
    rng = np.random.default_rng(0)
    stacked = np.column_stack([rng.integers(0, 4, 20_000) / 3, rng.integers(0, 7, 20_000) / 6])
    rowwise = stacked.sum(axis=0)
    pairwise = np.array([np.ascontiguousarray(stacked[:, j]).sum() for j in range(2)])
    assert rowwise.tobytes() != pairwise.tobytes()
    for j in range(2):   # what _point_sums relies on: row by row, in row order
        acc = 0.0
        for v in stacked[:, j].tolist():
            acc += v
        assert acc.hex() == float(rowwise[j]).hex()
