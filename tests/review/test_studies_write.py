"""The studies cache written a block of studies at a time holds the bytes of the one-string write."""

from __future__ import annotations

import random

import pytest

from tests.core.test_dedupe_bulk import hostile_records, some_decisions
from workbench.core.dedupe.duplicates import find_duplicates
from workbench.core.records import Record
from workbench.review import studies
from workbench.store.cache import read_cache, write_cache


@pytest.mark.parametrize("block", [1, 7, 10_000])
@pytest.mark.parametrize("n", [0, 1, 14, 250])
def test_streamed_studies_cache_is_byte_identical(tmp_path, monkeypatch, block, n):
    monkeypatch.setattr(studies, "_BLOCK", block)
    records = hostile_records(n, seed=n + block)
    if n:  # texts JSON must escape, and characters it must not
        records[0] = records[0].with_(title='a "quoted"\n\\title\u2028\x1f', abstract="é" * 250)
    records.append(Record(title="Zürich \ud7ff 😀", authors=("Müller, J.",), id="extra-0001"))
    decisions = some_decisions(records, random.Random(n), n=30) if len(records) > 1 else []
    result = find_duplicates(records, decisions)
    key = "k" * 64
    streamed, whole = tmp_path / "streamed.json", tmp_path / "whole.json"
    assert studies._write_studies(streamed, key, result)
    assert write_cache(whole, "studies", studies._encode(key, result))
    assert streamed.read_bytes() == whole.read_bytes()
    back = studies._decode(read_cache(streamed, "studies"), key)
    assert back == result
