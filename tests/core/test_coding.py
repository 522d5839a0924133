"""Coding: codes per dimension, typed fields, group rows, memos, evidence, flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.coding import validate_value
from workbench.core.codebook import Choice, Field
from workbench.core.events import DecisionRefused
from workbench.io.codebook_yaml import load_codebook, parse_codebook
from workbench.store.reviewer_sheet import Sheet

REPO = Path(__file__).resolve().parents[2]
STAGE = "coding"

# Table 1 of the seed study; two campaigns do not report hashtag reach.
TABLE_1 = [
    {"name": "#MeTooPakistan", "platform": "Twitter", "hashtag_reach": "5.2",
     "engagement_rate": "7.5", "policy_action": "Workplace policy revisions"},
    {"name": "#ClimateActionPK", "platform": "Facebook;Instagram", "hashtag_reach": "",
     "engagement_rate": "3.8", "policy_action": "Environmental policy review"},
    {"name": "#HarassmentFreeStreets", "platform": "twitter;whatsapp", "hashtag_reach": "",
     "engagement_rate": "2.4", "policy_action": "Municipal street safety measures"},
]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(REPO / "codebook.yaml")


@pytest.fixture
def sheet(tmp_path, codebook):
    return Sheet.open(tmp_path / "coding" / "alice.csv", "alice", codebook.version)


def test_code_the_seed_study_and_read_it_back_from_disk(sheet, codebook):
    study = "seed-001"
    sheet.set_codes(codebook, STAGE, study, "platforms",
                    ["whatsapp", "twitter", "facebook", "instagram"])
    sheet.set_codes(codebook, STAGE, study, "policy_results",
                    ["legislative_change", "government_measures"])
    sheet.set_field(codebook, STAGE, study, "source_type", "Peer-reviewed article")
    rows = [sheet.add_row(codebook, STAGE, study, "campaign", values) for values in TABLE_1]
    sheet.set_memo(codebook, STAGE, study, "platforms", "Twitter and Facebook dominate")
    sheet.set_evidence(codebook, STAGE, study, "twitter",
                       "Twitter and Facebook are the most appropriate", "7")
    sheet.set_flag(codebook, STAGE, study, True, "reach missing for two campaigns")

    coded = Sheet.open(sheet.path, "alice").coding(codebook, STAGE, study)
    assert coded.codes["platforms"] == ("twitter", "facebook", "instagram", "whatsapp")
    assert coded.codes["policy_results"] == ("legislative_change", "government_measures")
    assert coded.values == {"source_type": "peer_reviewed"}
    campaigns = coded.rows["campaign"]
    assert [r.row_id for r in campaigns] == rows
    assert [r.values["name"] for r in campaigns] == [r["name"] for r in TABLE_1]
    assert [r.values["platform"] for r in campaigns] == [
        "twitter", "facebook;instagram", "twitter;whatsapp"]
    assert [r.values["hashtag_reach"] for r in campaigns] == ["5.2", "", ""]  # NA, not 0
    assert coded.memos == {"platforms": "Twitter and Facebook dominate"}
    assert coded.evidence == {"twitter": ("Twitter and Facebook are the most appropriate", "7")}
    assert coded.flagged and coded.flag_reason == "reach missing for two campaigns"


def test_edit_and_remove_group_rows_keep_other_rows(sheet, codebook):
    first = sheet.add_row(codebook, STAGE, "s1", "campaign", TABLE_1[0])
    second = sheet.add_row(codebook, STAGE, "s1", "campaign", TABLE_1[1])
    sheet.edit_row(codebook, STAGE, "s1", "campaign", second, {"hashtag_reach": "0"})
    sheet.remove_row(codebook, STAGE, "s1", "campaign", first)
    (row,) = sheet.coding(codebook, STAGE, "s1").rows["campaign"]
    assert row.row_id == second and row.values["hashtag_reach"] == "0"
    assert row.values["name"] == "#ClimateActionPK"
    with pytest.raises(DecisionRefused, match="does not exist"):
        sheet.edit_row(codebook, STAGE, "s1", "campaign", first, {"name": "x"})


def test_codes_are_the_full_set_and_can_be_cleared(sheet, codebook):
    sheet.set_codes(codebook, STAGE, "s1", "campaign_kpis", ["reach", "virality"])
    sheet.set_codes(codebook, STAGE, "s1", "campaign_kpis", ["shares"])
    assert sheet.coding(codebook, STAGE, "s1").codes["campaign_kpis"] == ("shares",)
    sheet.set_codes(codebook, STAGE, "s1", "campaign_kpis", [])
    assert "campaign_kpis" not in sheet.coding(codebook, STAGE, "s1").codes


@pytest.mark.parametrize("call, message", [
    (("set_codes", "platforms", ["myspace"]), "code 'myspace' is not one of its codes"),
    (("set_codes", "nope", ["twitter"]), "dimension 'nope'"),
    (("set_field", "source_type", "blog"), "'blog' is not one of peer_reviewed"),
    (("set_field", "youth_focus", "maybe"), "is not yes/no"),
    (("add_row", "campaign", {"engagement_rate": "abc"}), "'abc' is not a number"),
    (("add_row", "campaign", {"engagement_rate": "120"}), "above the maximum 100"),
    (("add_row", "campaign", {"hashtag_reach": "-1"}), "below the minimum 0"),
    (("add_row", "campaign", {"reach": "1"}), "has no field 'reach'"),
    (("set_evidence", "nocode", "quote"), "code 'nocode'"),
])
def test_invalid_values_save_nothing(sheet, codebook, call, message):
    method, *args = call
    with pytest.raises(DecisionRefused, match=message) as caught:
        getattr(sheet, method)(codebook, STAGE, "s1", *args)
    assert "nothing was saved" in str(caught.value)
    assert not sheet.path.exists() and len(sheet.state) == 0


def test_coding_on_a_screening_stage_is_refused(sheet, codebook):
    with pytest.raises(DecisionRefused, match="not coding"):
        sheet.set_codes(codebook, "full_text", "s1", "platforms", ["twitter"])


def test_single_select_dimension_takes_one_code():
    cb = parse_codebook("stages: [{id: c, kind: coding}]\ndimensions:\n  - id: d\n    label: D\n"
                        "    select: single\n    codes: [{id: a, label: A}, {id: b, label: B}]\n")
    from workbench.core.coding import codes_changes
    assert codes_changes(cb, "c", "d", ["b"])[0].value == "b"
    with pytest.raises(DecisionRefused, match="takes one code"):
        codes_changes(cb, "c", "d", ["a", "b"])


@pytest.mark.parametrize("ftype, text, stored", [
    ("integer", " 007 ", "7"), ("integer", "", ""), ("integer", "0", "0"),
    ("number", "5.2", "5.2"), ("boolean", "Yes", "true"), ("boolean", "0", "false"),
    ("date", "2021-02", "2021-02"), ("long_text", "a\nb", "a\nb"),
])
def test_values_are_normalized(ftype, text, stored):
    assert validate_value(Field("f", "F", ftype), text) == stored


@pytest.mark.parametrize("fld, text", [
    (Field("n", "N", "integer"), "1.5"), (Field("n", "N", "integer"), "abc"),
    (Field("x", "X", "number"), "nan"), (Field("d", "D", "date"), "2021-13-01"),
    (Field("m", "M", "multi_choice", choices=(Choice("a", "A"),)), "a;z"),
])
def test_values_that_do_not_fit_are_refused(fld, text):
    with pytest.raises(DecisionRefused, match=f"field '{fld.id}'"):
        validate_value(fld, text)
