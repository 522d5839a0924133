"""`field_parts` cuts field names by byte positions; its old text path is the oracle.

A sheet of a 100,000-study review has 272k field names (one per group row and
field), and splitting them with numpy's string functions was ~0.6 s of each
sheet's full read. The byte path must give the same codes, values (in order of
first appearance) and part counts on any names: colons anywhere and many of
them, empty names and parts, non-ASCII text, line breaks, NULs (which go the text way), long names.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from workbench.review import decision_frames as df


def assert_same(names):
    want = df._field_parts_text(names)
    got = df.field_parts(names)
    assert list(got) == list(want)
    for part, (codes, values) in want.items():
        assert got[part][0].dtype == codes.dtype == np.int64, part
        assert np.array_equal(got[part][0], codes), (part, names[:20])
        assert got[part][1] == values, part


PIECES = ["", ":", "::", "row", "code", "field", "memo", "decision", "campaign", "k1", "k2",
          "name", "hashtag_reach", "é", "ü:ß", "数据", "🙂", "a\nb", "\0", " ", "x" * 40,
          "y" * 300, "row:campaign:k1:name", ":a:", "a:b:c:d:e:f"]


def random_names(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        parts = [rng.choice(PIECES) for _ in range(rng.randrange(0, 7))]
        out.append(":".join(parts) if rng.random() < 0.8 else "".join(parts))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_random_hostile_names_split_as_the_text_path_does(seed):
    rng = random.Random(seed)
    names = random_names(rng, rng.choice([1, 5, 50, 2000]))
    if seed % 3 == 0:
        names = list(dict.fromkeys(names))   # categories: distinct names
    assert_same(names)


def test_edge_lists():
    for names in ([], [""], [":"], ["", ""], ["a"], ["a:"], [":a"], ["a::b"], ["::::"],
                  ["decision", "criteria", "note"], ["row:g:k", "row:g:k:s", "row:g:k:s:t"],
                  ["é:" * 30], ["x" * 1000 + ":y"]):
        assert_same(names)


def test_without_a_nul_the_byte_path_is_taken(monkeypatch):
    def refused(names):
        raise AssertionError("the text path was taken")
    monkeypatch.setattr(df, "_field_parts_text", refused)
    df.field_parts([n for n in random_names(random.Random(3), 500) if "\0" not in n])


def test_a_lone_surrogate_is_refused_by_both():
    """The sheet readers never make one (bytes are decoded with replacement); if one came,
    both paths refuse it alike."""
    names = ["row:g:k", "bad\udc80:x", "code:platforms"]
    for split in (df._field_parts_text, df.field_parts):
        with pytest.raises(UnicodeEncodeError):
            split(names)


def test_a_real_scenario_sheet(tmp_path):
    names = [f"row:campaign:k{i:05x}:{sub}" for i in range(3000)
             for sub in ("", "name", "hashtag_reach")] + ["decision", "code:platforms"]
    names = [n.rstrip(":") for n in names]
    assert_same(names)
