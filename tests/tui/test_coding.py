"""Coding by keys: codes, fields of every type, groups, memos, evidence, flags; all on disk at once."""

from __future__ import annotations

import pytest

from textual.widgets import Input, Static

from workbench.review.coding import open_coding_session
from workbench.store.sheet import read_sheet
from workbench.tui.app import make_app
from workbench.tui.coding_modals import (ChoiceModal, EvidenceModal, InfoModal, RowModal,
                                         TextModal, ValueModal)
from workbench.tui.screens.coding import CodingScreen

from ..review.coding_fixture import EXTRA_FIELDS, S, build_review, copy_review
from .conftest import shown_text, wait_for


@pytest.fixture(scope="session")
def _coding_template(tmp_path_factory):
    return build_review(tmp_path_factory.mktemp("coding-tui") / "review", EXTRA_FIELDS)


@pytest.fixture
def coding_dir(_coding_template, tmp_path):
    return copy_review(_coding_template, tmp_path / "review")


def rows(review_dir, name="carol"):
    """Carol's coding events as (study, field, value, note), in file order."""
    return [(e.study_id, e.field, e.value, e.note)
            for e in read_sheet(review_dir / "coding" / f"{name}.csv").events
            if e.stage == "coding"]


async def ready(app, pilot):
    await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen)
                   and app.screen.session is not None)
    return app.screen


async def modal(app, pilot, kind):
    await wait_for(pilot, lambda: isinstance(app.screen, kind))
    return app.screen


async def back_to_coding(app, pilot):
    await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen))


async def goto_section(app, pilot, label):
    screen = app.screen
    for _ in range(len(screen.sections)):
        if screen.sections[screen.section].label == label:
            return
        await pilot.press("tab")
    raise AssertionError(f"no section {label}")


async def test_multi_select_codes_by_keys(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        assert screen.source.id == S(1)
        await pilot.press("1")  # Twitter/X
        assert rows(coding_dir) == [(S(1), "code:platforms", "twitter", "")]
        await pilot.press("j", "j", "j", "space")  # cursor 0 -> 3: WhatsApp
        assert rows(coding_dir)[-1] == (S(1), "code:platforms", "twitter;whatsapp", "")
        await pilot.press("1")  # untoggle Twitter/X
        assert rows(coding_dir)[-1] == (S(1), "code:platforms", "whatsapp", "")
        await pilot.press("tab", "3", "j", "space")  # nested: gender rights + workplace
        assert rows(coding_dir)[-2:] == [
            (S(1), "code:activism_types", "gender_rights", ""),
            (S(1), "code:activism_types", "gender_rights;workplace_harassment", "")]
        panel = str(screen.query_one("#panel-body").render())
        assert "[x] Workplace harassment" in panel


async def test_every_field_type_and_invalid_input_refused(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await goto_section(app, pilot, "Extraction fields")
        fields = [f.id for f in screen.session.codebook.fields]
        # choice: source type
        await pilot.press(str(fields.index("source_type") + 1))
        dialog = await modal(app, pilot, ChoiceModal)
        await pilot.press("2", "enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), "field:source_type", "government_report", "")
        # boolean
        await pilot.press(str(fields.index("youth_focus") + 1))
        await modal(app, pilot, ChoiceModal)
        await pilot.press("2", "enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), "field:youth_focus", "false", "")
        # integer: "abc" refused with a message, nothing saved; then a range error; then fine
        saved = (coding_dir / "coding" / "carol.csv").read_bytes()
        await pilot.press(str(fields.index("sample_size") + 1))
        dialog = await modal(app, pilot, ValueModal)
        await pilot.press("a", "b", "c")
        message = str(dialog.query_one("#value-error").render())
        assert "'abc' is not a whole number" in message
        await pilot.press("enter")
        assert isinstance(app.screen, ValueModal)
        dialog.query_one("#value").value = "0"
        await pilot.press("enter")
        assert "below the minimum 1" in str(dialog.query_one("#value-error").render())
        assert (coding_dir / "coding" / "carol.csv").read_bytes() == saved
        dialog.query_one("#value").value = "250"
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), "field:sample_size", "250", "")
        # date, text, long text
        for field, typed, stored in (("published", "2021-02-30", None),
                                     ("published", "2021-02", "2021-02"),
                                     ("country", "Pakistan", "Pakistan"),
                                     ("key_finding", "Hashtags moved the labour law",
                                      "Hashtags moved the labour law")):
            await pilot.press(str(fields.index(field) + 1))
            dialog = await modal(app, pilot, ValueModal)
            dialog.query_one("#value").value = typed
            await pilot.press("enter")
            if stored is None:
                assert "is not a date" in str(dialog.query_one("#value-error").render())
                await pilot.press("escape")
                await back_to_coding(app, pilot)
                assert rows(coding_dir)[-1][1] != "field:published"
            else:
                await back_to_coding(app, pilot)
                assert rows(coding_dir)[-1] == (S(1), f"field:{field}", stored, "")
        # empty = NA, never 0
        await pilot.press(str(fields.index("sample_size") + 1))
        dialog = await modal(app, pilot, ValueModal)
        dialog.query_one("#value").value = ""
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), "field:sample_size", "", "")
        assert "Sample size: NA" in str(screen.query_one("#panel-body").render())


async def test_repeat_group_add_edit_remove(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await goto_section(app, pilot, "Campaign")
        values = [("#MeTooPakistan", "twitter", "", "4.5", "Labour law revision"),
                  ("#ClimateActionPK", "facebook;instagram", "1.2", "", ""),
                  ("#HarassmentFreeStreets", "Twitter/X;whatsapp", "", "", "")]
        for row in values:
            await pilot.press("a")
            dialog = await modal(app, pilot, RowModal)
            for fld, value in zip(("name", "platform", "hashtag_reach", "engagement_rate",
                                   "policy_action"), row):
                dialog.query_one(f"#row-{fld}").value = value
            await pilot.press("enter")
            await back_to_coding(app, pilot)
        coding = screen.session.coding(S(1))
        assert [r.values["name"] for r in coding.rows["campaign"]] == [v[0] for v in values]
        assert coding.rows["campaign"][2].values["platform"] == "twitter;whatsapp"
        assert coding.rows["campaign"][0].values["hashtag_reach"] == ""  # NA
        first_id = coding.rows["campaign"][0].row_id
        # an engagement rate of 120 % is refused; the dialog stays and nothing is saved
        saved = (coding_dir / "coding" / "carol.csv").read_bytes()
        await pilot.press("1")
        dialog = await modal(app, pilot, RowModal)
        dialog.query_one("#row-engagement_rate").value = "120"
        await pilot.press("enter")
        assert "above the maximum 100" in str(dialog.query_one("#row-error").render())
        assert (coding_dir / "coding" / "carol.csv").read_bytes() == saved
        dialog.query_one("#row-engagement_rate").value = "5"
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), f"row:campaign:{first_id}:engagement_rate",
                                        "5", "")
        # remove the second row
        second_id = coding.rows["campaign"][1].row_id
        await pilot.press("j", "x")
        assert rows(coding_dir)[-1] == (S(1), f"row:campaign:{second_id}", "", "")
        names = [r.values["name"] for r in screen.session.coding(S(1)).rows["campaign"]]
        assert names == ["#MeTooPakistan", "#HarassmentFreeStreets"]
        assert "2 rows" in str(screen.query_one("#panel-body").render())


async def test_memo_evidence_flag_describe_copy_and_filter(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("1", "2")  # twitter, facebook
        await pilot.press("m")
        dialog = await modal(app, pilot, TextModal)
        dialog.query_one("#text").value = "Twitter dominated"
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), "memo:platforms", "Twitter dominated", "")
        await pilot.press("e")  # cursor is on Facebook (item 2)
        dialog = await modal(app, pilot, EvidenceModal)
        dialog.query_one("#quote").value = "campaign pages on Facebook"
        dialog.query_one("#page").value = "7"
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-2:] == [(S(1), "quote:facebook", "campaign pages on Facebook", ""),
                                         (S(1), "page:facebook", "7", "")]
        await pilot.press("j", "j", "d")  # WhatsApp's description on demand
        info = await modal(app, pilot, InfoModal)
        text = " ".join(str(w.render()) for w in info.query("Static"))
        assert "Messaging groups" in text and "#HarassmentFreeStreets" in text
        await pilot.press("escape")
        await back_to_coding(app, pilot)
        await pilot.press("f")
        dialog = await modal(app, pilot, TextModal)
        dialog.query_one("#text").value = "is this grey literature?"
        await pilot.press("enter")
        await back_to_coding(app, pilot)
        assert rows(coding_dir)[-1] == (S(1), "flag", "1", "is this grey literature?")
        assert "FLAGGED" in str(screen.query_one("#coding-status").render())
        # next study, copy the previous study's codes
        await pilot.press("n")
        assert screen.source.id == S(3)
        await pilot.press("p")
        assert rows(coding_dir)[-1] == (S(3), "code:platforms", "twitter;facebook", "")
        # view: uncoded -> only S(5); flagged -> S(1)
        await pilot.press("v")
        assert screen.which == "uncoded" and screen.source.id == S(5)
        await pilot.press("v", "v")
        assert screen.which == "flagged" and screen.source.id == S(1)


async def test_resume_after_reopen_and_home_key(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("n", "n", "2")
        assert rows(coding_dir) == [(S(5), "code:platforms", "facebook", "")]
    app = make_app(coding_dir, reviewer="carol")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HomeScreen")
        await pilot.press("c")
        screen = await ready(app, pilot)
        assert screen.source.id == S(5)
        assert "[x] Facebook" in str(screen.query_one("#panel-body").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HomeScreen")


async def test_nothing_included_says_what_to_do(tmp_path):
    from workbench.review import Review
    root = tmp_path / "empty"
    for name in ("references", "coding", "exports"):
        (root / name).mkdir(parents=True)
    (root / "codebook.yaml").write_text(
        (copy_review.__globals__["REPO"] / "codebook.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    Review.open(root).import_references([copy_review.__globals__["DATA"] / "search.ris"])
    app = make_app(root, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        assert screen.source is None
        await pilot.press("space", "a", "1")
        assert not (root / "coding" / "carol.csv").exists()


async def test_row_dialog_fits_80x24_and_shows_each_problem_under_its_field(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await goto_section(app, pilot, "Campaign")
        await pilot.press("a")
        dialog = await modal(app, pilot, RowModal)
        await pilot.press("tab", *"facebok")  # into "Platform used", typed with a typo
        await pilot.pause()
        assert dialog.query_one("#row-platform", Input).value == "facebok"
        assert dialog.query_one("#row-name", Input).value == ""
        error = dialog.query_one("#err-platform", Static)
        assert "'facebok' is not one of" in str(error.render())
        body = dialog.query_one("#row-body")
        assert error.region.y > dialog.query_one("#row-platform").region.y  # right under it
        assert body.region.contains_region(error.region)  # on screen, inside the dialog
        screen_region = app.screen.region
        assert screen_region.contains_region(dialog.query_one(".dialog").region)
        # the last field is reachable by Tab and scrolled into view; its problem shows too
        await pilot.press("backspace", "backspace", *"ook", "tab", "tab", *"abc")
        await pilot.pause()
        assert str(dialog.query_one("#err-platform", Static).render()) == ""
        rate = dialog.query_one("#err-engagement_rate", Static)
        assert "'abc' is not a number" in str(rate.render())
        assert body.region.contains_region(rate.region)
        await pilot.press("tab")
        await pilot.pause()
        policy = dialog.query_one("#row-policy_action", Input)
        assert policy.has_focus and body.region.contains_region(policy.region)
        await pilot.press("enter")  # refused: required name, bad rate
        summary = str(dialog.query_one("#row-error", Static).render())
        assert "2 fields to fix: Campaign name, Average engagement rate" in summary
        assert dialog.query_one("#row-name", Input).has_focus
        assert rows(coding_dir) == []


async def test_a_study_missing_a_required_field_is_not_counted_as_coded(coding_dir):
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("1")  # a code, but "Source type" (required) is still NA
        status = str(screen.query_one("#coding-status").render())
        assert "coded 0/3 (1 required missing)" in status
        assert "missing here: Source type" in status
        await goto_section(app, pilot, "Extraction fields")
        field_number = [f.id for f in screen.session.codebook.fields].index("source_type") + 1
        await pilot.press(str(field_number))
        await modal(app, pilot, ChoiceModal)
        await pilot.press("1", "enter")
        await back_to_coding(app, pilot)
        status = str(screen.query_one("#coding-status").render())
        assert "coded 1/3 · flagged 0" in status and "required" not in status


async def test_help_lists_every_coding_key_also_those_for_other_sections(coding_dir):
    from workbench.tui.screens.help import HelpScreen
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await goto_section(app, pilot, "Campaign")
        await pilot.press("question_mark")
        help_screen = await modal(app, pilot, HelpScreen)
        does = {row[2]: row[1] for row in help_screen.rows}
        assert does["coding.memo"] == "Memo (not now)"
        assert does["coding.evidence"] == "Evidence (not now)"
        assert does["coding.add_row"] == "Add row"
        assert [row[0] for row in help_screen.rows].count("?") == 1


async def test_home_shows_coding_progress_and_stage_rows_on_one_line_at_80(coding_dir):
    from workbench.review import Review
    from workbench.tui.screens.home import HomeScreen
    review = Review.open(coding_dir)
    session = open_coding_session(review, "carol")
    session.toggle_code(S(1), "platforms", "twitter")     # coded, but Source type missing
    session.set_flag(session.studies[1].id, True, "unsure")
    app = make_app(coding_dir, reviewer="carol")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.coding)
        [(label, counts)] = app.screen.coding
        assert (counts.total, counts.coded, counts.incomplete, counts.flagged) == (3, 0, 1, 1)
        screening = shown_text(app.screen.query_one("#home-progress").content, width=76)
        assert "Title and abstract  " in screening and "screening" not in screening.lower()[10:]
        coding = shown_text(app.screen.query_one("#home-coding").content, width=76)
        row = next(line for line in coding.splitlines() if label[:20] in line)
        assert row.split()[-4:] == ["0/3", "1", "1", "3"]


async def test_coding_screen_reads_what_a_cli_appended_to_the_own_sheet(coding_dir):
    """A value saved by another process as the same coder shows, on the same study."""
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("n")                       # the second study
        await wait_for(pilot, lambda: screen.source.id == S(3))
        other = open_coding_session(type(screen.review).open(coding_dir), "carol")
        other.set_field(S(3), "country", "Pakistan")   # e.g. a script run in a shell
        await wait_for(pilot, lambda: screen.session.coding(S(3)).values.get("country")
                       == "Pakistan", timeout=20)
        assert screen.source.id == S(3)


async def test_y_and_n_answer_a_yes_no_field_in_a_burst(coding_dir):
    """Fix check in tmux: `y` was ignored in the yes/no dialog and the Enter after it saved NA."""
    from .conftest import burst
    app = make_app(coding_dir, reviewer="carol", start="coding")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await goto_section(app, pilot, "Extraction fields")
        key = str([f.id for f in screen.session.codebook.fields].index("youth_focus") + 1)
        burst(app, f"{key} y enter")
        await wait_for(pilot, lambda: rows(coding_dir)
                       and rows(coding_dir)[-1] == (S(1), "field:youth_focus", "true", ""))
        burst(app, f"{key} n enter")
        await wait_for(pilot, lambda: rows(coding_dir)[-1] == (S(1), "field:youth_focus",
                                                               "false", ""))
