"""libyaml composes the codebook (fast) into what PyYAML's own parser gives (issue 17).

Every codebook in the repository, valid or not, parses to the same Codebook or to the
same problems (file, line, message) whichever parser composed it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.io import codebook_yaml
from workbench.io.codebook_yaml import CodebookProblems, parse_codebook

REPO = Path(__file__).resolve().parents[2]
CODEBOOKS = sorted({*REPO.glob("codebook.yaml"), *REPO.glob("examples/*/codebook.yaml"),
                    *REPO.glob("workbench/templates/*.yaml"), *REPO.glob("tests/data/**/*.yaml")})


def outcome(text: str):
    try:
        return parse_codebook(text, "codebook.yaml")
    except CodebookProblems as exc:
        return [str(p) for p in exc.problems]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", CODEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_libyaml_and_pyyaml_compose_the_same_codebook(path, monkeypatch):
    text = path.read_text(encoding="utf-8-sig")
    fast = outcome(text)
    monkeypatch.setattr(codebook_yaml, "_SCAN_LOADER", yaml.SafeLoader)
    assert outcome(text) == fast


def test_the_repository_has_codebooks_to_compare():
    assert len(CODEBOOKS) >= 10
    assert any("not_yaml" in p.name for p in CODEBOOKS)   # an invalid one too
