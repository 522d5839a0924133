"""A quote is evidence for a code the coder applies: saving one ticks the code.

Session 6 found quotes saved (with `e`) for codes the coder never ticked, which
then appeared in evidence.csv under those codes while the coded dataset said
the study did not have them. Now a quote or passage saved for an unticked code
ticks it in the same save (one undo takes both back); in a single-select
dimension where another code is ticked it is refused, nothing saved. Quotes
already in a sheet for an unticked code (older sheets, a code unticked after
its quote, a hand edit) are never dropped: evidence.csv keeps them and says so
in its `code_ticked` column.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from workbench.core.coding import evidence_changes
from workbench.core.events import Change, DecisionRefused
from workbench.review import Review
from workbench.review.coding import open_coding_session
from workbench.review.evidence import add_passage, passages
from workbench.review.fulltext import link_file, open_fulltext
from workbench.store.reviewer_sheet import Sheet
from workbench.store.sheet import read_sheet, sheet_path

from .coding_fixture import S, build_review

TEXT = "Title line\n\nThe campaign reached 2 million people on Twitter.\nPolicy changed in 2019.\n"


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    return build_review(tmp_path_factory.mktemp("ticks") / "review")


@pytest.fixture
def review(_template, tmp_path):
    shutil.copytree(_template, tmp_path / "review")
    return Review.open(tmp_path / "review")


def _single_select(review: Review, dimension: str = "policy_results") -> None:
    path = review.root / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(f"  - id: {dimension}\n")
    path.write_text(head + f"  - id: {dimension}\n" + rest.replace("select: multi",
                                                                      "select: single", 1),
                    encoding="utf-8")


def test_a_quote_for_an_unticked_code_ticks_it_in_the_same_save(review):
    session = open_coding_session(review, "alice")
    assert "twitter" not in session.coding(S(1)).codes.get("platforms", ())
    session.set_evidence(S(1), "twitter", "reached 2 million people on Twitter", "4")
    coding = session.coding(S(1))
    assert coding.codes["platforms"] == ("twitter",)
    assert coding.evidence["twitter"] == ("reached 2 million people on Twitter", "4")
    events = read_sheet(sheet_path(review.coding, "alice")).events
    assert [e.field for e in events if e.study_id == S(1)][-3:] == \
        ["code:platforms", "quote:twitter", "page:twitter"]
    session.undo()                                   # one undo: the quote and the tick
    coding = session.coding(S(1))
    assert "twitter" not in coding.codes.get("platforms", ())
    assert coding.evidence.get("twitter", ("", "")) == ("", "")


def test_a_quote_for_a_ticked_code_adds_no_code_event(review):
    session = open_coding_session(review, "alice")
    session.toggle_code(S(1), "platforms", "facebook")
    before = len(read_sheet(sheet_path(review.coding, "alice")).events)
    session.set_evidence(S(1), "facebook", "a Facebook page", "")
    after = read_sheet(sheet_path(review.coding, "alice")).events[before:]
    assert [e.field for e in after] == ["quote:facebook", "page:facebook"]
    assert session.coding(S(1)).codes["platforms"] == ("facebook",)


def test_other_codes_of_a_multi_select_dimension_stay_ticked(review):
    session = open_coding_session(review, "alice")
    session.toggle_code(S(1), "platforms", "facebook")
    session.set_evidence(S(1), "twitter", "on Twitter", "")
    assert session.coding(S(1)).codes["platforms"] == ("twitter", "facebook")


def test_clearing_a_quote_ticks_nothing(review):
    session = open_coding_session(review, "alice")
    session.set_evidence(S(1), "twitter", "", "")
    assert "twitter" not in session.coding(S(1)).codes.get("platforms", ())


def test_single_select_with_another_code_ticked_is_refused_and_saves_nothing(review):
    _single_select(review)
    session = open_coding_session(review, "alice")
    session.toggle_code(S(1), "policy_results", "legislative_change")
    before = read_sheet(sheet_path(review.coding, "alice")).events
    with pytest.raises(DecisionRefused, match="takes one code.*legislative_change"):
        session.set_evidence(S(1), "policy_review", "a review was promised", "2")
    assert read_sheet(sheet_path(review.coding, "alice")).events == before
    session.set_evidence(S(1), "legislative_change", "the law changed", "3")   # the ticked one
    # with nothing ticked, a single-select dimension gets the quoted code
    session.set_evidence(S(3), "policy_review", "a review was promised", "2")
    assert session.coding(S(3)).codes["policy_results"] == ("policy_review",)


def test_a_full_text_passage_ticks_its_code_and_a_field_passage_ticks_nothing(review, tmp_path):
    paper = tmp_path / "paper.txt"
    paper.write_text(TEXT, encoding="utf-8")
    link_file(review, paper, S(1), "alice")
    session = open_coding_session(review, "alice")
    extraction = open_fulltext(review, S(1))
    start = TEXT.index("The campaign")
    add_passage(session, S(1), "code", "twitter", extraction, 1, start, start + 40)
    assert session.coding(S(1)).codes["platforms"] == ("twitter",)
    field = review.codebook().fields[0].id
    add_passage(session, S(1), "field", field, extraction, 1, start, start + 12)
    assert len(passages(session, S(1))) == 2
    assert session.coding(S(1)).values.get(field, "") == ""
    session.undo()
    session.undo()                                   # the passage and its tick together
    assert "twitter" not in session.coding(S(1)).codes.get("platforms", ())
    assert passages(session, S(1)) == []


def test_evidence_csv_marks_quotes_for_codes_the_coder_did_not_tick(review):
    """A quote written without a tick (an older sheet, through the sheet API) is exported,
    marked; an unticked code after its quote too; a ticked one says yes."""
    from workbench.review.exporting import write_exports

    from .coding_fixture import screen
    screen(review, "bob", "full_text", {S(6): "include"})      # the flow finished
    codebook = review.codebook()
    bob = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    # an older sheet: the quote's own fields only, as Sheet.set_evidence wrote them until s8
    bob.append("coding", S(1), evidence_changes(codebook, "coding", "instagram",
                                                "posted on Instagram", "7"))
    session = open_coding_session(review, "alice")
    session.set_evidence(S(1), "twitter", "on Twitter", "4")
    session.set_evidence(S(3), "facebook", "a Facebook page", "")
    session.toggle_code(S(3), "platforms", "facebook")          # unticked after its quote
    write_exports(review, charts=False)
    table = pd.read_csv(review.root / "exports" / "evidence.csv", dtype=str,
                        keep_default_na=False)
    got = {(r.study_id, r.coder, r.target, r.quote, r.code_ticked)
           for r in table.itertuples()}
    assert got == {(S(1), "bob", "instagram", "posted on Instagram", "no"),
                   (S(1), "alice", "twitter", "on Twitter", "yes"),
                   (S(3), "alice", "facebook", "a Facebook page", "no")}


# -- session 8: the sheet API follows the same rule; `check` warns about the old quotes -------
def _saved(review, name="alice"):
    return read_sheet(sheet_path(review.coding, name)).events


def test_the_sheet_api_ticks_the_code_in_the_same_save_as_the_app(review):
    """`Sheet.set_evidence` (the library call scripts use) writes what the app's save
    writes: the tick, the quote and the page in one append, one undo takes all back."""
    codebook = review.codebook()
    sheet = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    sheet.set_evidence(codebook, "coding", S(1), "twitter", "reached 2 million", "4")
    session = open_coding_session(review, "alice")
    session.set_evidence(S(1), "twitter", "reached 2 million", "4")
    bob = [(e.field, e.value) for e in _saved(review, "bob") if e.study_id == S(1)]
    alice = [(e.field, e.value) for e in _saved(review) if e.study_id == S(1)]
    assert bob[-3:] == alice[-3:] == [("code:platforms", "twitter"),
                                      ("quote:twitter", "reached 2 million"),
                                      ("page:twitter", "4")]
    assert len({e.time for e in _saved(review, "bob")[-3:]}) == 1     # one save
    sheet.undo()
    assert sheet.coding(codebook, "coding", S(1)).codes.get("platforms", ()) == ()
    assert sheet.coding(codebook, "coding", S(1)).evidence.get("twitter", ("", "")) == ("", "")


def test_the_sheet_api_refuses_a_quote_that_would_replace_a_single_select_code(review):
    _single_select(review)
    codebook = review.codebook()
    sheet = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    sheet.set_codes(codebook, "coding", S(1), "policy_results", ["legislative_change"])
    before = _saved(review, "bob")
    with pytest.raises(DecisionRefused, match="takes one code.*legislative_change.*nothing "
                                              "was saved"):
        sheet.set_evidence(codebook, "coding", S(1), "policy_review", "a review", "2")
    assert _saved(review, "bob") == before
    assert sheet.coding(codebook, "coding", S(1)).codes["policy_results"] == \
        ("legislative_change",)


def test_a_quote_keeps_a_retired_code_ticked_beside_it(review):
    """A code retired from the codebook after it was ticked stays as saved when a quote
    ticks another code of that (multi-select) dimension; before, the tick was refused."""
    codebook = review.codebook()
    from workbench.core.coding import code_field
    sheet = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    sheet.append("coding", S(1), [Change(code_field("platforms"), "myspace")])
    sheet.set_evidence(codebook, "coding", S(1), "twitter", "on Twitter", "")
    assert _saved(review, "bob")[-3].value == "twitter;myspace"


def _check(review):
    from click.testing import CliRunner

    from workbench.cli import cli
    return CliRunner().invoke(cli, ["--review", str(review.root), "check"])


def test_check_warns_about_each_quote_for_a_code_its_sheet_has_not_ticked(review):
    """An older sheet's quote, a code unticked after its quote, a hand-typed passage:
    `check` names the sheet, the line, the study and the code, and what to do; the
    files are fine, so it still says OK (exit 0)."""
    codebook = review.codebook()
    bob = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    bob.append("coding", S(1), evidence_changes(codebook, "coding", "instagram",
                                                "posted on Instagram", "7"))
    session = open_coding_session(review, "alice")
    session.set_evidence(S(3), "facebook", "a Facebook page", "")
    session.set_evidence(S(1), "twitter", "on Twitter", "")          # ticked: no warning
    session.toggle_code(S(3), "platforms", "facebook")               # unticked after its quote
    alice_quote, quote_line = (next(i for i, e in enumerate(_saved(review, name), start=2)
                                    if e.field == field)      # the header is line 1
                               for name, field in (("alice", "quote:facebook"),
                                                   ("bob", "quote:instagram")))
    result = _check(review)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    bob_path = sheet_path(review.coding, "bob")
    alice_path = sheet_path(review.coding, "alice")
    assert sorted(warnings) == sorted([
        f"warning: {alice_path}:{alice_quote}: study {S(3)}, stage coding: a quote is saved "
        f"for code 'facebook', which this sheet has not ticked for the study (an older sheet, "
        "the code unticked after the quote, a hand edit or a merge); the quote is kept and "
        "evidence.csv marks it code_ticked = no, while the coded dataset counts the code as "
        "not applied: tick the code in the app if the quote is evidence for it, or remove the "
        "quote",
        f"warning: {bob_path}:{quote_line}: study {S(1)}, stage coding: a quote is saved for "
        "code 'instagram', which this sheet has not ticked for the study (an older sheet, the "
        "code unticked after the quote, a hand edit or a merge); the quote is kept and "
        "evidence.csv marks it code_ticked = no, while the coded dataset counts the code as "
        "not applied: tick the code in the app if the quote is evidence for it, or remove the "
        "quote"])
    assert "OK: " in result.stdout and "2 warnings above" in result.stdout
    session.toggle_code(S(3), "platforms", "facebook")               # ticked again: one left
    bob.set_codes(codebook, "coding", S(1), "platforms", ["instagram"])
    result = _check(review)
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == []


def test_check_counts_a_passage_on_an_unticked_code_and_its_renamed_id(review):
    """A passage (seg:<id> = code:<code>) counts like a quote; a code ticked under its old
    id (renamed: in the codebook) is ticked."""
    codebook = review.codebook()
    bob = Sheet.open(sheet_path(review.coding, "bob"), "bob", codebook.version)
    bob.append("coding", S(2), [Change("seg:abc", "code:youtube"),
                                Change("seg:abc:quote", "a video")])
    bob.append("coding", S(4), [Change("seg:abd", "code:twitter"),
                                Change("seg:abd:quote", "a tweet")])
    bob.append("coding", S(4), [Change("code:platforms", "tweets")])
    path = review.root / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nrenamed: {}\n", "\nrenamed: {tweets: twitter}\n"),
                    encoding="utf-8")
    result = _check(Review.open(review.root))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and f"study {S(2)}" in warnings[0] and \
        "a passage is saved for code 'youtube'" in warnings[0], result.output
