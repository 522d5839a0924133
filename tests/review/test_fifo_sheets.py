"""A sheet that is a FIFO is reported, not waited on, by the commands' fast paths.

The README promises that a sheet which is a FIFO (named pipe) is refused with
a clear error. The ordinary reader opens files without blocking, but two
fast paths opened every coding/*.csv with a plain `open`, which waits for a
writer that never comes: the status cache's key (`sheets_fingerprint`, on
every `status`) and the sheet-tail reader (`read_sheet_bytes`, used by
`check` and the conflict and progress caches on a large review). `status` and
`check` hung. Each command runs in a child process here, so the old code shows
up as a child that does not finish (a guard against hanging, not a measure of
speed: the commands take a second or two).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)

#: Reads the review through every cache, as a large review does.
LARGE = ("import sys; import workbench.review.decision_frames as d, "
         "workbench.store.sheet_checks as s; d.COLUMNS_FROM_BYTES = 0; "
         "s.COLUMNS_FROM_BYTES = 0; from workbench.cli import main; "
         "sys.argv = ['workbench'] + sys.argv[1:]; main()")
#: Far longer than the command takes; only a hang reaches it.
HANG = 300


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("how", ["small", "large"])
@pytest.mark.parametrize("command", [["status"], ["check"], ["conflicts"]],
                         ids=["status", "check", "conflicts"])
def test_a_fifo_sheet_is_reported_not_waited_on(root, how, command):
    sheet = root / "coding" / "bob.csv"
    sheet.unlink()
    os.mkfifo(sheet)
    starter = ["-m", "workbench"] if how == "small" else ["-c", LARGE]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        done = subprocess.run([sys.executable, *starter, "--review", str(root), *command],
                              capture_output=True, text=True, timeout=HANG, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(command)}` waited on the FIFO sheet")
    said = done.stdout + done.stderr
    assert "FIFO" in said and "bob.csv" in said, said
    assert done.returncode != 0 or "problem" in said.lower(), said
