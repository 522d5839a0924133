"""Start-up stays light (issue 17): the heavy libraries load only in the verbs that use them.

Each check runs in a fresh interpreter and lists which of the heavy modules ended up in
sys.modules; figures of the time saved are in benchmarks/bench_startup.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "matplotlib", "openpyxl")
# `check` may read sheets with pandas today (review.conflicts -> review.agreement); it must
# never draw or write a workbook, nor load the full-text, ranking or web-serving libraries.
NOT_FOR_CHECK = ("matplotlib", "openpyxl", "sklearn", "scipy", "pypdfium2", "textual",
                 "textual_serve")


def loaded_after(code: str, modules: tuple[str, ...], cwd: Path = REPO) -> list[str]:
    """Run `code` in a new interpreter; return which of `modules` it imported."""
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=cwd, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cli(*args: str) -> str:
    """Code that runs `workbench ARGS` in-process, swallowing its exit."""
    return ("import contextlib, io, workbench.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "    try:\n"
            f"        workbench.cli.main({list(args)!r})\n"
            "    except SystemExit:\n"
            "        pass")


def test_importing_the_cli_loads_no_heavy_library():
    assert loaded_after("import workbench.cli", HEAVY) == []


def test_help_loads_no_heavy_library():
    assert loaded_after(run_cli("--help"), HEAVY) == []
    assert loaded_after(run_cli("export", "--help"), HEAVY) == []


def test_the_probe_sees_a_heavy_import():
    """The probe is not blind: a verb that needs pandas shows it."""
    assert loaded_after("import workbench.review.exporting", HEAVY)[:1] == ["numpy"]


def test_check_on_the_example_review_loads_no_drawing_workbook_or_pdf_library(tmp_path):
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copytree(REPO / "coding", root / "coding")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    probe = run_cli("--review", str(root), "check")
    assert loaded_after(probe, NOT_FOR_CHECK, cwd=root) == []
    # and the check really ran: the example review checks clean
    out = subprocess.run([sys.executable, "-m", "workbench", "--review", str(root), "check"],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr
