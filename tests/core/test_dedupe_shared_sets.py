"""The accuracy targets on the real labelled sets in ../shared/data/dedup (skipped when absent)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_dedupe_accuracy.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_dedupe_accuracy", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["diabetes", "stroke"])
def test_labelled_set_meets_the_targets(shared_data, name):
    path = shared_data / "dedup" / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    bench = _bench()
    records, gold = bench.load_labelled(path)
    scores = bench.score(records, gold)
    n = len(records)
    assert scores["precision"] >= 0.995
    assert scores["recall"] >= 0.97
    assert len(scores["false_pairs"]) < n / 1000
    assert scores["uncertain"] < 0.02 * n
