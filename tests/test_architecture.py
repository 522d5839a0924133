"""The dependency rule of STYLE.md §1: the library never imports a UI toolkit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_library_does_not_import_ui_toolkits():
    code = ("import workbench.review, workbench.core, workbench.io, workbench.store, sys;"
            "print(sorted(m for m in ('textual', 'click', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed")
    out = subprocess.run([lint], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr


def test_modules_stay_small():
    too_long = []
    for path in (REPO / "workbench").rglob("*.py"):
        n = sum(1 for _ in path.open(encoding="utf-8"))
        if n > 600:
            too_long.append(f"{path.relative_to(REPO)}: {n} lines")
    assert not too_long, "split these modules: " + ", ".join(too_long)
