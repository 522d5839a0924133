"""The coding session: work list from the final full-text inclusions, changes through the sheet."""

from __future__ import annotations

import pytest

from workbench.core.events import DecisionRefused
from workbench.errors import ReviewError
from workbench.review import Review
from workbench.review.coding import (CODED, FLAGGED, UNCODED, included_study_ids,
                                     open_coding_session)
from workbench.store.sheet import read_sheet

from .coding_fixture import EXTRA_FIELDS, INCLUDED, S, build_review, copy_review, screen


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    return build_review(tmp_path_factory.mktemp("coding") / "review", EXTRA_FIELDS)


@pytest.fixture
def review(_template, tmp_path) -> Review:
    return Review.open(copy_review(_template, tmp_path / "r"))


def coding_rows(review, name="carol"):
    return [(e.study_id, e.stage, e.field, e.value, e.note)
            for e in read_sheet(review.coding / f"{name}.csv").events]


def test_work_list_is_the_final_full_text_inclusions(review):
    session = open_coding_session(review, "carol")
    assert session.stage.id == "coding"
    assert [s.id for s in session.studies] == INCLUDED  # S(6): bob has not decided yet
    screen(review, "bob", "full_text", {S(6): "include"})
    assert [s.id for s in open_coding_session(review, "carol").studies] == [*INCLUDED, S(6)]


def test_consensus_decides_when_reviewers_disagree(review):
    screen(review, "bob", "full_text", {S(6): "exclude"})
    assert S(6) not in included_study_ids(review, "full_text")
    from workbench.store.reviewer_sheet import Sheet
    from workbench.store.sheet import consensus_path
    sheet = Sheet.open(consensus_path(review.coding), "lead", review.codebook().version)
    sheet.record_screening(review.codebook(), "full_text", S(6), "include")
    assert S(6) in included_study_ids(review, "full_text")


def test_every_change_is_on_disk_and_invalid_values_write_nothing(review):
    session = open_coding_session(review, "carol")
    sid = S(1)
    session.toggle_code(sid, "platforms", "twitter")
    session.toggle_code(sid, "platforms", "whatsapp")
    session.toggle_code(sid, "platforms", "twitter")
    session.set_field(sid, "sample_size", "120")
    session.set_field(sid, "published", "2021-03")
    session.set_field(sid, "youth_focus", "yes")
    session.set_field(sid, "country", "Pakistan")
    before = (review.coding / "carol.csv").read_bytes()
    for field, value in (("sample_size", "abc"), ("sample_size", "0"), ("published", "March"),
                         ("source_type", "blog"), ("youth_focus", "maybe")):
        with pytest.raises(DecisionRefused):
            session.set_field(sid, field, value)
    assert (review.coding / "carol.csv").read_bytes() == before
    session.set_field(sid, "sample_size", "")  # NA, not 0
    assert coding_rows(review) == [
        (sid, "coding", "code:platforms", "twitter", ""),
        (sid, "coding", "code:platforms", "twitter;whatsapp", ""),
        (sid, "coding", "code:platforms", "whatsapp", ""),
        (sid, "coding", "field:sample_size", "120", ""),
        (sid, "coding", "field:published", "2021-03", ""),
        (sid, "coding", "field:youth_focus", "true", ""),
        (sid, "coding", "field:country", "Pakistan", ""),
        (sid, "coding", "field:sample_size", "", ""),
    ]


def test_rows_memo_evidence_flag_filters_and_resume(review):
    session = open_coding_session(review, "carol")
    a, b = S(3), S(5)
    row = session.add_row(a, "campaign", {"name": "#MeTooPakistan", "platform": "twitter",
                                          "hashtag_reach": "", "engagement_rate": "4.5"})
    other = session.add_row(a, "campaign", {"name": "#ClimateActionPK"})
    session.edit_row(a, "campaign", other, {"name": "#ClimateActionPK",
                                            "hashtag_reach": "1.2"})
    session.remove_row(a, "campaign", row)
    rows = session.coding(a).rows["campaign"]
    assert [(r.row_id, r.values) for r in rows] == [
        (other, {"name": "#ClimateActionPK", "hashtag_reach": "1.2"})]
    with pytest.raises(DecisionRefused, match="above the maximum"):
        session.add_row(a, "campaign", {"name": "x", "engagement_rate": "120"})
    session.set_memo(a, "barriers_facilitators", "censorship acted as a barrier")
    session.set_evidence(a, "censorship", "accounts were suspended", "12")
    session.set_flag(b, True, "unsure the policy counts")
    assert session.matching(CODED) == [1]
    assert session.matching(UNCODED) == [0, 2]
    assert session.matching(FLAGGED) == [2]
    with pytest.raises(ReviewError):
        session.matching("done")
    again = open_coding_session(review, "carol")
    assert again.resume_index() == 2  # the study changed last
    coding = again.coding(a)
    assert coding.memos == {"barriers_facilitators": "censorship acted as a barrier"}
    assert coding.evidence == {"censorship": ("accounts were suspended", "12")}
    assert again.coding(b).flagged and again.coding(b).flag_reason == "unsure the policy counts"
    assert again.progress().coded == 1 and again.progress().flagged == 1


def test_copy_codes_from_previous_and_undo(review):
    session = open_coding_session(review, "carol")
    first, second = S(1), S(3)
    session.set_codes(first, "platforms", ["twitter", "facebook"])
    session.set_codes(first, "activism_types", ["workplace_harassment"])
    assert session.previous_coded(1) == 0 and session.previous_coded(0) is None
    assert session.copy_codes(first, second) == 2
    assert session.coding(second).codes == {"platforms": ("twitter", "facebook"),
                                            "activism_types": ("workplace_harassment",)}
    assert session.undo() == second
    assert session.coding(second).codes == {}
    assert not session.is_coded(second)


def test_blind_to_other_coders(review):
    alice = open_coding_session(review, "alice")
    alice.toggle_code(S(1), "platforms", "twitter")
    carol = open_coding_session(review, "carol")
    assert carol.coding(S(1)).codes == {} and carol.progress().coded == 0


def test_bad_reviewer_and_stage(review):
    with pytest.raises(ReviewError):
        open_coding_session(review, "consensus")
    with pytest.raises(ReviewError, match="unknown coding stage"):
        open_coding_session(review, "carol", "full_text")
