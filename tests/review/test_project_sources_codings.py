"""review.qdpx's whole-source codings: each distinct code value split and renamed once.

`project_sources` keeps, per coding value text, its codes with renamed ones followed
(session 7: a 100k review repeats a few code lists hundreds of thousands of times).
The oracle is the loop it replaced (every value split, every code renamed, one append
each), on random values: ";"-joined lists with blanks, spaces, duplicates, empty
values, renamed codes (chains and a cycle), other stages, studies not included and
fields that are not codes.
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import pandas as pd

from workbench.core.screening import split_ids
from workbench.io.exports.decisions import SHEET
from workbench.review.refi_project import project_sources

RENAMED = {"old": "mid", "mid": "new", "loop1": "loop2", "loop2": "loop1"}


def _codebook():
    def resolve(code):   # Codebook.resolve_code's rule: follow renames, stop at a cycle
        seen = {code}
        while code in RENAMED:
            code = RENAMED[code]
            if code in seen:
                break
            seen.add(code)
        return code
    return SimpleNamespace(resolve_code=resolve)


def _oracle(latest, included, stage, codebook):
    ids = {s.id for s in included}
    part = latest[(latest["stage"] == stage) & latest["study_id"].isin(ids)]
    part = part[part["field"].str.startswith("code:")]
    codings = {}
    for sheet, sid, value in zip(part[SHEET], part["study_id"], part["value"]):
        for code in split_ids(value):
            codings.setdefault(sid, []).append((sheet, codebook.resolve_code(code)))
    return codings


def test_codings_equal_the_old_loop(tmp_path):
    rng = random.Random(7)
    codes = ["a", "b", "old", "mid", "new", "loop1", " a ", "", "c"]
    included = [SimpleNamespace(id=f"S{i}", title=f"T{i}", abstract="", authors=(),
                                year=None) for i in range(40)]
    rows = []
    for _ in range(600):
        value = ";".join(rng.choice(codes) for _ in range(rng.randint(0, 4)))
        rows.append({SHEET: rng.choice(["alice", "bob", "consensus"]),
                     "stage": rng.choice(["coding", "coding", "title_abstract"]),
                     "study_id": f"S{rng.randint(0, 50)}",
                     "field": rng.choice(["code:topic", "code:method", "field:n", "note"]),
                     "value": value})
    latest = pd.DataFrame(rows, dtype=object)
    empty = pd.DataFrame({c: [] for c in ("study_id", "field", "value", "source")},
                         dtype=object)
    annotations = pd.DataFrame({c: [] for c in ("study_id", "kind")}, dtype=object)
    codebook = _codebook()
    sources, _, _ = project_sources(SimpleNamespace(root=tmp_path), codebook, included,
                                    latest, annotations, empty, "coding")
    expected = _oracle(latest, included, "coding", codebook)
    assert {s.study_id: list(s.codings) for s in sources if s.codings} == expected
    assert all(s.codings == () for s in sources if s.study_id not in expected)
    assert expected   # the random values did code some studies
