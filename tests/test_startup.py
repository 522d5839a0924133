"""Start-up stays light (issue 17): the heavy libraries load only in the verbs that use them.

`--help`, the app's import path, and `check` and `status` on the example review (once its
.workbench/ caches are warm) load no pandas or numpy: they count with pure Python.

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
# `check` and `status` (on a review whose status cache is warm) count with pure Python: they
# never load the numeric, drawing, workbook, full-text, ranking or web-serving libraries.
NOT_FOR_CHECK = HEAVY + ("sklearn", "scipy", "pypdfium2", "textual", "textual_serve")


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


def example_copy(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(REPO / "references", root / "references")
    shutil.copytree(REPO / "coding", root / "coding")
    shutil.copy(REPO / "codebook.yaml", root / "codebook.yaml")
    return root


def test_the_app_and_its_home_screen_import_no_heavy_library():
    code = "import workbench.tui.app, workbench.tui.screens.home"
    assert loaded_after(code, HEAVY) == []


def test_every_step_of_the_app_names_a_screen():
    from textual.screen import Screen

    from workbench.tui.app import STEPS, step_screen
    for name in STEPS:
        assert issubclass(step_screen(name), Screen), name
    assert step_screen("no-such-step") is None


def test_status_on_a_cached_example_review_loads_no_heavy_library(tmp_path):
    root = example_copy(tmp_path)
    first = subprocess.run([sys.executable, "-m", "workbench", "--review", str(root), "status"],
                           capture_output=True, text=True, cwd=REPO)
    assert first.returncode == 0 and "Conflicts to resolve: 0" in first.stdout, first.stderr
    # the first status filled .workbench/ (studies, status figures); the next one reads them
    assert loaded_after(run_cli("--review", str(root), "status"), NOT_FOR_CHECK, cwd=root) == []


def test_check_on_the_example_review_loads_no_heavy_library(tmp_path):
    root = example_copy(tmp_path)
    # the check really runs: the example review checks clean (and its first run groups the
    # records into studies, which needs the matcher's numpy; .workbench/ keeps the result)
    out = subprocess.run([sys.executable, "-m", "workbench", "--review", str(root), "check"],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr
    probe = run_cli("--review", str(root), "check")
    assert loaded_after(probe, NOT_FOR_CHECK, cwd=root) == []
