"""`e` on a code not ticked: the dialog says a quote ticks it, and saving ticks it.

Session 6's walkthrough saved quotes with `e` for a code alice never ticked;
they showed in evidence.csv under that code while the coded dataset did not
have it. Unticking a quoted code keeps the quote and says so.
"""

from __future__ import annotations

from textual.widgets import Static

from workbench.tui.app import make_app
from workbench.tui.coding_modals import EvidenceModal

from ..review.coding_fixture import S
from .conftest import wait_for
from .test_coding import _coding_template, back_to_coding, coding_dir, modal, ready, rows  # noqa: F401


async def test_a_quote_for_an_unticked_code_ticks_it_and_says_so(coding_dir):  # noqa: F811
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("j")                  # the cursor on Facebook, not ticked
        assert screen.session.coding(S(1)).codes.get("platforms", ()) == ()
        await pilot.press("e")
        dialog = await modal(app, pilot, EvidenceModal)
        note = str(dialog.query_one("#evidence-note", Static).render())
        assert "saving a quote ticks this code" in note
        dialog.query_one("#quote").value = "campaign pages on Facebook"
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-3:] == [(S(1), "code:platforms", "facebook", ""),
                                         (S(1), "quote:facebook", "campaign pages on Facebook",
                                          ""),
                                         (S(1), "page:facebook", "", "")]
        assert any("Facebook ticked" in str(n.message) for n in app._notifications)
        # unticking keeps the quote, and says so
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.session.coding(S(1)).codes.get("platforms", ())
                       == ())
        assert any("quote stays in your sheet" in str(n.message) for n in app._notifications)
        assert screen.session.coding(S(1)).evidence["facebook"][0] == \
            "campaign pages on Facebook"
        # e on a ticked code: no note in the dialog
        await pilot.press("enter")
        await pilot.press("e")
        dialog = await modal(app, pilot, EvidenceModal)
        assert not dialog.query("#evidence-note")
        await pilot.press("escape")
        await back_to_coding(app, pilot)


async def test_single_select_with_another_code_ticked_opens_no_dialog(coding_dir):  # noqa: F811
    path = coding_dir / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("  - id: platforms\n")
    path.write_text(head + "  - id: platforms\n" + rest.replace("select: multi", "select: single",
                                                                1), encoding="utf-8")
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("1")                  # Twitter/X ticked
        await pilot.press("j", "e")             # Facebook: a quote would replace Twitter/X
        await pilot.pause()
        assert screen is app.screen and not isinstance(app.screen, EvidenceModal)
        assert any("takes one code and twitter is ticked" in str(n.message)
                   for n in app._notifications)
        assert [r[1] for r in rows(coding_dir)] == ["code:platforms"]
