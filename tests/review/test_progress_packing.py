"""progress_cache's facts in the order of their cells, without sorting tuples (#21r).

`_in_cell_order` and `_packed` used to sort (cell, study, value) tuples of
every stage of every sheet; they now take the cells' order from numpy, or
see that it is already in order. Compared here with the tuple sort they
replace, on random rows, rows sharing a cell and held decisions in any order.
"""

from __future__ import annotations

import random
from operator import itemgetter

import numpy as np
import pytest

from workbench.review import progress_cache


def tuple_sorted(at, cell, study, value) -> dict:
    """The previous code: {study: (value, cell)} from the sorted tuples."""
    pairs = sorted(zip(cell[at].tolist(), study[at].tolist(), value[at].tolist()))
    return {s: (v, c) for c, s, v in pairs}


def old_packed_dec(held: dict) -> list:
    held_now = list(held.values())
    rows = sorted(zip(map(itemgetter(1), held_now), held, map(itemgetter(0), held_now)))
    cells, studies, values = zip(*rows) if rows else ((), (), ())
    return [progress_cache._texts(list(studies)), progress_cache._texts(list(values)),
            list(cells)]


@pytest.mark.parametrize("seed", range(20))
def test_rows_in_cell_order_are_the_tuple_sort(seed):
    rng = random.Random(seed)
    n = rng.randrange(0, 400)
    shared = seed % 4 == 0          # some rows share a cell: the tuple sort decides
    cells = [rng.randrange(n // 2 + 1) for _ in range(n)] if shared \
        else rng.sample(range(3 * n + 1), n)
    cell = np.asarray(cells, dtype=np.int64)
    study = np.asarray([f"S{rng.randrange(n + 1)}" if shared else f"S{c}" for c in cells],
                       dtype=object)
    value = np.asarray([rng.choice(["include", "exclude", "maybe"]) for _ in range(n)],
                       dtype=object)
    at = np.flatnonzero(np.asarray([rng.random() < 0.7 for _ in range(n)], dtype=bool))
    got = progress_cache._in_cell_order(at, cell, study, value)
    want = tuple_sorted(at, cell, study, value)
    assert list(got.items()) == list(want.items())


@pytest.mark.parametrize("seed", range(12))
def test_packed_decisions_are_the_tuple_sort(seed):
    rng = random.Random(seed)
    n = rng.randrange(0, 300)
    held = {f"S{i}": (rng.choice(["include", "exclude"]), c)
            for i, c in enumerate(rng.sample(range(5 * n + 1), n))}
    if seed % 3 == 0:   # as _facts makes it: in the order of the cells
        held = dict(sorted(held.items(), key=lambda kv: kv[1][1]))
    facts = {"pass": {}, "inc": {}, "coded": {}, "flagged": {},
             "dec": {"alice": {"title_abstract": held}}}
    got = progress_cache._packed(facts)["dec"]["alice"]["title_abstract"]
    assert got == old_packed_dec(held)
    assert progress_cache._unpacked(progress_cache._packed(facts))["dec"]["alice"][
        "title_abstract"] == dict(sorted(held.items(), key=lambda kv: kv[1][1]))
