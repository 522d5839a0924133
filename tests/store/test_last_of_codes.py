"""`last_of_codes` picks the rows the two-hash code it replaced picked (`duplicated(keep="last")`)."""

import numpy as np
import pandas as pd
import pytest

from workbench.store.sheet_frame import last_of_codes


def old_latest(key: np.ndarray) -> np.ndarray:
    """The code `latest_of_frame` and `LatestRows.of_frame` used: the oracle."""
    order, _ = pd.factorize(key)
    last = np.flatnonzero(~pd.Series(key).duplicated(keep="last").to_numpy())
    return last[np.argsort(order[last], kind="stable")]


def new_latest(key: np.ndarray) -> np.ndarray:
    order, keys = pd.factorize(key)
    return last_of_codes(order, len(keys))


@pytest.mark.parametrize("seed", range(12))
def test_the_latest_rows_are_the_old_ones_on_random_keys(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 5000))
    spread = int(rng.choice([1, 2, 7, max(n // 3, 1), n + 1, 10 ** 12]))
    key = rng.integers(0, spread, n).astype(np.int64)
    got, want = new_latest(key), old_latest(key)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)
    mask = np.zeros(n, dtype=bool)
    mask[got] = True   # as latest_of_frame uses it: the same rows as the old mask
    np.testing.assert_array_equal(mask, ~pd.Series(key).duplicated(keep="last").to_numpy())


@pytest.mark.parametrize("key", [[], [5], [5, 5, 5], [1, 2, 3], [3, 2, 1, 2, 3], [0, -1, 0, -1]])
def test_edge_keys(key):
    key = np.asarray(key, dtype=np.int64)
    np.testing.assert_array_equal(new_latest(key), old_latest(key))
