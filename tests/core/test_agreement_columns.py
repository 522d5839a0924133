"""The agreement report on columns (core/agreement/columns.py) equals the per-event path.

The per-event path (`review.agreement.stage_variables`: SheetStates, then each
study's cell) is the oracle. Random reviews: the issue #11 scenario (group
rows, a fuzzy-matched row, merged studies) with fields of every type and a
single-select dimension, plus random events on alice's, bob's, carol's and
the consensus sheet at random clock times (so events fall before and after
the consensus), under three codebook versions (ties included), with bulk
notes, blanks, spaces, numbers written two ways and group rows added,
changed and removed. Compared: every Variable (name, level, categories,
matrix cell by cell, integer codes), the full-precision statistics with
their bootstrap CIs, the unmatched rows, the blind selection's counts and
the methods sentences.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.review.coding_fixture import S
from tests.review.test_consensus_scenario import build_scenario
from workbench.core.agreement.audit import stage_coders, variable_results
from workbench.core.agreement.columns import (blind_columns, coding_variables_columns,
                                              group_units_columns, screening_variables_columns)
from workbench.core.codebook import CODING, EXCLUDE
from workbench.core.events import CONSENSUS
from workbench.review import Review
from workbench.review import agreement as agreement_module
from workbench.review.agreement import (StageAgreement, agreement_csv, agreement_report,
                                        group_units, methods_text, sheet_frames)
from workbench.review.all_sheets import audit_stages, read_sheets
from workbench.store.sheet import Event, append_events

TA, FT = "title_abstract", "full_text"
REPO = Path(__file__).resolve().parents[2]
MORE_FIELDS = """  - id: sample_size
    label: Sample size
    type: integer
    min: 1
  - id: effect
    label: Effect
    type: number
  - id: risk
    label: Risk of bias
    type: choice
    ordered: true
    choices:
      - {id: low, label: Low}
      - {id: some, label: Some concerns}
      - {id: high, label: High}
  - id: methods_used
    label: Methods
    type: multi_choice
    choices:
      - {id: survey, label: Survey}
      - {id: interviews, label: Interviews}
  - id: published
    label: Publication date
    type: date
  - id: country
    label: Country
    type: text
"""
CHOICES = {
    "decision": ["include", "exclude", "maybe", "", " include", "not_retrieved"],
    "criteria": ["E1", "E2", "E1;E2", "E2;E1", "", "E3", " E1 ", "X9"],
    "code:platforms": ["twitter", "facebook;twitter", "twitter;facebook", "", "whatsapp",
                       "retired_code"],
    "code:activism_types": ["", "social_justice", "gender_rights"],
    "code:campaign_kpis": ["reach", "", "engagement", "reach;engagement"],
    "field:source_type": ["peer_reviewed", "ngo_case_study", "", "other_kind"],
    "field:youth_focus": ["true", "false", "", "maybe"],
    "field:software": ["R", "R ", "", "Stata"],
    "field:validated": ["true", "false", ""],
    "field:sample_size": ["12", "12.0", "30", "", " 7"],
    "field:effect": ["-1.5", "2", "2.00", ""],
    "field:risk": ["low", "some", "high", "", "unclear"],
    "field:methods_used": ["survey", "interviews;survey", "survey;interviews", ""],
    "field:published": ["2020", "2020-05", ""],
    "field:country": ["PK", "pk", " PK", ""],
    "field:key_finding": ["long text", ""],
    "memo:platforms": ["see p. 3", ""],
    "note": ["", "a note, with a comma"],
    "flag": ["1", ""],
    "row:campaign:k1": ["1", "1", ""], "row:campaign:k1:name": ["#A", "#B", "", "A"],
    "row:campaign:k1:hashtag_reach": ["5.2", "5.20", ""],
    "row:campaign:k1:platform": ["twitter", "facebook;twitter", ""],
    "row:campaign:k2": ["1"], "row:campaign:k2:name": ["#A", "#C", "#Cc"],
    "row:campaign:k2:policy_action": ["law", "Law", ""],
    "row:campaign:k3": ["1", ""], "row:campaign:k3:engagement_rate": ["3", "3.0", "4"],
}
SCREENING = ["decision", "criteria", "note"]
CODING_FIELDS = [f for f in CHOICES if f not in ("decision", "criteria")]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("agreement_columns") / "review"
    import tests.review.test_consensus_scenario as scenario
    original = scenario.EXTRA
    scenario.EXTRA = original + MORE_FIELDS
    try:
        build_scenario(root)
    finally:
        scenario.EXTRA = original
    return root


def scramble(root, seed: int) -> None:
    """Append random events to the sheets, at random clock times, under three versions."""
    rng = random.Random(seed)
    path = root / "codebook.yaml"
    if seed % 2:  # a single-select dimension (the codebook's version changes too)
        text = path.read_text(encoding="utf-8")
        head, tail = text.split("  - id: campaign_kpis", 1)
        path.write_text(head + "  - id: campaign_kpis" + tail.replace("select: multi",
                                                                        "select: single", 1),
                        encoding="utf-8")
    review = Review.open(root)
    studies = [s.id for s in review.studies()] + [S(6), S(2)]  # S(6) was merged into S(4)
    versions = [review.codebook().version, "0ld0ld0ld0ld", "c0ffee000000"]
    start = datetime(2031, 1, 1, tzinfo=timezone.utc)
    for _ in range(rng.randrange(60, 160)):
        sheet = rng.choice(["alice", "bob", "carol", "alice", "bob", CONSENSUS])
        stage = rng.choice([TA, FT, CODING, CODING])
        study = rng.choice(studies)
        names = rng.sample(SCREENING if stage != CODING else CODING_FIELDS, rng.randrange(1, 4))
        version = rng.choice(versions[:1] * 4 + versions[1:])
        events = []
        for name in names:
            note = rng.choice(["", "why", "bulk:abc123", "bulk: x"] if name == "decision"
                              else ["", "why"])
            events.append(Event("", "lead" if sheet == CONSENSUS else sheet, study, stage,
                                name, rng.choice(CHOICES[name]), note, version))
        now = start + timedelta(seconds=rng.randrange(0, 10_000))
        append_events(root / "coding" / f"{sheet}.csv", events, now=now)


@pytest.fixture(params=range(8))
def review(request, template, tmp_path):
    root = tmp_path / "review"
    shutil.copytree(template, root)
    if request.param:
        scramble(root, request.param)
    return Review.open(root)


def old_report(review, n_resamples: int, seed: int) -> list[StageAgreement]:
    """The per-event path: SheetStates of the blind events, then each study's cell."""
    sheets = read_sheets(review)
    out = []
    for st in audit_stages(review):
        selection, variables, unmatched = agreement_module._stage_variables(review, st, sheets)
        variables = [v for v in variables if len(v.matrix.index)]
        results = variable_results(variables, n_resamples=n_resamples, seed=seed)
        out.append(StageAgreement(st, selection, results,
                                  tuple(stage_coders(selection.states, st.id)), n_resamples,
                                  seed, tuple(unmatched)))
    return out


def cells(frame: pd.DataFrame) -> list:
    return [[None if v is None else (type(v).__name__, v) for v in row]
            for row in frame.to_numpy(dtype=object).tolist()]


def same_variables(old, new) -> None:
    assert [v.name for v in old] == [v.name for v in new]
    for a, b in zip(old, new):
        assert (a.kind, a.level, a.categories, a.label) == (b.kind, b.level, b.categories,
                                                            b.label), a.name
        assert list(a.matrix.index) == list(b.matrix.index), a.name
        assert list(a.matrix.columns) == list(b.matrix.columns), a.name
        assert cells(a.matrix) == cells(b.matrix), a.name
        assert (a.ratings is None) == (b.ratings is None), a.name
        if a.ratings is not None:
            assert np.array_equal(a.ratings.codes, b.ratings.codes), a.name
            assert (a.ratings.categories, a.ratings.units, a.ratings.coders) == \
                (b.ratings.categories, b.ratings.units, b.ratings.coders), a.name


def test_the_variables_equal_the_per_event_path(review):
    sheets = read_sheets(review)
    reviewers, consensus, warnings = sheet_frames(review)
    assert warnings == sheets.warnings
    codebook = review.codebook()
    for st in audit_stages(review):
        selection, old, unmatched = agreement_module._stage_variables(review, st, sheets)
        blind = blind_columns(reviewers, consensus, st.id)
        assert (blind.version, blind.after_consensus, blind.other_version) == \
            (selection.version, selection.after_consensus, selection.other_version)
        assert list(blind.coders) == stage_coders(selection.states, st.id)
        if st.kind == CODING:
            new = coding_variables_columns(blind, codebook)
            matched, new_unmatched = group_units_columns(blind, codebook)
            old_matched, _ = group_units(review, st, selection)
            assert [(g.group.id, g.units, g.cells) for g in matched] == \
                [(g.group.id, g.units, g.cells) for g in old_matched]
            assert new_unmatched == unmatched
            old = old[:len(new)]  # the group variables are made from the matched units
        else:
            criteria = [c.id for c in codebook.stage_criteria(st.id) if c.kind == EXCLUDE]
            new = screening_variables_columns(blind, criteria, st.offered_decisions())
        same_variables(old, new)


def test_the_report_equals_the_per_event_path(review):
    old = old_report(review, n_resamples=60, seed=11)
    new = agreement_report(review, n_resamples=60, seed=11)
    assert agreement_csv(new) == agreement_csv(old)
    assert methods_text(new) == methods_text(old)
    for a, b in zip(old, new):
        assert (a.reviewers, a.unmatched) == (b.reviewers, b.unmatched)
        assert (a.selection.version, a.selection.after_consensus, a.selection.other_version) == \
            (b.selection.version, b.selection.after_consensus, b.selection.other_version)
        assert (a.studies_by_two(), a.bulk_studies()) == (b.studies_by_two(), b.bulk_studies())
        same_variables([v for v, _ in a.results], [v for v, _ in b.results])


def test_the_scramble_reaches_every_case(template, tmp_path):
    """The random reviews hold late events, left-out versions, bulk notes and unmatched rows."""
    seen = set()
    for seed in range(1, 8):
        root = tmp_path / f"r{seed}"
        shutil.copytree(template, root)
        scramble(root, seed)
        for r in agreement_report(Review.open(root), n_resamples=0):
            seen.update(k for k, v in (("late", r.selection.after_consensus),
                                       ("other", r.selection.other_version),
                                       ("bulk", r.bulk_studies()), ("unmatched", r.unmatched),
                                       ("three", len(r.reviewers) == 3)) if v)
    assert seen == {"late", "other", "bulk", "unmatched", "three"}


def test_given_sheets_give_the_same_report(review):
    """Sheets passed in (the export's events) are turned into columns: the same report."""
    via_events = agreement_report(review, n_resamples=20, sheets=read_sheets(review))
    assert agreement_csv(via_events) == agreement_csv(agreement_report(review, n_resamples=20))


def test_a_bad_number_names_its_cell_on_both_paths(template, tmp_path):
    root = tmp_path / "bad"
    shutil.copytree(template, root)
    review = Review.open(root)
    version = review.codebook().version
    for who in ("alice", "bob"):
        append_events(root / "coding" / f"{who}.csv",
                      [Event("", who, S(1), CODING, "row:campaign:k9", "1", "", version),
                       Event("", who, S(1), CODING, "row:campaign:k9:name", "#Z", "", version),
                       Event("", who, S(1), CODING, "row:campaign:k9:hashtag_reach",
                             "lots" if who == "alice" else "3", "", version)])
    with pytest.raises(ValueError) as old:
        old_report(review, 0, 1)
    with pytest.raises(ValueError) as new:
        agreement_report(review, n_resamples=0)
    assert str(new.value) == str(old.value)
    assert re.search(r"lots", str(new.value))


def test_an_event_at_the_consensus_time_is_left_out(template, tmp_path):
    """The blind cut is 'at or after': an event at the very time of the consensus is late."""
    root = tmp_path / "tie"
    shutil.copytree(template, root)
    review = Review.open(root)
    version = review.codebook().version
    now = datetime(2031, 1, 1, tzinfo=timezone.utc)
    for who in ("alice", CONSENSUS, "bob"):
        append_events(root / "coding" / f"{who}.csv",
                      [Event("", "lead" if who == CONSENSUS else who, S(2), TA, "decision",
                             "include", "", version)], now=now)
    (old,), (new,) = old_report(review, 0, 1)[:1], agreement_report(review, TA, n_resamples=0)
    assert new.selection.after_consensus == old.selection.after_consensus == 2
    assert agreement_csv([new]) == agreement_csv([old])


def test_rows_added_at_one_time_keep_the_order_they_were_written(template, tmp_path):
    """Rows with the same time: the order of their first blind event, not of the file's names.

    bob wrote k2 first under another codebook version (left out); later k1 then k2 in
    one append. His blind rows are k1, k2, as the per-event path orders them.
    """
    root = tmp_path / "order"
    shutil.copytree(template, root)
    review = Review.open(root)
    version = review.codebook().version
    sheet = root / "coding" / "bob.csv"
    append_events(sheet, [Event("", "bob", S(5), CODING, "row:campaign:k2", "1", "", "0ld")])
    append_events(sheet, [Event("", "bob", S(5), CODING, name, value, "", version)
                          for k in ("k1", "k2")
                          for name, value in ((f"row:campaign:{k}", "1"),
                                              (f"row:campaign:{k}:name", f"#{k}"))])
    old = old_report(review, 0, 1)[-1]
    new = agreement_report(review, CODING, n_resamples=0)[0]
    assert new.selection.other_version == old.selection.other_version == 1
    assert [list(v.matrix.index) for v, _ in new.results] == \
        [list(v.matrix.index) for v, _ in old.results]
    (units,) = {tuple(u for u in v.matrix.index if u.startswith(S(5)))
                for v, _ in new.results if v.name.startswith("row")}
    assert units == (f"{S(5)}/#k1", f"{S(5)}/#k2")
    assert agreement_csv([new]) == agreement_csv([old])


KEYS = ["#MeTooPakistan", "MeToo Pakistan", "metoo-pakistan", "#MeTooPakistn", "Aurat March",
        "aurat march!", "Café", "cafe", "", "  ", "#A", "#B", "Ωmega", "ωMEGA"]


def random_rows(rng: random.Random, sheets: int) -> dict:
    from workbench.core.coding import GroupRow
    out = {}
    for s in range(sheets):
        rows = []
        for _ in range(rng.randrange(0, 4)):
            values = {"name": rng.choice(KEYS)}
            if rng.random() < 0.5:
                values["platform"] = rng.choice(["twitter", "", "facebook"])
            row_id = rng.choice([f"r{s}{len(rows)}", "shared", f"r0{len(rows)}"])
            rows.append(GroupRow("campaign", row_id, values))
        out[f"c{s}"] = rows
    return out


@pytest.mark.parametrize("seed", range(40))
def test_exact_matches_equal_match_rows_whenever_they_answer(seed):
    """The shortcut for identical keys gives match_rows' matches, or leaves the study to it."""
    from workbench.core.agreement.groups import exact_matches
    from workbench.core.group_rows import match_rows
    from workbench.io.codebook_yaml import load_codebook
    group = next(g for g in load_codebook(REPO / "codebook.yaml").groups if g.id == "campaign")
    assert group.key_field() == "name"
    rng = random.Random(seed)
    answered = 0
    for _ in range(300):
        rows = random_rows(rng, rng.choice([2, 2, 3]))
        if rng.random() < 0.5:  # every sheet enters the same keys, in its own order
            base = rows["c0"]
            for name in list(rows)[1:]:
                copies = [type(r)(r.group, f"{name}{i}", dict(r.values))
                          for i, r in enumerate(base)]
                rng.shuffle(copies)
                rows[name] = copies
        fast = exact_matches("campaign", "name", rows)
        if fast is not None:
            answered += 1
            assert fast == match_rows(group, rows)
    assert answered > 20
