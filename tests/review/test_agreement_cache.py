"""The agreement stored in .workbench/agreement.json prints and exports byte for byte as computed.

The oracle is `agreement_report` on a fresh Review (no cache involved). On the
random reviews of test_agreement_columns (group rows, merged studies, three
codebook versions, bulk notes, consensus before and after) plus notes with
quotes and line breaks, a torn last line and a line edited by hand, the cached
path is run twice on new Reviews (the second answers from the file, which a
test proves by making the computation fail) and compared with the oracle: the
CSV text, the JSON, the table the command prints, the methods text and the
sheets' warnings. Then every input of the key is changed in turn (a sheet,
the codebook, the aliases, the code, the resamples and the seed), and the
file is damaged, sealed with another key or of the wrong shape: each time the
agreement is computed again and equals the oracle.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import pytest

from tests.core.test_agreement_columns import scramble, template  # noqa: F401 (fixture)
from workbench.cli.agreement import format_stage, json_reports
from workbench.review import Review
from workbench.review import agreement as agreement_module
from workbench.review import agreement_cache
from workbench.review.agreement import (agreement_csv, agreement_report, disagreements,
                                        methods_text, sheet_frames)
from workbench.review.agreement_cache import CACHE_NAME, KIND, cached_agreement
from workbench.store import cache as cache_module
from workbench.store.cache import read_cache, write_cache
from workbench.store.sheet import Event, append_events

RESAMPLES = 40


def outputs(reports, warnings) -> dict:
    """Everything a user reads of a report: csv, json, the table, the methods, the warnings."""
    return {"csv": agreement_csv(reports), "csv3": agreement_csv(reports, 3),
            "json": json.dumps(json_reports(reports), indent=2, ensure_ascii=False, default=str),
            "table": ["\n".join(format_stage(r)) for r in reports],
            "methods": methods_text(reports), "warnings": list(warnings)}


def oracle(root, stage=None, n=RESAMPLES, seed=7) -> dict:
    review = Review.open(root)
    frames = sheet_frames(review)
    return outputs(agreement_report(review, stage, n_resamples=n, seed=seed, frames=frames),
                   frames[2])


def cached(root, stage=None, n=RESAMPLES, seed=7) -> dict:
    return outputs(*cached_agreement(Review.open(root), stage, n_resamples=n, seed=seed))


@pytest.fixture
def computed(monkeypatch):
    """Counts the computations behind cached_agreement."""
    seen = []
    real = agreement_module.agreement_report

    def counting(*args, **kwargs):
        seen.append(kwargs.get("n_resamples"))
        return real(*args, **kwargs)

    monkeypatch.setattr(agreement_module, "agreement_report", counting)
    return seen


@pytest.fixture
def root(template, tmp_path):  # noqa: F811
    out = tmp_path / "review"
    shutil.copytree(template, out)
    return out


def hostile(root) -> None:
    """Notes with quotes, commas and line breaks, a hand-edited line and a torn last line."""
    now = datetime(2032, 1, 1, tzinfo=timezone.utc)
    append_events(root / "coding" / "alice.csv", [
        Event("", "alice", "S1", "title_abstract", "decision", "exclude",
              'she said "no",\nthen left', "")], now=now)
    bob = root / "coding" / "bob.csv"
    lines = bob.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"include", b"exclude", 1)   # its check no longer matches
    bob.write_bytes(b"\n".join(lines))
    with open(root / "coding" / "alice.csv", "ab") as handle:
        handle.write(b'2032-03-01T00:00:00.000000Z,alice,S2,title_abstract,note,"torn\nhalf')


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_the_stored_agreement_reads_back_byte_for_byte(root, seed, computed):
    if seed:
        scramble(root, seed)
    if seed == 5:
        hostile(root)
    expected = oracle(root)
    assert cached(root) == expected       # computed and stored
    assert computed == [RESAMPLES]
    assert cached(root) == expected       # read back
    assert computed == [RESAMPLES]
    if seed == 5:
        assert expected["warnings"]
    for stage in ("title_abstract", "coding"):   # one stage: from the same entries
        assert cached(root, stage) == oracle(root, stage)
    assert computed == [RESAMPLES]


def test_the_export_and_the_command_share_it(root, computed):
    scramble(root, 4)
    review = Review.open(root)
    first, _ = cached_agreement(review)   # defaults: what export asks for
    assert len(computed) == 1
    again, _ = cached_agreement(Review.open(root))
    assert len(computed) == 1
    assert agreement_csv(first) == agreement_csv(again)
    with pytest.raises(ValueError, match="no matrices"):
        disagreements(again[0])


def test_every_input_of_the_key_computes_again(root, computed, monkeypatch):
    scramble(root, 6)
    assert cached(root) == oracle(root)
    runs = len(computed)
    scramble(root, 7)                                   # appended lines
    assert cached(root) == oracle(root)
    assert len(computed) == runs + 1
    path = root / "codebook.yaml"                       # the codebook
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("label: ", "label: Edited ", 1), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != text
    assert cached(root) == oracle(root)
    assert len(computed) == runs + 2
    assert cached(root, n=RESAMPLES + 1) == oracle(root, n=RESAMPLES + 1)   # resamples
    assert cached(root, seed=8) == oracle(root, seed=8)                       # seed
    assert len(computed) == runs + 4
    assert cached(root) == oracle(root)                 # the first entry is kept
    assert len(computed) == runs + 4
    monkeypatch.setattr(agreement_cache, "_code", "other code")               # the code
    assert cached(root) == oracle(root)
    assert len(computed) == runs + 5
    monkeypatch.setattr(Review, "aliases", lambda self: {"S99": "S1"})      # the aliases
    assert cached(root) == oracle(root)
    assert len(computed) == runs + 6
    sheet = root / "coding" / "carol.csv"               # a sheet gone (same others)
    sheet.unlink()
    assert cached(root) == oracle(root)
    assert len(computed) == runs + 7


def test_a_damaged_foreign_or_misshapen_file_is_computed_again(root, computed, monkeypatch):
    scramble(root, 3)
    expected = oracle(root)
    assert cached(root) == expected
    path = root / ".workbench" / CACHE_NAME
    good = path.read_bytes()
    runs = len(computed)
    path.write_bytes(good.replace(b'"title_abstract', b'"title_abstracT', 1))   # edited
    assert cached(root) == expected
    path.write_bytes(good[:len(good) // 2])                                    # cut short
    assert cached(root) == expected
    assert len(computed) == runs + 2
    value = read_cache(path, KIND)
    assert value is not None
    monkeypatch.setattr(cache_module, "_key", b"k" * 32)                       # foreign
    write_cache(path, KIND, value)
    monkeypatch.undo()
    monkeypatch.setattr(agreement_module, "agreement_report", computed_again(computed))
    assert cached(root) == expected
    assert len(computed) == runs + 3
    # sealed with this machine's key, but of the wrong shape: never trusted in part
    entry = next(iter(value["entries"].values()))
    for damage in (lambda e: e["results"][0][4][0].__setitem__(1, "0.5"),   # a text for a float
                   lambda e: e["results"][0][4][0].__setitem__(4, 1.0),     # a float for an int
                   lambda e: e["results"][0][4][0].pop(),                   # a field short
                   lambda e: e.__setitem__("counts", [1]),
                   lambda e: e["unmatched"].append(["S1", "g", "k", {"a": 1}, []]),
                   lambda e: e.__setitem__("results", [[1, 2, 3, 4, []]]),
                   lambda e: e.__setitem__("reviewers", "alice")):
        broken = json.loads(json.dumps(value))
        name = next(iter(broken["entries"]))
        damage(broken["entries"][name])
        write_cache(path, KIND, broken)
        before = len(computed)
        assert cached(root) == expected
        assert len(computed) == before + 1
    assert entry   # the entries above were real ones
    write_cache(path, KIND, {"key": value["key"], "warnings": "no", "entries": {}})
    assert cached(root) == expected


def computed_again(seen):
    real = agreement_report

    def counting(*args, **kwargs):
        seen.append(kwargs.get("n_resamples"))
        return real(*args, **kwargs)
    return counting


def test_a_sheet_saved_during_the_computation_stores_nothing(root, monkeypatch):
    scramble(root, 2)
    real = agreement_module.agreement_report

    def saving_meanwhile(review, *args, **kwargs):
        out = real(review, *args, **kwargs)
        scramble(root, 9)
        return out

    monkeypatch.setattr(agreement_module, "agreement_report", saving_meanwhile)
    cached_agreement(Review.open(root), n_resamples=RESAMPLES, seed=7)
    assert not (root / ".workbench" / CACHE_NAME).exists()
