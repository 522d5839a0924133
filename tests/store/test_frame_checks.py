"""`check` on a sheet's columns reports exactly what the per-event check reported."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.review.coding_fixture import S
from tests.review.test_consensus_scenario import build_scenario
from tests.review.test_decision_frames import scramble
from tests.store.test_sheet_frame import CASES
from workbench.core.checks import check_sheet_events
from workbench.review import Review
from workbench.store import sheet_checks
from workbench.store.sheet import Event, append_events, read_sheet
from workbench.store.sheet_reading import sheet_line


def per_event(codebook, folder, study_ids=None):
    """check_coding as it was: read_sheet, then the per-event checks."""
    problems = []
    for path in sheet_checks.sheet_files(folder):
        if path.stem != "consensus" and not sheet_checks.is_valid_reviewer(path.stem):
            problems.append(str(path))
            continue
        contents = read_sheet(path)
        problems += contents.problems
        problems += sheet_checks._future_times(str(path), contents.events, contents.lines)
        if study_ids is not None:
            problems += sheet_checks._unknown_studies(str(path), contents.events,
                                                      contents.lines, study_ids)
        reviewer = None if path.stem == "consensus" else path.stem
        problems += check_sheet_events(codebook, str(path), contents.events, contents.lines,
                                       reviewer)
    return [str(p) for p in problems]


@pytest.fixture(autouse=True)
def on_columns(monkeypatch):
    """Check even these small sheets on their columns."""
    monkeypatch.setattr(sheet_checks, "COLUMNS_FROM_BYTES", 0)


def columns(codebook, folder, study_ids=None):
    out = [str(p) for p in sheet_checks.check_coding(codebook, folder, study_ids)]
    return [p if "is not a valid reviewer name" not in p else p.split(":")[0] for p in out]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks") / "review"
    build_scenario(root)
    return root


@pytest.mark.parametrize("seed", range(5))
def test_check_on_columns_equals_the_per_event_check(template, tmp_path, seed):
    root = tmp_path / "review"
    shutil.copytree(template, root)
    scramble(root, seed + 10)
    rng = random.Random(seed)
    review = Review.open(root)
    version = review.codebook().version
    odd = [Event("", "mallory", S(1), "title_abstract", "decision", "include", "", version),
           Event("", "bob", "S-gone-1", "coding", "code:platforms", "telegraph", "", version),
           Event("", "bob", S(2), "no_such_stage", "decision", "include", "", version),
           Event("", "bob", S(3), "coding", "row:campaign:k9:hashtag_reach", "lots", "", version),
           Event("", "bob", S(3), "coding", "row:nogroup:k9", "1", "", version),
           Event("", "bob", S(3), "title_abstract", "criteria", "E1;X9", "", version),
           Event("", "bob", S(5), "coding", "field:nope", "1", "", version)]
    for event in rng.sample(odd, rng.randrange(2, len(odd))):
        append_events(root / "coding" / f"{rng.choice(['bob', 'alice', 'consensus'])}.csv",
                      [event])
    (root / "coding" / "not valid.csv").write_text("x\n")
    with open(root / "coding" / "alice.csv", "a", encoding="utf-8") as sheet:  # hand-edited
        for year in ("2999", "2998")[:1 + seed % 2]:
            sheet.write(sheet_line([f"{year}-01-01T00:00:00.000000Z", "alice", S(1),
                                    "title_abstract", "note", "late", "", version]))
    codebook = review.codebook()
    ids = {s.id for s in review.studies()}
    assert columns(codebook, root / "coding", ids) == per_event(codebook, root / "coding", ids)
    assert columns(codebook, root / "coding") == per_event(codebook, root / "coding")


@pytest.mark.parametrize("name,text", CASES)
def test_broken_sheets_are_reported_alike(template, tmp_path, name, text):
    folder = tmp_path / "coding"
    folder.mkdir()
    (folder / "alice.csv").write_text(text, encoding="utf-8", newline="")
    codebook = Review.open(template).codebook()
    assert columns(codebook, folder, {"S1"}) == per_event(codebook, folder, {"S1"})


def test_group_fields_with_names_of_one_length_are_each_checked(template, tmp_path):
    """'lots' is a fine policy_action but not a hashtag_reach (a number); both names have 13
    characters. The column check once numbered such row fields with numpy strings holding a
    NUL, which numpy compares only up to the NUL: the two fields shared one check and the
    bad number was not reported."""
    folder = tmp_path / "coding"
    folder.mkdir()
    codebook = Review.open(template).codebook()
    append_events(folder / "bob.csv", [
        Event("", "bob", S(3), "coding", "row:campaign:k9:policy_action", "lots", "", "v"),
        Event("", "bob", S(3), "coding", "row:campaign:k9:hashtag_reach", "lots", "", "v")])
    found = columns(codebook, folder)
    assert len(found) == 1 and "'hashtag_reach': 'lots' is not a number" in found[0]
    assert found == per_event(codebook, folder)


@pytest.mark.parametrize("seed", range(4))
def test_random_group_rows_are_checked_as_event_by_event(template, tmp_path, seed):
    rng = random.Random(seed)
    folder = tmp_path / "coding"
    folder.mkdir()
    codebook = Review.open(template).codebook()
    subs = ["name", "platform", "hashtag_reach", "engagement_rate", "policy_action", "nope",
            "platfrm", ""]
    values = ["lots", "5.2", "twitter", "", "twitter;facebook", "x", "1"]
    for sheet in ("bob", "consensus"):
        events = []
        for _ in range(80):
            sub = rng.choice(subs)
            name = f"row:{rng.choice(['campaign', 'campaign', 'nogroup'])}:k{rng.randrange(3)}" \
                + (f":{sub}" if sub else "")
            events.append(Event("", "lead" if sheet == "consensus" else "bob",
                                S(rng.randrange(1, 6)), "coding", name, rng.choice(values), "",
                                "v"))
        append_events(folder / f"{sheet}.csv", events)
    found = columns(codebook, folder)
    assert any("is not a number" in p for p in found)
    assert found == per_event(codebook, folder)
