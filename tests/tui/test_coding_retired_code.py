"""A code retired from the codebook after a coder ticked it: shown, kept, and the dimension still codes.

w7 walkthrough: the team removed "burden" from codebook.yaml; alice's study that
had only "burden" showed an empty dimension, and ticking any other code there
failed with "The code was NOT saved: dimension 'themes': code 'burden' is not
one of its codes", so the dimension could no longer be coded in the app.
"""

from __future__ import annotations

from workbench.core.events import SheetState
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.screens.coding import CodingScreen

from ..review.coding_fixture import S, build_review
from .conftest import wait_for

INSTAGRAM = '      - id: instagram\n        label: Instagram\n        examples: ["#ClimateActionPK"]\n'


def latest_codes(root):
    state = SheetState(read_sheet(root / "coding" / "carol.csv").events)
    return state.fields("coding", S(1))["code:platforms"].value


async def test_a_retired_code_is_shown_and_kept_when_another_code_is_ticked(tmp_path):
    root = build_review(tmp_path / "review")
    open_coding_session(Review.open(root), "carol").set_codes(S(1), "platforms", ["instagram"])
    path = root / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    assert INSTAGRAM in text
    path.write_text(text.replace(INSTAGRAM, ""), encoding="utf-8")

    app = make_app(root, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                       and app.screen.session is not None)
        screen = app.screen
        assert screen.source.id == S(1) and screen.section == 0
        assert "not in the codebook: instagram" in str(screen.query_one("#panel-body").render())
        await pilot.press("1")                     # tick twitter
        await wait_for(pilot, lambda: latest_codes(root) == "twitter;instagram")
        await pilot.pause(0.2)
        assert app.screen is screen                # no "NOT saved" dialog
        panel = str(screen.query_one("#panel-body").render())
        assert "[x] Twitter/X" in panel and "not in the codebook: instagram" in panel
        await pilot.press("1")                     # untick twitter: instagram stays
        await wait_for(pilot, lambda: latest_codes(root) == "instagram")
