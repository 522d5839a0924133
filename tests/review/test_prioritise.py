"""Prioritised screening in the library: blindness, the feature cache, the stopping sample."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.io.export_review import EVENTS, make_review, study_ids
from tests.tui.conftest import build_review
from workbench.core.ranking import ELAS_U4
from workbench.review import Review
from workbench.errors import ReviewError
from workbench.review.exporting import write_exports
from workbench.review.prioritise import (Prioritiser, RankedQueue, draw_stopping_sample,
                                         load_features, open_sample, plan_stopping_sample,
                                         stopping_estimate, withdraw_stopping_sample)
from workbench.review.screening import open_session
from workbench.store import features as feature_store
from workbench.store.sheet import read_sheet


def ranking_of(review, reviewer):
    session = open_session(review, reviewer)
    prioritiser = Prioritiser(session, load_features(review))
    return session, prioritiser.rank(prioritiser.snapshot())


def test_one_reviewers_decisions_never_change_anothers_order(tmp_path):
    review = Review.open(build_review(tmp_path / "review"))
    bob_session = open_session(review, "bob")
    # bob has decided two studies: his model is trained on them
    bob_session.record(bob_session.studies[0].id, "include")
    bob_session.record(bob_session.studies[1].id, "exclude", ["E1"])
    _, bob_before = ranking_of(review, "bob")
    assert bob_before.basis == "model"
    alice, alice_before = ranking_of(review, "alice")
    # alice decides the opposite of bob
    alice.record(alice.studies[0].id, "exclude", ["E1"])
    alice.record(alice.studies[1].id, "include")
    alice.record(alice.studies[2].id, "include")
    _, alice_after = ranking_of(review, "alice")
    _, bob_after = ranking_of(review, "bob")
    assert alice_after.order != alice_before.order        # alice's own model moved
    assert bob_after.order == bob_before.order             # bob's did not
    assert np.array_equal(bob_after.scores, bob_before.scores)
    assert bob_after.trained_on == 2


def test_features_are_cached_as_plain_arrays_keyed_by_the_texts(tmp_path):
    review = Review.open(build_review(tmp_path / "review"))
    first = load_features(review, ELAS_U4)
    files = list((review.root / feature_store.FEATURES_DIR).glob("*.npz"))
    assert len(files) == 1 and not first.cached
    with np.load(files[0], allow_pickle=False) as data:      # no object arrays, no pickle
        assert set(data.files) == {"key", "shape", "data", "indices", "indptr"}
    again = feature_store.read_features(review.root, first.key)
    assert (again != first.matrix).nnz == 0
    # another text gives another key: a stale cache is never used
    assert feature_store.features_key(["a"], ELAS_U4.feature_key()) != \
        feature_store.features_key(["b"], ELAS_U4.feature_key())
    files[0].write_bytes(b"not a zip")
    assert feature_store.read_features(review.root, first.key) is None


def test_queue_serves_the_sample_then_the_best_ranked_and_skips_decided(tmp_path):
    review = Review.open(build_review(tmp_path / "review"))
    session, ranking = ranking_of(review, "alice")
    queue = RankedQueue(lambda p: bool(session.decision(session.studies[p].id)))
    queue.set_ranking(ranking)
    top = queue.next()
    assert top == ranking.order[0] and queue.rank_of(top) == (1, len(session))
    session.record(session.studies[top].id, "include")
    assert queue.next() == ranking.order[1]
    queue.sample = [ranking.order[-1]]
    assert queue.next() == ranking.order[-1]
    older = ranking.__class__(ranking.order, ranking.scores, ranking.generation - 1, "model", 0)
    assert not queue.set_ranking(older)                     # newest request wins


def test_stopping_sample_is_drawn_recorded_and_reported_in_the_export(tmp_path):
    # alice has screened A, B and C at title/abstract; D, E, F and G are left
    left = set("DEFG")
    events = [e for e in EVENTS if not (e[0] == "alice" and e[2] == "title_abstract"
                                        and e[1] in left)]
    review = make_review(tmp_path / "review", events)
    ids = study_ids(review)
    session = open_session(review, "alice")
    drawn = draw_stopping_sample(session, seed=1)
    # 3 relevant found, 4 unscreened: only screening all 4 can show recall >= 95%
    assert sorted(session.studies[p].id for p in drawn) == sorted(ids[s] for s in left)
    sheet = read_sheet(review.coding / "alice.csv").events
    recorded = {e.study_id: e.value for e in sheet if e.field == "stopping_sample"}
    assert set(recorded) == {ids[s] for s in left}
    assert all(v.startswith("test=1;urn=4;found=3;seq=") for v in recorded.values())
    assert open_sample(session) == drawn
    assert not stopping_estimate(session.state, "title_abstract").can_stop
    final = {"D": ("exclude", ["E1"]), "E": ("include", []), "F": ("include", []),
             "G": ("exclude", ["E2"])}
    for position in drawn:
        letter = next(k for k, v in ids.items() if v == session.studies[position].id)
        decision, criteria = final[letter]
        session.record(ids[letter], decision, criteria)
    estimate = stopping_estimate(session.state, "title_abstract")
    assert (estimate.screened, estimate.relevant_in_sample) == (4, 2)
    assert estimate.can_stop and estimate.confidence == 1.0
    write_exports(Review.open(review.root), charts=False)
    meta = json.loads((review.exports / "export_metadata.json").read_text(encoding="utf-8"))
    alice = [m for m in meta["screening_methods"]
             if m["reviewer"] == "alice" and m["stage"] == "title_abstract"]
    assert alice and "Callaghan" in alice[0]["stopping"]
    assert "4/4 of a random sample from 4 unscreened" in alice[0]["stopping"]
    assert alice[0]["stopping_confidence"] == 1.0
    readme = (review.exports / "README.txt").read_text(encoding="utf-8")
    assert "Screening order and stopping" in readme and "random sample" in readme
    log = (review.exports / "screening_log.csv").read_text(encoding="utf-8")
    assert log.count("stopping_sample") == 4


def test_stopping_sample_is_planned_first_and_withdrawn_only_before_screening(tmp_path):
    review = Review.open(build_review(tmp_path / "review"))
    session = open_session(review, "alice")
    session.record(session.studies[0].id, "include")
    session.record(session.studies[1].id, "exclude", ["E1"])
    plan = plan_stopping_sample(session)
    unscreened = len(session) - 2
    assert plan.unscreened == unscreened and not plan.extend and plan.found_before == 1
    assert f"{plan.size:,} of your {unscreened:,} unscreened" in plan.describe()
    assert not [e for e in read_sheet(review.coding / "alice.csv").events
                if e.field == "stopping_sample"]                  # nothing written yet
    drawn = draw_stopping_sample(session, seed=3, plan=plan)
    assert len(drawn) == plan.size and open_sample(session) == drawn
    assert withdraw_stopping_sample(session) == len(drawn)
    assert open_sample(session) == [] and stopping_estimate(session.state, "title_abstract") \
        .sample_size == 0
    values = [e.value for e in read_sheet(review.coding / "alice.csv").events
              if e.field == "stopping_sample"]
    assert len(values) == 2 * len(drawn) and values[len(drawn):] == [""] * len(drawn)
    # once a study of the draw is screened, it can be neither withdrawn nor redrawn
    drawn = draw_stopping_sample(session, seed=4)
    assert len(drawn) > 1
    session.record(session.studies[drawn[0]].id, "exclude", ["E1"])
    with pytest.raises(ReviewError, match="biased"):
        withdraw_stopping_sample(session)
    with pytest.raises(ReviewError, match="screen its"):
        plan_stopping_sample(session)


def test_a_ranking_made_ahead_is_the_one_rank_makes_after_the_decision(tmp_path):
    from workbench.core.ranking import train_model
    review = Review.open(build_review(tmp_path / "review"))
    session = open_session(review, "alice")
    calls = []

    def trainer(features, labelled, labels, settings):
        calls.append(tuple(labelled))
        return train_model(features, labelled, labels, settings)
    prioritiser = Prioritiser(session, load_features(review), trainer=trainer)
    oracle = Prioritiser(session, load_features(review))       # no model kept: trains each time
    session.record(session.studies[0].id, "include")
    session.record(session.studies[1].id, "exclude", ["E1"])
    snap = prioritiser.snapshot()
    first = prioritiser.rank(snap)
    position = first.order[0]
    assert prioritiser.ahead(snap, position) == 2           # irrelevant, then relevant
    assert prioritiser.ready(snap) is None                  # not the decisions it assumed
    for decision, criteria in (("exclude", ["E1"]), ("include", []), ("maybe", [])):
        session.record(session.studies[position].id, decision, criteria)
        now = prioritiser.snapshot()
        made = prioritiser.ready(now)
        assert made is not None and made.generation == now.generation
        expected = oracle.rank(now)
        assert made.order == expected.order and made.trained_on == expected.trained_on == 3
        assert np.array_equal(made.scores, expected.scores)
        assert np.array_equal(made.ranks, expected.ranks)
    trained = len(calls)
    # the same decisions again (a re-rank): the model is kept, not trained again
    assert prioritiser.rank(prioritiser.snapshot()).order == expected.order
    assert len(calls) == trained
    # another study decided than the one ranked ahead for: nothing ready, rank trains
    order = prioritiser.rank(prioritiser.snapshot()).order
    prioritiser.ahead(prioritiser.snapshot(), order[0])
    session.record(session.studies[order[1]].id, "include")
    assert prioritiser.ready(prioritiser.snapshot()) is None
    # a stop asked for before the first ranking: nothing made ahead
    snap = prioritiser.snapshot()
    top = prioritiser.rank(snap).order[0]
    assert prioritiser.ahead(snap, top, stop=lambda: True) == 0
    assert prioritiser.ahead(snap, top) == 2
