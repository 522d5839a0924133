"""Live updates: what another process writes into the review shows up without a restart."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from workbench.review import Review
from workbench.tui.app import make_app
from workbench.tui.screens.home import HomeScreen

from .conftest import screening_ready, wait_for

REPO = Path(__file__).resolve().parents[2]
STUDY = "Sda3dfc03-{:04d}"


def in_another_process(code: str, review_dir: Path) -> None:
    """Run library code in a separate Python process (as `workbench sync` or a shell would)."""
    script = textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script, str(review_dir)], check=True,
                   cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


SCREEN_AS = """
    import sys
    from workbench.review import Review
    from workbench.review.screening import open_session
    session = open_session(Review.open(sys.argv[1]), "{who}", "title_abstract")
    for study, decision in {decisions!r}.items():
        session.record(study, decision, ["E1"] if decision == "exclude" else [])
"""


def open_conflicts(app) -> int | None:
    """The home screen's "Conflicts to resolve" count (None until it is shown)."""
    import re
    if not isinstance(app.screen, HomeScreen):
        return None
    found = re.search(r"Conflicts to resolve\W*(\d+)",
                      str(app.screen.query_one("#home-waiting").render()))
    return int(found.group(1)) if found else None


async def test_home_counts_a_conflict_that_arrives_from_another_reviewer(review_dir):
    in_another_process(SCREEN_AS.format(who="alice", decisions={STUDY.format(1): "include"}),
                       review_dir)
    app = make_app(review_dir, reviewer="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: open_conflicts(app) is not None)
        assert open_conflicts(app) == 0
        in_another_process(SCREEN_AS.format(who="bob", decisions={STUDY.format(1): "exclude"}),
                           review_dir)
        await wait_for(pilot, lambda: open_conflicts(app) == 1, timeout=30)


async def test_a_study_merged_away_while_on_screen_is_followed(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("right")
        await wait_for(pilot, lambda: app.screen.source.id == STUDY.format(2))
        records = [r.id for r in Review.open(review_dir).records()]
        in_another_process(f"""
            import sys
            from workbench.review import Review
            Review.open(sys.argv[1]).decide_pair("bob", {records[0]!r}, {records[1]!r}, "same")
        """, review_dir)
        await wait_for(pilot, lambda: app.screen.session is not None
                       and app.screen.source is not None
                       and app.screen.source.id == STUDY.format(1), timeout=30)
        assert app.screen.session.index_of(STUDY.format(2)) is None


def _sheet(review_dir: Path) -> list[tuple[str, str]]:
    from workbench.store.sheet import read_sheet
    return [(e.study_id, e.value) for e in read_sheet(review_dir / "coding" / "alice.csv").events
            if e.field == "decision"]


async def test_undo_after_a_save_from_a_shell_takes_back_only_this_screens_own_line(review_dir):
    app = make_app(review_dir, reviewer="alice", start="screening")
    async with app.run_test(size=(100, 30)) as pilot:
        await screening_ready(app, pilot)
        await pilot.press("i", "m")   # study 1 included, study 2 maybe, on this screen
        session = app.screen.session
        in_another_process(SCREEN_AS.format(who="alice", decisions={STUDY.format(5): "exclude"}),
                           review_dir)   # a shell saves to alice's own sheet: the screen reloads
        await wait_for(pilot, lambda: app.screen.session is not session, timeout=30)
        await pilot.press("u")   # still undoes this screen's maybe, not the shell's line
        await wait_for(pilot, lambda: _sheet(review_dir)[-1] == (STUDY.format(2), ""))
        assert app.screen.session.decision(STUDY.format(5)) == "exclude"
        session = app.screen.session
        in_another_process(SCREEN_AS.format(who="alice", decisions={STUDY.format(1): "exclude"}),
                           review_dir)   # the shell changes the study this screen included
        await wait_for(pilot, lambda: app.screen.session is not session, timeout=30)
        before = (review_dir / "coding" / "alice.csv").read_bytes()
        await pilot.press("u")   # would undo the shell's exclude: refused, and it says so
        await wait_for(pilot, lambda: any("not undone" in str(n.message)
                                          for n in app._notifications))
        assert (review_dir / "coding" / "alice.csv").read_bytes() == before
        await pilot.press("u")   # nothing of this screen's own is left: it says so too
        await wait_for(pilot, lambda: any("Nothing to undo" in str(n.message)
                                          for n in app._notifications))
        assert (review_dir / "coding" / "alice.csv").read_bytes() == before
        assert app.screen.session.decision(STUDY.format(1)) == "exclude"
