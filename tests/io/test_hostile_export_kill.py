"""An export killed (kill -9) while moving its files into place, and two exports at once.

`ExportFolder.commit` sets the replaced files aside, then moves the new ones
in. A process killed in between used to leave exports/ with files missing or
new and the old ones in a hidden `.export-old-*` folder that nothing put back,
and a killed export's staging folder `.export-*` was never removed. Now a
journal is written before the first move and the next export finishes or undoes
the commit. Here a real process (forked) is SIGKILLed before each file system
call of the commit in turn, and after the next export opens the folder it must
hold exactly one whole generation (the old one, or the new one with the files
the new export does not write kept) and nothing hidden.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.io.export_review import make_review
from tests.io.test_export_move_fails import NEW, old_export
from tests.io.test_export_move_fails import snapshot as full_snapshot
from workbench.errors import ExportError
from workbench.io.exports.folder import ExportFolder, write_text

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")

#: The file system calls a commit makes; the child dies just before the k-th one.
CALLS = [(os, "replace"), (os, "unlink"), (os, "rmdir"), (os, "mkdir"), (os, "fsync"),
         (os, "open"), (shutil, "rmtree")]


def snapshot(top: Path) -> dict[str, object]:
    """Every entry under `top`, a link's target relative to the folder above `top`."""
    return {name: ("link", os.path.relpath(value[1], top.parent))
            if isinstance(value, tuple) else value
            for name, value in full_snapshot(top).items()}


def killed_export(target: Path, kill_at: int) -> int:
    """Run an export of NEW into `target` in a forked child that SIGKILLs itself before
    the `kill_at`-th file system call from the start of the commit (0: never).
    Return how many calls the child counted (when it was not killed)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: never returns
        os.close(read)
        try:
            count = [0]
            active = [False]

            def wrap(real):
                def call(*args, **kwargs):
                    if active[0]:
                        count[0] += 1
                        if count[0] == kill_at:
                            os.kill(os.getpid(), signal.SIGKILL)
                    return real(*args, **kwargs)
                return call
            for module, name in CALLS:
                setattr(module, name, wrap(getattr(module, name)))
            with ExportFolder(target) as folder:
                for name, text in NEW.items():
                    write_text(folder, name, text)
                active[0] = True
                folder.commit()
            active[0] = False
            os.write(write, str(count[0]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    _, status = os.waitpid(pid, 0)
    if kill_at:
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
        return 0
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return int(said)


def generations(tmp_path: Path) -> tuple[dict, dict]:
    """The folder before the export, and after a clean one."""
    old = snapshot(old_export(tmp_path / "old"))
    clean = old_export(tmp_path / "clean")
    killed_export(clean, 0)
    return old, snapshot(clean)


def test_a_commit_killed_at_any_step_is_finished_or_undone_by_the_next_export(tmp_path):
    old, new = generations(tmp_path)
    assert old != new and not [n for n in new if n.startswith(".export")]
    steps = killed_export(old_export(tmp_path / "count"), 0)
    assert steps > 2 * len(NEW)
    outcomes = {"old": 0, "new": 0}
    for step in range(1, steps + 1):
        target = old_export(tmp_path / f"k{step}")
        killed_export(target, step)
        left = snapshot(target)
        left.pop(".export-lock", None)   # a lock file alone: the kernel dropped the lock
        with ExportFolder(target) as folder:   # the next export: it repairs on opening
            said = folder.recovered
        after = snapshot(target)
        assert after in (old, new), f"killed at step {step}: {sorted(after)}"
        assert not [p for p in target.iterdir() if p.name.startswith(".export")], step
        outcomes["old" if after == old else "new"] += 1
        if left != after:   # something was repaired or removed, and the output says so
            assert said and all(str(target) in line for line in said), (step, said)
        if any(".export-journal" in n for n in left) and after == new:
            assert any("finished it" in line for line in said), said
        # the folder works as before afterwards
        killed_export(target, 0)
        assert snapshot(target) == new
    assert outcomes["old"] and outcomes["new"], outcomes   # both sides of the journal


def test_a_commit_missing_a_new_file_is_undone(tmp_path):
    """The journal names a staged file that is gone: the old generation is put back."""
    old, _ = generations(tmp_path)
    target = old_export(tmp_path / "x")
    steps = killed_export(old_export(tmp_path / "count"), 0)
    for step in range(1, steps + 1):   # the first kill after the journal is written
        target = old_export(tmp_path / f"x{step}")
        killed_export(target, step)
        if (target / ".export-journal").exists():
            break
    staging = [p for p in target.iterdir() if p.is_dir() and p.name.startswith(".export-")
               and not p.name.startswith(".export-old-")]
    (staging[0] / "fresh.json").unlink()
    with ExportFolder(target) as folder:
        said = folder.recovered
    assert snapshot(target) == old
    assert any("put the previous export back" in line for line in said), said


def test_stale_staging_is_removed_and_an_unjournalled_aside_folder_is_kept(tmp_path):
    target = old_export(tmp_path)
    (target / ".export-abc123").mkdir()
    (target / ".export-abc123" / "coded_dataset.csv").write_text("half\n", encoding="utf-8")
    (target / ".export-old-xyz").mkdir()   # an older version killed mid-commit
    (target / ".export-old-xyz" / "README.txt").write_text("old readme\n", encoding="utf-8")
    with ExportFolder(target) as folder:
        said = folder.recovered
    assert not (target / ".export-abc123").exists()
    assert (target / ".export-old-xyz" / "README.txt").read_text(encoding="utf-8") == \
        "old readme\n"
    assert any(".export-abc123" in line and "removed" in line for line in said)
    assert any(".export-old-xyz" in line and "kept" in line for line in said)


def test_a_hostile_journal_moves_nothing_outside(tmp_path):
    target = old_export(tmp_path)
    before = snapshot(target)
    (tmp_path / "precious.txt").write_text("mine\n", encoding="utf-8")
    (target / ".export-journal").write_text(
        '{"journal": 1, "staging": ".export-s", "aside": ".export-old-a", '
        '"files": ["../precious.txt"], "made": []}\n', encoding="utf-8")
    with ExportFolder(target) as folder:
        said = folder.recovered
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "mine\n"
    assert snapshot(target) == before
    assert any("not a commit journal" in line for line in said)


def test_a_second_export_into_the_same_folder_refuses_and_names_the_first(tmp_path):
    target = old_export(tmp_path)
    with ExportFolder(target):
        before = snapshot(target)
        with pytest.raises(ExportError) as caught:
            with ExportFolder(target):
                pass
        message = str(caught.value)
        assert str(target) in message and "another export is writing" in message
        assert f"process {os.getpid()}" in message and "nothing was exported" in message
        assert snapshot(target) == before   # the first one's staging untouched
    assert not [p for p in target.iterdir() if p.name.startswith(".export")]
    with ExportFolder(target) as folder:   # free again
        write_text(folder, "fresh.json", "{}\n")
        folder.commit()


def test_a_lock_file_planted_as_a_link_is_not_followed(tmp_path):
    target = old_export(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("not the review's\n", encoding="utf-8")
    (target / ".export-lock").symlink_to(outside)
    with ExportFolder(target) as folder:
        write_text(folder, "fresh.json", "{}\n")
        folder.commit()
    assert outside.read_text(encoding="utf-8") == "not the review's\n"


WRAPPER = textwrap.dedent("""
    import os, shutil, signal, sys
    from pathlib import Path
    from workbench.io.exports.folder import ExportFolder
    kill_at, copy_to = int(os.environ["H8_KILL_AT"]), Path(os.environ["H8_COPY_TO"])
    moves = [0]
    real_replace, real_commit = os.replace, ExportFolder.commit
    def replace(src, dst):   # the kill_at-th move of the commit (aside or in)
        moves[0] += 1
        if moves[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst)
    def commit(self):
        shutil.copytree(self.staging, copy_to, symlinks=True)   # the generation staged
        os.replace = replace
        return real_commit(self)
    ExportFolder.commit = commit
    from workbench.cli import main
    sys.argv = ["workbench", *sys.argv[1:]]
    main()
""")


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [3, 40])   # while setting aside; while moving in
def test_workbench_export_killed_mid_commit_is_repaired_by_the_next(tmp_path, kill_at):
    review = make_review(tmp_path / "review")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]),
        "H8_KILL_AT": str(kill_at), "H8_COPY_TO": str(tmp_path / "staged")}
    command = [sys.executable, "-c", WRAPPER, "--review", str(review.root), "export",
               "--no-charts", "--quiet"]
    first = subprocess.run(command, env={**env, "H8_KILL_AT": "0",
                                         "H8_COPY_TO": str(tmp_path / "first")},
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    previous = snapshot(review.exports)
    killed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert snapshot(review.exports) != previous   # left broken
    staged = snapshot(tmp_path / "staged")
    with ExportFolder(review.exports) as folder:   # what the next export does first
        said = folder.recovered
    assert snapshot(review.exports) == {**previous, **staged}   # the killed export, whole
    assert any("finished it" in line for line in said), said
    # killed again: this time `workbench export` itself repairs, and says so
    killed = subprocess.run(command, env={**env, "H8_COPY_TO": str(tmp_path / "again")},
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = subprocess.run(command, env={**env, "H8_KILL_AT": "0",
                                         "H8_COPY_TO": str(tmp_path / "last")},
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "warning: " in again.stderr and "finished it" in again.stderr, again.stderr
    assert not [p for p in review.exports.iterdir() if p.name.startswith(".export")]
