"""The stored agreement (.workbench/agreement.json, session 6) against hostile review folders.

test_agreement_cache.py covers a damaged, foreign or misshapen file and every
input of the key. Two holes were left:

- The key hashes every coding/*.csv with a plain `open`, before any sheet is
  read: a sheet that is a FIFO made `agreement` and `export` wait forever,
  and one linked to /dev/zero read without end (the reader refuses both; the
  status key was fixed the same way in session 6, f920a45).
- The key holds the sheets' bytes but not where the review is, while the
  stored warnings name the sheets by path: a copy of a review (`cp -a`, a
  backup opened on the same machine) printed the original's paths in its
  warnings, pointing the user at the wrong file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.review.scenario_fixtures import root, template  # noqa: F401 (fixtures)
from workbench.review import Review
from workbench.review.agreement import agreement_report, sheet_frames
from workbench.review.agreement_cache import cached_agreement

#: Far longer than the command takes; only a hang reaches it.
HANG = 300


def run(root, *command):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        return subprocess.run([sys.executable, "-m", "workbench", "--review", str(root),
                               *command], capture_output=True, text=True, timeout=HANG, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(command)}` waited on the sheet")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("what", ["fifo", "device"])
def test_a_fifo_or_device_sheet_is_reported_by_agreement_not_waited_on(root, what):
    sheet = root / "coding" / "bob.csv"
    sheet.unlink()
    if what == "fifo":
        os.mkfifo(sheet)
    else:
        os.symlink("/dev/zero", sheet)
    done = run(root, "agreement", "--resamples", "20")
    said = done.stdout + done.stderr
    assert done.returncode != 0, said
    assert "bob.csv" in said and ("FIFO" if what == "fifo" else "device") in said, said


def test_a_copy_of_the_review_names_its_own_sheets_in_the_warnings(root, tmp_path):
    with open(root / "coding" / "alice.csv", "ab") as handle:
        handle.write(b'2032-03-01T00:00:00.000000Z,alice,S2,title_abstract,note,"torn\nhalf')
    _, warnings = cached_agreement(Review.open(root), n_resamples=20)
    assert warnings and all(str(root) in w for w in warnings)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)
    reports, warnings = cached_agreement(Review.open(copy), n_resamples=20)
    review = Review.open(copy)
    frames = sheet_frames(review)
    assert warnings == frames[2] and all(str(copy) in w for w in warnings)
    expected = agreement_report(review, n_resamples=20, frames=frames)
    from workbench.review.agreement import agreement_csv
    assert agreement_csv(reports) == agreement_csv(expected)
