"""`workbench codebook export --qdc` and `workbench codebook import` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.io.codebook_yaml import load_codebook

pytest.importorskip("lxml")
REFI = Path(__file__).resolve().parents[1] / "data" / "refi"


def test_export_then_import_into_the_same_review(review, run):
    result = run("codebook", "export", "--qdc")
    assert result.exit_code == 0, result.output
    qdc = review / "exports" / "codebook.qdc"
    assert qdc.read_bytes().startswith(b"<?xml")
    assert str(qdc) in result.output
    original = (review / "codebook.yaml").read_bytes()
    result = run("codebook", "import", str(qdc))
    assert result.exit_code == 0, result.output
    assert "codebook.imported.yaml" in result.output
    assert (review / "codebook.yaml").read_bytes() == original
    draft = load_codebook(review / "codebook.imported.yaml")
    assert draft.dimensions == load_codebook(review / "codebook.yaml").dimensions


def test_import_refuses_to_overwrite_then_force(review, run):
    assert run("codebook", "import", str(REFI / "atlasti_23.4.0.qdc")).exit_code == 0
    result = run("codebook", "import", str(REFI / "taguette_1.4.1.qdc"))
    assert result.exit_code != 0
    assert "exists" in str(result.exception) + result.output
    result = run("codebook", "import", "--force", str(REFI / "taguette_1.4.1.qdc"))
    assert result.exit_code == 0, result.output
    assert "Taguette 1.4.1" in result.output
    assert "3 codes" in result.output


def test_import_of_a_broken_file_names_it(review, run, tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   '<Code name="x" isCodable="true"/></Codes></CodeBook>')
    result = run("codebook", "import", str(bad))
    assert result.exit_code != 0
    assert "missing attribute 'guid'" in str(result.exception) + result.output
    assert not (review / "codebook.imported.yaml").exists()
