"""Real processes: kill -9 mid-stream, concurrent reviewers, two processes of one reviewer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from workbench.store.sheet import read_sheet

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from workbench.core.events import Event
    from workbench.store.sheet import append_events

    path, reviewer, tag, count, note_size = sys.argv[1:6]
    for i in range(int(count)):
        study = f"{tag}-{i:05d}"
        note = f"{study} " + "x" * int(note_size)
        append_events(path, [
            Event("", reviewer, study, "ta", "decision", "exclude"),
            Event("", reviewer, study, "ta", "criteria", "E1;E2"),
            Event("", reviewer, study, "ta", "note", note),
        ])
        print("ack", study, flush=True)
""")


def start_writer(path: Path, reviewer: str, tag: str, count: int, note_size: int = 20):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), reviewer, tag, str(count),
                             str(note_size)], stdout=subprocess.PIPE, text=True, env=env)


def decisions(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for event in read_sheet(path).events:
        out.setdefault(event.study_id, []).append(event)
    return out


def test_kill_9_loses_no_acknowledged_decision(tmp_path):
    path = tmp_path / "alice.csv"
    writer = start_writer(path, "alice", "k", 1_000_000, note_size=3000)
    acked = []
    for line in writer.stdout:
        acked.append(line.split()[1])
        if len(acked) == 150:
            break
    os.kill(writer.pid, signal.SIGKILL)
    acked += [line.split()[1] for line in writer.stdout]  # acks already in the pipe
    writer.wait()
    assert writer.returncode == -signal.SIGKILL
    contents = read_sheet(path)
    saved = decisions(path)
    for study in acked:
        assert [e.field for e in saved[study]] == ["decision", "criteria", "note"], study
    assert all("incomplete last line" in p.message for p in contents.problems)
    assert len(contents.problems) <= 1
    # The sheet still takes decisions, and the torn fragment never swallows them.
    again = start_writer(path, "alice", "after", 3)
    assert again.wait() == 0
    assert {"after-00000", "after-00001", "after-00002"} <= set(decisions(path))


def test_two_reviewers_write_at_the_same_time(tmp_path):
    writers = [start_writer(tmp_path / f"{name}.csv", name, name, 150) for name in ("ann", "bob")]
    for writer in writers:
        assert writer.wait() == 0
    for name in ("ann", "bob"):
        contents = read_sheet(tmp_path / f"{name}.csv")
        assert contents.problems == []
        assert {e.reviewer for e in contents.events} == {name}
        assert len(decisions(tmp_path / f"{name}.csv")) == 150


def test_two_processes_of_one_reviewer_never_interleave(tmp_path):
    path = tmp_path / "alice.csv"
    # Notes of 20 kB make each append far larger than one pipe/page write.
    writers = [start_writer(path, "alice", tag, 80, note_size=20_000) for tag in ("p", "q")]
    for writer in writers:
        assert writer.wait() == 0
    contents = read_sheet(path)
    assert contents.problems == []
    events = contents.events
    assert len(events) == 2 * 80 * 3
    for i in range(0, len(events), 3):
        group = events[i:i + 3]
        assert [e.field for e in group] == ["decision", "criteria", "note"]
        assert len({e.study_id for e in group}) == 1 and len({e.time for e in group}) == 1
        assert group[2].value.startswith(group[0].study_id)
    times = [events[i].time for i in range(0, len(events), 3)]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert path.read_text(encoding="utf-8").count("time,reviewer") == 1
