"""The shipped codebooks encode the seed studies; versions and highlight terms behave."""

from __future__ import annotations

from pathlib import Path

from workbench.core.codebook import HighlightTerms, compile_highlights
from workbench.io.codebook_yaml import load_codebook, parse_codebook

REPO = Path(__file__).resolve().parents[2]


def test_shipped_codebook_encodes_the_seed_methodology():
    cb = load_codebook(REPO / "codebook.yaml")
    assert (cb.review.year_from, cb.review.year_to) == (2010, 2025)
    assert [(s.id, s.kind, s.reviewers) for s in cb.stages] == [
        ("title_abstract", "screening", 2), ("full_text", "screening", 2), ("coding", "coding", 2)]
    assert cb.stage("coding").source == "full_text"
    labels = {c.id: c.label for c in cb.criteria}
    assert labels["E1"] == "Not related to Pakistan"
    assert "Theoretical" in labels["E2"] and "Full text not accessible" == labels["E3"]
    assert [c.id for c in cb.stage_criteria("title_abstract")] == ["I1", "I2", "I3", "I4", "E1",
                                                                   "E2", "E4"]
    assert [d.id for d in cb.dimensions] == ["platforms", "activism_types", "campaign_kpis",
                                             "policy_results", "barriers_facilitators"]
    codes = {d.id: {c.label for c in d.all_codes()} for d in cb.dimensions}
    assert {"Twitter/X", "Facebook", "Instagram", "WhatsApp",
            "Online petition platforms"} <= codes["platforms"]
    assert {"Social justice activism", "Governance accountability", "Gender rights",
            "Environmental advocacy", "Anti-corruption"} <= codes["activism_types"]
    kpis = {c.id for c in cb.dimension("campaign_kpis").codes}
    assert kpis == {"reach", "engagement", "hashtag_use", "shares", "comments", "virality"}
    assert {"legislative_change", "government_measures", "institutional_measures",
            "government_accountability"} <= {c.id for c in cb.dimension("policy_results").codes}
    barriers = {c.id for c in cb.dimension("barriers_facilitators").all_codes()}
    assert {"internet_access", "digital_literacy", "socio_economic", "cultural_norms",
            "government_response", "media_efforts", "censorship", "misinformation"} <= barriers
    source = cb.field("source_type")
    assert source.required and [c.label for c in source.choices] == [
        "Peer-reviewed article", "Government report", "NGO case study", "Conference paper",
        "Grey literature"]
    campaign = cb.group("campaign")
    assert [f.id for f in campaign.fields] == ["name", "platform", "hashtag_reach",
                                               "engagement_rate", "policy_action"]
    rate = campaign.field("engagement_rate")
    assert (rate.type, rate.minimum, rate.maximum, rate.unit) == ("number", 0, 100, "%")
    assert campaign.field("hashtag_reach").unit == "million"
    assert cb.version and len(cb.version) == 12


def test_nested_codes_are_codes_of_their_dimension():
    cb = load_codebook(REPO / "codebook.yaml")
    dim, code = cb.code_index()["workplace_harassment"]
    assert dim.id == "activism_types" and code.label == "Workplace harassment"
    gender = next(c for c in dim.codes if c.id == "gender_rights")
    assert [c.id for c in gender.children] == ["workplace_harassment", "public_space_harassment"]


def test_example_codebook_codes_the_influencer_case_study():
    cb = load_codebook(REPO / "examples" / "influencer-advocacy" / "codebook.yaml")
    assert [d.id for d in cb.dimensions] == ["approaches", "focus_areas", "challenges", "lessons"]
    assert {"authenticity", "backlash", "balancing_entertainment", "measuring_impact"} == {
        c.id for c in cb.dimension("challenges").codes}
    assert cb.field("source_type").choice_ids()[:2] == ("web_case_study", "social_media_post")


def test_template_is_a_valid_codebook():
    cb = load_codebook(REPO / "workbench" / "templates" / "codebook.yaml")
    assert cb.coding_stages() and cb.screening_stages()


def test_version_ignores_comments_and_layout_but_not_content():
    base = "stages:\n  - {id: ta, kind: screening}\n"
    same = "# a comment\nstages:\n  - id: ta   # trailing\n    kind: screening\n"
    other = "stages:\n  - {id: ta, kind: screening, reviewers: 3}\n"
    assert parse_codebook(base).version == parse_codebook(same).version
    assert parse_codebook(base).version != parse_codebook(other).version


def test_highlights_match_words_phrases_and_wildcards():
    matcher = compile_highlights(HighlightTerms(
        include=("activis*", "social media", "Pakistan"), exclude=("India",)))
    text = "Social  media ACTIVISTS in Pakistan, not India; Pakistani reactivism"
    found = [(text[a:b], kind) for a, b, kind in matcher.spans(text)]
    assert found == [("Social  media", "include"), ("ACTIVISTS", "include"),
                     ("Pakistan", "include"), ("India", "exclude")]


def test_no_highlight_terms_match_nothing():
    assert compile_highlights(HighlightTerms()).spans("anything") == []


def test_renamed_codes_resolve_through_chains():
    cb = parse_codebook("stages: []\ndimensions:\n  - id: d\n    label: D\n    codes:\n"
                        "      - {id: x3, label: X}\nrenamed: {x1: x2, x2: x3}\n")
    assert cb.resolve_code("x1") == "x3" and cb.resolve_code("x3") == "x3"
