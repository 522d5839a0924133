"""load.R names each table's data frame after its file; a legal group id made it unparsable.

A repeatable group's table is `<group id in the plural>.csv`, and group ids
may hold `-` and `.` and start with a digit (codebook ID_PATTERN). load.R
assigned `social-campaigns <- wb_read(...)`, which R parses as a subtraction:
`source("load.R")` stopped with "object 'social' not found" and loaded no table
after it. Two ids that differ only there (`a-b`, `a_b`) must not give one name
either (the second would silently replace the first in R).
"""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from workbench.io.exports.rscript import load_r

RSCRIPT = shutil.which("Rscript")

CODEBOOK = """
review: {title: T}
stages: [{id: coding, kind: coding, label: Coding}]
groups:
  - id: social-campaign
    label: Social campaigns
    fields: [{id: name, type: text, label: Name}]
  - id: social_campaign
    label: Other campaigns
    fields: [{id: name, type: text, label: Name}]
  - id: 2nd.wave
    label: Second wave
    fields: [{id: name, type: text, label: Name}]
"""


def tables_of(codebook):
    from workbench.io.exports.tables import table_name
    return {f"{table_name(g)}.csv": pd.DataFrame({"study_id": ["S1"], "name": [g.id]})
            for g in codebook.groups}


@pytest.mark.skipif(RSCRIPT is None, reason="R is not installed")
def test_every_group_table_loads_under_its_own_name(tmp_path):
    from workbench.io.codebook_yaml import parse_codebook
    codebook = parse_codebook(CODEBOOK)
    tables = tables_of(codebook)
    for name, frame in tables.items():
        frame.to_csv(tmp_path / name, index=False)
    dictionary = pd.DataFrame({"file": [f for f in tables for _ in range(2)],
                               "column": ["study_id", "name"] * len(tables),
                               "type": ["text", "text"] * len(tables),
                               "label": ["Study", "Name"] * len(tables)})
    (tmp_path / "load.R").write_text(load_r(codebook, tables, dictionary), encoding="utf-8")
    script = ('e <- new.env(); sys.source("load.R", envir = e, chdir = TRUE); '
              'for (n in sort(ls(e))) if (is.data.frame(e[[n]])) cat(n, e[[n]]$name, "\\n")')
    out = subprocess.run([RSCRIPT, "-e", script], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = dict(line.split() for line in out.stdout.strip().splitlines())
    assert sorted(loaded.values()) == sorted(g.id for g in codebook.groups)
