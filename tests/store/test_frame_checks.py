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
