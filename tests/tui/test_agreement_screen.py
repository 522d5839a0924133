"""AgreementScreen: stages, a bar per variable (most disagreeing first), a jump to its conflicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import wait_for
from tests.tui.test_resolve import build_conflicts
from workbench.tui.app import make_app
from workbench.tui.screens.agreement import AgreementScreen, bar
from workbench.tui.screens.home import HomeScreen
from workbench.tui.screens.resolve import ResolveScreen


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("agreement-screen") / "review"
    build_conflicts(root)
    return root


@pytest.fixture
def review_dir(_template, tmp_path) -> Path:
    shutil.copytree(_template, tmp_path / "review")
    return tmp_path / "review"


def test_bar_shows_the_share():
    assert bar(0.5, width=4) == "██░░  50%"
    assert bar(0.0, width=4) == "░░░░   0%"


async def agreement_ready(app, pilot) -> AgreementScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, AgreementScreen)
                   and app.screen.reports is not None, timeout=30)
    return app.screen


async def test_home_counts_conflicts_and_a_opens_the_agreement_screen(review_dir):
    app = make_app(review_dir, reviewer="carol")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen)
                       and "Conflicts to resolve" in str(
                           app.screen.query_one("#home-waiting").render()))
        assert "Conflicts to resolve: 2" in str(app.screen.query_one("#home-waiting").render())
        await pilot.press("a")
        screen = await agreement_ready(app, pilot)
        title = str(screen.query_one("#screen-title").render())
        assert "Title/abstract (1/3)" in title and "alice, bob" in title
        # decision: 2 of 3 studies disagree; criterion E1: 1 of 3; E2: 2 of 3 (alice E1 vs bob E2,
        # and bob's E2 on study 1 where alice included)
        rows = [(d.variable, d.disagree, d.units) for d in screen.rows]
        assert rows[0] == ("decision", 2, 3)
        assert not any(r[0] == "criterion:I1" for r in rows)  # inclusion criteria: none recorded
        table = screen.query_one("#agreement-table", DataTable)
        assert table.row_count == len(rows)
        first = [str(c) for c in table.get_row_at(0)]
        assert first[1].startswith("███░") and first[2] == "2/3" and first[4] == "2"  # 80 columns
        detail = str(screen.query_one("#agreement-detail").render())
        assert "kappa" in detail and "1000 resamples, seed 20260701" in detail
        await pilot.press("right_square_bracket")
        assert "Full text (2/3)" in str(screen.query_one("#screen-title").render())
        assert screen.rows == []
        await pilot.press("left_square_bracket")
        assert screen.rows[0].variable == "decision"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_enter_on_a_variable_opens_its_conflicts_and_counts_update(review_dir):
    app = make_app(review_dir, reviewer="carol", start="agreement")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await agreement_ready(app, pilot)
        table = screen.query_one("#agreement-table", DataTable)
        table.focus()
        names = [d.variable for d in screen.rows]
        table.move_cursor(row=names.index("criterion:E1"))
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveScreen)
                       and app.screen.conflicts is not None)
        resolve = app.screen
        assert resolve.variable == "criterion:E1"
        # study 2: alice excluded with E1, bob included (no criteria): the E1 disagreement
        # is that study's decision conflict
        ids = [s.id for s in resolve.review.studies()]
        assert [(c.study_id, c.field) for c in resolve.conflicts] == [(ids[1], "decision")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        table.move_cursor(row=names.index("decision"))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolveScreen)
                       and app.screen.conflicts is not None)
        resolve = app.screen
        assert [c.field for c in resolve.conflicts] == ["decision", "decision"]
        await pilot.press("1")
        await wait_for(pilot, lambda: app.screen is not resolve)
        from textual.widgets import Input
        reason = app.screen.query_one("#resolve-reason", Input)
        reason.value = "agreed in meeting"
        reason.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is resolve and len(resolve.conflicts) == 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
        row = [str(c) for c in table.get_row_at(names.index("decision"))]
        assert row[4] == "1"  # one decision conflict still open



def test_units_used_says_when_units_were_left_out():
    from workbench.core.agreement.measures import StatResult
    from workbench.tui.screens.agreement import units_used
    fleiss = StatResult("fleiss_kappa", -0.111, None, None, n_units=5, n_coders=3, label="poor",
                        note="22 unit(s) not rated by every coder left out")
    assert units_used(fleiss, 27) == "units 5 of 27"
    assert units_used(StatResult("cohen_kappa", 0.4, None, None, 27, 2, "fair"), 27) == "units 27"
    assert units_used(None, 27) == "units 27"


async def test_methods_sentence_q_and_per_category_agreement_are_shown(review_dir):
    app = make_app(review_dir, reviewer="carol")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("a")
        screen = await agreement_ready(app, pilot)
        methods = str(screen.query_one("#agreement-methods").render())
        assert "Methods: Two reviewers screened 3 records independently; agreement was" in \
            " ".join(methods.split())
        assert methods.replace("\n", " ").count("Cohen's kappa") == 1
        detail = " ".join(str(screen.query_one("#agreement-detail").render()).split())
        assert "decision:" in detail and "AC1 q=3" in detail and "PABAK q=3" in detail
        assert "agreement per category: include" in detail


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_column_and_whole_statistic_fit_the_width(review_dir, size):
    app = make_app(review_dir, reviewer="carol", start="agreement")
    async with app.run_test(size=size) as pilot:
        screen = await agreement_ready(app, pilot)
        await pilot.pause()
        table = screen.query_one("#agreement-table", DataTable)
        widths = [c.get_render_width(table) for c in table.columns.values()]
        assert len(widths) == 5
        # the longest statistic any variable can show, with the longest name the table keeps
        others = sum(widths) - widths[3] - widths[0]
        name = max(len(str(table.get_row_at(r)[0])) for r in range(table.row_count))
        # (the headline is kappa, Fleiss kappa or alpha: see agreement.headline)
        longest = len("Fleiss κ 0.812 almost perfect") + 2 * table.cell_padding
        keeps = 20 if size[0] < 100 else 28
        assert others + keeps + 2 * table.cell_padding + longest <= size[0] - 2, widths
        assert name <= keeps



def test_a_long_variable_name_is_cut_with_an_ellipsis_and_shown_whole_below():
    from workbench.tui.screens.agreement import table_name
    whole = table_name("code:barriers:digital_divide", "Digital divide and access")
    assert whole == "code:barriers:digital_divide (Digital divide and access)"
    assert table_name("code:barriers:digital_divide", "Digital divide and access", 20) \
        == "code:barriers:digit…"
    assert table_name("criterion:E1", "E1", 20) == "criterion:E1"
