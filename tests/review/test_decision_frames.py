"""The vectorised conflicts and progress (review/decision_frames.py) equal the per-study path.

Small reviews built from the issue #11 scenario (criteria mismatch, group rows,
a fuzzy-matched row, two merged studies) plus random events: changed and undone
decisions, criteria in another order, consensus entries, codes, values, group
rows and their fields, memos, notes and flags, on three reviewers' sheets.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter

import pytest

from tests.review.coding_fixture import S
from tests.review.scenario_fixtures import on_columns, template  # noqa: F401 (fixtures)
from workbench.core import coding as cod
from workbench.core.consensus import FINAL, final_decisions
from workbench.core.events import CONSENSUS
from workbench.core.screening import decisions_by_study
from workbench.review import Review
from workbench.review import decision_frames as frames
from workbench.review.agreement import read_sheets
from workbench.review.coding import coding_progress, included_study_ids
from workbench.review.conflicts import list_conflicts, shared_states
from workbench.review.screening import PASSING, passed_studies, sheet_path, stage_progress
from workbench.review.sheet_reads import review_sheet_state
from workbench.store.sheet import Event, append_events

TA, FT, CODING = "title_abstract", "full_text", "coding"


def scramble(root, seed: int) -> None:
    """Append random events to alice's, bob's, carol's and the consensus sheet."""
    rng = random.Random(seed)
    review = Review.open(root)
    studies = [s.id for s in review.studies()] + [S(6)]  # S(6) was merged into S(4)
    version = review.codebook().version
    choices = {
        "decision": ["include", "exclude", "maybe", "", "not_retrieved"],
        "criteria": ["E1", "E2", "E1;E2", "E2;E1", ""],
        "code:platforms": ["twitter", "facebook;twitter", "twitter;facebook", "", "whatsapp"],
        "code:activism_types": ["", "hashtag_campaigns"],
        "field:software": ["R", "R ", "", "Stata"],
        "field:validated": ["yes", "no", ""],
        "memo:platforms": ["see p. 3", ""],
        "note": ["", "a note, with a comma"],
        cod.FLAG: [cod.FLAGGED, ""],
        "row:campaign:k1": ["1", ""], "row:campaign:k1:name": ["#A", "#B", ""],
        "row:campaign:k1:hashtag_reach": ["5.2", "5.20", ""],
        "row:campaign:k2": ["1"], "row:campaign:k2:name": ["#A", "#C"],
    }
    screening = ["decision", "criteria", "note"]
    coding = [f for f in choices if f not in ("decision", "criteria")]
    for _ in range(rng.randrange(40, 90)):
        sheet = rng.choice(["alice", "bob", "carol", "alice", "bob", CONSENSUS])
        stage = rng.choice([TA, FT, CODING, CODING])
        study = rng.choice(studies)
        names = rng.sample(screening if stage != CODING else coding, rng.randrange(1, 3))
        events = [Event("", "lead" if sheet == CONSENSUS else sheet, study, stage, name,
                        rng.choice(choices[name]), rng.choice(["", "why"]), version)
                  for name in names]
        append_events(root / "coding" / f"{sheet}.csv", events)


@pytest.fixture(params=range(6))
def review(request, template, tmp_path):
    root = tmp_path / "review"
    shutil.copytree(template, root)
    if request.param:
        scramble(root, request.param)
    return Review.open(root)


def old_stage_progress(review, reviewer):
    """stage_progress as it was: SheetStates and passed_studies."""
    studies = review.studies()
    state = review_sheet_state(review, sheet_path(review, reviewer))
    out = []
    for stage in review.codebook().screening_stages():
        work = passed_studies(review, stage, studies, state, reviewer) if stage.source \
            else studies
        ids = {s.id for s in work}
        decided = {s: d for s, d in decisions_by_study(state, stage.id).items() if s in ids}
        out.append((stage.id, len(work), len(decided), dict(Counter(decided.values()))))
    return out


def old_coding_progress(review, reviewer):
    state = review_sheet_state(review, sheet_path(review, reviewer))
    studies = review.studies()
    out = []
    for stage in review.codebook().coding_stages():
        ids = [s.id for s in studies]
        if stage.source:
            included = included_study_ids(review, stage.source)
            ids = [i for i in ids if i in included]
        coded = sum(1 for i in ids if any(
            value and name.split(":", 1)[0] in frames.CODING_KINDS
            for name, value in state.values(stage.id, i).items()))
        flagged = sum(1 for i in ids if state.value(stage.id, i, cod.FLAG) == cod.FLAGGED)
        out.append((stage.id, len(ids), coded, flagged))
    return out


@pytest.mark.parametrize("include_resolved", [False, True])
def test_conflicts_equal_the_per_study_path(review, include_resolved):
    for stage in (None, TA, FT, CODING):
        fast = list_conflicts(review, stage, include_resolved)
        slow = list_conflicts(review, stage, include_resolved, sheets=read_sheets(review))
        assert fast == slow


def test_the_scenario_has_every_kind_of_conflict(template):
    kinds = {c.kind for c in list_conflicts(Review.open(template))}
    assert {"criteria", "field", "row", "row_field", "merge"} <= kinds


def test_progress_equals_the_per_study_path(review):
    for reviewer in ("alice", "bob", "carol"):
        if not sheet_path(review, reviewer).exists():
            continue
        new = [(p.stage, p.total, p.done, p.counts) for p in stage_progress(review, reviewer)]
        assert new == old_stage_progress(review, reviewer)
        assert [list(p.counts) for p in stage_progress(review, reviewer)] == \
            [list(c) for *_, c in old_stage_progress(review, reviewer)]  # same order too
        assert [(p.stage, p.total, p.coded, p.flagged) for p in coding_progress(review, reviewer)] \
            == old_coding_progress(review, reviewer)


def test_final_passing_follows_final_decisions(review):
    states, consensus = shared_states(review)
    for stage in review.codebook().screening_stages():
        votes = [(name, sid, value, "") for name, state in {**states, CONSENSUS: consensus}.items()
                 for sid, value in decisions_by_study(state, stage.id).items()]
        finals = final_decisions(stage.id, votes, stage.reviewers)
        assert frames.final_passing(review, stage, PASSING) == \
            {s for s, d in finals.items() if d.status == FINAL and d.decision in PASSING}


def one_difference(root, seed: int) -> None:
    """alice and bob code every study alike, then bob differs from alice in one thing (or none).

    The bulk filter (`coding_candidates`) must keep each study where that
    one thing is a conflict: a code, an extraction value, a group row's
    value, a row only one of them has, a row the consensus set, a value the
    consensus settled; and may drop those differing in row ids alone.
    """
    rng = random.Random(seed)
    review = Review.open(root)
    version = review.codebook().version
    base = {"code:platforms": "twitter", "code:activism_types": "hashtag_campaigns",
            "field:software": "R", "field:validated": "yes", "row:campaign:k1": "1",
            "row:campaign:k1:name": "#A", "row:campaign:k1:hashtag_reach": "5.2"}
    changes = [("code:platforms", "facebook"), ("code:platforms", ""), ("field:software", "S"),
               ("field:validated", ""), ("row:campaign:k1:name", "#B"),
               ("row:campaign:k1:hashtag_reach", ""), ("row:campaign:k1", ""),
               ("row:campaign:k2", "1"), ("memo:platforms", "see p. 3"), ("note", "why")]
    for study in [s.id for s in review.studies()]:
        cells = {name: dict(base) for name in ("alice", "bob")}
        what = rng.choice(changes + [None, "row ids", "settled", "consensus row"])
        if what == "row ids":  # the same row under another id: agreed
            cells["bob"] = {k.replace("k1", "k9"): v for k, v in base.items()}
        elif isinstance(what, tuple):
            cells["bob"][what[0]] = what[1]
        elif what in ("settled", "consensus row"):
            if what == "settled":
                cells["bob"]["field:software"] = "Stata"
            name, value = (("field:software", "R") if what == "settled"
                           else ("row:campaign:k3", "1"))
            append_events(root / "coding" / f"{CONSENSUS}.csv",
                          [Event("", "lead", study, CODING, name, value, "", version)])
        for sheet, cell in cells.items():
            append_events(root / "coding" / f"{sheet}.csv",
                          [Event("", sheet, study, CODING, k, v, "", version)
                           for k, v in cell.items()])


@pytest.mark.parametrize("seed", range(8))
def test_one_difference_per_study_is_found(template, tmp_path, seed):
    root = tmp_path / "review"
    shutil.copytree(template, root)
    one_difference(root, seed)
    review = Review.open(root)
    for include_resolved in (False, True):
        fast = list_conflicts(review, CODING, include_resolved)
        assert fast == list_conflicts(review, CODING, include_resolved, sheets=read_sheets(review))


def test_candidates_take_the_field_parts_as_text_too(template, tmp_path):
    """The tail cache (review/tail_frames.py) gives the field parts as text, not categories."""
    root = tmp_path / "review"
    shutil.copytree(template, root)
    one_difference(root, 3)
    review = Review.open(root)
    reviewers, consensus = frames.latest_frames(review)
    as_text = {n: f.assign(**{c: f[c].astype(object) for c in ("prefix", "rowkey", "group",
                                                               "sub", "field", "value")})
               for n, f in reviewers.items()}
    stage = review.codebook().stage(CODING)
    expected = frames.coding_candidates(reviewers, consensus, CODING, stage.reviewers)
    assert expected[1]
    assert frames.coding_candidates(as_text, consensus, CODING, stage.reviewers) == expected
    for name, frame in reviewers.items():
        ids = set(frame["study_id"].astype(object))
        assert frames.coding_counts(as_text[name], CODING, ids, cod.FLAG, cod.FLAGGED) \
            == frames.coding_counts(frame, CODING, ids, cod.FLAG, cod.FLAGGED)


def test_aliases_and_study_ids_from_the_study_index(template, monkeypatch):
    """A command that needs only the aliases (or the ids) reads the index, not every study."""
    full = Review.open(template).dedupe()
    assert full.aliases  # the scenario merged S6 into S4
    from workbench.review import checking, studies
    review = Review.open(template)
    review.study_index()  # written (warm), as any earlier command leaves it
    monkeypatch.setattr(studies, "group_studies", lambda *a, **k: pytest.fail("every study"))
    fresh = Review.open(template)
    assert fresh.aliases() == dict(full.aliases)
    ids, _ = checking._study_ids(fresh)
    assert ids == {s.id for s in full.studies} | set(full.aliases)
